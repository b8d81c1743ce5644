"""The desk over HTTP (Starlette's TestClient), with the hand-made plan instead of the engine.

Covers sign-in and first start, CSRF refusals, an uploaded file with errors (the CLI's
file/row/field lines, nothing changed), two coordinators adopting at once (the second told the
plan changed), driver links (only their run, expired at midnight, scans stored once), and the
day's scans exported in the format `bookvan scan` reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from plan_factory import good_plan, write_plan_dir

from bookvan.data.scans import read_scans
from bookvan.desk.app import DeskConfig, create_app

DATE = "2026-12-01"


def fake_planner(req, out):
    """The hand-made plan (as `bookvan plan` would write it), minus the vans that are down."""
    t = good_plan()
    if req.without:
        gone = t["stops"]["vehicle_id"].isin(req.without)
        lost = {x for ids in t["stops"].loc[gone, "pickup_ids"] for x in ids}
        t["stops"] = t["stops"][~gone].reset_index(drop=True)
        t["plan"]["unassigned"] += [{"transfer_id": x, "reason": "van down"} for x in sorted(lost)]
    write_plan_dir(t, out)
    return out


def fake_replanner(base, base_req, vans_down, at, out):
    req = dataclasses.replace(base_req, without=tuple(vans_down))
    fake_planner(req, out)
    return req


@pytest.fixture
def app(tmp_path):
    cfg = DeskConfig(db_url=f"sqlite:///{tmp_path / 'desk.db'}", plans_dir=tmp_path / "plans",
                     planner=fake_planner, replanner=fake_replanner)
    return create_app(cfg)


def client(app, host="127.0.0.1"):
    return TestClient(app, base_url="http://127.0.0.1", client=(host, 50000), follow_redirects=False)


def pre(html):
    return re.search(r'name="pre" value="([^"]+)"', html).group(1)


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(app, name="mei"):
    c = client(app)
    r = c.get("/", follow_redirects=True)
    if "/setup" in str(r.url):
        r = c.post("/setup", data={"name": name, "password": "secret-pass", "pre": pre(r.text)})
    else:
        r = c.post("/login", data={"name": name, "password": "secret-pass", "pre": pre(r.text)})
    assert r.status_code == 303, r.text
    return c, csrf_of(c.get(f"/actions?date={DATE}").text)


def planned(app):
    c, csrf = signed_in(app)
    r = c.post("/actions/plan", data={"date": DATE, "base_version": 0, "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/versions/1"
    r = c.post("/versions/1/adopt", data={"expected_current": 0, "csrf": csrf})
    assert r.status_code == 303
    return c, csrf


def test_first_start_then_sign_in(app):
    c = client(app)
    r = c.get("/", follow_redirects=True)
    assert str(r.url).endswith("/setup") and "first coordinator" in r.text
    r = c.post("/setup", data={"name": "mei", "password": "short", "pre": pre(r.text)})
    assert "8 characters" in r.text
    r = c.post("/setup", data={"name": "mei", "password": "secret-pass", "pre": pre(r.text)})
    assert r.status_code == 303 and "bookvan_session" in r.headers["set-cookie"]
    other = client(app)
    r = other.get("/setup", follow_redirects=True)
    assert str(r.url).endswith("/login")  # setup is over once a coordinator exists
    r = other.post("/login", data={"name": "mei", "password": "wrong-pass", "pre": pre(r.text)})
    assert "Wrong name or password" in r.text
    assert other.get("/actions", follow_redirects=False).status_code == 303


def test_first_start_only_from_this_machine(app):
    c = client(app, host="192.168.1.20")
    r = c.get("/setup")
    r = c.post("/setup", data={"name": "mei", "password": "secret-pass", "pre": pre(r.text)})
    assert r.status_code == 403


def test_state_changing_requests_need_the_csrf_token(app):
    c, csrf = planned(app)
    assert c.post("/actions/plan", data={"date": DATE, "base_version": 1}).status_code == 403
    assert c.post("/actions/plan", data={"date": DATE, "base_version": 1, "csrf": "forged"}).status_code == 403
    r = c.post("/actions/plan", data={"date": DATE, "base_version": 1, "csrf": csrf},
               headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert c.post("/logout", data={}).status_code == 403
    assert len(app.state.store.versions(DATE)) == 1  # nothing was planned by the refused requests


def test_today_shows_map_runs_left_out_and_driver_links(app):
    c, _ = planned(app)
    r = c.get(f"/day/{DATE}")
    assert r.status_code == 200
    assert '<svg id="map"' in r.text and '<svg id="gantt"' in r.text
    assert "U1" in r.text and "closed on Tuesdays" in r.text
    links = re.findall(r'class="driver-link" href="([^"]+)"', r.text)
    assert len(links) == 3  # VAN-1 runs 1 and 2, VAN-2 run 1
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_uploaded_transfers_with_errors_change_nothing(app, tmp_path):
    c, csrf = planned(app)
    bad = b"transfer_id,origin,destination,items,kind\nT1,KL-ANLE,KL-NOWHERE,40,hold\nT2,KL-XINYI,KL-MAIN,-3,return\n"
    r = c.post("/actions/plan", data={"date": DATE, "base_version": 1, "csrf": csrf},
               files={"transfers": ("urgent.csv", bad, "text/csv")})
    assert r.status_code == 400
    assert "urgent.csv, row 1, field &#39;destination&#39;: unknown node code" in r.text
    assert "urgent.csv, row 2, field &#39;items&#39;" in r.text
    assert len(app.state.store.versions(DATE)) == 1 and app.state.store.current_version(DATE) == 1


def test_uploaded_scans_with_errors_change_nothing_and_good_ones_arrive_once(app):
    c, csrf = planned(app)
    bad = b"time,vehicle_id,node_id,crate_id,event\n2026-12-01 09:05,VAN-1,KL-ANLE,T1-C01,loaded\n" \
          b"2026-12-01 09:06,VAN-1,KL-ANLE,T1-C02,lost\n"
    r = c.post(f"/day/{DATE}/scans", data={"csrf": csrf}, files={"file": ("scans.csv", bad, "text/csv")})
    assert r.status_code == 400 and "scans.csv, row 2, field &#39;event&#39;" in r.text
    assert app.state.store.scans(DATE) == []
    good = bad.replace(b"lost", b"loaded")
    for _ in range(2):  # the same file twice: stored once
        r = c.post(f"/day/{DATE}/scans", data={"csrf": csrf}, files={"file": ("scans.csv", good, "text/csv")})
        assert r.status_code == 303
    assert len(app.state.store.scans(DATE)) == 2
    today = c.get(f"/day/{DATE}").text
    assert "2 scan(s), last at 09:06" in today


def test_second_coordinator_is_told_the_plan_changed(app):
    mei, mcsrf = planned(app)
    app.state.store.add_user("lin", "secret-pass")
    lin, lcsrf = signed_in(app, "lin")
    # both open the actions page on v1 and re-plan without a van
    r1 = mei.post("/actions/replan", data={"date": DATE, "base_version": 1, "van_down": "VAN-2", "csrf": mcsrf})
    r2 = lin.post("/actions/replan", data={"date": DATE, "base_version": 1, "van_down": "VAN-1", "csrf": lcsrf})
    v_mei, v_lin = (int(r.headers["location"].rsplit("/", 1)[1]) for r in (r1, r2))
    page = mei.get(f"/versions/{v_mei}").text
    assert "now waiting" in page and "van down" in page  # the diff before adoption
    assert mei.post(f"/versions/{v_mei}/adopt", data={"expected_current": 1, "csrf": mcsrf}).status_code == 303
    r = lin.post(f"/versions/{v_lin}/adopt", data={"expected_current": 1, "csrf": lcsrf})
    assert r.status_code == 409 and "The plan changed" in r.text and "by mei" in r.text
    assert app.state.store.current_version(DATE) == v_mei
    # a re-plan based on the old version is refused the same way
    r = lin.post("/actions/replan", data={"date": DATE, "base_version": 1, "van_down": "VAN-1", "csrf": lcsrf})
    assert r.status_code == 409
    # the previous plan stays retrievable and can be adopted again
    assert "v1" in lin.get("/versions").text
    r = lin.post("/versions/1/adopt", data={"expected_current": v_mei, "csrf": lcsrf})
    assert r.status_code == 303 and app.state.store.current_version(DATE) == 1


def _driver(c, link):
    r = c.get(link)
    cfg = json.loads(re.search(r'<script id="cfg" type="application/json">(.*?)</script>', r.text).group(1))
    return r, cfg


def test_driver_link_reaches_only_its_run_and_scans_arrive_once(app):
    c, _ = planned(app)
    links = re.findall(r'class="driver-link" href="http://127.0.0.1([^"]+)"', c.get(f"/day/{DATE}").text)
    phone = client(app)  # no session: the link alone
    r, cfg = _driver(phone, links[0])
    assert r.status_code == 200 and cfg["van"] == "VAN-1" and cfg["trip"] == 1
    assert 'data-crate="T1-C01"' in r.text and 'data-crate="T4-C01"' not in r.text  # VAN-2's crate
    assert phone.get(f"/day/{DATE}", follow_redirects=False).status_code == 303  # no coordinator pages
    scan = {"client_id": "d-00112233445566", "time": "2026-12-01T09:05:00+08:00", "crate_id": "T1-C01",
            "event": "loaded", "node_id": "KL-ANLE"}
    url = f"/d/{cfg['token']}/scans"
    assert phone.post(url, json={"scans": [scan]}).status_code == 403  # no token header
    for _ in range(3):  # retries after lost answers
        r = phone.post(url, json={"scans": [scan]}, headers={"X-CSRF-Token": cfg["csrf"]})
        assert r.json()["acked"] == ["d-00112233445566"]
    rows = app.state.store.scans(DATE)
    assert len(rows) == 1 and rows[0]["vehicle_id"] == "VAN-1"  # the van comes from the link, not the phone
    r = phone.post(url, json={"scans": [{**scan, "client_id": "d-2", "event": "lost"}]},
                   headers={"X-CSRF-Token": cfg["csrf"]})
    assert r.json()["rejected"] == [1]
    assert phone.get("/d/not-a-real-token").status_code == 404
    # the page shows what was recorded
    r, _ = _driver(phone, links[0])
    assert 'data-crate="T1-C01" data-node="KL-ANLE" data-action="loaded" data-recorded="loaded"' in r.text


def test_driver_link_expires_at_the_end_of_the_day(app):
    store = app.state.store
    tok = store.run_link("2020-01-01", "VAN-1", 1, dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
    assert client(app).get(f"/d/{tok}").status_code == 404


def test_scans_export_is_what_bookvan_scan_reads(app, tmp_path):
    c, csrf = planned(app)
    good = b"time,vehicle_id,node_id,crate_id,event,note\n2026-12-01 09:05,VAN-1,KL-ANLE,T1-C01,loaded,\"a, b\"\n"
    c.post(f"/day/{DATE}/scans", data={"csrf": csrf}, files={"file": ("s.csv", good, "text/csv")})
    r = c.get(f"/day/{DATE}/scans.csv")
    (tmp_path / "x.csv").write_bytes(r.content)
    df = read_scans(tmp_path / "x.csv")
    assert list(df["crate_id"]) == ["T1-C01"] and f"{df['time'].iloc[0]:%H:%M}" == "09:05"
    assert df["note"].iloc[0] == "a, b"


@pytest.mark.slow  # prints PDFs
def test_print_manifests_then_files_are_linked(app):
    c, csrf = planned(app)
    r = c.post("/versions/1/manifests", data={"csrf": csrf}, follow_redirects=True)
    assert r.status_code == 200 and "labels.pdf" in r.text
    assert c.get("/files/1/labels.pdf").content[:4] == b"%PDF"
    assert c.get("/files/1/%2E%2E/plan.json").status_code == 404
    v = app.state.store.version(1)
    shutil.rmtree(v.folder + "/manifests")


def test_a_restart_loses_no_acknowledged_scan(app, tmp_path):
    c, _ = planned(app)
    links = re.findall(r'class="driver-link" href="http://127.0.0.1([^"]+)"', c.get(f"/day/{DATE}").text)
    phone = client(app)
    _, cfg = _driver(phone, links[0])
    scan = {"client_id": "d-aabbccddeeff", "time": "2026-12-01T09:05:00+08:00", "crate_id": "T1-C01",
            "event": "loaded", "node_id": "KL-ANLE"}
    r = phone.post(f"/d/{cfg['token']}/scans", json={"scans": [scan]}, headers={"X-CSRF-Token": cfg["csrf"]})
    assert r.json()["acked"] == ["d-aabbccddeeff"]
    app.state.store.engine.dispose()
    again = create_app(app.state.cfg)  # the server started again on the same database
    phone2 = client(again)
    r, cfg2 = _driver(phone2, links[0])  # the same link still works, the scan is shown
    assert cfg2["csrf"] == cfg["csrf"] and 'data-recorded="loaded"' in r.text
    assert [s["client_id"] for s in again.state.store.scans(DATE)] == ["d-aabbccddeeff"]


@pytest.fixture(scope="module")
def pg_base():
    from desk_fixtures import postgres_server

    with postgres_server() as url:
        yield url


@pytest.mark.slow
def test_the_same_desk_on_postgresql(pg_base, tmp_path):
    cfg = DeskConfig(db_url=pg_base, plans_dir=tmp_path / "plans", planner=fake_planner, replanner=fake_replanner)
    app = create_app(cfg)
    test_second_coordinator_is_told_the_plan_changed(app)
    c = client(app)
    links = re.findall(r'class="driver-link" href="http://127.0.0.1([^"]+)"',
                       signed_in(app)[0].get(f"/day/{DATE}").text)
    _, dcfg = _driver(c, links[0])
    scan = {"client_id": "d-pg-0000000001", "time": "2026-12-01T09:05:00+08:00", "crate_id": "T1-C01",
            "event": "loaded", "node_id": "KL-ANLE"}
    for _ in range(2):
        c.post(f"/d/{dcfg['token']}/scans", json={"scans": [scan]}, headers={"X-CSRF-Token": dcfg["csrf"]})
    again = create_app(cfg)
    assert len(again.state.store.scans(DATE)) == 1
    for a in (app, again):  # pooled connections collected while open would be psycopg's ResourceWarning
        a.state.store.engine.dispose()


def test_too_many_wrong_passwords_pause_that_name(app):
    signed_in(app)
    c = client(app)
    for _ in range(5):
        r = c.post("/login", data={"name": "mei", "password": "guess-guess", "pre": pre(c.get("/login").text)})
        assert "Wrong name or password" in r.text
    r = c.post("/login", data={"name": "mei", "password": "secret-pass", "pre": pre(c.get("/login").text)})
    assert r.status_code == 200 and "Too many wrong passwords" in r.text  # even the right one, for a while


def test_today_shows_what_a_van_that_is_down_still_carries(app):
    c, csrf = planned(app)
    links = re.findall(r'class="driver-link" href="http://127.0.0.1([^"]+)"', c.get(f"/day/{DATE}").text)
    phone = client(app)
    _, cfg = _driver(phone, links[2])  # VAN-2, run 1
    assert cfg["van"] == "VAN-2"
    scan = {"client_id": "d-van2-00000001", "time": "2026-12-01T09:05:00+08:00", "crate_id": "H1-C01",
            "event": "loaded", "node_id": "KL-ANLE"}
    phone.post(f"/d/{cfg['token']}/scans", json={"scans": [scan]}, headers={"X-CSRF-Token": cfg["csrf"]})
    r = c.post("/actions/replan", data={"date": DATE, "base_version": 1, "van_down": "VAN-2", "csrf": csrf})
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    c.post(f"/versions/{vid}/adopt", data={"expected_current": 1, "csrf": csrf})
    today = c.get(f"/day/{DATE}").text
    down = re.search(r'<div class="alert" id="vans-down">(.*?)</div>', today, re.S).group(1)
    assert "VAN-2: last scan 09:05 at KL-ANLE" in down and "H1-C01" in down
    assert "unknown van" not in today  # its scans are not noise against the new plan
