"""Result extraction: an OR-Tools assignment of the tiny day read back as plain routes.

The tiny day (``tiny_day.py``): visits 0/1 are T1's pickup at A and delivery at B, 2/3 T2's
pickup at B and delivery at the depot; depot→A 6 km, A→B 4 km, B→depot 9 km.
"""

from __future__ import annotations

import itertools
import time

import pytest
from tiny_day import DATE, matrix, nodes, transfers, vehicles

from bookvan.data.costs import Costs
from bookvan.data.fleet import RoutingSettings
from bookvan.routing.day_adapter import build_day_problem
from bookvan.routing.engine import SolveParams
from bookvan.routing.engine.extract import result_from_assignment, route_nodes, routes_from_assignment
from bookvan.routing.engine.model import KIND_VISIT, build_model
from bookvan.routing.engine.search import search_parameters

PARAMS = SolveParams(deterministic=True, solution_limit=50, warm_start="none")


@pytest.fixture(scope="module")
def solved():
    dp = build_day_problem(date=DATE, nodes=nodes(), vehicles=vehicles(max_trips=2), transfers=transfers(),
                           matrix=matrix(), costs=Costs(), settings=RoutingSettings())
    m = build_model(dp.problem)
    assignment = m.routing.SolveWithParameters(search_parameters(dp.problem, PARAMS))
    assert assignment is not None
    return dp, m, assignment


def test_route_nodes_hold_the_visits_between_start_and_end(solved) -> None:
    _, m, assignment = solved
    (seq,) = route_nodes(m, assignment)
    visits = [n for n in seq if m.node_kind[n] == KIND_VISIT]
    assert sorted(visits) == [0, 1, 2, 3]
    assert visits.index(0) < visits.index(1) and visits.index(2) < visits.index(3)  # pickups first


def test_routes_carry_times_that_respect_windows_and_travel(solved) -> None:
    dp, m, assignment = solved
    (route,) = routes_from_assignment(m, assignment)
    p = dp.problem
    assert route.van == 0 and sorted(route.visits) == [0, 1, 2, 3]
    for v, arrive, start in zip(route.visits, route.arrivals_s, route.starts_s, strict=True):
        lo, hi = p.visits[v].window
        assert arrive <= start and lo <= start <= hi
    assert p.vans[0].shift[0] <= route.depart_s < route.return_s <= p.vans[0].shift[1]
    first = p.visits[route.visits[0]].location
    assert route.arrivals_s[0] == route.depart_s + p.duration[0, first]  # no break on the tiny day
    assert route.breaks == ()
    # a reload right before the way home is not a run of its own
    assert all(k < len(route.visits) - 1 for k in route.reload_after)


def test_result_counts_distance_and_vans(solved) -> None:
    dp, m, assignment = solved
    res = result_from_assignment(m, assignment, PARAMS, time.perf_counter())
    p = dp.problem
    (route,) = res.routes
    assert res.dropped == () and res.status in ("optimal", "feasible")
    locs = [0, *(p.visits[v].location for v in route.visits), 0]
    driven = sum(int(p.distance[a, b]) for a, b in itertools.pairwise(locs))
    # the visits' locations give a lower bound; reloads may add a pass through the depot
    assert res.stats["distance"] >= driven
    assert res.stats["vans_used"] == 1.0 == res.vans_used
    assert res.stats["seed"] == 0.0
    assert res.objective == assignment.ObjectiveValue()
    assert res.solver == "ortools" and res.solver_version


def test_no_assignment_is_no_solution_with_every_request_dropped(solved) -> None:
    dp, m, _ = solved
    res = result_from_assignment(m, None, PARAMS, time.perf_counter())
    assert res.status == "no_solution" and res.routes == ()
    assert res.dropped == tuple(range(len(dp.problem.requests)))


def test_a_dropped_mandatory_request_makes_the_result_infeasible(solved) -> None:
    _, m, _ = solved
    before = list(m.mandatory)
    m.mandatory[:] = [True] * len(m.mandatory)
    try:
        # read back an assignment where nothing is served: every van goes straight home
        empty = m.routing.ReadAssignmentFromRoutes([[]], True)
        res = result_from_assignment(m, empty, PARAMS, time.perf_counter())
    finally:
        m.mandatory[:] = before
    assert res.status == "infeasible" and res.dropped == (0, 1)
