"""build_matrix on a road extract: known fastest paths, asymmetry, snapping, caching, geometry."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _travel_grid import coord, grid_xml, write_grid
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.travel import RoadProfile, build_matrix, haversine_m, leg_paths

P = RoadProfile()
KMH = dict(P.highway_kmh)
# speed of each undirected grid edge, as _travel_grid describes it
SPEED = {
    **{e: KMH["tertiary"] for e in [(1, 2), (2, 3)]},
    **{e: KMH["primary"] for e in [(4, 5), (5, 6)]},
    **{e: KMH["residential"] for e in [(7, 8), (8, 9), (1, 4), (4, 7), (3, 6), (6, 9)]},
    **{e: 10 * P.maxspeed_factor for e in [(2, 5), (5, 8)]},
}


def _path_cost(path):
    dist = dur = 0.0
    for a, b in itertools.pairwise(path):
        length = float(haversine_m(*coord(a), *coord(b)))
        dist += length
        dur += length / (SPEED.get((a, b), SPEED.get((b, a))) / 3.6)
    return dist, dur


def _nodes(ks, **moved):
    rows = [{"node_id": f"N{k}", "lat": coord(k)[0], "lon": coord(k)[1]} for k in ks]
    for row in rows:
        if row["node_id"] in moved:
            row["lat"], row["lon"] = moved[row["node_id"]]
    return pd.DataFrame(rows)


@pytest.fixture
def grid(tmp_path):
    return write_grid(tmp_path / "grid.osm")


def _leg(m, a, b):
    r = m[(m.from_id == a) & (m.to_id == b)].iloc[0]
    return r["distance_m"], r["duration_s"]


@pytest.mark.parametrize(
    ("a", "b", "path"),
    [
        (4, 6, [4, 5, 6]),  # the fast one-way primary
        (6, 4, [6, 3, 2, 1, 4]),  # back against it: round by the tertiary bottom row
        (9, 7, [9, 8, 7]),  # with the oneway=-1 row
        (7, 9, [7, 4, 5, 6, 9]),  # against it
        (2, 8, [2, 3, 6, 9, 8]),  # around the slow middle column
    ],
)
def test_known_fastest_paths(tmp_path, grid, a, b, path):
    m = build_matrix(_nodes(range(1, 10)), roads=grid, cache_dir=tmp_path / "c")
    dist, dur = _path_cost(path)
    got_dist, got_dur = _leg(m, f"N{a}", f"N{b}")
    assert got_dist == pytest.approx(dist, abs=0.5)
    assert got_dur == pytest.approx(dur + P.overhead_s, abs=0.05)
    assert set(m["source"]) == {"osm"}
    line = leg_paths(
        _nodes(range(1, 10)), [(f"N{a}", f"N{b}")], roads=grid, cache_dir=tmp_path / "c"
    )
    expected = [(coord(k)[1], coord(k)[0]) for k in path]
    assert np.allclose(line[(f"N{a}", f"N{b}")], expected, atol=1e-9)


def test_matrix_is_complete_and_asymmetric(tmp_path, grid):
    m = build_matrix(_nodes(range(1, 10)), roads=grid, cache_dir=tmp_path / "c")
    assert len(m) == 81 and list(m.columns) == [
        "from_id",
        "to_id",
        "distance_m",
        "duration_s",
        "source",
    ]
    diag = m[m.from_id == m.to_id]
    assert (diag[["distance_m", "duration_s"]] == 0).all().all()
    off = m[m.from_id != m.to_id]
    assert (off["duration_s"] > P.overhead_s).all() and (off["distance_m"] > 0).all()
    # the one-way primary is fast one way only
    assert _leg(m, "N4", "N6")[1] - P.overhead_s < (_leg(m, "N6", "N4")[1] - P.overhead_s) / 2


def test_snap_legs_and_coincident_nodes(tmp_path, grid):
    lat5, lon5 = coord(5)
    nodes = _nodes([4, 6]).assign(node_id=["N4", "N6"])
    nodes = pd.concat([nodes, pd.DataFrame({"node_id": ["OFF", "TWIN"], "lat": [lat5 + 0.0002] * 2,
                                            "lon": [lon5] * 2})], ignore_index=True)  # fmt: skip
    m = build_matrix(nodes, roads=grid, cache_dir=tmp_path / "c")
    snap = float(haversine_m(lat5 + 0.0002, lon5, lat5, lon5))
    assert m.attrs["snap_m"]["OFF"] == pytest.approx(snap, abs=0.1)
    dist, dur = _path_cost([4, 5])
    got = _leg(m, "N4", "OFF")
    assert got[0] == pytest.approx(dist + snap, abs=0.5)
    assert got[1] == pytest.approx(dur + snap / (P.access_kmh / 3.6) + P.overhead_s, abs=0.05)
    # two distinct nodes at one reference point: the documented floor, never 0
    assert _leg(m, "OFF", "TWIN") == (P.coincident_m, P.coincident_s)


def test_cache_hit_and_miss(tmp_path, grid):
    cache_dir = tmp_path / "cache"
    nodes = _nodes([1, 5, 9])
    first = build_matrix(nodes, roads=grid, cache_dir=cache_dir)
    assert first.attrs["cache"] == "miss"
    assert len(list(cache_dir.glob("matrix-*.parquet"))) == 1
    second = build_matrix(nodes, roads=grid, cache_dir=cache_dir)
    assert second.attrs["cache"] == "hit"
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs["snap_m"] == first.attrs["snap_m"]
    moved = build_matrix(_nodes([1, 5, 9], N5=(coord(5)[0] + 0.0001, coord(5)[1])), roads=grid,
                         cache_dir=cache_dir)  # fmt: skip
    assert moved.attrs["cache"] == "miss"
    assert len(list(cache_dir.glob("matrix-*.parquet"))) == 2
    assert len(list(cache_dir.glob("graph-*.npz"))) == 1  # the graph is reused
    grid.write_text(grid.read_text().replace('v="10"', 'v="20"'))  # a changed extract
    assert build_matrix(nodes, roads=grid, cache_dir=cache_dir).attrs["cache"] == "miss"


def test_corrupt_extract_raises_and_caches_nothing(tmp_path):
    bad = tmp_path / "keelung.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot really a pbf" * 8)
    cache_dir = tmp_path / "cache"
    with pytest.raises(InputError, match=r"keelung\.osm\.pbf"):
        build_matrix(_nodes([1, 2]), roads=bad, cache_dir=cache_dir)
    assert not list(cache_dir.glob("*")) if cache_dir.exists() else True
    with pytest.raises(InputError, match="not found"):
        build_matrix(_nodes([1, 2]), roads=tmp_path / "missing.osm", cache_dir=cache_dir)


def test_node_outside_extract_is_an_input_error(tmp_path, grid):
    nodes = _nodes([1, 2], N2=(coord(2)[0] + 0.3, coord(2)[1]))
    with pytest.raises(InputError, match="N2"):
        build_matrix(nodes, roads=grid, cache_dir=tmp_path / "c")


def test_estimate_leg_paths_are_straight_lines():
    nodes = _nodes([1, 9])
    lines = leg_paths(nodes)
    assert lines[("N1", "N9")] == [(coord(1)[1], coord(1)[0]), (coord(9)[1], coord(9)[0])]
    assert set(lines) == {("N1", "N9"), ("N9", "N1")}
    with pytest.raises(InputError, match="NX"):
        leg_paths(nodes, [("N1", "NX")])


def test_leg_path_length_is_the_matrix_distance(tmp_path, grid):
    nodes = _nodes(range(1, 10))
    m = build_matrix(nodes, roads=grid, cache_dir=tmp_path / "c")
    lines = leg_paths(nodes, roads=grid, cache_dir=tmp_path / "c")
    for (a, b), line in lines.items():
        arr = np.array(line)
        length = haversine_m(arr[:-1, 1], arr[:-1, 0], arr[1:, 1], arr[1:, 0]).sum()
        assert length == pytest.approx(_leg(m, a, b)[0], abs=0.5)


def test_unwritable_cache_warns_but_returns_the_matrix(tmp_path, grid):
    from bookvan.data.travel.cache import CacheWarning

    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file where the cache folder should be")
    with pytest.warns(CacheWarning, match="not written"):
        m = build_matrix(_nodes([1, 9]), roads=grid, cache_dir=not_a_dir)
    assert len(m) == 4 and m.attrs["cache"] == "miss"


def test_empty_node_table(tmp_path, grid):
    empty = pd.DataFrame({"node_id": [], "lat": [], "lon": []})
    assert build_matrix(empty).empty
    assert build_matrix(empty, roads=grid, cache_dir=tmp_path / "c").empty


GRID_LINES = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 4, 7], [2, 5, 8], [3, 6, 9]]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(["yes", "-1", "no"]), min_size=6, max_size=6),
    st.lists(st.sampled_from(["residential", "tertiary", "primary"]), min_size=6, max_size=6),
)
def test_random_one_way_grids_match_a_networkx_reference(oneways, highways):
    specs = zip(GRID_LINES, oneways, highways, strict=True)
    ways = [(100 + i, r, {"highway": hw, "oneway": ow}) for i, (r, ow, hw) in enumerate(specs)]
    ref = nx.DiGraph()
    for _, refs, tags in ways:
        for a, b in itertools.pairwise(refs):
            length = float(haversine_m(*coord(a), *coord(b)))
            w = {"duration": length / (KMH[tags["highway"]] / 3.6), "length": length}
            if tags["oneway"] in ("yes", "no"):
                ref.add_edge(a, b, **w)
            if tags["oneway"] in ("-1", "no"):
                ref.add_edge(b, a, **w)
    sccs = sorted((sorted(c) for c in nx.strongly_connected_components(ref)), key=len, reverse=True)
    assume(len(sccs[0]) >= 2 and (len(sccs) == 1 or len(sccs[1]) < len(sccs[0])))
    keep = sccs[0]
    with tempfile.TemporaryDirectory() as tmp:
        roads = Path(tmp) / "grid.osm"
        roads.write_text(grid_xml(ways), encoding="utf-8")
        m = build_matrix(_nodes(keep), roads=roads, cache_dir=Path(tmp) / "c")
    dur = nx.single_source_dijkstra_path_length
    for a in keep:
        fastest = dur(ref, a, weight="duration")
        shortest = dur(ref, a, weight="length")
        for b in keep:
            if a == b:
                continue
            got_dist, got_dur = _leg(m, f"N{a}", f"N{b}")
            assert got_dur == pytest.approx(fastest[b] + P.overhead_s, abs=0.05)
            assert got_dist >= shortest[b] - 0.5
