"""The standing schedule as data: patterns, the schedule.csv reader, [visits] as a schedule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.hours import WEEKDAYS
from bookvan.data.schedule import (
    PATTERNS,
    Schedule,
    load_schedule,
    parse_schedule,
    parse_visit_days,
    schedule_from_visits,
    write_schedule,
)

NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "SCH-BADU"}


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "schedule.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_patterns_and_school_days():
    assert parse_visit_days("tue-thu-sat").weekdays == ("tue", "thu", "sat")
    assert parse_visit_days("sat,tue").weekdays == ("tue", "sat")
    school = parse_visit_days("school-days")
    assert school.skip_holidays and school.weekdays == WEEKDAYS[:5]
    assert school.includes(dt.date(2026, 12, 1))  # a Tuesday
    assert not school.includes(dt.date(2026, 10, 9))  # Friday, Taiwan's National Day (observed)
    assert not school.includes(dt.date(2026, 12, 5))  # Saturday
    assert school.text == "school-days" and "國定假日" in school.zh
    with pytest.raises(ValueError):
        parse_visit_days("tue-funday")


def test_reader_round_trip_and_next_visit(tmp_path):
    d = _write(
        tmp_path,
        "node_id,days,target_arrival,tolerance_min,vehicle_id,source\n"
        "KL-ANLE,tue-thu-sat,10:30,30,VAN-1,test\nKL-XINYI,daily,,,,\n",
    )
    s = load_schedule(d, node_ids=NODES, vehicle_ids={"VAN-1"})
    assert s is not None
    anle = s.get("KL-ANLE")
    assert anle.window_s() == (10 * 3600, 11 * 3600) and anle.vehicle_id == "VAN-1"
    assert s.get("KL-XINYI").window_s() is None
    tue = dt.date(2026, 12, 1)
    assert s.visits_on("KL-ANLE", tue) and not s.visits_on("KL-ANLE", tue + dt.timedelta(days=1))
    assert s.visits_on("KL-MAIN", tue + dt.timedelta(days=1))  # not listed: any day
    assert s.next_visit("KL-ANLE", tue) == dt.date(2026, 12, 3)
    closed_thu = lambda n, day: day.weekday() != 3  # noqa: E731
    assert s.next_visit("KL-ANLE", tue, closed_thu) == dt.date(2026, 12, 5)
    write_schedule(s, tmp_path / "again.csv")
    again = load_schedule(None, path=tmp_path / "again.csv", node_ids=NODES)
    assert again.nodes == s.nodes
    assert load_schedule(tmp_path / "nowhere") is None


def test_every_bad_field_named(tmp_path):
    d = _write(
        tmp_path,
        "node_id,days,target_arrival,tolerance_min,vehicle_id\n"
        "KL-NOPE,tue,10:00,30,\nKL-ANLE,someday,25:00,-5,VAN-9\nKL-ANLE,daily,,,\n",
    )
    with pytest.raises(InputError) as e:
        load_schedule(d, node_ids=NODES, vehicle_ids={"VAN-1"})
    where = {(p.row, p.field) for p in e.value.problems}
    assert where == {
        (1, "node_id"), (2, "days"), (2, "target_arrival"), (2, "tolerance_min"), (2, "vehicle_id"),
        (3, "node_id"),
    }
    assert all(p.file.endswith("schedule.csv") for p in e.value.problems)


def test_missing_column_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as e:
        load_schedule(_write(tmp_path, "node_id,target_arrival\nKL-ANLE,10:00\n"))
    assert e.value.problems[0].field == "days"


_days = st.one_of(
    st.sampled_from(sorted(PATTERNS)),
    st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True).map(",".join),
    st.text(max_size=12),
)
_clock = st.one_of(
    st.just(""),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 30), st.integers(0, 70)),
    st.text(max_size=6),
)
_row = st.fixed_dictionaries(
    {
        "node_id": st.one_of(st.sampled_from(sorted(NODES)), st.text(max_size=8)),
        "days": _days,
        "target_arrival": _clock,
        "tolerance_min": st.one_of(st.just(""), st.integers(-10, 800).map(str), st.text(max_size=4)),
        "vehicle_id": st.sampled_from(["", "VAN-1", "VAN-7"]),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_row, max_size=6))
def test_reader_accepts_or_names_row_and_field(rows):
    """Any rows: a Schedule whose every window lies in the day, or InputError rows/fields only."""
    try:
        s = parse_schedule(rows, node_ids=NODES, vehicle_ids={"VAN-1"})
    except InputError as e:
        for p in e.problems:
            assert p.row is not None and 1 <= p.row <= len(rows)
            assert p.field in {"node_id", "days", "target_arrival", "tolerance_min", "vehicle_id"}
        return
    assert isinstance(s, Schedule)
    assert set(s.nodes) <= NODES
    for ns in s.nodes.values():
        assert ns.days.weekdays and set(ns.days.weekdays) <= set(WEEKDAYS)
        if ns.target_s is not None:
            assert 0 <= ns.target_s < 24 * 3600 and 0 <= ns.tolerance_s <= 720 * 60


def test_scenario_visits_are_a_schedule():
    from bookvan.scenarios.apply import scenario_schedule, served_on
    from bookvan.scenarios.spec import scenario_from_dict

    scn = scenario_from_dict({"name": "t", "visits": {"default": "tue-thu-sat", "nodes": {"KL-ANLE": "daily"}}})[0]
    ids = ["KL-MAIN", "KL-ANLE", "KL-XINYI"]
    sched = scenario_schedule(scn, ids)
    wed = dt.date(2026, 12, 2)
    assert not sched.visits_on("KL-XINYI", wed) and sched.visits_on("KL-ANLE", wed)
    assert served_on(scn, ids, wed) == {"KL-ANLE"}
    same = schedule_from_visits(("tue", "thu", "sat"), {"KL-ANLE": WEEKDAYS}, ids)
    assert same.nodes.keys() == sched.nodes.keys()


def test_a_scenario_names_a_schedule(tmp_path):
    from bookvan.scenarios.apply import scenario_schedule
    from bookvan.scenarios.spec import scenario_from_dict

    f = tmp_path / "s.toml"
    (tmp_path / "mine.csv").write_text("node_id,days,target_arrival\nKL-ANLE,school-days,09:30\n", encoding="utf-8")
    scn = scenario_from_dict({"name": "s", "schedule": "mine.csv"}, f)[0]
    assert scn.schedule_file == str((tmp_path / "mine.csv").resolve())
    sched = scenario_schedule(scn, ["KL-MAIN", "KL-ANLE"])
    assert sched.get("KL-ANLE").target_s == 9 * 3600 + 1800
    assert not sched.visits_on("KL-ANLE", dt.date(2026, 10, 9))  # National Day: no school
    bundled = scenario_from_dict({"name": "b", "schedule": "network"}, f)[0]
    assert bundled.schedule_file.endswith("keelung/schedule.csv")


def test_simulated_days_report_arrival_consistency():
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from scenario_fakes import fake_engine

    from bookvan.scenarios.kpis import run_summary
    from bookvan.scenarios.simulate import simulate
    from bookvan.scenarios.spec import scenario_from_dict

    scn = scenario_from_dict({"name": "c", "simulation": {"start": "2027-03-02", "days": 6, "replications": 1}})[0]
    res = simulate(scn, 0, engine=fake_engine())
    arr = [c for c in res.kpis.columns if c.startswith("arr:")]
    assert arr and res.kpis[arr].notna().any().all()
    row = run_summary(res.kpis, res.transit).iloc[0]
    assert row["arrival_spread_min"] >= 0
