"""Directed road graph for a vehicle profile: speeds, one-way streets, the largest strongly
connected component, and snapping network nodes onto it."""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bookvan.data.travel.estimate import EARTH_RADIUS_M, haversine_m
from bookvan.data.travel.osm import DRIVABLE_HIGHWAYS, RoadSegments

if TYPE_CHECKING:  # scipy loads only when a road graph is built (the estimate model never needs it)
    import scipy.sparse as sp

__all__ = [
    "PROFILES",
    "FarSnapWarning",
    "RoadGraph",
    "RoadProfile",
    "Snap",
    "build_graph",
    "contract",
    "get_profile",
    "snap_points",
]

# Average van speeds (km/h) by highway type where a way has no maxspeed tag. Estimates for
# Taiwanese urban traffic, not measurements: a freeway (國道) at 80 rather than its 100 km/h
# limit, city arterials 40–45 with signals, lanes and alleys (巷/弄) 20–25.
VAN_HIGHWAY_KMH: tuple[tuple[str, float], ...] = (
    ("motorway", 80.0),
    ("trunk", 60.0),
    ("primary", 45.0),
    ("secondary", 40.0),
    ("tertiary", 35.0),
    ("unclassified", 30.0),
    ("residential", 25.0),
    ("living_street", 10.0),
    ("service", 15.0),
    ("road", 25.0),
    ("motorway_link", 45.0),
    ("trunk_link", 35.0),
    ("primary_link", 30.0),
    ("secondary_link", 30.0),
    ("tertiary_link", 25.0),
)


@dataclass(frozen=True)
class RoadProfile:
    """How a vehicle uses the road graph. All speeds are estimates (see ``VAN_HIGHWAY_KMH``).

    ``maxspeed_factor`` turns a posted limit into an average speed (signals, traffic);
    ``access_kmh`` is the speed on the snap leg between a node and its nearest road vertex;
    ``overhead_s`` is added to every leg between distinct nodes (parking, manoeuvring), as in
    the estimate model; distinct nodes with the *same* coordinates (district reference points)
    get ``coincident_m`` / ``coincident_s`` ("somewhere within the district"). A snap farther
    than ``warn_snap_m`` warns; farther than ``max_snap_m`` means the node is outside the
    extract and is an input error.
    """

    name: str = "van"
    highway_kmh: tuple[tuple[str, float], ...] = VAN_HIGHWAY_KMH
    maxspeed_factor: float = 0.8
    access_kmh: float = 15.0
    overhead_s: float = 60.0
    coincident_m: float = 1500.0
    coincident_s: float = 300.0
    warn_snap_m: float = 500.0
    max_snap_m: float = 10_000.0

    def __post_init__(self) -> None:
        missing = set(DRIVABLE_HIGHWAYS) - {h for h, _ in self.highway_kmh}
        if missing:
            raise ValueError(f"profile '{self.name}' has no speed for highway={sorted(missing)}")
        if any(not (math.isfinite(v) and v > 0) for _, v in self.highway_kmh):
            raise ValueError("highway speeds must be positive")
        if not (self.maxspeed_factor > 0 and self.access_kmh > 0):
            raise ValueError("maxspeed_factor and access_kmh must be positive")

    def as_dict(self) -> dict[str, object]:
        d = dataclasses.asdict(self)
        d["highway_kmh"] = dict(self.highway_kmh)
        return d

    def speed_kmh(self, highway: np.ndarray, maxspeed_kmh: np.ndarray) -> np.ndarray:
        """Average speed per segment: factor × maxspeed where tagged, else the type table."""
        table = dict(self.highway_kmh)
        by_type = np.array([table[h] for h in DRIVABLE_HIGHWAYS])[highway]
        return np.where(np.isfinite(maxspeed_kmh), maxspeed_kmh * self.maxspeed_factor, by_type)


PROFILES = {"van": RoadProfile()}


def get_profile(profile: str | RoadProfile) -> RoadProfile:
    """A profile by name (``van``) or as given."""
    if isinstance(profile, RoadProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown profile '{profile}'; known: {', '.join(PROFILES)}") from None


@dataclass(frozen=True)
class RoadGraph:
    """A strongly connected directed road graph: vertex coordinates and edge arrays.

    Edges are unique per (src, dst) (the fastest of parallel ways is kept); ``duration_s`` is
    strictly positive so sparse-graph routines never mistake an edge for a missing one.
    """

    lat: np.ndarray
    lon: np.ndarray
    osm_id: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    length_m: np.ndarray
    duration_s: np.ndarray

    @property
    def n_vertices(self) -> int:
        return len(self.lat)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    def csr(self, weight: np.ndarray | None = None) -> sp.csr_matrix:
        """Adjacency matrix weighted by ``weight`` (default: duration)."""
        w = self.duration_s if weight is None else weight
        n = self.n_vertices
        import scipy.sparse as sp

        return sp.csr_matrix((w, (self.src, self.dst)), shape=(n, n))

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _dedupe_fastest(src: np.ndarray, dst: np.ndarray, *cols: np.ndarray) -> list[np.ndarray]:
    """Keep the fastest edge (``cols[1]`` = duration) of each (src, dst); drop self-loops."""
    keep = src != dst
    src, dst, cols = src[keep], dst[keep], [c[keep] for c in cols]
    order = np.lexsort((cols[1], dst, src))
    src, dst, cols = src[order], dst[order], [c[order] for c in cols]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    return [src[first], dst[first], *(c[first] for c in cols)]


def build_graph(segments: RoadSegments, profile: RoadProfile) -> RoadGraph:
    """Directed graph of ``segments`` under ``profile``, reduced to its largest strongly
    connected component (so every node snapped onto it can reach every other)."""
    ids, inv = np.unique(np.concatenate([segments.u, segments.v]), return_inverse=True)
    m = len(segments)
    u, v = inv[:m], inv[m:]
    lat = np.empty(len(ids))
    lon = np.empty(len(ids))
    lat[u], lon[u] = segments.u_lat, segments.u_lon
    lat[v], lon[v] = segments.v_lat, segments.v_lon
    length = haversine_m(segments.u_lat, segments.u_lon, segments.v_lat, segments.v_lon)
    speed_ms = profile.speed_kmh(segments.highway, segments.maxspeed_kmh) / 3.6
    duration = np.maximum(length / speed_ms, 1e-3)
    fwd = segments.oneway >= 0
    bwd = segments.oneway <= 0
    src = np.concatenate([u[fwd], v[bwd]])
    dst = np.concatenate([v[fwd], u[bwd]])
    length = np.concatenate([length[fwd], length[bwd]])
    duration = np.concatenate([duration[fwd], duration[bwd]])
    src, dst, length, duration = _dedupe_fastest(src, dst, length, duration)

    n = len(ids)
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    adj = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, label = connected_components(adj, directed=True, connection="strong")
    biggest = np.argmax(np.bincount(label))
    keep_v = label == biggest
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[keep_v] = np.arange(int(keep_v.sum()))
    keep_e = keep_v[src] & keep_v[dst]
    return RoadGraph(
        lat=lat[keep_v],
        lon=lon[keep_v],
        osm_id=ids[keep_v],
        src=new_index[src[keep_e]],
        dst=new_index[dst[keep_e]],
        length_m=length[keep_e],
        duration_s=duration[keep_e],
    )


class FarSnapWarning(UserWarning):
    """A node is far from the nearest road vertex (wrong coordinates, or a gap in the extract)."""


@dataclass(frozen=True)
class Snap:
    """Nearest graph vertex of each point and the straight-line distance to it (m)."""

    vertex: np.ndarray
    distance_m: np.ndarray


def _project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Local equirectangular projection (metres): good to ~0.1 % within a city-sized extract,
    and works anywhere (EPSG:3826 would only suit Taiwan)."""
    k = math.cos(math.radians(lat0))
    return np.column_stack([np.radians(lon) * EARTH_RADIUS_M * k, np.radians(lat) * EARTH_RADIUS_M])


def snap_points(
    graph: RoadGraph, lat: np.ndarray, lon: np.ndarray, labels: list[str], profile: RoadProfile
) -> Snap:
    """Snap points onto the nearest vertex of ``graph`` (cKDTree); warn on far snaps.

    Returns the vertex indices and the haversine distance of each snap. Points farther than
    ``profile.max_snap_m`` raise ``ValueError`` naming them (the caller turns it into an
    InputError naming the file).
    """
    lat0 = float(np.mean(graph.lat))
    from scipy.spatial import cKDTree

    tree = cKDTree(_project(graph.lat, graph.lon, lat0))
    _, vertex = tree.query(_project(np.asarray(lat), np.asarray(lon), lat0), k=1)
    vertex = np.asarray(vertex, dtype=np.int64)
    dist = haversine_m(np.asarray(lat), np.asarray(lon), graph.lat[vertex], graph.lon[vertex])
    too_far = [
        f"{labels[i]} ({dist[i] / 1000:.1f} km)" for i in np.flatnonzero(dist > profile.max_snap_m)
    ]
    if too_far:
        raise ValueError(
            f"node(s) outside the road extract (nearest road more than "
            f"{profile.max_snap_m / 1000:g} km away): {', '.join(too_far)}"
        )
    far = [f"{labels[i]} ({dist[i]:.0f} m)" for i in np.flatnonzero(dist > profile.warn_snap_m)]
    if far:
        warnings.warn(
            f"node(s) more than {profile.warn_snap_m:g} m from the nearest road: {', '.join(far)}",
            FarSnapWarning,
            stacklevel=2,
        )
    return Snap(vertex=vertex, distance_m=dist)


def _grouped(key: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges grouped by ``key`` vertex: (order, start offset per vertex, count per vertex)."""
    order = np.argsort(key, kind="stable")
    count = np.bincount(key, minlength=n)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return order, start, count


def contract(
    graph: RoadGraph, keep: np.ndarray, *, max_rounds: int = 64
) -> tuple[RoadGraph, np.ndarray]:
    """Remove pass-through vertices (the shape points of OSM ways) except ``keep``.

    A vertex passes through when it has exactly one way in and one way out (a one-way
    street), or is joined both ways to exactly two neighbours (a two-way street). Each round
    removes an independent set of them (no two adjacent, chosen by a seeded random priority)
    and joins their edges, lengths and durations added; parallel edges keep the fastest.
    Fastest-path durations between the remaining vertices are unchanged, and a city extract
    typically shrinks severalfold, which is what Dijkstra's running time follows.

    Returns the contracted graph and ``index`` with ``index[old_vertex]`` = new vertex or -1.
    """
    n = graph.n_vertices
    src, dst = graph.src.copy(), graph.dst.copy()
    length, duration = graph.length_m.copy(), graph.duration_s.copy()
    kept = np.zeros(n, dtype=bool)
    kept[np.asarray(keep, dtype=np.int64)] = True
    alive = np.ones(n, dtype=bool)
    rng = np.random.default_rng(0)
    for _ in range(max_rounds):
        if len(src) == 0:
            break
        o_ord, o_start, o_cnt = _grouped(src, n)
        i_ord, i_start, i_cnt = _grouped(dst, n)
        out1 = np.where(o_cnt >= 1, dst[o_ord[np.minimum(o_start, len(src) - 1)]], -1)
        out2 = np.where(o_cnt >= 2, dst[o_ord[np.minimum(o_start + 1, len(src) - 1)]], -1)
        in1 = np.where(i_cnt >= 1, src[i_ord[np.minimum(i_start, len(src) - 1)]], -1)
        in2 = np.where(i_cnt >= 2, src[i_ord[np.minimum(i_start + 1, len(src) - 1)]], -1)
        one_way = (o_cnt == 1) & (i_cnt == 1) & (out1 != in1)
        two_way = (
            (o_cnt == 2) & (i_cnt == 2) & (out1 != out2)
            & (np.minimum(out1, out2) == np.minimum(in1, in2))
            & (np.maximum(out1, out2) == np.maximum(in1, in2))
        )  # fmt: skip
        cand = (one_way | two_way) & alive & ~kept
        if not cand.any():
            break
        prio = rng.random(n)
        both = cand[src] & cand[dst]
        lower = np.where(prio[src] < prio[dst], src, dst)
        blocked = np.zeros(n, dtype=bool)
        blocked[lower[both]] = True
        sel = cand & ~blocked
        # join every in-edge a→v with every out-edge v→b (a ≠ b) of each selected v
        new = []
        for k in range(2):
            for m in range(2):
                v = np.flatnonzero(sel & (i_cnt > k) & (o_cnt > m))
                e_in = i_ord[i_start[v] + k]
                e_out = o_ord[o_start[v] + m]
                ok = src[e_in] != dst[e_out]
                e_in, e_out = e_in[ok], e_out[ok]
                new.append(
                    (
                        src[e_in],
                        dst[e_out],
                        length[e_in] + length[e_out],
                        duration[e_in] + duration[e_out],
                    )
                )
        drop = sel[src] | sel[dst]
        src = np.concatenate([src[~drop], *(x[0] for x in new)])
        dst = np.concatenate([dst[~drop], *(x[1] for x in new)])
        length = np.concatenate([length[~drop], *(x[2] for x in new)])
        duration = np.concatenate([duration[~drop], *(x[3] for x in new)])
        src, dst, length, duration = _dedupe_fastest(src, dst, length, duration)
        alive &= ~sel
    index = np.full(n, -1, dtype=np.int64)
    index[alive] = np.arange(int(alive.sum()))
    return (
        RoadGraph(
            lat=graph.lat[alive], lon=graph.lon[alive], osm_id=graph.osm_id[alive],
            src=index[src], dst=index[dst], length_m=length, duration_s=duration,
        ),
        index,
    )  # fmt: skip
