"""The OR-Tools engine on tiny hand-made problems, arithmetic in the comments.

Most problems put locations on a line, so distance = duration = |x_i - x_j|; location 0 is
the depot. Searches run in deterministic mode with a small solution limit to stay fast.
"""

from __future__ import annotations

import numpy as np
import pytest

from bookvan.routing.engine import solve
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Break, Precedence, Request, RoutingProblem, VanSpec, Visit

FAST = SolveParams(deterministic=True, solution_limit=50)


def line(*xs: int) -> np.ndarray:
    x = np.asarray(xs)
    return np.abs(x[:, None] - x[None, :])


def van(cap: int = 10, shift: tuple[int, int] = (0, 1000), **kw) -> VanSpec:
    return VanSpec(start=0, end=0, capacity=cap, shift=shift, **kw)


def singles(*visits: Visit, penalty: int | None = None) -> tuple[Request, ...]:
    return tuple(Request(i, penalty=penalty) for i in range(len(visits)))


def route_of(result, van_index: int) -> tuple[int, ...]:
    return next(r.visits for r in result.routes if r.van == van_index)


def test_pickup_and_delivery_same_van_pickup_first() -> None:
    # Depot 0; pair 1 picks up at x=30 and delivers at x=10, pair 2 picks up at 20 and
    # delivers at 40. Going out 0→10→… would reach a delivery before its pickup.
    d = line(0, 10, 20, 30, 40)
    visits = (
        Visit(3, (0, 1000), load=2),
        Visit(1, (0, 1000), load=-2),
        Visit(2, (0, 1000), load=4),
        Visit(4, (0, 1000), load=-4),
    )
    p = RoutingProblem(d, d, visits, (Request(0, 1), Request(2, 3)), (van(), van()))
    res = solve(p, FAST)
    assert res.status in {"feasible", "optimal"} and res.dropped == ()
    for pick, drop in ((0, 1), (2, 3)):
        (r,) = [r for r in res.routes if pick in r.visits]
        assert drop in r.visits
        assert r.visits.index(pick) < r.visits.index(drop)
        assert r.starts_s[r.visits.index(pick)] <= r.starts_s[r.visits.index(drop)]
    # One van does it all: 0→20→30→40→10→0 would be 80; 0→30→10→0 plus 0→20→40→0 is 140.
    assert res.stats["distance"] == 80
    assert res.vans_used == 1


def test_capacity_forces_two_vans() -> None:
    # Two customers of 3 units each, vans of capacity 4: one van cannot carry 6.
    d = line(0, 10, 11)
    visits = (Visit(1, (0, 1000), load=3), Visit(2, (0, 1000), load=3))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(cap=4), van(cap=4)))
    res = solve(p, FAST)
    assert res.dropped == ()
    assert res.vans_used == 2
    assert res.stats["distance"] == 2 * 10 + 2 * 11


def test_window_forces_order() -> None:
    # A at x=10 opens at 50, B at x=20 closes at 25: 0→B (t=20) →A (t=30, wait to 50).
    # The other order reaches B at 60 > 25.
    d = line(0, 10, 20)
    visits = (Visit(1, (50, 60)), Visit(2, (0, 25)))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(),))
    res = solve(p, FAST)
    r = res.routes[0]
    assert r.visits == (1, 0)
    assert r.starts_s[1] == 50
    assert r.arrivals_s[1] <= 50 and r.starts_s[0] <= 25
    assert r.starts_s[1] >= r.starts_s[0] + 10  # B→A is 10 apart


def test_closed_window_drops_request_with_penalty() -> None:
    # The far visit (x=100) closes at 50, unreachable from a depot at 0 whose van leaves at 0.
    d = line(0, 10, 100)
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 50)))
    p = RoutingProblem(d, d, visits, singles(*visits, penalty=10_000), (van(),))
    res = solve(p, FAST)
    assert res.dropped == (1,)
    assert res.status in {"feasible", "optimal"}
    assert route_of(res, 0) == (0,)
    # Objective: the served visit's 20 plus the penalty of the dropped one.
    assert res.objective == 20 + 10_000


def test_mandatory_impossible_request_is_reported_infeasible() -> None:
    d = line(0, 10, 100)
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 50)))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(),))
    res = solve(p, FAST)
    assert res.dropped == (1,)
    assert res.status == "infeasible"


def test_break_taken_in_its_window_and_delays_the_route() -> None:
    # Route 0→10→20→0 drives 40. The shift [0, 100] leaves room for the 50 s break only
    # if it is taken on the road: starting at 15 exactly (earliest = latest = 15).
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(shift=(0, 100), breaks=(Break(15, 15, 50),)),))
    res = solve(p, FAST)
    r = res.routes[0]
    assert res.dropped == ()
    assert r.breaks == ((15, 50),)
    assert r.depart_s <= 15 <= r.return_s
    assert r.return_s - r.depart_s >= 40 + 50
    for s in r.starts_s:  # no service during the break
        assert not 15 < s < 65
    # The visit after the break is reached no earlier than the break's end (65) plus driving.
    after = [a for a, s in zip(r.arrivals_s, r.starts_s, strict=True) if s >= 65]
    assert after and all(a >= 65 for a in after)


def test_multi_trip_used_when_capacity_forces_it() -> None:
    # One van of capacity 3, two customers of 3: needs a second run from the depot.
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 1000), load=3), Visit(2, (0, 1000), load=3))
    one_run = RoutingProblem(d, d, visits, singles(*visits), (van(cap=3),))
    assert solve(one_run, FAST).status == "infeasible"
    two_runs = RoutingProblem(d, d, visits, singles(*visits), (van(cap=3, max_trips=2),))
    res = solve(two_runs, FAST)
    r = res.routes[0]
    assert res.dropped == () and res.status in {"feasible", "optimal"}
    assert len(r.visits) == 2 and r.reload_after == (0,)
    # Runs 0→10→0 and 0→20→0: 20 + 40 = 60; the depot stop lies between the two services.
    assert res.stats["distance"] == 60
    back, leave = r.reload_s[0]
    assert r.starts_s[0] + d[r.visits[0] + 1, 0] <= back <= leave <= r.arrivals_s[1]


def test_precedence_respected_and_second_dropped_with_first() -> None:
    # B (x=10) is on the way to A (x=20), but B may start only 50 after A starts.
    d = line(0, 20, 10)
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(),), precedences=(Precedence(0, 1, 50),))
    r = solve(p, FAST).routes[0]
    s = dict(zip(r.visits, r.starts_s, strict=True))
    assert s[1] >= s[0] + 50
    # If A cannot be served (window closed before the van can get there), B goes too.
    closed = (Visit(1, (0, 5)), Visit(2, (0, 1000)))
    p2 = RoutingProblem(d, d, closed, singles(*closed, penalty=1000), (van(),), precedences=(Precedence(0, 1),))
    assert solve(p2, FAST).dropped == (0, 1)


def test_stop_service_charged_once_per_location() -> None:
    # Two visits at x=10 (service 3 each) and the branch's stop time 7: arriving at 10,
    # the van serves both, then leaves after 10 + 3 + 3 + 7 = 23 and is home at 33.
    d = line(0, 10)
    visits = (Visit(1, (0, 1000), service_s=3), Visit(1, (0, 1000), service_s=3))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(shift=(0, 33)),), stop_service_s=(0, 7))
    res = solve(p, FAST)
    r = res.routes[0]
    assert res.dropped == ()
    assert r.return_s - r.depart_s == 33


def test_minimise_vans_first_trades_distance_for_a_van() -> None:
    # A non-metric matrix: depot↔A 10, depot↔B 10, A↔B 100. Two vans drive 2·10 + 2·10 = 40;
    # one van drives 10 + 100 + 10 = 120. Distance first takes two vans, vans first one.
    d = np.array([[0, 10, 10], [10, 0, 100], [10, 100, 0]])
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    p = RoutingProblem(d, d, visits, singles(*visits), (van(), van()))
    flat = solve(p, FAST)
    assert flat.vans_used == 2 and flat.stats["distance"] == 40
    hier = solve(p, SolveParams(deterministic=True, solution_limit=50, minimise_vans_first=True))
    assert hier.vans_used == 1 and hier.stats["distance"] == 120


def _pairs_problem(seed: int) -> RoutingProblem:
    """15 pickup-delivery pairs on random points, three vans of 6."""
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, 100, size=(31, 2))
    d = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(int)
    visits = []
    requests = []
    for i in range(15):
        a, b = 1 + 2 * i, 2 + 2 * i
        q = int(rng.integers(1, 4))
        visits += [Visit(a, (0, 2000), 5, q), Visit(b, (0, 2000), 5, -q)]
        requests.append(Request(2 * i, 2 * i + 1, penalty=5000))
    return RoutingProblem(d, d, tuple(visits), tuple(requests), (van(cap=6), van(cap=6), van(cap=6)))


@pytest.mark.parametrize("seed", [0, 7])
def test_deterministic_mode_reproducible(seed: int) -> None:
    p = _pairs_problem(seed)
    params = SolveParams(deterministic=True, solution_limit=100, seed=seed)
    a, b = solve(p, params), solve(p, params)
    assert [r.visits for r in a.routes] == [r.visits for r in b.routes]
    assert a.objective == b.objective
    assert a.stats["seed"] == seed


@pytest.mark.parametrize("warm", ["auto", "none"])
def test_a_search_the_safety_cap_ended_is_flagged(warm: str) -> None:
    """Only the steps make a plan repeatable: a search the clock ended says so."""
    p = _pairs_problem(3)
    steps = solve(p, SolveParams(deterministic=True, solution_limit=20, time_limit_s=30, warm_start=warm))
    assert steps.stats["search_capped"] == 0.0
    clock = solve(p, SolveParams(deterministic=True, solution_limit=10**6, time_limit_s=0.2, warm_start=warm))
    assert clock.stats["search_capped"] == 1.0
    anytime = solve(p, SolveParams(deterministic=False, time_limit_s=0.2, warm_start=warm))
    assert anytime.stats["search_capped"] == 1.0
