"""Warm start: routes from another solver read into OR-Tools as its first assignment.

VROOM (:mod:`bookvan.routing.engine.warm_vroom`) and PyVRP
(:mod:`bookvan.routing.engine.warm_pyvrp`) solve the relaxations they can model; their
routes are read with ``ReadAssignmentFromRoutes`` and the cheaper start under the full
model wins. Routes that break a constraint the
relaxation did not see are cut back to their longest feasible start
(:mod:`bookvan.routing.engine.warm_repair`), and the local search inserts the rest.
"""

from __future__ import annotations

import time as _time

from ortools.constraint_solver import pywrapcp

from bookvan.routing.engine.extract import route_nodes
from bookvan.routing.engine.model import BuiltModel
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.warm_parts import area_routes
from bookvan.routing.engine.warm_pyvrp import RELOAD, pyvrp_polish, pyvrp_routes
from bookvan.routing.engine.warm_repair import complete_pairs, pair_partners, trim_route
from bookvan.routing.engine.warm_vroom import vroom_local_search, vroom_routes

__all__ = [
    "AREAS_ENGINE",
    "AREA_POLISH_ITERATIONS",
    "AREA_SEARCH_DEPTH",
    "LARGE_VISITS",
    "PORTFOLIO_VISITS",
    "assignment_from_visit_routes",
    "close_for_reading",
    "pyvrp_iterations_for",
    "read_nodes",
    "vroom_level_for",
    "warm_start",
]

LARGE_VISITS = 200  # above this many visits the search uses granular neighbourhoods
READ_SOLUTIONS = 1  # a route read stops at its first set of visit times (a work limit)
PORTFOLIO_VISITS = 100  # up to this many visits PyVRP joins VROOM in the deterministic portfolio
# VROOM's exploration level by the day's visits (first bound not below it). Level 5 is the
# issue-13 anchor; bench/scale.py, CPU s / cost NT$ (bench/README.md, "Library days"):
# 100 stops (180 visits), level 3 0.73 / 19,195 after OR-Tools vs level 5 2.77 / 19,176;
# 300 stops (564 visits), level 3 19 s whole solve / 52,000 vs VROOM-5 alone 53 s / 50,178.
# Level 3 is 2-4 times faster but up to 3.6 % dearer, so days up to 1,200 visits get level
# 5. Larger days are routed area by area (warm_parts): level 1 took 129 CPU s on the whole
# 1,000-stop day (1,894 visits).
VROOM_LEVELS = ((1200, 5),)


# PyVRP's iterations (a work limit): 100 where VROOM starts too (at 100 stops, 180 visits, its
# 100 iterations took 2.25 CPU s and served less), 800 where PyVRP starts alone. On the 1,000-
# stop day 800 iterations took 71 s under load and priced the plan at NT$ 175,070 against
# 185,563 after 100 (bench/README.md, "Library days").
PYVRP_ITERATIONS = 100
PYVRP_ITERATIONS_ALONE = 800
# PyVRP's search from the areas' routes (warm_parts) mends them where the areas meet: on the
# 1,000-stop day NT$ 148,326 → 146,253 in 30 iterations (3.5 s), and no further in 300 or 700.
AREA_POLISH_ITERATIONS = 30
# Then one VROOM local search over the whole day from the mended routes joins the areas: VROOM
# searched each area alone, and nothing searched across their borders but PyVRP's few moves.
# On the 1,000-stop day (areas at level 2) the mended plan, +4.2 % against VROOM-5, came to
# -0.02 % at depth 3 in 22 s and to -0.8 % (35 vans, as VROOM-5) at depth 5 in 31 s; over four
# large days depth 5 was never dearer (bench/README.md, "Library days", session 9).
AREA_SEARCH_DEPTH = 5
AREAS_ENGINE = 3.0  # stats["warm_engine"] of a start made area by area (1: VROOM, 2: PyVRP)


def pyvrp_iterations_for(visits: int) -> int:
    """PyVRP's iterations on a day of ``visits`` visits: more where it is the only start."""
    return PYVRP_ITERATIONS if vroom_level_for(visits) is not None else PYVRP_ITERATIONS_ALONE


def vroom_level_for(visits: int) -> int | None:
    """VROOM's exploration level for a day of ``visits`` visits (a work limit), ``None``: too large."""
    return next((level for bound, level in VROOM_LEVELS if visits <= bound), None)


def warm_start(m: BuiltModel, params: SolveParams, deadline: float, sp) -> tuple[object | None, dict[str, float]]:
    """The best start another solver gives, as an OR-Tools assignment (or ``None``), and stats.

    ``params.warm_start``: ``"vroom"``, ``"pyvrp"``, ``"none"``, or ``"auto"``: in
    deterministic mode a portfolio of two, VROOM at ``params.vroom_level`` and, on days of
    up to :data:`PORTFOLIO_VISITS` visits, PyVRP at ``warm_iterations``; each one's routes
    are read under the full model and the lower objective wins (ties: VROOM). A day too large
    for VROOM in one piece starts from VROOM area by area (:mod:`~bookvan.routing.engine.warm_parts`),
    mended where the areas meet by a few PyVRP iterations and joined by one VROOM local search
    over the whole day, and from PyVRP alone only when that gives nothing readable. Neither wins
    everywhere: on the bundled 2026-12-01 VROOM's start is NT$ 88 cheaper, on 2026-12-02
    PyVRP's NT$ 147 (VROOM prices driving, not waiting; PyVRP knows no breaks), and both
    take a fraction of a second there. Anytime mode keeps PyVRP with its share of the time
    (its fleet minimisation is what the benchmarks' vans-first ranking needs). ``deadline``
    (``perf_counter`` seconds) caps every phase; stats say whether it did (``warm_capped``).
    """
    kind = params.warm_start
    if kind == "none" or not m.problem.visits:
        return None, {}
    if kind == "auto":
        kind = "portfolio" if params.deterministic else "pyvrp"
    stats: dict[str, float] = {}
    tried: list[tuple[int, str, list[list[int]]]] = []  # (objective, engine, routes as read)
    level = params.vroom_level or vroom_level_for(len(m.problem.visits))
    if kind == "vroom" or (kind == "portfolio" and level is not None):
        t = _time.perf_counter()
        level = level or 1
        # Alike crates as one VROOM task: a simulated hub day's VROOM took a tenth of the time
        # and its plans cost +0.09 %; the 300-stop day came out NT$ 23 cheaper than VROOM-5
        # (bench/README.md, "Library days"). The anchor in bench/ keeps one task per crate.
        routes, capped = vroom_routes(
            m.problem, exploration_level=level, timeout_s=max(0.01, deadline - t), group=True
        )
        stats["vroom_s"] = round(_time.perf_counter() - t, 3)
        stats["warm_capped"] = float(capped)
        if routes is not None:
            a = assignment_from_visit_routes(m, routes, sp, deadline=deadline)
            if a is not None:
                tried.append((int(a.ObjectiveValue()), "vroom", route_nodes(m, a)))
                if kind == "vroom" or len(m.problem.visits) > PORTFOLIO_VISITS:
                    return a, {**stats, "warm_engine": 1.0}
    if kind == "portfolio" and level is None:  # too large for VROOM in one piece: area by area
        t = _time.perf_counter()
        routes, capped = area_routes(m.problem, seed=int(params.seed), timeout_s=max(0.01, deadline - t))
        stats["areas_s"] = round(_time.perf_counter() - t, 3)
        stats["warm_capped"] = float(capped)
        if routes is not None:
            t = _time.perf_counter()
            mended = pyvrp_polish(m.problem, routes, van_cost=m.van_fixed, iterations=AREA_POLISH_ITERATIONS,
                                  seed=int(params.seed))
            stats["pyvrp_s"] = round(_time.perf_counter() - t, 3)
            t = _time.perf_counter()
            before = mended or routes
            joined, cut = vroom_local_search(m.problem, before, depth=AREA_SEARCH_DEPTH,
                                             timeout_s=max(0.01, deadline - t))
            stats["join_s"] = round(_time.perf_counter() - t, 3)
            stats["warm_capped"] = float(capped or cut)
            # VROOM prices driving, not hours out: the full model decides (ties: the join).
            a = _cheaper_read(m, [before, joined], sp, deadline)
            if a is None and mended is not None:  # PyVRP's routes unreadable: the areas' own
                a = _cheaper_read(m, [routes], sp, deadline)
            if a is not None:
                return a, {**stats, "warm_engine": AREAS_ENGINE}
    # PyVRP: in the portfolio on small days, and on any day VROOM gave no readable start
    if kind == "pyvrp" or (kind == "portfolio" and (len(m.problem.visits) <= PORTFOLIO_VISITS or not tried)):
        t = _time.perf_counter()
        routes = _pyvrp_start(m, params, deadline)
        stats["pyvrp_s"] = round(_time.perf_counter() - t, 3)
        if params.deterministic and _time.perf_counter() >= deadline:
            stats["warm_capped"] = 1.0
        if routes is not None:
            a = assignment_from_visit_routes(m, routes, sp, deadline=deadline)
            if a is not None:
                tried.append((int(a.ObjectiveValue()), "pyvrp", route_nodes(m, a)))
    if not tried:
        return None, stats
    _, engine, nodes = min(tried, key=lambda x: x[0])
    stats["warm_engine"] = 1.0 if engine == "vroom" else 2.0
    # Each read replaces OR-Tools' stored assignment: read the winner again (milliseconds).
    return m.routing.ReadAssignmentFromRoutes(_as_indices(m, nodes), True), stats


def _cheaper_read(m: BuiltModel, starts: list[list[list[int]] | None], sp, deadline: float):
    """The assignment of the start the full model prices lowest (ties: the later), or ``None``.

    Each read replaces OR-Tools' stored assignment, so the winner is read last: again, when a
    later start read dearer.
    """
    best, last = None, None
    for i, start in enumerate(starts):
        a = None if start is None else assignment_from_visit_routes(m, start, sp, deadline=deadline)
        if a is not None:
            last = i
            if best is None or a.ObjectiveValue() <= best[0]:
                best = (a.ObjectiveValue(), i, a)
    if best is None:
        return None
    return best[2] if best[1] == last else assignment_from_visit_routes(m, starts[best[1]], sp, deadline=deadline)


def _as_indices(m: BuiltModel, nodes: list[list[int]]) -> list[list[int]]:
    return [[m.manager.NodeToIndex(n) for n in seq] for seq in nodes]


def _pyvrp_start(m: BuiltModel, params: SolveParams, deadline: float) -> list[list[int]] | None:
    """PyVRP's routes of the relaxation: ``warm_iterations`` in deterministic mode, else its time share."""
    large = len(m.problem.visits) > LARGE_VISITS
    left = max(0.05, deadline - _time.perf_counter())
    share = params.warm_share
    if share is None:
        # When the relaxation is the whole problem, PyVRP's answer is final but for polish.
        exact = not m.problem.precedences and not any(v.breaks for v in m.problem.vans)
        # Large and exact: OR-Tools' operators found nothing to improve in PyVRP's routes on
        # 400 customers (0 of 4.8 M neighbours accepted) while PyVRP still gains with time.
        share = (0.95 if large else 0.85) if exact else 0.5
    return pyvrp_routes(
        m.problem,
        # deterministic: the iterations decide and the time left is a safety cap only
        time_limit_s=left if params.deterministic else min(left, params.time_limit_s * share),
        seed=int(params.seed),
        van_cost=m.van_fixed,
        iterations=_iterations(params, len(m.problem.visits)) if params.deterministic else None,
        minimise_vans=params.minimise_vans_first,
        whole_fleet_polish=large,
        # Small days: an unreadable route is rare and cheap to cut back. Large days: vans
        # home early enough for the break, else many routes cannot be read (bench/README.md,
        # "Scale").
        break_safe_return=large,
    )


def _iterations(params: SolveParams, visits: int) -> int:
    return pyvrp_iterations_for(visits) if params.warm_iterations is None else params.warm_iterations


def close_for_reading(m: BuiltModel, sp) -> None:
    """Close ``m`` (once) with the settings of a route read: the first visit times found, ``sp``'s solvers.

    Reading routes runs a small search for the times of every visit and break. With an
    objective it goes on looking for cheaper times until its limits end it, so under a
    wall-clock limit the read depends on the machine's load (and took the whole limit: 4 s
    of 4 s at 100 stops). The first times found are the cheapest there (OR-Tools sets the
    cumuls by its scheduling optimisers): a read stops at the first solution, a work limit.
    """
    if m.closed:
        return
    read_sp = pywrapcp.DefaultRoutingSearchParameters()
    read_sp.CopyFrom(sp)
    read_sp.solution_limit = READ_SOLUTIONS
    # safety cap for a read that cannot succeed (the tree of break placements can be large)
    read_sp.time_limit.FromMilliseconds(max(200, int(sp.time_limit.ToMilliseconds() * 0.02)))
    m.routing.CloseModelWithParameters(read_sp)
    m.closed = True


def read_nodes(m: BuiltModel, nodes: list[list[int]], sp):
    """Per van, routes of OR-Tools nodes (as ``extract.route_nodes`` gives) → assignment or ``None``."""
    close_for_reading(m, sp)
    return m.routing.ReadAssignmentFromRoutes(_as_indices(m, nodes), True)


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

    close_for_reading(m, sp)
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
