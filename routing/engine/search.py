"""Solve a :class:`RoutingProblem` with OR-Tools routing: one pure function, no I/O.

The same engine plans the library's day and the public benchmarks. What it models
(pickup-delivery pairs, capacity, windows, shifts, breaks, multi-trip reloads,
precedences, fixed van costs) is built in :mod:`bookvan.routing.engine.model`; the warm
start comes from :mod:`bookvan.routing.engine.warm_start`; this module picks the search
strategy and its stop rule, runs it and hands the assignment to
:mod:`bookvan.routing.engine.extract`.
"""

from __future__ import annotations

import time as _time
from dataclasses import replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from bookvan.data.interrupt import raise_if_stopped
from bookvan.routing.engine.extract import result_from_assignment, route_nodes, search_status
from bookvan.routing.engine.model import BuiltModel, build_model
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.problem import RoutingProblem
from bookvan.routing.engine.result import SolveResult
from bookvan.routing.engine.warm_start import AREAS_ENGINE, LARGE_VISITS, read_nodes, warm_start

__all__ = ["search_parameters", "solve", "solve_plain"]

_FALLBACK_STARTS = ("local_cheapest_insertion", "all_unperformed")  # when the first solution fails
NEIGHBOURS = 40  # nearest visits each local-search move considers on large problems

_FSS = routing_enums_pb2.FirstSolutionStrategy
_SCHEDULING_LP = routing_parameters_pb2.RoutingSearchParameters.SchedulingSolver.SCHEDULING_GLOP
_LSM = routing_enums_pb2.LocalSearchMetaheuristic


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
    _set_time_limit(sp, params.time_limit_s)
    sp.log_search = params.log_search
    n = len(problem.visits)
    if n > LARGE_VISITS:
        # Each move looks at a visit's nearest few visits only (as PyVRP's granular search
        # does): the time limit is checked between neighbourhood passes, so a full pass on a
        # large day overruns it (bench/README.md, "Beyond 100 tasks").
        sp.ls_operator_neighbors_ratio = NEIGHBOURS / n
        sp.ls_operator_min_neighbors = NEIGHBOURS
    return sp


def solve_plain(problem: RoutingProblem, params: SolveParams | None = None) -> SolveResult:
    """One OR-Tools search (first solution + metaheuristic), no extra phases: the baseline."""
    params = params or SolveParams()
    t0 = _time.perf_counter()
    m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
    m.routing.solver().ReSeed(int(params.seed))
    assignment = m.routing.SolveWithParameters(search_parameters(problem, params))
    return result_from_assignment(m, assignment, params, t0)


def solve(problem: RoutingProblem, params: SolveParams | None = None) -> SolveResult:
    """Plan routes for ``problem``: warm start (:mod:`~bookvan.routing.engine.warm_start`), then OR-Tools.

    ``params.time_limit_s`` is one deadline for the whole solve. Ctrl-C (the shared stop flag
    :mod:`bookvan.data.interrupt`) ends the OR-Tools search and raises ``Interrupted``.

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
    deadline = t0 + params.time_limit_s  # the limit caps the whole solve, every phase included
    m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
    m.routing.solver().ReSeed(int(params.seed))
    found = _solution_counter(m)
    sp = search_parameters(problem, params)
    initial, warm_stats = warm_start(m, params, deadline, sp)
    warm_s = _time.perf_counter() - t0
    if initial is not None:
        if params.deterministic and (params.solution_limit <= 1 or warm_stats.get("warm_engine") == AREAS_ENGINE):
            # the restored start is the search's first solution: one step ends on it. A start
            # made area by area is the plan: on the 1,000-stop day the search after it took
            # 280-600 CPU s to find NT$ 0.05 (bench/README.md, "Library days", session 8)
            assignment, counted, left, status = initial, 1, _left(sp, deadline), None
        elif any(v.breaks for v in problem.vans) and not problem.cost_global_span:
            assignment, counted, left, status = _improve_on_twin(m, initial, params, deadline)
        else:
            left = _left(sp, deadline)
            found[0] = 0
            assignment = m.routing.SolveFromAssignmentWithParameters(initial, sp)
            raise_if_stopped()
            if assignment is None:  # cannot happen with a feasible start; keep it anyway
                assignment = initial
            counted, status = found[0], None
        result = result_from_assignment(m, assignment, params, t0, status=status)
        # the restored start is reported as a solution but not counted by the solution limit
        capped = max(
            warm_stats.get("warm_capped", 0.0), _capped(params, counted - 1, _time.perf_counter() - t0 - warm_s, left)
        )
        stats = {**result.stats, **warm_stats, "warm_start": 1.0, "warm_s": round(warm_s, 2), "search_capped": capped}
        return replace(result, stats=stats)
    left = _left(sp, deadline)
    t_search = _time.perf_counter()
    found[0] = 0
    assignment = m.routing.SolveWithParameters(sp)
    raise_if_stopped()
    # A first-solution heuristic can fail on tight windows; when every request may be left
    # out, a start with nothing served always exists and the local search inserts from there.
    for fallback in _FALLBACK_STARTS:
        if assignment is not None or any(m.mandatory) or params.first_solution == fallback:
            break
        m = build_model(problem, minimise_vans_first=params.minimise_vans_first)
        m.routing.solver().ReSeed(int(params.seed))
        found = _solution_counter(m)
        fsp = search_parameters(problem, replace(params, first_solution=fallback))
        left = _left(fsp, deadline)
        t_search = _time.perf_counter()
        assignment = m.routing.SolveWithParameters(fsp)
        raise_if_stopped()
    result = result_from_assignment(m, assignment, params, t0)
    capped = max(warm_stats.get("warm_capped", 0.0), _capped(params, found[0], _time.perf_counter() - t_search, left))
    return replace(result, stats={**result.stats, **warm_stats, "search_capped": capped})


def _improve_on_twin(m: BuiltModel, initial, params: SolveParams, deadline: float):
    """Search from ``initial`` on a twin of ``m`` whose filters time breaks by LP; keep what ``m`` prices lower.

    With breaks, OR-Tools prices every candidate move by solving the route's times as a MIP
    (CP-SAT): at 100 stops five search steps took 2.4 s and found NT$ 0.08 of improvement.
    The twin solves the LP relaxation instead (GLOP: 0.05 s for the same steps); its final
    routes are read back into ``m``, whose exact break placement sets the times and the
    price, and the cheaper of start and result wins (bench/README.md, "Library days").
    Not with a balance control (a global span cost): the LP misprices the days' spread there
    (a balanced two-van plan it found was dearer under the exact model than the one-van start).
    Returns the assignment of ``m``, the solutions the search counted, the seconds it had
    and its status.
    """
    problem = m.problem
    start_nodes, start_objective = route_nodes(m, initial), initial.ObjectiveValue()
    # a read into ``m`` overwrites the assignment ``initial`` points to: keep a copy of the start
    start = m.routing.solver().Assignment(initial)
    twin = build_model(problem, minimise_vans_first=params.minimise_vans_first)
    twin.routing.solver().ReSeed(int(params.seed))
    found = _solution_counter(twin)
    sp = search_parameters(problem, params)
    sp.mixed_integer_scheduling_solver = _SCHEDULING_LP
    begin = read_nodes(twin, start_nodes, sp)
    if begin is None:  # the LP twin cannot read what the exact model did: keep the start
        return start, 0, _left(sp, deadline), None
    left = _left(sp, deadline)
    found[0] = 0
    searched = twin.routing.SolveFromAssignmentWithParameters(begin, sp)
    raise_if_stopped()
    status = search_status(twin.routing)
    if searched is not None:
        better = read_nodes(m, route_nodes(twin, searched), sp)
        if better is not None and better.ObjectiveValue() < start_objective:
            return better, found[0], left, status
    return start, found[0], left, status


def _set_time_limit(sp, seconds: float) -> None:
    """Cap the search, and each of its sub-searches, at ``seconds`` of wall time.

    OR-Tools also caps every sub-search (the restore of a start solution and its finalizer,
    each LNS neighbourhood) at ``lns_time_limit``, 100 ms by default. Restoring a start took
    longer from about 600 stops, so the search failed (``ROUTING_FAIL``) and the start stayed
    the answer, and on a busy machine smaller days crossed it now and then: the plan then
    depended on the load. One safety cap for both leaves the work limits to decide.
    """
    ms = max(1, int(seconds * 1000))
    sp.time_limit.FromMilliseconds(ms)
    sp.lns_time_limit.FromMilliseconds(ms)


def _left(sp, deadline: float) -> float:
    """Set the search's time limit to what is left of the whole solve's; return it (seconds)."""
    left = max(0.1, deadline - _time.perf_counter())
    _set_time_limit(sp, left)
    return left


def _solution_counter(m: BuiltModel) -> list[int]:
    """A box counting the solutions the search reports (reset it before each search)."""
    box = [0]

    def seen() -> None:
        box[0] += 1

    m.routing.AddAtSolutionCallback(seen)
    m.monitors.append(seen)  # the search calls it back: keep it alive with the model
    return box


def _capped(params: SolveParams, counted: int, search_s: float, left_s: float) -> float:
    """1.0 when the wall-clock cap, not the search steps, ended a deterministic search.

    The steps ended it when the solution limit was reached, or when the search stopped on
    its own well inside the time it had left (``left_s``; a local optimum without a
    metaheuristic). Anytime searches are always ended by the clock: 1.0.
    """
    if not params.deterministic:
        return 1.0
    if counted >= params.solution_limit or search_s < 0.9 * left_s:
        return 0.0
    return 1.0
