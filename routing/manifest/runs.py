"""Turn a plan's stop table into runs a driver follows: stops in driving order with crates.

Pure functions over :class:`~bookvan.routing.manifest.plan.Plan`; every output format (PDF,
labels, GPX, CSV, HTML) reads these objects so they all print the same numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

import pandas as pd

from bookvan.data.file_names import file_stem
from bookvan.routing.manifest.crates import crate_ids
from bookvan.routing.manifest.plan import Plan

__all__ = ["CrateLine", "Run", "StopLine", "build_runs", "haversine_m"]


@dataclass(frozen=True)
class CrateLine:
    """One transfer's crates handled at one stop (loaded or unloaded)."""

    transfer_id: str
    base_id: str
    origin_id: str
    destination_id: str
    final_destination_id: str
    first_origin_id: str
    kind: str
    crates: int
    items: int | None
    crate_ids: tuple[str, ...]


@dataclass(frozen=True)
class StopLine:
    """One stop of a run, with what happens there."""

    seq: int
    node_id: str
    name_zh: str
    name_en: str
    kind: str
    address: str
    lat: float
    lon: float
    arrival: pd.Timestamp
    departure: pd.Timestamp
    service_start: pd.Timestamp | None
    opens: pd.Timestamp | None
    closes: pd.Timestamp | None
    break_s: int
    break_start: pd.Timestamp | None  # when the break begins (may be on the way to the next stop)
    load_after: int
    unload: tuple[CrateLine, ...]
    load: tuple[CrateLine, ...]

    @property
    def crates_unloaded(self) -> int:
        return sum(c.crates for c in self.unload)

    @property
    def crates_loaded(self) -> int:
        return sum(c.crates for c in self.load)


@dataclass(frozen=True)
class Run:
    """One van's trip from the depot back to the depot."""

    vehicle_id: str
    trip: int
    stops: tuple[StopLine, ...]
    distance_m: float
    driving_s: float
    legs: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) points per leg
    road_geometry: bool

    @property
    def key(self) -> str:
        return f"{file_stem(self.vehicle_id)}_trip{self.trip}"  # unique per van: A/B and A_B differ

    @property
    def departure(self) -> pd.Timestamp:
        return self.stops[0].departure

    @property
    def return_time(self) -> pd.Timestamp:
        return self.stops[-1].arrival

    @property
    def crates_loaded(self) -> int:
        return sum(s.crates_loaded for s in self.stops)

    @property
    def crates_unloaded(self) -> int:
        return sum(s.crates_unloaded for s in self.stops)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres, for scale bars and plans without a matrix row."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _ts(x: object) -> pd.Timestamp | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x)


def _text(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _break_start(row: object, break_s: int) -> pd.Timestamp | None:
    """Start of the break recorded at a stop: the optional ``break_start`` column, else the
    break is taken at the stop just before leaving (departure − break)."""
    if not break_s:
        return None
    start = _ts(getattr(row, "break_start", None))
    return start if start is not None else pd.Timestamp(row.departure) - pd.Timedelta(seconds=break_s)


def _crate_lines(plan: Plan, ids: object) -> tuple[CrateLine, ...]:
    out = []
    tr = plan.transfers
    for tid in [] if ids is None else list(ids):
        r = tr.loc[tid]
        base = _text(r.get("leg_of")) or str(tid)
        final, first = str(r["destination_id"]), str(r["origin_id"])
        if _text(r.get("leg_of")):
            legs = tr[tr["leg_of"] == base]
            if "leg" in legs.columns and legs["leg"].notna().any():
                legs = legs.sort_values("leg")
                final, first = str(legs["destination_id"].iloc[-1]), str(legs["origin_id"].iloc[0])
        n = int(r["crates"])
        items = r.get("items")
        out.append(
            CrateLine(
                transfer_id=str(tid),
                base_id=base,
                origin_id=str(r["origin_id"]),
                destination_id=str(r["destination_id"]),
                final_destination_id=final,
                first_origin_id=first,
                kind=str(r["kind"]),
                crates=n,
                items=None if items is None or pd.isna(items) else int(items),
                crate_ids=crate_ids(base, n),
            )
        )
    return tuple(out)


def _leg_lookup(plan: Plan) -> tuple[dict, dict]:
    """Matrix (distance, duration) and optional road geometry per ordered node pair."""
    mat: dict[tuple[str, str], tuple[float, float]] = {}
    if plan.matrix is not None:
        m = plan.matrix
        mat = {
            (a, b): (float(d), float(t))
            for a, b, d, t in zip(m["from_id"], m["to_id"], m["distance_m"], m["duration_s"], strict=True)
        }
    geom: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {}
    legs = plan.legs
    if legs is not None and {"from_id", "to_id", "geometry"} <= set(legs.columns):
        from shapely import wkb

        for a, b, g in zip(legs["from_id"], legs["to_id"], legs["geometry"], strict=True):
            if g is None:
                continue
            shape = wkb.loads(bytes(g)) if isinstance(g, (bytes, bytearray, memoryview)) else g
            geom[(a, b)] = tuple((float(x), float(y)) for x, y, *_ in shape.coords)
    return mat, geom


def build_runs(plan: Plan) -> list[Run]:
    """All runs of the plan, ordered by van then trip, stops in driving order."""
    nodes = plan.nodes
    mat, geom = _leg_lookup(plan)
    runs = []
    for (van, trip), grp in plan.stops.groupby(["vehicle_id", "trip"], sort=True):
        stops = []
        for r in grp.sort_values("seq").itertuples(index=False):
            brk = getattr(r, "break_s", 0)
            brk = 0 if brk is None or pd.isna(brk) else int(brk)
            n = nodes.loc[r.node_id]
            stops.append(
                StopLine(
                    seq=int(r.seq),
                    node_id=str(r.node_id),
                    name_zh=_text(n["name_zh"]),
                    name_en=_text(n["name_en"]),
                    kind=_text(n["kind"]),
                    address=_text(n.get("address")),
                    lat=float(n["lat"]),
                    lon=float(n["lon"]),
                    arrival=pd.Timestamp(r.arrival),
                    departure=pd.Timestamp(r.departure),
                    service_start=_ts(getattr(r, "service_start", None)),
                    opens=_ts(n["opens"]),
                    closes=_ts(n["closes"]),
                    break_s=brk,
                    break_start=_break_start(r, brk),
                    load_after=int(r.load_after),
                    unload=_crate_lines(plan, r.delivery_ids),
                    load=_crate_lines(plan, r.pickup_ids),
                )
            )
        dist = drive = 0.0
        legs = []
        road = bool(geom)
        for a, b in itertools.pairwise(stops):
            if a.node_id == b.node_id:
                continue
            d, t = mat.get((a.node_id, b.node_id), (haversine_m(a.lat, a.lon, b.lat, b.lon), math.nan))
            dist += d
            drive += 0.0 if math.isnan(t) else t
            legs.append(geom.get((a.node_id, b.node_id), ((a.lon, a.lat), (b.lon, b.lat))))
            road = road and (a.node_id, b.node_id) in geom
        runs.append(Run(str(van), int(trip), tuple(stops), dist, drive, tuple(legs), road))
    return runs


def fmt_hm(ts: pd.Timestamp | dt.datetime | None) -> str:
    """``HH:MM`` local time, or an en dash for no time."""
    return "–" if ts is None or pd.isna(ts) else f"{ts:%H:%M}"


def fmt_duration(seconds: float) -> str:
    """``1 h 05 min`` for a header a driver reads at a glance."""
    m = round(seconds / 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"
