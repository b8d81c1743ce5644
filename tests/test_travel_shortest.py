"""Packed Dijkstra: the fastest duration, and the distance along that very path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from bookvan.data.travel.graph import RoadGraph
from bookvan.data.travel.shortest import fastest_arrays, fastest_paths, pack_weights


def _ring_graph(
    n: int, extra: list[tuple[int, int]], lengths: list[float], speeds: list[float]
) -> RoadGraph:
    """A directed ring 0→1→…→0 (strongly connected) plus extra chords."""
    src = [*range(n), *(a for a, _ in extra)]
    dst = [*((i + 1) % n for i in range(n)), *(b for _, b in extra)]
    pairs = {}
    for k, (s, d) in enumerate(zip(src, dst, strict=True)):
        if s != d and (s, d) not in pairs:
            pairs[(s, d)] = k
    ks = list(pairs.values())
    length = np.array([lengths[k % len(lengths)] for k in ks])
    speed = np.array([speeds[k % len(speeds)] for k in ks])
    return RoadGraph(
        lat=np.linspace(25.0, 25.1, n), lon=np.full(n, 121.7), osm_id=np.arange(n),
        src=np.array([src[k] for k in ks]), dst=np.array([dst[k] for k in ks]),
        length_m=length, duration_s=length / speed,
    )  # fmt: skip


graphs = st.integers(3, 15).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
        st.lists(st.floats(1.0, 5000.0), min_size=1, max_size=20),
        st.lists(st.floats(1.0, 35.0), min_size=1, max_size=20),
    )
)


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_duration_is_fastest_and_distance_follows_that_path(spec):
    g = _ring_graph(*spec)
    n = g.n_vertices
    packed = pack_weights(g)
    verts = np.arange(n)
    dur, dist = fastest_arrays(g, verts, verts, packed=packed, chunk=4)
    exact = dijkstra(g.csr(), indices=verts)
    # per edge, durations round to packed.q_t: at most half a unit per edge on a path
    assert np.allclose(dur, exact, atol=n * packed.q_t)
    edge = {
        (int(s), int(d)): (le, du)
        for s, d, le, du in zip(g.src, g.dst, g.length_m, g.duration_s, strict=True)
    }
    pairs = [(a, b) for a in range(n) for b in range(n)]
    for (a, b), path in zip(pairs, fastest_paths(g, pairs, packed=packed), strict=True):
        legs = [edge[(p, q)] for p, q in itertools.pairwise(path)]
        assert path[0] == a and path[-1] == b
        assert dist[a, b] == pytest.approx(sum(le for le, _ in legs), abs=len(legs) * packed.q_d)
        assert sum(du for _, du in legs) == pytest.approx(exact[a, b], abs=n * packed.q_t)


def test_huge_extents_coarsen_the_units_but_stay_exact():
    g = _ring_graph(4, [(0, 2)], [2e6, 1e6, 3e6], [30.0, 10.0])
    fine = pack_weights(g)
    coarse = pack_weights(g, q_t=1e-12, q_d=1e-12)  # forces the doubling loop
    assert coarse.q_t > 1e-12
    for p in (fine, coarse):
        dur, dist = fastest_arrays(g, np.arange(4), np.arange(4), packed=p)
        exact = dijkstra(g.csr(), indices=np.arange(4))
        assert np.allclose(dur, exact, rtol=1e-6, atol=4 * p.q_t)
        assert np.all(dist[~np.eye(4, dtype=bool)] > 0)


def test_ties_break_on_the_shorter_distance():
    # two routes 0→2 of equal time: via 1 (long, fast) and via 3 (short, slow)
    g = RoadGraph(
        lat=np.zeros(4), lon=np.zeros(4), osm_id=np.arange(4),
        src=np.array([0, 1, 0, 3, 2, 2]), dst=np.array([1, 2, 3, 2, 0, 1]),
        length_m=np.array([200.0, 200.0, 100.0, 100.0, 50.0, 50.0]),
        duration_s=np.array([10.0, 10.0, 10.0, 10.0, 5.0, 5.0]),
    )  # fmt: skip
    dur, dist = fastest_arrays(g, np.array([0]), np.array([2]))
    assert dur[0, 0] == pytest.approx(20.0) and dist[0, 0] == pytest.approx(200.0)
    assert fastest_paths(g, [(0, 2)]) == [[0, 3, 2]]
