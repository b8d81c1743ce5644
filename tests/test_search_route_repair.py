"""Route screening for warm starts: a replay of the full model's rules cuts a route before its
first violation and keeps pairs whole."""

from __future__ import annotations

import numpy as np

from bookvan.routing.engine.model import build_model
from bookvan.routing.engine.problem import Break, Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.warm_repair import RELOAD, trim_route


def line(*xs: int) -> np.ndarray:
    x = np.asarray(xs)
    return np.abs(x[:, None] - x[None, :])


def problem(visits, requests, van) -> RoutingProblem:
    d = line(0, 10, 20, 30)
    return RoutingProblem(d, d, tuple(visits), tuple(requests), (van,))


def test_feasible_route_kept_whole() -> None:
    visits = [Visit(1, (0, 100), load=2), Visit(3, (0, 100), load=-2)]
    p = problem(visits, [Request(0, 1)], VanSpec(0, 0, 5, (0, 100)))
    assert trim_route(build_model(p), 0, [0, 1]) == [0, 1]


def test_window_violation_cuts_the_route_and_its_pairs() -> None:
    # 0→x10 (t=10) →x20 (t=20) →x30 (t=30, closes at 25: violation at position 2).
    # The prefix [A, B] keeps A (a single visit) and drops B, whose delivery was cut.
    visits = [Visit(1, (0, 100)), Visit(2, (0, 100), load=1), Visit(3, (0, 25), load=-1)]
    p = problem(visits, [Request(0), Request(1, 2)], VanSpec(0, 0, 5, (0, 100)))
    assert trim_route(build_model(p), 0, [0, 1, 2]) == [0]


def test_capacity_reset_by_reload_and_exceeded_without() -> None:
    visits = [Visit(1, (0, 100), load=3), Visit(2, (0, 100), load=3)]
    reqs = [Request(0), Request(1)]
    two_runs = problem(visits, reqs, VanSpec(0, 0, 3, (0, 100), max_trips=2))
    assert trim_route(build_model(two_runs), 0, [0, RELOAD, 1]) == [0, RELOAD, 1]
    assert trim_route(build_model(two_runs), 0, [0, 1]) == [0]


def test_break_pushes_a_later_window_out() -> None:
    # Break of 50 due from t=5: taken before driving on from x10, so x20 (closes at 40) is
    # reached at 10 + 50 + 10 = 70: cut there. Without the break the route is fine.
    visits = [Visit(1, (0, 100)), Visit(2, (0, 40))]
    with_break = problem(visits, [Request(0), Request(1)], VanSpec(0, 0, 5, (0, 200), breaks=(Break(5, 15, 50),)))
    assert trim_route(build_model(with_break), 0, [0, 1]) == [0]
    plain = problem(visits, [Request(0), Request(1)], VanSpec(0, 0, 5, (0, 200)))
    assert trim_route(build_model(plain), 0, [0, 1]) == [0, 1]
