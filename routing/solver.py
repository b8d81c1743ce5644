"""Solve a :class:`RoutingProblem` with OR-Tools routing: one pure function, no I/O.

The same engine plans the library's day and the public benchmarks. What it models
(pickup-delivery pairs, capacity, windows, shifts, breaks, multi-trip reloads,
precedences, fixed van costs) is built in :mod:`bookvan.routing.solver_model`; this module
picks the search strategy, runs it and reads the answer back.
"""

from __future__ import annotations

import itertools
import time as _time
from dataclasses import replace

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from bookvan.data.interrupt import raise_if_stopped
from bookvan.routing.problem import RoutingProblem
from bookvan.routing.solution_types import SolveParams, SolveResult
from bookvan.routing.solver_extract import route_nodes, routes_from_assignment
from bookvan.routing.solver_model import BuiltModel, build_model

__all__ = ["search_parameters", "solve", "solve_plain"]

LARGE_VISITS = 200  # above this many visits the search uses granular neighbourhoods
NEIGHBOURS = 40  # nearest visits each local-search move considers on large problems

_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic
_STATUS = {
    "ROUTING_OPTIMAL": "optimal",
    "ROUTING_SUCCESS": "feasible",
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": "feasible",
}


def _first_solution(problem: RoutingProblem, name: str) -> int:
    if name != "auto":
        return _FSS.Value.Value(name.upper())
    has_pairs = any(r.delivery is not None for r in problem.requests)
    has_windows = any(
        v.window != (0, 0) and v.window[1] < max((van.shift[1] for van in problem.vans), default=0)
        for v in problem.visits
    )
    if has_pairs or has_windows:
        # Insertion heuristics respect pairs and tight windows where arc-based ones fail.
        return _FSS.PARALLEL_CHEAPEST_INSERTION
    return _FSS.SAVINGS


def search_parameters(problem: RoutingProblem, params: SolveParams):
    """OR-Tools search settings for ``params``: strategy, metaheuristic and stop rule.

    Deterministic mode stops on ``solution_limit`` only, so wall time never decides the plan.
    """
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = _first_solution(problem, params.first_solution)
    sp.local_search_metaheuristic = _LSM.Value.Value(params.metaheuristic.upper())
    if params.deterministic:
        sp.solution_limit = params.solution_limit
    # In deterministic mode the wall-clock limit is only a safety cap: the plan is
    # reproducible whenever the solution limit is reached first (the status says which).
    sp.time_limit.FromMilliseconds(max(1, int(params.time_limit_s * 1000)))
    sp.log_search = params.log_search
    n = len(problem.visits)
    if n > LARGE_VISITS:
        # Each move looks at a visit's nearest few visits only (as PyVRP's granular search
        # does). On 400 customers a full neighbourhood pass took 21 s against an 8 s limit,
        # since the limit is checked between passes; with 40 neighbours it keeps the limit.
        sp.ls_operator_neighbors_ratio = NEIGHBOURS / n
        sp.ls_operator_min_neighbors = NEIGHBOURS
    return sp


def _status(routing: pywrapcp.RoutingModel) -> str:
    name = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    return _STATUS.get(name, "no_solution")


def solve_plain(problem: RoutingProblem, params: SolveParams | None = None) -> SolveResult:
    """One OR-Tools search (first solution + metaheuristic), no extra phases: the baseline."""
    params = params or SolveParams()
    t0 = _time.perf_counter()
    m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
    m.routing.solver().ReSeed(int(params.seed))
    assignment = m.routing.SolveWithParameters(search_parameters(problem, params))
    return result_from_assignment(m, assignment, params, t0)


def solve(problem: RoutingProblem, params: SolveParams | None = None) -> SolveResult:
    """Plan routes for ``problem``.

    Parameters
    ----------
    problem
        The generic routing problem (daily plan or benchmark instance).
    params
        Search settings; ``seed`` reseeds OR-Tools' random choices (LNS), and with
        ``deterministic=True`` the same input and seed give the same routes.

    Returns
    -------
    SolveResult
        Routes of every van, dropped requests, objective and status (``"infeasible"`` when a
        mandatory request had to be dropped; it is listed in ``dropped``).
    """
    params = params or SolveParams()
    t0 = _time.perf_counter()
    m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
    m.routing.solver().ReSeed(int(params.seed))
    found = _solution_counter(m)
    sp = search_parameters(problem, params)
    initial = _warm_start(m, params, t0, sp)
    warm_s = _time.perf_counter() - t0
    if initial is not None:
        left = params.time_limit_s - warm_s
        # Anytime mode: the limit is the budget of the whole solve. Deterministic mode keeps the
        # full limit for this phase as a safety cap only, so a busy machine does not cut the
        # search short (and change the plan) where an idle one would not.
        if not params.deterministic:
            sp.time_limit.FromMilliseconds(max(100, int(left * 1000)))
        found[0] = 0
        assignment = m.routing.SolveFromAssignmentWithParameters(initial, sp)
        if assignment is None:  # cannot happen with a feasible start; keep it anyway
            assignment = initial
        result = result_from_assignment(m, assignment, params, t0)
        # the restored start is reported as a solution but not counted by the solution limit
        capped = _capped(params, found[0] - 1, _time.perf_counter() - t0 - warm_s)
        stats = {**result.stats, "warm_start": 1.0, "warm_s": round(warm_s, 2), "search_capped": capped}
        return replace(result, stats=stats)
    if not params.deterministic:  # a failed warm start used part of the budget
        left = params.time_limit_s - (_time.perf_counter() - t0)
        sp.time_limit.FromMilliseconds(max(100, int(left * 1000)))
    t_search = _time.perf_counter()
    found[0] = 0
    assignment = m.routing.SolveWithParameters(sp)
    # A first-solution heuristic can fail on tight windows; when every request may be left
    # out, a start with nothing served always exists and the local search inserts from there.
    for fallback in _FALLBACK_STARTS:
        if assignment is not None or any(m.mandatory) or params.first_solution == fallback:
            break
        # the failed start may have used the whole budget: the fallback gets at least half again
        left = max(params.time_limit_s - (_time.perf_counter() - t0), params.time_limit_s / 2)
        m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
        m.routing.solver().ReSeed(int(params.seed))
        found = _solution_counter(m)
        t_search = _time.perf_counter()
        assignment = m.routing.SolveWithParameters(
            search_parameters(problem, replace(params, first_solution=fallback, time_limit_s=left))
        )
    result = result_from_assignment(m, assignment, params, t0)
    capped = _capped(params, found[0], _time.perf_counter() - t_search)
    return replace(result, stats={**result.stats, "search_capped": capped})


def _solution_counter(m: BuiltModel) -> list[int]:
    """A box counting the solutions the search reports (reset it before each search)."""
    box = [0]

    def seen() -> None:
        box[0] += 1

    m.routing.AddAtSolutionCallback(seen)
    return box


def _capped(params: SolveParams, counted: int, search_s: float) -> float:
    """1.0 when the wall-clock cap, not the search steps, ended a deterministic search.

    The steps ended it when the solution limit was reached, or when the search stopped on
    its own well inside the cap (a local optimum without a metaheuristic). Anytime searches
    are always ended by the clock: 1.0.
    """
    if not params.deterministic:
        return 1.0
    if counted >= params.solution_limit or search_s < 0.9 * params.time_limit_s:
        return 0.0
    return 1.0


def _warm_start(m: BuiltModel, params: SolveParams, t0: float, sp):
    """PyVRP's routes on the relaxation as an OR-Tools assignment, or ``None``.

    Skipped when ``params.warm_start == "none"``, when PyVRP is not installed, or when its
    routes break a constraint it does not model (breaks, precedences): then OR-Tools starts
    on its own.
    """
    if params.warm_start == "none" or not m.problem.visits:
        return None
    from bookvan.routing.search.pyvrp_warm import pyvrp_routes

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
        # Small days: an unreadable route is rare and cheap to cut back, and the looser
        # return kept the bundled day's deterministic search within its steps (the tighter
        # one made its 50 steps run into the 8 s cap). Large days: reading failed on 7 of
        # 54 routes at 1,000 stops and the repair ran out of time (619 of 947 served).
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
    from bookvan.routing.search.pyvrp_warm import RELOAD

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
    from bookvan.routing.search.route_repair import complete_pairs, pair_partners, trim_route

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


_FALLBACK_STARTS = ("local_cheapest_insertion", "all_unperformed")


def result_from_assignment(
    m: BuiltModel, assignment, params: SolveParams, t0: float, status: str | None = None
) -> SolveResult:
    """Package an assignment (or ``None``) as a :class:`SolveResult`."""
    raise_if_stopped()  # an interrupted search returns early: never package it as a plan
    p = m.problem
    wall = _time.perf_counter() - t0
    if assignment is None:
        return SolveResult(
            routes=(),
            dropped=tuple(range(len(p.requests))),
            objective=0,
            status="no_solution",
            wall_s=wall,
            solver_version=ortools.__version__,
            stats={"seed": float(params.seed)},
        )
    routes = routes_from_assignment(m, assignment)
    served = {v for r in routes for v in r.visits}
    dropped = tuple(i for i, r in enumerate(p.requests) if r.pickup not in served)
    st = status or _status(m.routing)
    if st == "no_solution":  # an assignment exists (e.g. the warm start itself): feasible
        st = "feasible"
    if any(m.mandatory[i] for i in dropped):
        st = "infeasible"
    distance = 0
    for seq, r in zip(route_nodes(m, assignment), routes, strict=True):
        if not seq:
            continue
        k = r.van
        locs = [p.vans[k].start, *(int(m.node_loc[n]) for n in seq), p.vans[k].end]
        distance += sum(int(p.distance[a, b]) for a, b in itertools.pairwise(locs))
    return SolveResult(
        routes=tuple(routes),
        dropped=dropped,
        objective=int(assignment.ObjectiveValue()),
        status=st,
        wall_s=wall,
        solver_version=ortools.__version__,
        stats={
            "seed": float(params.seed),
            "distance": float(distance),
            "vans_used": float(sum(1 for r in routes if r.visits)),
        },
    )
