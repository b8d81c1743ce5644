"""The desk's re-plan actions for a branch closing early and urgent holds uploaded as a file.

Both run the real mid-day re-planner (``bookvan.routing.replan.replan``, as ``bookvan replan``)
on the bundled day planned once by the real engine; the new version is shown with its diff
before anyone adopts it.
"""

from __future__ import annotations

import re
import shutil

import pytest
from test_desk_app import DATE, fake_replanner, planned

from bookvan.desk import actions
from bookvan.desk.app import DeskConfig, create_app
from bookvan.routing.manifest.plan import load_plan

STEPS = 10  # search steps of plan and re-plans: enough for a valid day, quick on a shared machine


@pytest.fixture(scope="module")
def bundled_day(tmp_path_factory):
    """The bundled 2026-12-01 planned once by the engine (as the desk's Plan button does)."""
    out = tmp_path_factory.mktemp("day") / "plan"
    actions.plan_into(actions.PlanRequest(date=DATE, time_limit_s=30, search_steps=STEPS), out)
    return out


@pytest.fixture
def app(tmp_path, bundled_day):
    def planner(req, out):
        shutil.copytree(bundled_day, out)
        return out

    cfg = DeskConfig(db_url=f"sqlite:///{tmp_path / 'desk.db'}", plans_dir=tmp_path / "plans",
                     planner=planner, replanner=fake_replanner, time_limit_s=30, search_steps=STEPS)
    return create_app(cfg)


def test_close_early_proposes_a_plan_without_stops_there_after_closing(app):
    c, csrf = planned(app)
    page = c.get(f"/actions?date={DATE}").text
    assert 'action="/actions/close-early"' in page and '<option value="KL-XINYI">' in page
    assert '<option value="KL-MAIN">' not in page  # the depot is not a branch that closes early
    r = c.post("/actions/close-early", data={"date": DATE, "base_version": 1, "node": "KL-XINYI",
                                             "closes_at": "10:30", "at": "09:40", "csrf": csrf})
    assert r.status_code == 303, r.text
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    store = app.state.store
    assert store.current_version(DATE) == 1  # proposed, not adopted
    v = store.version(vid)
    assert v.action == "close-early" and v.base_version == 1
    before = load_plan(app.state.store.version(1).folder).stops
    late = before[(before["node_id"] == "KL-XINYI") & (before["arrival"].dt.strftime("%H:%M") >= "10:30")]
    assert len(late) >= 1  # the base plan does go there after closing time
    stops = load_plan(v.folder).stops
    there = stops[stops["node_id"] == "KL-XINYI"]
    assert (there["arrival"].dt.strftime("%H:%M") < "10:30").all()
    assert (stops["node_id"] != "KL-XINYI").sum() > 0  # the rest of the day is still routed
    shown = c.get(f"/versions/{vid}").text
    assert "KL-XINYI@10:30" in shown and "Adopt" in shown
    r = c.post(f"/versions/{vid}/adopt", data={"expected_current": 1, "csrf": csrf})
    assert r.status_code == 303 and store.current_version(DATE) == vid


def test_close_early_with_a_bad_time_changes_nothing(app):
    c, csrf = planned(app)
    r = c.post("/actions/close-early", data={"date": DATE, "base_version": 1, "node": "KL-BAIFU",
                                             "closes_at": "25:99", "at": "09:40", "csrf": csrf})
    assert r.status_code == 400 and "not a time like 11:00" in r.text
    r = c.post("/actions/close-early", data={"date": DATE, "base_version": 1, "node": "KL-NOWHERE",
                                             "closes_at": "10:00", "at": "09:40", "csrf": csrf})
    assert r.status_code == 400 and "unknown node" in r.text
    assert len(app.state.store.versions(DATE)) == 1


def test_urgent_holds_with_errors_change_nothing(app, tmp_path):
    c, csrf = planned(app)
    bad = b"transfer_id,origin,destination,items,kind\nU1,KL-ANLE,KL-NOWHERE,4,hold\nU2,KL-XINYI,KL-MAIN,-3,hold\n"
    r = c.post("/actions/urgent", data={"date": DATE, "base_version": 1, "at": "09:40", "csrf": csrf},
               files={"transfers": ("urgent.csv", bad, "text/csv")})
    assert r.status_code == 400
    assert "urgent.csv, row 1, field &#39;destination&#39;: unknown node code" in r.text
    assert "urgent.csv, row 2, field &#39;items&#39;" in r.text
    store = app.state.store
    assert len(store.versions(DATE)) == 1 and store.current_version(DATE) == 1
    assert not (tmp_path / "plans" / DATE / "inputs").exists()  # the bad file was not kept either


def test_urgent_holds_are_routed_in_the_proposed_plan(app):
    c, csrf = planned(app)
    good = b"transfer_id,origin,destination,items,kind\nU1,KL-ANLE,KL-XINYI,4,hold\n"
    r = c.post("/actions/urgent", data={"date": DATE, "base_version": 1, "at": "09:40", "csrf": csrf},
               files={"transfers": ("urgent.csv", good, "text/csv")})
    assert r.status_code == 303, r.text
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    v = app.state.store.version(vid)
    assert v.action == "urgent" and app.state.store.current_version(DATE) == 1
    plan = load_plan(v.folder)
    assert "U1" in set(plan.transfers["transfer_id"])
    picked = {x for ids in plan.stops["pickup_ids"] for x in ids}
    waiting = {u["transfer_id"] for u in plan.unassigned}
    assert "U1" in picked | waiting
    assert re.search(r"U1", c.get(f"/versions/{vid}").text)


@pytest.mark.parametrize("today", [True, False])
def test_van_down_says_down_and_whether_the_day_was_planned_whole(tmp_path, bundled_day, today):
    """A plan for today re-plans from now (here 07:30, before the van left); another day's is planned whole."""
    import datetime as dt

    def planner(req, out):
        shutil.copytree(bundled_day, out)
        return out

    def replanner(base, base_req, vans_down, at, out):
        if today:
            return actions.replan_with(base, base_req, dt.time(7, 30), out, vans_down=vans_down)
        return actions.whole_day_replan(base, base_req, vans_down, at, out)

    app = create_app(DeskConfig(db_url=f"sqlite:///{tmp_path / 'desk.db'}", plans_dir=tmp_path / "plans",
                                planner=planner, replanner=replanner, time_limit_s=30, search_steps=STEPS))
    c, csrf = planned(app)
    r = c.post("/actions/replan", data={"date": DATE, "base_version": 1, "van_down": "VAN-1", "csrf": csrf})
    assert r.status_code == 303, r.text
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    v = app.state.store.version(vid)
    assert ('"at": "07:30"' in v.detail) is today
    assert "VAN-1" not in set(load_plan(v.folder).stops["vehicle_id"])
    shown = c.get(f"/versions/{vid}").text
    if today:  # still one of the day's vans, with no runs: it is down, not merely unused
        row = shown.split('<tr data-van="VAN-1"><td>', 1)[1].split("</tr>", 1)[0]
        assert "down: no runs in this plan" in row and "not used" not in row
    else:
        assert 'data-van="VAN-1"' not in shown
    assert c.post(f"/versions/{vid}/adopt", data={"expected_current": 1, "csrf": csrf}).status_code == 303
    assert ("planned the whole day again" in c.get(f"/day/{DATE}").text) is not today
