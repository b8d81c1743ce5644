"""engine.search: the OR-Tools search settings, the stop rules and the solve around the warm start.

Problems are on a line (distance = duration = |x_i - x_j|), the depot at 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortools.constraint_solver import routing_enums_pb2

from bookvan.data import interrupt
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.search import NEIGHBOURS, _capped, search_parameters, solve, solve_plain
from bookvan.routing.engine.warm_start import LARGE_VISITS

FSS = routing_enums_pb2.FirstSolutionStrategy
FAST = SolveParams(deterministic=True, solution_limit=20, warm_start="none")


def line(*xs: int) -> np.ndarray:
    x = np.asarray(xs)
    return np.abs(x[:, None] - x[None, :])


def customers(*xs: int, window: tuple[int, int] = (0, 10_000), vans: int = 1) -> RoutingProblem:
    """Single-visit customers at ``xs`` (one unit each), vans with the whole day as their shift."""
    d = line(0, *xs)
    visits = tuple(Visit(i + 1, window, load=1) for i in range(len(xs)))
    van = VanSpec(start=0, end=0, capacity=len(xs), shift=(0, 10_000))
    return RoutingProblem(d, d, visits, tuple(Request(i) for i in range(len(xs))), (van,) * vans)


def pairs() -> RoutingProblem:
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 10_000), load=2), Visit(2, (0, 10_000), load=-2))
    return RoutingProblem(d, d, visits, (Request(0, 1),), (VanSpec(0, 0, 5, (0, 10_000)),))


def test_auto_first_solution_is_savings_without_pairs_or_windows() -> None:
    assert search_parameters(customers(5, 9), FAST).first_solution_strategy == FSS.SAVINGS


def test_auto_first_solution_inserts_pairs_and_tight_windows() -> None:
    assert search_parameters(pairs(), FAST).first_solution_strategy == FSS.PARALLEL_CHEAPEST_INSERTION
    tight = customers(5, 9, window=(0, 100))  # closes before the shift ends (10,000)
    assert search_parameters(tight, FAST).first_solution_strategy == FSS.PARALLEL_CHEAPEST_INSERTION


def test_a_named_first_solution_is_taken_as_given() -> None:
    sp = search_parameters(pairs(), SolveParams(first_solution="path_cheapest_arc"))
    assert sp.first_solution_strategy == FSS.PATH_CHEAPEST_ARC


def test_deterministic_stops_on_steps_and_keeps_the_clock_as_a_cap() -> None:
    sp = search_parameters(pairs(), SolveParams(deterministic=True, solution_limit=7, time_limit_s=2.5))
    assert sp.solution_limit == 7 and sp.time_limit.ToMilliseconds() == 2500
    anytime = search_parameters(pairs(), SolveParams(deterministic=False, solution_limit=7))
    assert anytime.solution_limit != 7  # the clock alone ends an anytime search


def test_large_days_use_granular_neighbourhoods() -> None:
    small = search_parameters(customers(*range(1, 11)), FAST)
    assert small.ls_operator_min_neighbors != NEIGHBOURS
    n = LARGE_VISITS + 1
    sp = search_parameters(customers(*range(1, n + 1)), FAST)
    assert sp.ls_operator_min_neighbors == NEIGHBOURS
    assert sp.ls_operator_neighbors_ratio == pytest.approx(NEIGHBOURS / n)


@pytest.mark.parametrize("run", [solve, solve_plain])
def test_both_searches_serve_every_customer_in_line_order(run) -> None:
    # one van, customers at 10, 20, 30: out and back along the line is 60
    res = run(customers(10, 20, 30), FAST)
    assert res.dropped == () and res.stats["distance"] == 60
    (route,) = [r for r in res.routes if r.visits]
    assert route.visits in ((0, 1, 2), (2, 1, 0))


def test_solve_records_the_warm_start_and_whether_the_clock_ended_it() -> None:
    res = solve(customers(10, 20, 30), SolveParams(deterministic=True, solution_limit=20, warm_start="vroom"))
    assert res.stats["warm_start"] == 1.0 and res.stats["warm_engine"] == 1.0
    assert res.stats["search_capped"] == 0.0  # three customers: the steps end long before 10 s
    cold = solve(customers(10, 20, 30), FAST)
    assert "warm_start" not in cold.stats and cold.stats["search_capped"] == 0.0


def test_capped_says_which_limit_ended_the_search() -> None:
    det = SolveParams(deterministic=True, solution_limit=5)
    assert _capped(det, counted=5, search_s=9.9, left_s=10.0) == 0.0  # the steps ran out
    assert _capped(det, counted=2, search_s=1.0, left_s=10.0) == 0.0  # stopped on its own, early
    assert _capped(det, counted=2, search_s=9.95, left_s=10.0) == 1.0  # the clock ran out first
    assert _capped(SolveParams(deterministic=False), counted=5, search_s=1.0, left_s=10.0) == 1.0


def test_a_stop_request_ends_the_search_with_interrupted() -> None:
    interrupt.request_stop()
    try:
        with pytest.raises(interrupt.Interrupted):
            solve(customers(10, 20, 30), FAST)
    finally:
        interrupt.clear()
