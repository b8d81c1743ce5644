"""The travel-time matrix of a network: every ordered pair of nodes, as a MATRIX_SCHEMA table.

Two sources: the estimate model (no road data, the default) and fastest paths on an
OpenStreetMap road graph (``roads=``), cached on disk by content hash. :func:`leg_paths` gives
the matching leg geometries for maps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.travel import cache
from bookvan.data.travel.estimate import (
    ESTIMATE_SOURCE,
    EstimateParams,
    estimate_arrays,
    haversine_m,
)
from bookvan.data.travel.graph import (
    RoadGraph,
    RoadProfile,
    build_graph,
    contract,
    get_profile,
    snap_points,
)
from bookvan.data.travel.osm import read_roads
from bookvan.data.travel.shortest import fastest_arrays, fastest_paths, pack_weights

__all__ = [
    "MATRIX_COLUMNS",
    "OSM_SOURCE",
    "OnProgress",
    "build_matrix",
    "leg_paths",
    "load_road_graph",
    "matrix_frame",
    "validate_nodes",
]

MATRIX_COLUMNS = ("from_id", "to_id", "distance_m", "duration_s", "source")
OSM_SOURCE = "osm"
NODES_LABEL = "nodes table"
COINCIDENT_M = 1.0  # nodes closer than this share a reference point

OnProgress = Callable[[str, int, int], None]
"""``on_progress(step, done, total)``; ``total == 0`` means a step of unknown length."""


def _quiet(step: str, done: int, total: int) -> None:
    pass


def validate_nodes(nodes: pd.DataFrame, *, label: str = NODES_LABEL) -> pd.DataFrame:
    """Check the ``node_id``, ``lat``, ``lon`` columns; return them clean (float coords, str ids).

    Raises
    ------
    InputError
        Missing column, empty/duplicate id, missing or out-of-range coordinate (row numbers
        are 1-based positions in ``nodes``).
    """
    missing = [c for c in ("node_id", "lat", "lon") if c not in nodes.columns]
    if missing:
        raise InputError.single(label, f"missing column(s): {', '.join(missing)}", row=0)
    col = ProblemCollector(label)
    ids = nodes["node_id"].astype("string")
    lat = pd.to_numeric(nodes["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(nodes["lon"], errors="coerce").to_numpy(dtype=float)
    seen: dict[str, int] = {}
    for i, nid in enumerate(ids, start=1):
        if pd.isna(nid) or not str(nid).strip():
            col.add("empty node id", row=i, field="node_id")
        elif nid in seen:
            col.add(f"duplicate node id '{nid}' (first on row {seen[nid]})", row=i, field="node_id")
        else:
            seen[str(nid)] = i
    for name, arr, lim in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        for i in np.flatnonzero(~(np.isfinite(arr) & (np.abs(arr) <= lim))):
            bad = nodes[name].iloc[i]
            col.add(f"'{bad}' is not a coordinate in -{lim:g}..{lim:g}", row=int(i) + 1, field=name)
    col.raise_if_any()
    return pd.DataFrame({"node_id": ids.astype(str).to_numpy(), "lat": lat, "lon": lon})


def matrix_frame(
    node_ids: list[str] | np.ndarray, dist: np.ndarray, dur: np.ndarray, source: str
) -> pd.DataFrame:
    """Long MATRIX_SCHEMA table (``from_id`` major, in node order) from n × n arrays."""
    ids = np.asarray(node_ids, dtype=object)
    n = len(ids)
    return pd.DataFrame(
        {
            "from_id": np.repeat(ids, n),
            "to_id": np.tile(ids, n),
            "distance_m": np.asarray(dist, dtype=float).ravel(),
            "duration_s": np.asarray(dur, dtype=float).ravel(),
            "source": np.full(n * n, source, dtype=object),
        }
    )


def build_matrix(
    nodes: pd.DataFrame,
    *,
    roads: Path | None = None,
    cache_dir: Path | None = None,
    profile: str | RoadProfile = "van",
    params: EstimateParams | None = None,
    on_progress: OnProgress | None = None,
) -> pd.DataFrame:
    """Distance and duration for every ordered pair of ``nodes`` (columns node_id, lat, lon).

    Parameters
    ----------
    nodes
        One row per node: ``node_id``, ``lat``, ``lon`` (other columns are ignored).
    roads
        An OpenStreetMap extract (.osm.pbf, .osm, .osm.gz, .osm.bz2). Without it, the estimate
        model (:mod:`bookvan.data.travel.estimate`) is used.
    cache_dir
        Where road graphs and matrices are cached (default :func:`cache.default_cache_dir`).
        Only used with ``roads``: the estimate takes milliseconds.
    profile
        Vehicle profile for the road graph (``"van"``, or a :class:`RoadProfile`).
    params
        Estimate model parameters (default :class:`EstimateParams`).
    on_progress
        Called as ``on_progress(step, done, total)`` during the long steps.

    Returns
    -------
    pandas.DataFrame
        MATRIX_SCHEMA columns, ``from_id`` major in node order, ``i → i`` rows with 0; two
        distinct nodes never get a 0 leg. ``source`` is ``"estimate"`` or ``"osm"``.
        ``attrs`` records how it was made: ``estimate_params`` or ``profile``, ``roads``,
        ``roads_sha256``, ``snap_m`` (node → metres to the road graph), ``graph``
        (vertex/edge counts) and ``cache`` (``"hit"``/``"miss"``).

    Raises
    ------
    InputError
        Bad node table; road file missing, unreadable, not OSM, without roads, or not
        covering a node.
    """
    clean = validate_nodes(nodes)
    if clean.empty:
        return matrix_frame([], np.zeros((0, 0)), np.zeros((0, 0)), ESTIMATE_SOURCE)
    if roads is None:
        p = params or EstimateParams()
        dist, dur = estimate_arrays(clean["lat"].to_numpy(), clean["lon"].to_numpy(), p)
        out = matrix_frame(clean["node_id"].to_numpy(), dist, dur, ESTIMATE_SOURCE)
        out.attrs["estimate_params"] = p.as_dict()
        return out
    return _road_matrix(clean, Path(roads), cache_dir, get_profile(profile), on_progress or _quiet)


def _roads_sha(roads: Path) -> str:
    try:
        return cache.file_sha256(roads)
    except FileNotFoundError:
        raise InputError.single(
            roads, "road file not found (give an .osm.pbf or .osm extract)"
        ) from None
    except OSError as e:
        raise InputError.single(roads, f"cannot read the road file: {e.strerror or e}") from None


def load_road_graph(
    roads: Path,
    *,
    profile: str | RoadProfile = "van",
    cache_dir: Path | None = None,
    roads_sha256: str | None = None,
    on_progress: OnProgress | None = None,
) -> RoadGraph:
    """The drivable road graph of an extract for ``profile``, from the cache when possible."""
    prof = get_profile(profile)
    on_progress = on_progress or _quiet
    roads = Path(roads)
    sha = roads_sha256 or _roads_sha(roads)
    cache_dir = Path(cache_dir) if cache_dir else cache.default_cache_dir()
    key = cache.digest("graph", sha, prof.as_dict())
    arrays = cache.read_graph_arrays(cache_dir, key)
    if arrays is not None:
        try:
            return RoadGraph(**arrays)
        except TypeError:
            pass  # stale layout: rebuild
    on_progress(f"reading roads from {roads.name}", 0, 0)
    segments = read_roads(roads)
    on_progress("building the road graph", 0, 0)
    graph = build_graph(segments, prof)
    if graph.n_vertices < 2:
        raise InputError.single(
            roads, "the drivable roads in this extract do not form a connected network"
        )
    cache.write_graph_arrays(cache_dir, key, graph.arrays())
    return graph


def _road_matrix(
    clean: pd.DataFrame,
    roads: Path,
    cache_dir: Path | None,
    prof: RoadProfile,
    on_progress: OnProgress,
) -> pd.DataFrame:
    cache_dir = Path(cache_dir) if cache_dir else cache.default_cache_dir()
    sha = _roads_sha(roads)
    lat, lon = clean["lat"].to_numpy(), clean["lon"].to_numpy()
    ids = clean["node_id"].tolist()
    key = cache.digest("matrix", sha, prof.as_dict(), ids, lat, lon)
    hit = cache.read_matrix(cache_dir, key)
    if hit is not None:
        hit.attrs["cache"] = "hit"
        return hit

    t0 = time.perf_counter()
    graph = load_road_graph(
        roads, profile=prof, cache_dir=cache_dir, roads_sha256=sha, on_progress=on_progress
    )
    try:
        snap = snap_points(graph, lat, lon, ids, prof)
    except ValueError as e:
        raise InputError.single(roads, str(e)) from None
    verts, inv = np.unique(snap.vertex, return_inverse=True)
    on_progress("contracting shape points", 0, 0)
    small, index = contract(graph, verts)
    on_progress("shortest paths", 0, len(verts))
    dur_v, dist_v = fastest_arrays(
        small,
        index[verts],
        index[verts],
        on_progress=lambda d, t: on_progress("shortest paths", d, t),
    )
    dist, dur = _assemble(
        dur_v[np.ix_(inv, inv)], dist_v[np.ix_(inv, inv)], snap.distance_m, lat, lon, prof
    )
    out = matrix_frame(ids, dist, dur, OSM_SOURCE)
    out.attrs.update(
        {
            "profile": prof.as_dict(),
            "roads": str(roads),
            "roads_sha256": sha,
            "snap_m": {i: round(float(s), 1) for i, s in zip(ids, snap.distance_m, strict=True)},
            "graph": {
                "vertices": graph.n_vertices,
                "edges": graph.n_edges,
                "contracted_vertices": small.n_vertices,
                "contracted_edges": small.n_edges,
            },
            "compute_s": round(time.perf_counter() - t0, 3),
        }
    )
    cache.write_matrix(cache_dir, key, out)
    out.attrs["cache"] = "miss"
    return out


def _assemble(
    path_dur: np.ndarray,
    path_dist: np.ndarray,
    snap_m: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    prof: RoadProfile,
) -> tuple[np.ndarray, np.ndarray]:
    """Node-to-node legs: snap leg + road path + snap leg, overhead, floors; diagonal 0."""
    access_s = snap_m / (prof.access_kmh / 3.6)
    dist = snap_m[:, None] + path_dist + snap_m[None, :]
    dur = access_s[:, None] + path_dur + access_s[None, :] + prof.overhead_s
    same_place = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) < COINCIDENT_M
    dist = np.where(same_place, np.maximum(dist, prof.coincident_m), dist)
    dur = np.where(same_place, np.maximum(dur, prof.coincident_s), dur)
    np.fill_diagonal(dist, 0.0)
    np.fill_diagonal(dur, 0.0)
    return dist, dur


def leg_paths(
    nodes: pd.DataFrame,
    pairs: list[tuple[str, str]] | None = None,
    *,
    roads: Path | None = None,
    cache_dir: Path | None = None,
    profile: str | RoadProfile = "van",
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Geometry of legs for maps: ``{(from_id, to_id): [(lon, lat), …]}``.

    With ``roads`` each leg follows the fastest road path that :func:`build_matrix` measured
    (node → snapped vertex → … → snapped vertex → node); without, it is the straight line the
    estimate model assumed. ``pairs`` defaults to every ordered pair of distinct nodes; unknown
    ids raise InputError. Not cached: ask only for the legs a plan drives.
    """
    clean = validate_nodes(nodes).set_index("node_id")
    if pairs is None:
        pairs = [(a, b) for a in clean.index for b in clean.index if a != b]
    unknown = sorted({x for pr in pairs for x in pr} - set(clean.index))
    if unknown:
        raise InputError.single(
            NODES_LABEL, f"unknown node id(s): {', '.join(unknown)}", field="node_id"
        )
    coord = {i: (float(r.lon), float(r.lat)) for i, r in clean.iterrows()}
    if roads is None:
        return {(a, b): [coord[a], coord[b]] if a != b else [coord[a]] for a, b in pairs}
    prof = get_profile(profile)
    graph = load_road_graph(Path(roads), profile=prof, cache_dir=cache_dir)
    ids = list(clean.index)
    try:
        snap = snap_points(graph, clean["lat"].to_numpy(), clean["lon"].to_numpy(), ids, prof)
    except ValueError as e:
        raise InputError.single(roads, str(e)) from None
    vertex = dict(zip(ids, snap.vertex.tolist(), strict=True))
    # draw a snap leg only where it is visible (the extract stores 1e-7° fixed point)
    off_road = dict(zip(ids, (snap.distance_m > 0.5).tolist(), strict=True))
    vpairs = [(vertex[a], vertex[b]) for a, b in pairs]
    paths = fastest_paths(graph, vpairs, packed=pack_weights(graph))
    out = {}
    for (a, b), path in zip(pairs, paths, strict=True):
        if a == b:
            out[(a, b)] = [coord[a]]
            continue
        road = [(float(graph.lon[v]), float(graph.lat[v])) for v in path]
        head = [coord[a]] if off_road[a] else []
        tail = [coord[b]] if off_road[b] else []
        out[(a, b)] = [*head, *road, *tail]
    return out
