"""Warm start for very large days: the requests split by area, each area routed by VROOM.

VROOM's time grows faster than its tasks. On the 1,000-stop day (1,894 visits) level 1 took
255 CPU s and level 5 34 CPU minutes, and PyVRP's 800 iterations (68 s) ended 24.6 % dearer
than VROOM-5, with 44 vans against 35. Split into three areas, each routed by VROOM with its
share of the vans, the day is cut where few good routes cross (its places cluster around
eight cities); what the cut loses is won back after: PyVRP mends the merged routes where the
areas meet, and one VROOM local search over the whole day joins them
(:func:`~bookvan.routing.engine.warm_vroom.vroom_local_search`). That plan is 0.8 % cheaper
than VROOM-5's, in 70–80 s (bench/README.md, "Library days", session 9).

Areas come from travel times alone (k-medoids; a day has no coordinates): a request sits at
its outer end when the other end is a depot, else halfway between its ends (the mean of the
times to and from both). Each area gets vans in proportion to its requests. OR-Tools reads,
times and prices the joined routes under every constraint, and keeps them (its search found
nothing more at this size).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from bookvan.routing.engine.problem import RoutingProblem, request_kind
from bookvan.routing.engine.warm_vroom import THREADS, vroom_routes

__all__ = ["AREAS", "AREA_LEVEL", "area_problem", "area_routes", "areas"]

# 1,000 stops, level 3, the areas alone against VROOM-5 (bench/README.md): 2 areas +4.8 % in 119 s,
# 3 areas +5.6 % in 79 s, 4 areas +8.4 % in 68 s, 5 areas +13.6 % in 38 s. Once mended and joined
# (session 9), three areas at level 2 came to 0.8 % less than at level 3 over four large days
# (cheaper on two by 0.4 and 4.1 %, dearer on two by 0.7 and 0.9 %), its areas 6-22 s faster: the
# join, not the areas' own search, finishes the routes.
AREAS = 3
AREA_LEVEL = 2
_ROUNDS = 50  # k-medoids rounds at most (it settles in a few on library days)


def _request_cost(p: RoutingProblem) -> np.ndarray:
    """Seconds from each request to each place it could be grouped around (requests × places)."""
    dur = np.asarray(p.duration, dtype=np.float64)
    both = (dur + dur.T) / 2  # one-way streets: there and back, halved
    depots = p.depot_places
    rows = []
    for r in p.requests:
        kind = request_kind(p, r, depots)
        ends = [r.delivery] if kind == "from" else [r.pickup, r.delivery] if kind == "pair" else [r.pickup]
        rows.append(both[[p.visits[v].location for v in ends]].mean(axis=0))
    return np.asarray(rows)


def areas(p: RoutingProblem, count: int, seed: int = 0) -> np.ndarray:
    """The area (0..count-1) of each request: k-medoids on travel times, seeded k-means++ start."""
    cost = _request_cost(p)
    n = len(cost)
    count = max(1, min(count, n))
    rng = np.random.default_rng(seed)
    own = cost[np.arange(n), cost.argmin(axis=1)]  # each request's nearest place: its own centre
    medoids = [int(cost[int(rng.integers(n))].argmin())]
    for _ in range(1, count):
        gap = np.maximum(cost[:, medoids].min(axis=1) - own, 0.0) ** 2
        pick = int(rng.choice(n, p=gap / gap.sum())) if gap.sum() > 0 else int(rng.integers(n))
        medoids.append(int(cost[pick].argmin()))
    label = cost[:, medoids].argmin(axis=1)
    for _ in range(_ROUNDS):
        medoids = [int(cost[label == j].sum(axis=0).argmin()) if (label == j).any() else m
                   for j, m in enumerate(medoids)]
        new = cost[:, medoids].argmin(axis=1)
        if (new == label).all():
            break
        label = new
    return label


def _share_vans(sizes: list[int], vans: int) -> list[int]:
    """Vans per area in proportion to its requests (largest remainders), at least one each, all handed out."""
    fair = np.asarray(sizes, dtype=np.float64) / max(1, sum(sizes)) * vans
    want = np.maximum(1, np.floor(fair)).astype(int)
    while want.sum() > vans:  # the areas lifted to one van took it from the others
        over = np.where(want > 1, want - fair, -np.inf)
        want[int(np.argmax(over))] -= 1
    while want.sum() < vans:
        want[int(np.argmax(fair - want))] += 1
    return want.tolist()


def area_problem(p: RoutingProblem, requests: list[int], vans: list[int]) -> tuple[RoutingProblem, list[int]]:
    """The day cut to ``requests`` and ``vans``, and each of its visits' index in the whole day."""
    visit_of: list[int] = []
    kept = []
    for i in requests:
        r = p.requests[i]
        pickup = len(visit_of)
        visit_of.append(r.pickup)
        delivery = None
        if r.delivery is not None:
            delivery = len(visit_of)
            visit_of.append(r.delivery)
        kept.append(dataclasses.replace(r, pickup=pickup, delivery=delivery))
    sub = dataclasses.replace(p, visits=tuple(p.visits[v] for v in visit_of), requests=tuple(kept),
                              vans=tuple(p.vans[k] for k in vans))
    return sub, visit_of


def area_routes(
    p: RoutingProblem,
    *,
    count: int = AREAS,
    level: int = AREA_LEVEL,
    seed: int = 0,
    timeout_s: float | None = None,
    threads: int = THREADS,
) -> tuple[list[list[int]] | None, bool]:
    """Routes per van (visit indices, one run each) from VROOM area by area, or ``None``; and capped.

    ``None`` when the day cannot be cut (requests pinned to vans, hub precedences, fewer vans
    than areas) or VROOM serves nothing. Requests VROOM leaves out are left for OR-Tools.
    ``timeout_s`` is a safety cap on all areas together; ``capped`` says it ended a search.
    """
    import time

    if p.precedences or any(r.vehicle is not None for r in p.requests) or len(p.vans) < count or not p.requests:
        return None, False
    deadline = None if timeout_s is None else time.perf_counter() + timeout_s
    capped = False
    label = areas(p, count, seed)
    members = [np.flatnonzero(label == j).tolist() for j in range(count)]
    members = [m for m in members if m]
    shares = _share_vans([len(m) for m in members], len(p.vans))
    routes: list[list[int]] = [[] for _ in p.vans]
    first = 0
    for reqs, n in zip(members, shares, strict=True):
        vans = list(range(first, first + n))
        first += n
        sub, visit_of = area_problem(p, reqs, vans)
        left = None if deadline is None else max(0.01, deadline - time.perf_counter())
        found, cut = vroom_routes(sub, exploration_level=level, timeout_s=left, threads=threads, group=True)
        capped = capped or cut
        for k, route in zip(vans, found or [], strict=False):
            routes[k] = [visit_of[v] for v in route]
    return (routes if any(routes) else None), capped
