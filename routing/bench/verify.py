"""Check a benchmark solution against the instance file's own numbers, independent of the solver.

Works on routes of file ids (as in the solution JSON) and recomputes everything in the set's
convention: floats for Solomon/Li & Lim, rounded arcs for CVRPLIB. Nothing here imports the
engine, so a bug in the model or its integer scaling cannot hide here too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from bookvan.routing.bench.instances import BenchInstance, edge_lengths

__all__ = ["Verdict", "verify"]

EPS = 1e-6


@dataclass(frozen=True)
class Verdict:
    """Feasible or not, with one line per violation, and the recomputed distance."""

    feasible: bool
    distance: float
    vehicles: int
    violations: tuple[str, ...] = field(default_factory=tuple)


def verify(inst: BenchInstance, routes: list[list[int]]) -> Verdict:
    """Check coverage, fleet, capacity, windows, pairing and precedence; recompute distance."""
    out: list[str] = []
    index = {int(fid): i for i, fid in enumerate(inst.ids)}
    d = edge_lengths(inst)
    seen: dict[int, int] = {}
    routes_nodes: list[list[int]] = []
    for r, route in enumerate(routes):
        nodes = []
        for fid in route:
            i = index.get(int(fid))
            if i is None or i == 0:
                out.append(f"route {r + 1}: {fid} is not a customer id of {inst.name}")
                continue
            if i in seen:
                out.append(f"customer {fid} served twice (routes {seen[i] + 1} and {r + 1})")
            seen[i] = r
            nodes.append(i)
        routes_nodes.append(nodes)
    for i in range(1, len(inst.coords)):
        if i not in seen:
            out.append(f"customer {inst.ids[i]} not served")
    used = [nodes for nodes in routes_nodes if nodes]
    if inst.fleet is not None and len(used) > inst.fleet:
        out.append(f"{len(used)} vehicles used, the instance has {inst.fleet}")

    distance = 0.0
    for r, nodes in enumerate(routes_nodes):
        if not nodes:
            continue
        path = [0, *nodes, 0]
        distance += float(sum(d[a, b] for a, b in itertools.pairwise(path)))
        out += _check_load(inst, r, nodes)
        out += _check_time(inst, d, r, path)
        out += _check_pairs(inst, r, nodes, seen)
    return Verdict(not out, distance, len(used), tuple(out))


def _check_load(inst: BenchInstance, r: int, nodes: list[int]) -> list[str]:
    dem = inst.demand[nodes]
    if inst.kind != "lilim":
        total = int(dem.sum())
        return [f"route {r + 1}: demand {total} above capacity {inst.capacity}"] if total > inst.capacity else []
    load = np.cumsum(dem)
    bad = np.flatnonzero((load < 0) | (load > inst.capacity))
    return [f"route {r + 1}: load {int(load[k])} after customer {inst.ids[nodes[k]]}" for k in bad[:1]]


def _check_time(inst: BenchInstance, d: np.ndarray, r: int, path: list[int]) -> list[str]:
    if inst.kind == "cvrplib":
        return []
    out = []
    t = float(inst.ready[0])
    for a, b in itertools.pairwise(path):
        t = max(t + float(inst.service[a]) + float(d[a, b]), float(inst.ready[b]))
        if t > inst.due[b] + EPS:
            where = "back at the depot" if b == 0 else f"customer {inst.ids[b]}"
            out.append(f"route {r + 1}: {where} at {t:.3f}, after its due time {inst.due[b]:g}")
    return out


def _check_pairs(inst: BenchInstance, r: int, nodes: list[int], seen: dict[int, int]) -> list[str]:
    if inst.kind != "lilim":
        return []
    out = []
    pos = {n: k for k, n in enumerate(nodes)}
    for n in nodes:
        if inst.demand[n] <= 0:
            continue
        dl = int(inst.partner[n])
        if seen.get(dl) != r:
            out.append(f"route {r + 1}: pickup {inst.ids[n]} and delivery {inst.ids[dl]} on different routes")
        elif pos[dl] < pos[n]:
            out.append(f"route {r + 1}: delivery {inst.ids[dl]} before its pickup {inst.ids[n]}")
    return out
