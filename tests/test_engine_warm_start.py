"""engine.warm_start: starts from VROOM and PyVRP read into OR-Tools, and routes read back or cut.

The problem is on a line (distance = duration = |x_i - x_j|): depot 0, a pickup at 10 whose
delivery is at 30 (visits 0 → 1), and a customer at 20 (visit 2) that closes at 25, one van.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from bookvan.routing.engine.extract import route_nodes
from bookvan.routing.engine.model import KIND_VISIT, build_model
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.search import search_parameters
from bookvan.routing.engine.warm_start import (
    PORTFOLIO_VISITS,
    PYVRP_ITERATIONS,
    PYVRP_ITERATIONS_ALONE,
    VROOM_LEVELS,
    assignment_from_visit_routes,
    pyvrp_iterations_for,
    vroom_level_for,
    warm_start,
)

DET = SolveParams(deterministic=True, solution_limit=20, warm_iterations=50)


def _problem() -> RoutingProblem:
    x = np.array([0, 10, 30, 20])
    d = np.abs(x[:, None] - x[None, :])
    visits = (Visit(1, (0, 1000), load=2), Visit(2, (0, 1000), load=-2), Visit(3, (0, 25), load=1))
    return RoutingProblem(d, d, visits, (Request(0, 1), Request(2)), (VanSpec(0, 0, 5, (0, 1000)),))


def _start(params: SolveParams):
    m = build_model(_problem())
    sp = search_parameters(m.problem, params)
    return m, *warm_start(m, params, time.perf_counter() + 10, sp)


def _visits(m, assignment) -> list[int]:
    (seq,) = route_nodes(m, assignment)
    return [n for n in seq if m.node_kind[n] == KIND_VISIT]


def test_vroom_level_by_the_days_size() -> None:
    (bound, level), = VROOM_LEVELS
    assert vroom_level_for(1) == level and vroom_level_for(bound) == level
    assert vroom_level_for(bound + 1) is None  # too large: VROOM is skipped


def test_pyvrp_gets_more_iterations_where_it_starts_alone() -> None:
    (bound, _), = VROOM_LEVELS
    assert pyvrp_iterations_for(bound) == PYVRP_ITERATIONS < PYVRP_ITERATIONS_ALONE == pyvrp_iterations_for(bound + 1)


def test_given_iterations_are_pyvrps_work_limit(monkeypatch) -> None:
    import bookvan.routing.engine.warm_start as ws

    asked = []
    real = ws.pyvrp_routes
    monkeypatch.setattr(ws, "pyvrp_routes", lambda p, **kw: asked.append(kw["iterations"]) or real(p, **kw))
    _start(SolveParams(deterministic=True, warm_start="pyvrp", warm_iterations=7))
    _start(SolveParams(deterministic=True, warm_start="pyvrp"))
    _start(SolveParams(warm_start="pyvrp"))  # anytime: PyVRP's time share decides
    assert asked == [7, PYVRP_ITERATIONS, None]


def test_no_warm_start_asked_or_nothing_to_visit() -> None:
    _, a, stats = _start(SolveParams(warm_start="none"))
    assert a is None and stats == {}
    d = np.zeros((1, 1), dtype=int)
    m = build_model(RoutingProblem(d, d, (), (), (VanSpec(0, 0, 5, (0, 1000)),)))
    assert warm_start(m, DET, time.perf_counter() + 10, search_parameters(m.problem, DET)) == (None, {})


@pytest.mark.parametrize(("kind", "engine"), [("vroom", 1.0), ("pyvrp", 2.0)])
def test_one_engine_gives_a_start_that_serves_everything(kind: str, engine: float) -> None:
    m, a, stats = _start(SolveParams(deterministic=True, warm_start=kind, warm_iterations=50))
    assert a is not None and stats["warm_engine"] == engine
    assert f"{kind}_s" in stats
    seq = _visits(m, a)
    # along the line: pick up at 10, the customer at 20 (t = 20, before it closes at 25), deliver at 30
    assert seq == [0, 2, 1]


def test_the_deterministic_portfolio_tries_both_on_a_small_day() -> None:
    assert len(_problem().visits) <= PORTFOLIO_VISITS
    m, a, stats = _start(DET)
    assert a is not None and {"vroom_s", "pyvrp_s"} <= set(stats)
    assert stats["warm_engine"] in (1.0, 2.0) and stats["warm_capped"] == 0.0
    again = _start(DET)
    assert _visits(m, a) == _visits(again[0], again[1])  # same start every time


def test_feasible_routes_are_read_as_they_are() -> None:
    # not the shortest (0→20→10→30→0 is 80, against 60), but feasible: read as given
    m = build_model(_problem())
    a = assignment_from_visit_routes(m, [[2, 0, 1]], search_parameters(m.problem, DET))
    assert a is not None and _visits(m, a) == [2, 0, 1]


def test_an_infeasible_route_is_cut_to_its_longest_feasible_start() -> None:
    # 0→10→30→20 reaches the customer at 50 > 25: the pair is kept, the customer left to the search
    m = build_model(_problem())
    a = assignment_from_visit_routes(m, [[0, 1, 2]], search_parameters(m.problem, DET))
    assert a is not None and _visits(m, a) == [0, 1]
