"""plan honours the schedule: waits, unscheduled visits with their cost, windows, the checker."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from bookvan.data.schedule import NodeSchedule, Schedule, parse_visit_days
from bookvan.data.tables import TZ
from bookvan.data.transfers import transfers_frame
from bookvan.data.travel import build_matrix
from bookvan.routing.check import check_plan_tables
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.schedule_day import plan_with_schedule

WED = dt.date(2026, 12, 2)
PARAMS = SolveParams(
    time_limit_s=20, deterministic=True, solution_limit=5, first_solution="local_cheapest_cost_insertion"
)


@pytest.fixture(scope="module")
def matrix(network):
    return build_matrix(network.nodes)


def _schedule() -> Schedule:
    return Schedule({
        "NTPC-RUIFANG": NodeSchedule("NTPC-RUIFANG", parse_visit_days("tue-sat")),
        "KL-RENAI": NodeSchedule("KL-RENAI", parse_visit_days("daily"), 10 * 3600, 30 * 60),
    }, "test")


def _transfers(due: str | None) -> pd.DataFrame:
    base = {"kind": "hold", "release": None, "leg_of": None, "leg": None, "part_of": None}
    return transfers_frame([
        {**base, "transfer_id": "H-RENAI", "origin_id": "KL-MAIN", "destination_id": "KL-RENAI", "items": 20,
         "crates": 1, "due": None},
        {**base, "transfer_id": "H-RUIFANG", "origin_id": "KL-MAIN", "destination_id": "NTPC-RUIFANG", "items": 1,
         "crates": 1, "due": None if due is None else pd.Timestamp(due, tz=TZ)},
    ])


def _check(plan) -> list:
    return check_plan_tables(plan.plan_json(), plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops)


def test_one_item_to_an_unvisited_node_waits_for_its_day(network, fleet, matrix):
    plan = plan_with_schedule(network, fleet, _transfers(None), WED, matrix, PARAMS, _schedule())
    pj = plan.plan_json()
    waits = {w["transfer_id"]: w for w in pj["waits"]}
    assert set(waits) == {"H-RUIFANG"}
    assert waits["H-RUIFANG"]["next_visit"] == "2026-12-05"  # Saturday, its next scheduled day
    assert "Ruifang" in waits["H-RUIFANG"]["reason"] and waits["H-RUIFANG"]["items"] == 1
    assert waits["H-RUIFANG"]["release"].startswith("2026-12-02")  # waiting since today, for days waited
    assert pj["schedule"]["waited"]["max_days"] == 0 and pj["schedule"]["waited"]["transfers"] == 1
    assert "NTPC-RUIFANG" not in set(plan.stops["node_id"])
    assert list(plan.transfers["transfer_id"]) == ["H-RENAI"]
    renai = [a for a in pj["schedule"]["arrivals"] if a["node_id"] == "KL-RENAI"]
    assert renai and all(a["inside"] for a in renai)  # 10:00 ± 30 min, hard
    assert _check(plan) == []


def test_the_same_transfer_due_today_makes_an_unscheduled_visit_with_its_cost(network, fleet, matrix):
    plan = plan_with_schedule(network, fleet, _transfers("2026-12-02 17:00"), WED, matrix, PARAMS, _schedule())
    pj = plan.plan_json()
    assert pj["waits"] == []
    (visit,) = pj["schedule"]["unscheduled_visits"]
    assert visit["node_id"] == "NTPC-RUIFANG" and visit["transfer_ids"] == ["H-RUIFANG"]
    assert visit["extra_cost_ntd"] > 0 and visit["extra_km"] > 0  # the detour to Ruifang costs
    assert "NTPC-RUIFANG" in set(plan.stops["node_id"])
    assert _check(plan) == []
    # without its reason the checker refuses the visit
    bare = {**pj, "schedule": {**pj["schedule"], "unscheduled_visits": []}}
    found = check_plan_tables(bare, plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops)
    assert [v.kind for v in found] == ["unscheduled_visit"]
    # and an arrival outside its window (the target moved to 14:00) is reported
    late = dict(pj)
    late["schedule"] = {**pj["schedule"], "nodes": {**pj["schedule"]["nodes"],
                                                   "KL-RENAI": {"days": "daily", "target_arrival": "14:00",
                                                                "tolerance_min": 30}}}
    found = check_plan_tables(late, plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops)
    assert {v.kind for v in found} == {"arrival_window"}
