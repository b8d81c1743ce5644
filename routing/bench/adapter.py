"""Turn a :class:`BenchInstance` into the engine's :class:`RoutingProblem`, and routes back.

Solomon and Li & Lim distances are fractional: the solver sees them × :data:`SCALE` as
integers. Arc costs are rounded; travel *times* are rounded up, so a route the solver finds
on time is on time in exact arithmetic too. CVRPLIB arcs are already integers (rounded
Euclidean), and its fleet is unlimited: the solver gets the minimum fleet ``k`` plus a margin.
"""

from __future__ import annotations

import math

import numpy as np

from bookvan.routing.bench.instances import BenchInstance, edge_lengths
from bookvan.routing.engine.problem import Request, RoutingProblem, VanSpec, Visit

__all__ = ["SCALE", "fleet_size", "to_problem", "visit_nodes"]

SCALE = 1000


def fleet_size(inst: BenchInstance) -> int:
    """Vans offered to the solver: the file's fleet, or for CVRPLIB ``k`` plus a margin."""
    if inst.fleet is not None:
        return inst.fleet
    return inst.min_vehicles + max(3, math.ceil(0.2 * inst.min_vehicles))


def to_problem(inst: BenchInstance, *, vans: int | None = None) -> RoutingProblem:
    """The instance as a routing problem; visit ``i`` is customer node ``i + 1``.

    Locations are the instance's nodes (0 = depot). Li & Lim tasks become pickup-delivery
    requests; Solomon and CVRPLIB customers single-visit requests. All are mandatory.
    """
    d = edge_lengths(inst)
    scale = 1 if inst.kind == "cvrplib" else SCALE
    dist = np.rint(d * scale).astype(np.int64)
    dur = np.ceil(d * scale - 1e-6).astype(np.int64)
    n = len(inst.coords)
    big = int(dist.max()) * (n + 1) * 2 + 1  # no time limits in CVRPLIB: a horizon nobody hits

    def window(i: int) -> tuple[int, int]:
        if not math.isfinite(inst.due[i]):
            return (0, big)
        return (round(inst.ready[i] * scale), round(inst.due[i] * scale))

    visits = tuple(
        Visit(
            location=i,
            window=window(i),
            service_s=round(inst.service[i] * scale),
            load=int(inst.demand[i]),
            label=str(inst.ids[i]),
        )
        for i in range(1, n)
    )
    if inst.kind == "lilim":
        requests = tuple(
            Request(pickup=p - 1, delivery=q - 1, label=f"{inst.ids[p]}-{inst.ids[q]}") for p, q in inst.pairs
        )
    else:
        requests = tuple(Request(pickup=i - 1, label=str(inst.ids[i])) for i in range(1, n))
    shift = window(0)
    fleet = vans if vans is not None else fleet_size(inst)
    van_specs = tuple(VanSpec(start=0, end=0, capacity=inst.capacity, shift=shift, label=f"v{k}") for k in range(fleet))
    return RoutingProblem(
        distance=dist,
        duration=dur,
        visits=visits,
        requests=requests,
        vans=van_specs,
        name=inst.name,
    )


def visit_nodes(routes_visits: list[tuple[int, ...]]) -> list[list[int]]:
    """Engine visit indices → instance node indices (visit ``i`` is node ``i + 1``)."""
    return [[v + 1 for v in r] for r in routes_visits]
