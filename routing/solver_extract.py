"""Read an OR-Tools assignment back into plain :class:`RouteResult` values."""

from __future__ import annotations

from bookvan.routing.solution_types import RouteResult
from bookvan.routing.solver_model import KIND_RELOAD, KIND_VISIT, BuiltModel

__all__ = ["route_nodes", "routes_from_assignment"]


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
