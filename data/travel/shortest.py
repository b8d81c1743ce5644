"""Fastest paths on a road graph, with the distance driven along them, by scipy's Dijkstra.

Duration and distance come out of *one* Dijkstra pass: each edge weight packs both into an
exact integer of a float64, ``duration_units × 2**shift + distance_units`` (durations in
milliseconds, distances in decimetres per edge; coarser when the graph is so large the sum
could pass 2**53). Integers below 2**53 add exactly in float64, so the shortest packed path is
the fastest path (ties broken by the shorter distance), and its total splits back into the
duration and the distance along that same path, with no walk along predecessor trees.
``shift`` is chosen from a proven bound: every fastest path is no longer than the longest
fastest path into and out of one vertex (two extra Dijkstra runs), and no edge is faster
than the graph's top speed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bookvan.data.travel.graph import RoadGraph

__all__ = ["PackedWeights", "fastest_arrays", "fastest_paths", "pack_weights"]

_MANTISSA_BITS = 52  # keep one bit of the 53 spare


@dataclass(frozen=True)
class PackedWeights:
    """Edge weights packing duration and distance; ``q_t`` s and ``q_d`` m per unit."""

    weight: np.ndarray
    shift: int
    q_t: float
    q_d: float

    def decode(self, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(duration_s, distance_m) of packed path totals."""
        scale = float(2**self.shift)
        dur_u = np.floor(total / scale)
        dist_u = total - dur_u * scale
        return dur_u * self.q_t, dist_u * self.q_d


def pack_weights(graph: RoadGraph, *, q_t: float = 1e-3, q_d: float = 0.1) -> PackedWeights:
    """Pack each edge's duration and length into one exact float64 integer (module docstring)."""
    adj_t = graph.csr()
    # every fastest path a→b is no slower than a→0→b: bound by the farthest in and out of vertex 0
    from scipy.sparse.csgraph import dijkstra  # scipy loads only when road travel times are computed

    out0 = dijkstra(adj_t, indices=0)
    in0 = dijkstra(adj_t.T.tocsr(), indices=0)
    bound_s = float(np.max(out0[np.isfinite(out0)]) + np.max(in0[np.isfinite(in0)]))
    top_speed = float(np.max(graph.length_m / graph.duration_s))
    while True:
        dur_u = np.maximum(1.0, np.rint(graph.duration_s / q_t))
        dist_u = np.rint(graph.length_m / q_d)
        # rounding moves a path (at most n_vertices edges) by under one unit per edge
        n = graph.n_vertices
        max_dur_u = bound_s / q_t + n
        max_dist_u = top_speed * (bound_s + 2 * n * q_t) / q_d + n
        shift = int(max_dist_u).bit_length()
        if int(max_dur_u).bit_length() + shift <= _MANTISSA_BITS:
            return PackedWeights(dur_u * float(2**shift) + dist_u, shift, q_t, q_d)
        q_t, q_d = q_t * 2, q_d * 2


def fastest_arrays(
    graph: RoadGraph,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    packed: PackedWeights | None = None,
    chunk: int = 64,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Duration (s) and distance (m) of the fastest path from each source to each target vertex.

    Returns two ``len(sources) × len(targets)`` arrays. Sources are processed in chunks to
    bound memory (``chunk × n_vertices`` floats); ``on_progress(done, total)`` after each.
    """
    packed = packed or pack_weights(graph)
    adj = graph.csr(packed.weight)
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    dur = np.empty((len(sources), len(targets)))
    dist = np.empty_like(dur)
    for start in range(0, len(sources), chunk):
        rows = slice(start, start + chunk)
        from scipy.sparse.csgraph import dijkstra

        total = dijkstra(adj, indices=sources[rows])[:, targets]
        dur[rows], dist[rows] = packed.decode(total)
        if on_progress:
            on_progress(min(start + chunk, len(sources)), len(sources))
    return dur, dist


def fastest_paths(
    graph: RoadGraph, pairs: list[tuple[int, int]], *, packed: PackedWeights | None = None
) -> list[list[int]]:
    """Vertex sequence of the fastest path for each (source, target) vertex pair.

    Uses the same packed weights as :func:`fastest_arrays`, so a path's length is the matrix
    distance of its pair.
    """
    packed = packed or pack_weights(graph)
    adj = graph.csr(packed.weight)
    sources = sorted({s for s, _ in pairs})
    if not sources:
        return []
    from scipy.sparse.csgraph import dijkstra

    _, pred = dijkstra(adj, indices=sources, return_predecessors=True)
    row = {s: i for i, s in enumerate(sources)}
    out = []
    for s, t in pairs:
        p = pred[row[s]]
        path = [t]
        while path[-1] != s:
            path.append(int(p[path[-1]]))
        out.append(path[::-1])
    return out
