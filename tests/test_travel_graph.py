"""Road graph: directions, speeds, the largest strongly connected component, snapping."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from _travel_grid import coord, write_grid
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from bookvan.data.travel.estimate import haversine_m
from bookvan.data.travel.graph import (
    FarSnapWarning,
    RoadGraph,
    RoadProfile,
    _dedupe_fastest,
    build_graph,
    contract,
    snap_points,
)
from bookvan.data.travel.osm import read_roads


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    seg = read_roads(write_grid(tmp_path_factory.mktemp("g") / "grid.osm"))
    return build_graph(seg, RoadProfile())


def _edges(g):
    osm = g.osm_id
    return {
        (int(osm[s]), int(osm[d])): (length, dur)
        for s, d, length, dur in zip(g.src, g.dst, g.length_m, g.duration_s, strict=True)
    }


def test_largest_strongly_connected_component_only(graph):
    assert sorted(graph.osm_id.tolist()) == list(range(1, 10))  # 20-21 dropped


def test_oneway_directions(graph):
    e = _edges(graph)
    assert (4, 5) in e and (5, 4) not in e  # oneway=yes
    assert (8, 7) in e and (7, 8) not in e  # oneway=-1
    assert (1, 2) in e and (2, 1) in e
    assert len(e) == 20


def test_speeds_from_table_and_maxspeed(graph):
    p = RoadProfile()
    kmh = dict(p.highway_kmh)
    e = _edges(graph)
    for (a, b), speed in [
        ((1, 2), kmh["tertiary"]),
        ((4, 5), kmh["primary"]),
        ((2, 5), 10 * p.maxspeed_factor),
        ((3, 6), kmh["residential"]),
    ]:
        length = haversine_m(*coord(a), *coord(b))
        assert e[(a, b)][0] == pytest.approx(length)
        assert e[(a, b)][1] == pytest.approx(length / (speed / 3.6))


def test_parallel_ways_keep_the_fastest():
    from bookvan.data.travel.osm import RoadSegments

    seg = RoadSegments(
        u=np.array([1, 1]), v=np.array([2, 2]),
        u_lat=np.array([25.0, 25.0]), u_lon=np.array([121.0, 121.0]),
        v_lat=np.array([25.001, 25.001]), v_lon=np.array([121.0, 121.0]),
        highway=np.array([6, 1], dtype=np.int16),  # residential, trunk
        oneway=np.array([0, 0], dtype=np.int8), maxspeed_kmh=np.array([np.nan, np.nan]),
        way_id=np.array([1, 2]),
    )  # fmt: skip
    g = build_graph(seg, RoadProfile())
    assert g.n_edges == 2
    assert g.duration_s[0] == pytest.approx(g.length_m[0] / (60 / 3.6))


def test_snap_to_nearest_vertex(graph):
    lat5, lon5 = coord(5)
    s = snap_points(
        graph, np.array([lat5 + 0.0002, lat5]), np.array([lon5, lon5]), ["A", "B"], RoadProfile()
    )
    assert graph.osm_id[s.vertex].tolist() == [5, 5]
    assert s.distance_m[0] == pytest.approx(haversine_m(lat5 + 0.0002, lon5, lat5, lon5))
    assert s.distance_m[1] == pytest.approx(0, abs=1e-6)


def test_far_snap_warns_and_outside_raises(graph):
    lat, lon = coord(9)
    p = RoadProfile()
    with pytest.warns(FarSnapWarning, match="FAR"):
        snap_points(graph, np.array([lat + 0.01]), np.array([lon]), ["FAR"], p)  # ~1.1 km
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snap_points(graph, np.array([lat + 0.001]), np.array([lon]), ["NEAR"], p)  # ~110 m: quiet
    with pytest.raises(ValueError, match="OUT"):
        snap_points(graph, np.array([lat + 0.2]), np.array([lon]), ["OUT"], p)


def test_profile_rejects_missing_speeds():
    with pytest.raises(ValueError, match="no speed"):
        RoadProfile(highway_kmh=(("motorway", 80.0),))


def _subdivided(hub_edges, shapes, two_way, seed):
    """RoadGraph of hub-to-hub ways, each split by ``shapes[i]`` shape points."""
    rng = np.random.default_rng(seed)
    n_hubs = 1 + max(max(a, b) for a, b in hub_edges)
    src, dst, nxt = [], [], n_hubs
    for (a, b), k, both in zip(hub_edges, shapes, two_way, strict=True):
        chain = [a, *range(nxt, nxt + k), b]
        nxt += k
        for p, q in itertools.pairwise(chain):
            src.append(p), dst.append(q)
            if both:
                src.append(q), dst.append(p)
    src, dst = np.array(src), np.array(dst)
    length = rng.uniform(5, 300, len(src))
    duration = length / rng.uniform(3, 20, len(src))
    s, d, le, du = _dedupe_fastest(src, dst, length, duration)
    return RoadGraph(lat=np.zeros(nxt), lon=np.zeros(nxt), osm_id=np.arange(nxt), src=s, dst=d,
                     length_m=le, duration_s=du)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=10).flatmap(
        lambda hubs: st.tuples(
            st.just(hubs),
            st.lists(st.integers(0, 6), min_size=len(hubs), max_size=len(hubs)),
            st.lists(st.booleans(), min_size=len(hubs), max_size=len(hubs)),
            st.integers(0, 2**16),
        )
    )
)
def test_contraction_keeps_fastest_durations(spec):
    g = _subdivided(*spec)
    keep = np.unique(np.random.default_rng(spec[3]).integers(0, g.n_vertices, 3))
    small, index = contract(g, keep)
    assert np.all(index[keep] >= 0)
    alive = np.flatnonzero(index >= 0)
    assert small.n_vertices == len(alive) <= g.n_vertices
    before = dijkstra(g.csr(), indices=alive)[:, alive] if len(alive) else np.zeros((0, 0))
    after = dijkstra(small.csr(), indices=index[alive])[:, index[alive]] if len(alive) else before
    assert np.allclose(before, after)


def test_contraction_removes_shape_points(graph):
    chain = _subdivided([(0, 1), (1, 2), (2, 0)], [5, 5, 5], [True, False, True], 1)
    small, index = contract(chain, np.array([0]))
    assert small.n_vertices == 3 and sorted(small.osm_id.tolist()) == [0, 1, 2]
    # the 3×3 test grid: keeping 1 (index 0), only corner 3 is a pass-through vertex
    small, index = contract(graph, np.flatnonzero(graph.osm_id == 1))
    assert sorted(graph.osm_id[index < 0].tolist()) == [3]
