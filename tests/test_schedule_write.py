"""scenarios.schedule_write: what `schedule build` leaves in its folder, written from a built schedule.

The schedule is the bundled network's own schedule.csv; the one template day is the hand-made
plan of tests/plan_factory.py, so no solver runs and every file can be checked exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from plan_factory import good_plan

from bookvan.data.network import bundled_network_dir
from bookvan.data.outdir import MARKER
from bookvan.data.schedule import SCHEDULE_FILE, load_schedule
from bookvan.routing.check import check_plan_dir
from bookvan.routing.daily import DayPlan
from bookvan.scenarios.schedule_build import BuildSettings, BuiltSchedule
from bookvan.scenarios.schedule_write import timetable_rows, write_built_schedule

DAY = dt.date(2026, 12, 1)  # the plan factory's Tuesday


@pytest.fixture(scope="module")
def schedule(network):
    return load_schedule(bundled_network_dir(), node_ids=set(network.node_ids))


def _built(schedule) -> BuiltSchedule:
    t = good_plan()
    summary = {k: v for k, v in t["plan"].items() if k not in ("date", "unassigned")}
    summary["schedule"] = {"cost_ntd": 1234.5}
    plan = DayPlan(DAY, t["nodes"], t["vehicles"], t["transfers"], t["matrix"], t["stops"],
                   t["plan"]["unassigned"], summary)
    return BuiltSchedule(schedule=schedule, templates={DAY: plan}, service_share=0.96543,
                         visit_cost_ntd={"KL-ANLE": 310.0}, visits_per_week={"KL-ANLE": 3},
                         p90_crates_per_day=12.34, notes=("a note",))


def test_the_folder_holds_every_file_of_a_build(tmp_path, network, schedule):
    out = write_built_schedule(_built(schedule), network, BuildSettings(), tmp_path / "sched")
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == sorted([
        MARKER, SCHEDULE_FILE, "timetable.csv", "timetable.html", "templates.csv", "build.json",
        *(f"templates/2026-12-01-tue/{f}" for f in (
            "plan.json", "nodes.parquet", "vehicles.parquet", "transfers.parquet", "matrix.parquet",
            "stops.parquet")),
    ]), names
    # the schedule written reads back as the same schedule
    again = load_schedule(None, node_ids=set(network.node_ids), path=out / SCHEDULE_FILE)
    assert again.to_json() == schedule.to_json()


def test_template_days_are_plan_folders_that_check(tmp_path, network, schedule):
    out = write_built_schedule(_built(schedule), network, BuildSettings(), tmp_path / "sched")
    assert check_plan_dir(out / "templates" / "2026-12-01-tue") == []
    with (out / "templates.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    stops = good_plan()["stops"]
    assert len(rows) == len(stops)  # one row per stop of every template day
    first = rows[0]
    assert (first["weekday"], first["date"], first["vehicle_id"]) == ("tue", "2026-12-01", "VAN-1")
    # arrival is the service start where the stop waited for opening: A at 08:55, served 09:00
    by_stop = {(r["vehicle_id"], r["trip"], r["seq"]): r["arrival"] for r in rows}
    assert by_stop[("VAN-1", "1", "1")] == "09:00"


def test_build_json_rounds_the_figures_and_keeps_the_settings(tmp_path, network, schedule):
    settings = BuildSettings(weeks=2, seed=7)
    out = write_built_schedule(_built(schedule), network, settings, tmp_path / "sched")
    info = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert info["settings"]["weeks"] == 2 and info["settings"]["seed"] == 7
    assert info["settings"]["start"] == settings.start.isoformat()
    assert info["hold_service_share"] == 0.9654  # 4 places
    assert info["p90_crates_per_day"] == 12.3  # 1 place
    assert info["template_cost_ntd"] == {"2026-12-01": 1234.5}
    assert info["notes"] == ["a note"]


def test_timetable_csv_has_a_row_per_scheduled_node(tmp_path, network, schedule):
    out = write_built_schedule(_built(schedule), network, BuildSettings(), tmp_path / "sched")
    with (out / "timetable.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows == timetable_rows(schedule, network)
    scheduled = {n for n in network.node_ids if schedule.get(n) is not None}
    assert {r["node_id"] for r in rows} == scheduled
    for r in rows:  # a window is HH:MM to HH:MM around the target, or empty when none is fixed
        if r["target_arrival"]:
            assert r["window_from"] <= r["target_arrival"] <= r["window_to"]
        else:
            assert r["window_from"] == r["window_to"] == ""
    page = (out / "timetable.html").read_text(encoding="utf-8")
    assert page.count('<div class="sheet">') == len(rows)


def test_a_failed_write_leaves_the_old_folder(tmp_path, network, schedule):
    out = write_built_schedule(_built(schedule), network, BuildSettings(), tmp_path / "sched")
    before = (out / "build.json").read_bytes()
    broken = BuiltSchedule(schedule=schedule, templates={DAY: None}, service_share=0.5,  # type: ignore[dict-item]
                           visit_cost_ntd={}, visits_per_week={}, p90_crates_per_day=0.0)
    with pytest.raises(AttributeError):
        write_built_schedule(broken, network, BuildSettings(), out)
    assert (out / "build.json").read_bytes() == before
