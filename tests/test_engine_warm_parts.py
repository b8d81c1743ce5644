"""engine.warm_parts: a very large day split into areas by travel time, each area routed by VROOM.

The day here has two towns 100 km apart with the depot between them; requests are pairs
within a town and deliveries from the depot to a town.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bookvan.routing.engine.warm_start as ws
from bookvan.routing.engine import solve
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import Precedence, Request, RoutingProblem, VanSpec, Visit
from bookvan.routing.engine.warm_parts import _share_vans, area_routes, areas


def _two_towns(pairs: int = 6, vans: int = 4) -> tuple[RoutingProblem, list[int]]:
    """The day, and each request's town (0 west, 1 east)."""
    rng = np.random.default_rng(3)
    pts = [(0.0, 0.0)]
    for k in range(2 * pairs + 4):  # places: alternately west and east
        side = -1 if k % 2 == 0 else 1
        pts.append((side * 50_000 + rng.normal(0, 2_000), rng.normal(0, 2_000)))
    xy = np.asarray(pts)
    d = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    t = d // 10  # 36 km/h, in seconds
    visits, requests, town = [], [], []
    day = (8 * 3600, 18 * 3600)
    places = list(range(1, len(xy)))
    for k in range(pairs):  # a pair within each town, both towns in turn
        a, b = places[2 * k], places[2 * k + 2] if 2 * k + 2 < len(places) else places[2 * k - 2]
        visits += [Visit(a, day, 60, 2), Visit(b, day, 60, -2)]
        requests.append(Request(len(visits) - 2, len(visits) - 1, penalty=10**9))
        town.append(0 if xy[a][0] < 0 else 1)
    for loc in places[-4:]:  # from the depot
        visits += [Visit(0, day, 0, 1), Visit(loc, day, 60, -1)]
        requests.append(Request(len(visits) - 2, len(visits) - 1, penalty=10**9))
        town.append(0 if xy[loc][0] < 0 else 1)
    fleet = tuple(VanSpec(0, 0, 20, (7 * 3600, 19 * 3600), fixed_cost=10**6, label=f"V{k}") for k in range(vans))
    p = RoutingProblem(d, t, tuple(visits), tuple(requests), fleet, cost_per_second=1,
                       depot_locations=frozenset({0}))
    return p, town


def test_areas_follow_the_towns_and_repeat() -> None:
    p, town = _two_towns()
    label = areas(p, 2)
    assert len(set(label)) == 2
    for t in (0, 1):  # each town is one area, and the two towns are different areas
        assert len({int(lab) for lab, tw in zip(label, town, strict=True) if tw == t}) == 1
    assert (areas(p, 2) == label).all()


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 500), min_size=1, max_size=8), extra=st.integers(0, 60))
def test_vans_are_shared_in_proportion_and_all_handed_out(sizes: list[int], extra: int) -> None:
    vans = len(sizes) + extra
    share = _share_vans(sizes, vans)
    assert sum(share) == vans and min(share) >= 1
    for i, a in enumerate(sizes):  # a busier area never gets fewer vans
        assert all(share[i] >= share[j] for j, b in enumerate(sizes) if a > b)
    fair = np.asarray(sizes) / sum(sizes) * vans
    if fair.min() >= 1:  # no area lifted to one van: each within a van of its share
        assert (np.abs(np.asarray(share) - fair) < 1).all()


def test_area_routes_keep_pairs_on_one_van_within_one_town() -> None:
    p, town = _two_towns()
    routes, capped = area_routes(p, count=2, level=1)
    assert routes is not None and not capped and len(routes) == len(p.vans)
    owner = {}
    for k, route in enumerate(routes):
        for pos, v in enumerate(route):
            owner[v] = (k, pos)
    for i, r in enumerate(p.requests):
        (kp, pp), (kd, pd_) = owner[r.pickup], owner[r.delivery]
        assert kp == kd and pp < pd_, f"request {i} split or reversed"
    for route in routes:  # a van works in one town
        towns = {town[i] for i, r in enumerate(p.requests) if r.pickup in route}
        assert len(towns) <= 1


def test_a_day_that_cannot_be_cut_is_left_to_the_other_starts() -> None:
    p, _ = _two_towns()
    pinned = dataclasses.replace(p, requests=(dataclasses.replace(p.requests[0], vehicle=0), *p.requests[1:]))
    assert area_routes(pinned, count=2, level=1) == (None, False)
    sorted_first = dataclasses.replace(p, precedences=(Precedence(1, 2, 0),))
    assert area_routes(sorted_first, count=2, level=1) == (None, False)
    assert area_routes(p, count=len(p.vans) + 1, level=1) == (None, False)  # fewer vans than areas


def test_a_day_too_large_for_vroom_in_one_piece_starts_from_areas(monkeypatch: pytest.MonkeyPatch) -> None:
    p, _ = _two_towns()
    monkeypatch.setattr(ws, "VROOM_LEVELS", ((len(p.visits) - 1, 5),))  # this day counts as too large
    res = solve(p, SolveParams(deterministic=True, solution_limit=5, time_limit_s=60))
    assert res.stats["warm_engine"] == ws.AREAS_ENGINE and {"areas_s", "pyvrp_s", "join_s"} <= set(res.stats)
    assert res.dropped == () and res.status != "no_solution"
    again = solve(p, SolveParams(deterministic=True, solution_limit=5, time_limit_s=60))
    assert [r.visits for r in again.routes] == [r.visits for r in res.routes]


def _objective(p: RoutingProblem, routes: list[list[int]]) -> int:
    from bookvan.routing.engine.model import build_model
    from bookvan.routing.engine.search import search_parameters
    from bookvan.routing.engine.warm_start import assignment_from_visit_routes

    m = build_model(p)
    a = assignment_from_visit_routes(m, routes, search_parameters(p, SolveParams(deterministic=True, solution_limit=1)))
    assert a is not None
    return int(a.ObjectiveValue())


def test_pyvrp_mends_routes_made_in_pieces() -> None:
    from bookvan.routing.engine.warm_pyvrp import RELOAD, pyvrp_polish

    p, _ = _two_towns(pairs=6, vans=10)
    # a poor start: every request on a van of its own (10 requests, 10 vans)
    start = [[r.pickup, r.delivery] for r in p.requests]
    fixed = [v.fixed_cost for v in p.vans]
    mended = pyvrp_polish(p, start, van_cost=fixed, iterations=30, seed=0)
    assert mended is not None and len(mended) == len(p.vans)
    assert sum(1 for r in mended if r) < len(p.requests)  # vans shared
    owner = {v: (k, pos) for k, r in enumerate(mended) for pos, v in enumerate(r)}
    for r in p.requests:
        assert owner[r.pickup][0] == owner[r.delivery][0] and owner[r.pickup][1] < owner[r.delivery][1]
    assert _objective(p, mended) < _objective(p, start)
    assert pyvrp_polish(p, start, van_cost=fixed, iterations=30, seed=0) == mended  # a work limit: repeats
    with_reload = [start[0] + [RELOAD] + start[1], *start[2:], [], []]
    assert pyvrp_polish(p, with_reload, van_cost=fixed, iterations=30, seed=0) is None


def test_a_request_sits_at_its_outer_end_against_the_depot_places() -> None:
    from bookvan.routing.engine.problem import request_kind

    p, _ = _two_towns(pairs=2, vans=2)
    depots = p.depot_places
    assert depots == frozenset({0})  # the depot, where every van starts and ends
    kinds = [request_kind(p, r, depots) for r in p.requests]
    assert kinds == ["pair", "pair"] + ["from"] * 4  # pairs within a town, then deliveries from the depot
    flipped = dataclasses.replace(p.requests[2], pickup=p.requests[2].delivery, delivery=p.requests[2].pickup)
    assert request_kind(p, flipped, depots) == "to"
    assert request_kind(p, Request(p.requests[0].pickup), depots) == "single"


def test_an_area_start_is_the_cheaper_of_the_mended_and_the_joined_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The join searches VROOM's relaxation; the full model prices both and keeps the cheaper.
    from bookvan.routing.engine.warm_pyvrp import pyvrp_polish
    from bookvan.routing.engine.warm_vroom import vroom_local_search

    p, _ = _two_towns(pairs=10, vans=6)
    monkeypatch.setattr(ws, "VROOM_LEVELS", ((len(p.visits) - 1, 5),))
    routes, _ = area_routes(p)
    mended = pyvrp_polish(p, routes, van_cost=[v.fixed_cost for v in p.vans],
                          iterations=ws.AREA_POLISH_ITERATIONS, seed=0)
    joined, _ = vroom_local_search(p, mended, depth=ws.AREA_SEARCH_DEPTH)
    assert mended is not None and joined is not None
    res = solve(p, SolveParams(deterministic=True, solution_limit=5, time_limit_s=60))
    assert res.stats["warm_engine"] == ws.AREAS_ENGINE
    assert res.objective == min(_objective(p, mended), _objective(p, joined))
