"""engine.result: what a solve returns, as values (compared, never changed in place).

The solved problem is a line (distance = duration = |x_i - x_j|): depot at 0, customers at 10
and 30, one unit each, two vans; one van serves both (0→10→30→0 = 60) and the other stays home.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.result import RouteResult, SolveResult
from bookvan.routing.engine.search import solve

FAST = SolveParams(deterministic=True, solution_limit=20, warm_start="none")


def _problem() -> RoutingProblem:
    x = np.array([0, 10, 30])
    d = np.abs(x[:, None] - x[None, :])
    visits = (Visit(1, (0, 1000), load=1), Visit(2, (0, 1000), load=1))
    vans = tuple(VanSpec(start=0, end=0, capacity=5, shift=(0, 1000)) for _ in range(2))
    return RoutingProblem(d, d, visits, (Request(0), Request(1)), vans)


def _route(van: int, visits: tuple[int, ...]) -> RouteResult:
    return RouteResult(van, visits, arrivals_s=tuple(range(len(visits))), starts_s=tuple(range(len(visits))),
                       depart_s=0, return_s=100)


def test_vans_used_counts_routes_that_visit_something() -> None:
    res = SolveResult(routes=(_route(0, (0, 1)), _route(1, ()), _route(2, (2,))), dropped=(), objective=0,
                      status="feasible", wall_s=0.0)
    assert res.vans_used == 2


def test_defaults_say_no_breaks_reloads_or_stats() -> None:
    r = _route(0, (0,))
    assert (r.breaks, r.reload_after, r.reload_s) == ((), (), ())
    res = SolveResult((r,), (), 0, "optimal", 0.0)
    assert res.solver == "ortools" and res.stats == {}
    assert res.stats is not SolveResult((r,), (), 0, "optimal", 0.0).stats  # each result its own dict


def test_results_are_frozen_values() -> None:
    r = _route(0, (0, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.visits = (1, 0)  # type: ignore[misc]
    assert r == _route(0, (0, 1)) and r != _route(0, (1, 0))


def test_a_solve_reports_every_van_and_one_used() -> None:
    res = solve(_problem(), FAST)
    assert isinstance(res, SolveResult) and res.status in {"feasible", "optimal"}
    assert [r.van for r in res.routes] == [0, 1]  # empty routes are listed too
    assert res.vans_used == 1 and res.dropped == ()
    (used,) = [r for r in res.routes if r.visits]
    assert sorted(used.visits) == [0, 1]
    assert used.depart_s <= used.starts_s[0] and used.starts_s[-1] <= used.return_s
    assert len(used.arrivals_s) == len(used.starts_s) == len(used.visits)
    assert res.stats["distance"] == 60  # 0→10→30→0


def test_the_same_seed_gives_an_equal_result_but_for_wall_time() -> None:
    a, b = solve(_problem(), FAST), solve(_problem(), FAST)
    assert a.routes == b.routes and a.objective == b.objective and a.dropped == b.dropped
