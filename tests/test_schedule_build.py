"""schedule build: visit days meet the holds service level; timetables; the CLI's errors."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.schedule import load_schedule
from bookvan.data.travel import build_matrix
from bookvan.scenarios.schedule_build import (
    BuildSettings,
    _open_days,
    _schedule_of,
    _visit_days,
    choose_visit_days,
    hold_service_share,
    visit_costs,
)
from bookvan.scenarios.schedule_write import timetable_html, timetable_rows

runner = CliRunner()
MON = dt.date(2026, 11, 30)


def _holds() -> pd.DataFrame:
    """A hold a day Mon–Sat for two weeks between two branches, and one to Ruifang on Wednesdays."""
    rows = []
    for k in range(14):
        d = MON + dt.timedelta(days=k)
        if d.weekday() < 6:
            rows.append({"origin_id": "KL-ANLE", "destination_id": "KL-XINYI", "items": 10, "created": d})
        if d.weekday() == 2:
            rows.append({"origin_id": "KL-MAIN", "destination_id": "NTPC-RUIFANG", "items": 1, "created": d})
    return pd.DataFrame(rows)


def test_service_share_counts_the_first_common_visit(network):
    dates = [MON + dt.timedelta(days=k) for k in range(21)]
    od = _open_days(network, dates)
    sparse = _visit_days(network, _schedule_of({"KL-ANLE": "tue-sat", "KL-XINYI": "tue-sat"}, ""), dates, od)
    # Mon → Tue (1 day) ok; Tue ok; Wed → Sat 3 days late; Thu → Sat 2 ok; Fri, Sat ok: 5 of 6 on time
    assert hold_service_share(_holds().iloc[:0], sparse, 2) == 1.0  # no holds: nothing late
    anle = _holds()
    anle = anle.loc[anle["origin_id"] == "KL-ANLE"].iloc[:6]
    assert hold_service_share(anle, sparse, 2) == pytest.approx(5 / 6)


def test_greedy_densifies_until_the_service_level_holds(network, fleet):
    matrix = build_matrix(network.nodes)
    costs = visit_costs(network, fleet, matrix)
    assert all(c > 0 for c in costs.values()) and costs["TPML-MAIN"] > costs["KL-RENAI"]  # Taipei is far
    dates = [MON + dt.timedelta(days=k) for k in range(14)]
    settings = BuildSettings(start=MON, weeks=2)
    choice, share = choose_visit_days(network, _holds(), costs, settings, dates)
    assert share >= 0.95
    dense = {"tue-thu-sat", "daily"}
    assert choice["KL-ANLE"] in dense and choice["KL-XINYI"] in dense  # the busy pair
    assert choice["KL-QIDU"] == "tue-sat"  # no holds: stays sparse
    loose, _ = choose_visit_days(network, _holds(), costs, BuildSettings(start=MON, weeks=2, within_days=6), dates)
    assert set(loose.values()) == {"tue-sat"}  # a week's wait allowed: nothing to densify


def test_timetable_page_is_bilingual(network):
    sched = load_schedule(None, path=network.source_dir / "schedule.csv", node_ids=set(network.node_ids))
    rows = timetable_rows(sched, network)
    anle = next(r for r in rows if r["node_id"] == "KL-ANLE")
    assert anle["window_from"] < anle["target_arrival"] < anle["window_to"]
    page = timetable_html(rows, "note")
    assert page.count('class="sheet"') == len(rows)
    for text in ("安樂分館", "Anle Branch", "物流車到館日", "Van visit days", anle["window_from"]):
        assert text in page


def test_bad_start_exits_2_without_a_traceback(tmp_path):
    res = runner.invoke(app, ["schedule", "build", "--start", "someday", "--out", str(tmp_path / "s")])
    assert res.exit_code == 2 and "--start" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "s").exists()
    assert "bookvan schedule build --out" in runner.invoke(app, ["schedule", "build", "--help"]).output


@pytest.mark.slow
def test_build_writes_schedule_and_timetables(tmp_path):
    out = tmp_path / "s"
    res = runner.invoke(app, ["schedule", "build", "--weeks", "2", "--search-steps", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for f in ("schedule.csv", "timetable.csv", "timetable.html", "templates.csv", "build.json"):
        assert (out / f).is_file(), f
    sched = load_schedule(None, path=out / "schedule.csv")
    assert sched is not None and any(ns.target_s is not None for ns in sched.nodes.values())
    from bookvan.routing.check import check_plan_dir

    for d in (out / "templates").iterdir():
        assert check_plan_dir(d) == [], d
