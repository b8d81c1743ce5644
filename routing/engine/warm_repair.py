"""Trim a warm-start route to its longest start that the full model accepts, in plain Python.

Asking OR-Tools (``ReadAssignmentFromRoutes``) route by route costs a propagation of the
whole model each time, about a second on a 2,000-visit day; this replay of one route with
the model's own transit table (windows, shift end, load per run, the driver's break taken at
the first chance) costs microseconds, so it screens routes before the single OR-Tools read.
It is conservative where OR-Tools is flexible (a break could also fall inside a drive).
"""

from __future__ import annotations

from bookvan.routing.engine.model import KIND_VISIT, BuiltModel
from bookvan.routing.engine.problem import RoutingProblem
from bookvan.routing.engine.warm_pyvrp import RELOAD

__all__ = ["complete_pairs", "pair_partners", "trim_route"]


def pair_partners(p: RoutingProblem) -> dict[int, int]:
    """Each paired visit's other half (pickup ↔ delivery)."""
    partner = {}
    for r in p.requests:
        if r.delivery is not None:
            partner[r.pickup], partner[r.delivery] = r.delivery, r.pickup
    return partner


def complete_pairs(seq: list[int], partner: dict[int, int]) -> list[int]:
    """``seq`` without visits whose pair partner is missing, and without runs left empty at its ends."""
    kept = {v for v in seq if v != RELOAD}
    head = [v for v in seq if v == RELOAD or partner.get(v, v) in kept]
    while head and head[-1] == RELOAD:
        head.pop()
    while head and head[0] == RELOAD:
        head.pop(0)
    return head


def trim_route(m: BuiltModel, van: int, seq: list[int]) -> list[int]:
    """``seq`` (visit indices, ``RELOAD`` between runs) cut before its first violation."""
    p = m.problem
    partner = pair_partners(p)
    spec = p.vans[van]
    nv = len(p.visits)
    single = {r.pickup for r in p.requests if r.delivery is None}
    reloads = list(m.reload_nodes[van])
    nodes: list[int] = []
    for v in seq:
        if v == RELOAD:
            if not reloads:
                return complete_pairs(seq[: len(nodes)], partner)
            nodes.append(reloads.pop(0))
        else:
            nodes.append(v)
    start, end = nv + 2 * van, nv + 2 * van + 1
    breaks = sorted(spec.breaks, key=lambda b: b.earliest_s)
    t, load, prev = spec.shift[0], 0, start
    for pos, node in enumerate([*nodes, end]):
        transit = int(m.time_transit[prev, node])
        drive = int(p.duration[m.node_loc[prev], m.node_loc[node]])
        arrive = t + transit
        if breaks and node != end:
            b = breaks[0]
            w0 = p.visits[node].window[0] if node < nv else arrive
            if max(arrive, w0) > b.earliest_s:  # the break is due before this service starts
                s = max(b.earliest_s, arrive - drive)
                if s > b.latest_s:
                    return complete_pairs(seq[:pos], partner)
                arrive = max(arrive, s + b.duration_s + drive)
                breaks.pop(0)
        if node == end:
            if arrive > spec.shift[1]:
                return complete_pairs(seq[:pos], partner)
            break
        if m.node_kind[node] == KIND_VISIT:
            w = p.visits[node].window
            if arrive > w[1]:
                return complete_pairs(seq[:pos], partner)
            t = max(arrive, w[0])
            load += abs(p.visits[node].load) if node in single else p.visits[node].load
            if load > spec.capacity or load < 0:
                return complete_pairs(seq[:pos], partner)
        else:  # a reload at the depot: the van is emptied
            t, load = arrive, 0
        prev = node
    return list(seq)
