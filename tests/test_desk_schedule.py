"""The desk's Schedule page: the weekly calendar from the network's schedule.csv and the timetables."""

from __future__ import annotations

import re
import shutil

import pytest
from test_desk_app import client, fake_planner, fake_replanner, signed_in

from bookvan.data.network import load_network
from bookvan.desk.app import DeskConfig, create_app


def _app(tmp_path, network_dir=None):
    cfg = DeskConfig(db_url=f"sqlite:///{tmp_path / 'desk.db'}", plans_dir=tmp_path / "plans",
                     network_dir=network_dir, planner=fake_planner, replanner=fake_replanner)
    return create_app(cfg)


@pytest.fixture
def network_copy(tmp_path):
    out = tmp_path / "net"
    shutil.copytree(load_network(None).source_dir, out)
    return out


def test_schedule_page_shows_the_weekly_calendar(tmp_path):
    app = _app(tmp_path)
    c, _ = signed_in(app)
    r = c.get("/schedule")
    assert r.status_code == 200
    assert '<a href="/schedule" class="on">Schedule</a>' in r.text  # in the nav, on this page
    row = re.search(r'<tr id="node-KL-ANLE">(.*?)</tr>', r.text, re.S).group(1)
    days = re.findall(r'<td class="day( on)?">', row)
    assert [bool(d) for d in days] == [False, True, False, True, False, True, False]  # tue-thu-sat
    assert "11:15 ± 30 min" in row and "10:45–11:45" in row and "VAN-1" in row
    assert '<tr id="node-KL-BAIFU">' in r.text and 'href="/schedule/timetable/KL-ANLE"' in r.text


def test_timetables_are_the_schedule_build_pages(tmp_path):
    app = _app(tmp_path)
    c, _ = signed_in(app)
    one = c.get("/schedule/timetable/KL-ANLE")
    assert one.status_code == 200 and one.text.count('<div class="sheet">') == 1
    assert "安樂" in one.text and "10:45–11:45" in one.text and "@page" in one.text
    every = c.get("/schedule/timetable")
    assert every.text.count('<div class="sheet">') >= 4
    assert c.get("/schedule/timetable/KL-MAIN").status_code == 404  # the depot has no standing visit
    assert c.get("/schedule/timetable/NOPE").status_code == 404


def test_no_schedule_and_a_bad_schedule(tmp_path, network_copy):
    (network_copy / "schedule.csv").unlink()
    app = _app(tmp_path, str(network_copy))
    c, _ = signed_in(app)
    r = c.get("/schedule")
    assert r.status_code == 200 and 'id="no-schedule"' in r.text
    assert c.get("/schedule/timetable").status_code == 404
    (network_copy / "schedule.csv").write_text(
        "node_id,days,target_arrival,tolerance_min,vehicle_id,source\nKL-ANLE,someday,11:15,30,VAN-1,x\n",
        encoding="utf-8")
    r = c.get("/schedule")
    assert r.status_code == 400 and "schedule.csv" in r.text and "row 1" in r.text and "days" in r.text


def test_schedule_needs_sign_in(tmp_path):
    app = _app(tmp_path)
    signed_in(app)
    assert client(app).get("/schedule").status_code == 303
    assert client(app).get("/schedule/timetable").status_code == 303
