"""Warm start: routes from another solver read into OR-Tools as its first assignment.

PyVRP (:mod:`bookvan.routing.engine.warm_pyvrp`) solves the relaxation it can model; its
routes are read with ``ReadAssignmentFromRoutes``. Routes that break a constraint the
relaxation did not see are cut back to their longest feasible start
(:mod:`bookvan.routing.engine.warm_repair`), and the local search inserts the rest.
"""

from __future__ import annotations

import time as _time

from ortools.constraint_solver import pywrapcp

from bookvan.routing.engine.model import BuiltModel
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.warm_pyvrp import RELOAD, pyvrp_routes
from bookvan.routing.engine.warm_repair import complete_pairs, pair_partners, trim_route

__all__ = ["LARGE_VISITS", "assignment_from_visit_routes", "warm_start"]

LARGE_VISITS = 200  # above this many visits the search uses granular neighbourhoods


def warm_start(m: BuiltModel, params: SolveParams, t0: float, sp):
    """PyVRP's routes on the relaxation as an OR-Tools assignment, or ``None``.

    Skipped when ``params.warm_start == "none"``, or when PyVRP finds no feasible routes of
    the relaxation: then OR-Tools starts on its own. Routes that break a constraint PyVRP
    does not model (breaks, precedences) are cut back until OR-Tools accepts them.
    """
    if params.warm_start == "none" or not m.problem.visits:
        return None

    large = len(m.problem.visits) > LARGE_VISITS
    share = params.warm_share
    if share is None:
        # When the relaxation is the whole problem, PyVRP's answer is final but for polish.
        exact = not m.problem.precedences and not any(v.breaks for v in m.problem.vans)
        # Large and exact: OR-Tools' operators found nothing to improve in PyVRP's routes on
        # 400 customers (0 of 4.8 M neighbours accepted) while PyVRP still gains with time.
        share = (0.95 if large else 0.85) if exact else 0.5
    budget = params.time_limit_s * share
    routes = pyvrp_routes(
        m.problem,
        time_limit_s=budget,
        seed=int(params.seed),
        van_cost=m.van_fixed,
        iterations=params.warm_iterations if params.deterministic else None,
        minimise_vans=params.minimise_vans_first,
        whole_fleet_polish=large,
        # Small days: an unreadable route is rare and cheap to cut back. Large days: vans
        # home early enough for the break, else many routes cannot be read (bench/README.md,
        # "Scale").
        break_safe_return=large,
    )
    if routes is None:
        return None
    deadline = t0 + 0.9 * params.time_limit_s if not params.deterministic else None
    return assignment_from_visit_routes(m, routes, sp, deadline=deadline)


def assignment_from_visit_routes(m: BuiltModel, routes: list[list[int]], sp, *, deadline: float | None = None):
    """Routes of visit indices (``RELOAD`` = back to the depot) → OR-Tools assignment or ``None``.

    When the routes as a whole break a constraint the relaxation did not see, each van keeps
    the longest start of its route that is feasible on its own (pairs kept whole); the rest is
    left unassigned for the local search to insert.
    """

    def to_index(k: int, seq: list[int]) -> list[int] | None:
        reloads = list(m.reload_nodes[k])
        idx = []
        for v in seq:
            if v == RELOAD:
                if not reloads:
                    return None
                idx.append(m.manager.NodeToIndex(reloads.pop(0)))
            else:
                idx.append(m.manager.NodeToIndex(v))
        return idx

    # Reading routes searches for service times (breaks make that hard) within the closing
    # parameters' time limit: keep each read short, the search proper gets its own limit.
    read_sp = pywrapcp.DefaultRoutingSearchParameters()
    read_sp.CopyFrom(sp)
    read_sp.time_limit.FromMilliseconds(max(200, int(sp.time_limit.ToMilliseconds() * 0.02)))
    m.routing.CloseModelWithParameters(read_sp)
    nvan = len(m.problem.vans)
    full = [to_index(k, seq) for k, seq in enumerate(routes)]
    if all(r is not None for r in full):
        a = m.routing.ReadAssignmentFromRoutes(full, True)
        if a is not None:
            return a
    partner = pair_partners(m.problem)

    def prefix(k: int, n: int) -> list[int] | None:
        return to_index(k, complete_pairs(routes[k][:n], partner))

    def feasible_alone(k: int, idx: list[int] | None) -> bool:
        if idx is None:
            return False
        only = [[] for _ in range(nvan)]
        only[k] = idx
        return m.routing.ReadAssignmentFromRoutes(only, True) is not None

    # Screen every route by replaying it (cheap), then read them all at once.
    trimmed = [trim_route(m, k, seq) for k, seq in enumerate(routes)]
    idx = [to_index(k, seq) for k, seq in enumerate(trimmed)]
    if all(r is not None for r in idx):
        a = m.routing.ReadAssignmentFromRoutes(idx, True)
        if a is not None:
            return a
    kept_routes: list[list[int]] = []
    for k in range(nvan):
        whole = prefix(k, len(routes[k]))
        if deadline is not None and _time.perf_counter() > deadline:
            kept_routes.append([])  # no time left to check it: its jobs go to the search
            continue
        if feasible_alone(k, whole):
            kept_routes.append(whole or [])
            continue
        lo, hi = 0, len(routes[k]) - 1  # longest feasible prefix by bisection
        while lo < hi and (deadline is None or _time.perf_counter() < deadline):
            mid = (lo + hi + 1) // 2
            if feasible_alone(k, prefix(k, mid)):
                lo = mid
            else:
                hi = mid - 1
        kept_routes.append(prefix(k, lo) or [])
    return m.routing.ReadAssignmentFromRoutes(kept_routes, True)
