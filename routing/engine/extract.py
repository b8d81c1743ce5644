"""Read an OR-Tools assignment back into plain :class:`RouteResult` and :class:`SolveResult` values."""

from __future__ import annotations

import itertools
import time as _time

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from bookvan.data.interrupt import raise_if_stopped
from bookvan.routing.engine.model import KIND_RELOAD, KIND_VISIT, BuiltModel
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.engine.result import RouteResult, SolveResult

__all__ = ["result_from_assignment", "route_nodes", "routes_from_assignment"]

_STATUS = {
    "ROUTING_OPTIMAL": "optimal",
    "ROUTING_SUCCESS": "feasible",
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": "feasible",
}


def search_status(routing: pywrapcp.RoutingModel) -> str:
    """The last search's status in bookvan's words: ``optimal``, ``feasible`` or ``no_solution``."""
    name = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    return _STATUS.get(name, "no_solution")


def route_nodes(m: BuiltModel, assignment) -> list[list[int]]:
    """Per van, the node sequence between its start and end (visits and reloads)."""
    out = []
    for k in range(len(m.problem.vans)):
        idx = m.routing.Start(k)
        seq = []
        idx = assignment.Value(m.routing.NextVar(idx))
        while not m.routing.IsEnd(idx):
            seq.append(m.manager.IndexToNode(idx))
            idx = assignment.Value(m.routing.NextVar(idx))
        out.append(seq)
    return out


def _break_values(m: BuiltModel, assignment) -> list[list[tuple[int, int]]]:
    values: dict[str, tuple[int, int]] = {}
    container = assignment.IntervalVarContainer()
    for i in range(container.Size()):
        el = container.Element(i)
        if el.PerformedValue():
            values[el.Var().Name()] = (int(el.StartValue()), int(el.DurationValue()))
    return [sorted(values[iv.Name()] for iv in ivs if iv.Name() in values) for ivs in m.breaks]


def routes_from_assignment(m: BuiltModel, assignment) -> list[RouteResult]:
    """Routes with service starts (time cumuls), arrivals (after driving and any break)."""
    r, t = m.routing, m.time
    brks = _break_values(m, assignment)
    results = []
    for k, seq in enumerate(route_nodes(m, assignment)):
        start_idx, end_idx = r.Start(k), r.End(k)
        nodes = [m.manager.IndexToNode(start_idx), *seq, m.manager.IndexToNode(end_idx)]
        idxs = [start_idx, *(m.manager.NodeToIndex(n) for n in seq), end_idx]
        starts = [int(assignment.Value(t.CumulVar(i))) for i in idxs]
        arrivals = [starts[0]]
        for a in range(1, len(nodes)):
            prev, cur = nodes[a - 1], nodes[a]
            free_from = starts[a - 1] + int(m.node_service[prev])
            paused = sum(d for s, d in brks[k] if free_from <= s and s + d <= starts[a])
            arrive = starts[a - 1] + int(m.time_transit[prev, cur]) + paused
            arrivals.append(min(arrive, starts[a]))
        visits, arr, st, reload_after, reload_s = [], [], [], [], []
        for a in range(1, len(nodes) - 1):
            node = nodes[a]
            if m.node_kind[node] == KIND_VISIT:
                visits.append(node)
                arr.append(arrivals[a])
                st.append(starts[a])
            elif (
                m.node_kind[node] == KIND_RELOAD
                and visits
                and (not reload_after or reload_after[-1] != len(visits) - 1)
            ):
                nxt = nodes[a + 1]
                leave = (
                    starts[a]
                    + int(m.time_transit[node, nxt])
                    - int(m.problem.duration[m.node_loc[node], m.node_loc[nxt]])
                )
                reload_after.append(len(visits) - 1)
                reload_s.append((arrivals[a], leave))
        # A reload right before the end is just the way home: not a new run.
        while reload_after and reload_after[-1] == len(visits) - 1:
            reload_after.pop()
            reload_s.pop()
        results.append(
            RouteResult(
                van=k,
                visits=tuple(visits),
                arrivals_s=tuple(arr),
                starts_s=tuple(st),
                depart_s=starts[0],
                return_s=starts[-1],
                breaks=tuple(brks[k]),
                reload_after=tuple(reload_after),
                reload_s=tuple(reload_s),
            )
        )
    return results


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
    st = status or search_status(m.routing)
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
