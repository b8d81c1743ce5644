"""Twenty working days planned with --carry-over honour the bundled schedule and lose nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from bookvan.data.network import bundled_network_dir
from bookvan.data.schedule import load_schedule
from bookvan.data.travel import build_matrix
from bookvan.routing.check import check_plan_dir
from bookvan.routing.engine.params import SolveParams
from bookvan.scenarios.schedule_days import consistency_kpis, run_days, working_days


def _demand(fleet):
    from bookvan.demand import daily_transfers

    return lambda net, day: daily_transfers(net, day, seed=7, items_per_crate=fleet.items_per_crate)


@pytest.mark.slow
def test_twenty_working_days_with_carry_over(network, fleet, tmp_path):
    schedule = load_schedule(bundled_network_dir(), node_ids=set(network.node_ids))
    assert schedule is not None and any(ns.target_s is not None for ns in schedule.nodes.values())
    dates = working_days(network, dt.date(2026, 12, 1), 20)
    params = SolveParams(time_limit_s=60, deterministic=True, solution_limit=5,
                         first_solution="local_cheapest_cost_insertion")
    res = run_days(network, fleet, build_matrix(network.nodes), _demand(fleet), dates, params, schedule,
                   folder=tmp_path)
    # every day's folder passes the checker, schedule included: visits on scheduled days or
    # marked unscheduled with a reason, arrivals inside the tolerance (hard windows)
    for d in dates:
        assert check_plan_dir(tmp_path / d.isoformat()) == [], d
    k = consistency_kpis(res, schedule)
    assert k["share_inside_tolerance"] >= 0.95
    # nothing lost between days: items in = delivered at their destination + still waiting
    assert res.items_in == res.items_delivered + res.items_waiting
    assert res.items_delivered > 0.8 * res.items_in
    # every waiting transfer of the last day has the date it will go
    import json

    last = json.loads((tmp_path / dates[-1].isoformat() / "plan.json").read_text(encoding="utf-8"))
    assert all(w["next_visit"] for w in last["waits"])
    assert sum(w["items"] for w in last["waits"]) == res.items_waiting
