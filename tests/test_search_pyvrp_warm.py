"""PyVRP warm start: the relaxation's routes map back to visits, and OR-Tools finishes them."""

from __future__ import annotations

import numpy as np
import pytest

from bookvan.routing.engine import search_parameters, solve
from bookvan.routing.engine.model import build_model
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Break, Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.warm_pyvrp import RELOAD, pyvrp_routes

pytest.importorskip("pyvrp")


def line(*xs: int) -> np.ndarray:
    x = np.asarray(xs)
    return np.abs(x[:, None] - x[None, :])


def test_pairs_map_back_pickup_first() -> None:
    # Pair 1: pick up at x=30, drop at x=10; pair 2: pick up at 20, drop at 40.
    d = line(0, 10, 20, 30, 40)
    visits = (
        Visit(3, (0, 1000), load=2),
        Visit(1, (0, 1000), load=-2),
        Visit(2, (0, 1000), load=4),
        Visit(4, (0, 1000), load=-4),
    )
    p = RoutingProblem(d, d, visits, (Request(0, 1), Request(2, 3)), (VanSpec(0, 0, 10, (0, 1000)),) * 2)
    routes = pyvrp_routes(p, time_limit_s=None, seed=1, van_cost=[0, 0], iterations=200)
    assert routes is not None
    served = sorted(v for r in routes for v in r)
    assert served == [0, 1, 2, 3]
    for r in routes:
        for pick, drop in ((0, 1), (2, 3)):
            if pick in r:
                assert drop in r and r.index(pick) < r.index(drop)


def test_reload_marker_for_multi_trip() -> None:
    # Capacity 3, two customers of 3: PyVRP must go back to the depot between them.
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 1000), load=3), Visit(2, (0, 1000), load=3))
    p = RoutingProblem(d, d, visits, (Request(0), Request(1)), (VanSpec(0, 0, 3, (0, 1000), max_trips=2),))
    routes = pyvrp_routes(p, time_limit_s=None, seed=0, van_cost=[0], iterations=200)
    assert routes is not None and len(routes[0]) == 3 and routes[0][1] == RELOAD
    res = solve(p, SolveParams(deterministic=True, solution_limit=20))
    assert res.stats.get("warm_start") == 1.0
    assert res.routes[0].reload_after == (0,)


def test_warm_start_breaks_still_respected() -> None:
    # PyVRP does not see the 50 s break at exactly 15; OR-Tools must still place it (or
    # start on its own): the route spans it either way.
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    van = VanSpec(0, 0, 10, (0, 100), breaks=(Break(15, 15, 50),))
    p = RoutingProblem(d, d, visits, (Request(0), Request(1)), (van,))
    r = solve(p, SolveParams(deterministic=True, solution_limit=20)).routes[0]
    assert r.breaks == ((15, 50),) and r.return_s - r.depart_s >= 90


def test_same_answer_with_and_without_warm_start_on_a_small_vrptw() -> None:
    rng = np.random.default_rng(3)
    pts = rng.integers(0, 100, size=(13, 2))
    d = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(int)
    visits = tuple(Visit(i, (0, 2000), 5, int(rng.integers(1, 5))) for i in range(1, 13))
    p = RoutingProblem(d, d, visits, tuple(Request(i) for i in range(12)), (VanSpec(0, 0, 12, (0, 2000)),) * 3)
    warm = solve(p, SolveParams(deterministic=True, solution_limit=200))
    cold = solve(p, SolveParams(deterministic=True, solution_limit=200, warm_start="none"))
    assert warm.stats["warm_start"] == 1.0 and "warm_start" not in cold.stats
    assert warm.dropped == cold.dropped == ()
    # 12 customers: both searches find the same optimum-quality plan, warm never worse.
    assert warm.objective <= cold.objective


def test_fleet_minimisation_phase_for_vans_first() -> None:
    # Non-metric: depot↔A 10, depot↔B 10, A↔B 100. Distance alone takes two vans (40 < 120);
    # vans first needs one (120). With wall time PyVRP minimises the fleet before routing.
    d = np.array([[0, 10, 10], [10, 0, 100], [10, 100, 0]])
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    p = RoutingProblem(d, d, visits, (Request(0), Request(1)), (VanSpec(0, 0, 10, (0, 1000)),) * 3)
    res = solve(p, SolveParams(time_limit_s=1.0, minimise_vans_first=True))
    assert res.stats["warm_start"] == 1.0
    assert res.vans_used == 1 and res.stats["distance"] == 120


def test_relaxed_routes_leave_room_for_the_break_before_the_shift_ends() -> None:
    # Two 10 s jobs 30 s out, both opening at 40: A then B and home is 10 → 90 without a
    # pause. The 40 s break starts between 45 and 80, inside that route, which then ends at
    # 130, after the shift (120). PyVRP does not see the break: vans home by 120 − 40.
    d = line(0, 30)
    visits = (Visit(1, (40, 100), 10), Visit(1, (40, 100), 10))
    van = VanSpec(0, 0, 10, (0, 120), breaks=(Break(45, 80, 40),))
    p = RoutingProblem(d, d, visits, tuple(Request(i, penalty=1000) for i in range(2)), (van,))
    routes = pyvrp_routes(p, time_limit_s=None, seed=0, van_cost=[0], iterations=300)
    assert routes is not None and routes[0]
    m = build_model(p)
    m.routing.CloseModelWithParameters(search_parameters(p, SolveParams()))
    read = m.routing.ReadAssignmentFromRoutes([[m.manager.NodeToIndex(v) for v in routes[0]]], True)
    assert read is not None, f"PyVRP's route {routes[0]} does not fit the shift once the break is in"
    # Without the earlier return PyVRP serves both, and that route cannot be read.
    loose = pyvrp_routes(p, time_limit_s=None, seed=0, van_cost=[0], iterations=300, break_safe_return=False)
    assert loose is not None and len(loose[0]) == 2
    idx = [[m.manager.NodeToIndex(v) for v in loose[0]]]
    assert m.routing.ReadAssignmentFromRoutes(idx, True) is None


@pytest.mark.parametrize("whole_fleet", [False, True])
def test_vans_first_polish_never_ends_with_more_vans(whole_fleet: bool) -> None:
    # Same non-metric triangle: one van (120) beats two (40) when vans come first, whether the
    # polish after the fleet search is held to one van or offered all three.
    d = np.array([[0, 10, 10], [10, 0, 100], [10, 100, 0]])
    visits = (Visit(1, (0, 1000)), Visit(2, (0, 1000)))
    p = RoutingProblem(d, d, visits, (Request(0), Request(1)), (VanSpec(0, 0, 10, (0, 1000)),) * 3)
    big = 10_000
    routes = pyvrp_routes(
        p, time_limit_s=0.5, seed=0, van_cost=[big] * 3, minimise_vans=True, whole_fleet_polish=whole_fleet
    )
    assert routes is not None and sum(1 for r in routes if r) == 1


def test_penalties_can_outweigh_a_vans_fixed_cost(monkeypatch) -> None:
    """Deterministic runs cap PyVRP's penalties at a van's fixed cost, not its 100,000 default.

    Below it, a van saved pays for seconds late everywhere and the search never returns to
    feasible routes (the 1,000-stop day: 54 vans after 100 or 1,000 iterations).
    """
    import pyvrp

    caps = []
    real = pyvrp.solve

    def spy(data, **kw):
        caps.append(kw["params"].penalty.max_penalty)
        return real(data, **kw)

    monkeypatch.setattr(pyvrp, "solve", spy)
    d = line(0, 10, 20)
    visits = (Visit(1, (0, 1000), load=1), Visit(2, (0, 1000), load=1))
    p = RoutingProblem(d, d, visits, (Request(0), Request(1)), (VanSpec(0, 0, 10, (0, 1000)),) * 2)
    for fixed in (9_040_000, 1_000):
        assert pyvrp_routes(p, time_limit_s=None, seed=1, van_cost=[fixed, fixed], iterations=5) is not None
    pyvrp_routes(p, time_limit_s=5, seed=1, van_cost=[9_040_000] * 2)  # anytime: PyVRP's defaults
    default = pyvrp.PenaltyParams().max_penalty
    assert caps == [9_040_000, default, default]
