"""Phone, navigation and library-system exports of runs: GPX 1.1, GeoJSON (RFC 7946), CSV.

GPX: one route with a point per stop in driving order plus the same stops as named
waypoints (and a track when the plan has road geometry). GeoJSON: a FeatureCollection of stop
Points and leg LineStrings, coordinates [lon, lat] in EPSG:4326. CSV: one row per crate loaded
or unloaded at a node, so a branch's library system imports what leaves and arrives today.
"""

from __future__ import annotations

import json
from pathlib import Path

import gpxpy.gpx

from bookvan.data.csv_safe import write_csv_rows
from bookvan.data.file_names import file_stem
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.runs import Run, StopLine, fmt_hm

__all__ = ["LOADING_COLUMNS", "geojson_text", "gpx_text", "loading_rows", "write_loading_csvs"]

LOADING_COLUMNS = (
    "date",
    "node_id",
    "node_name_zh",
    "vehicle_id",
    "trip",
    "stop_no",
    "planned_arrival",
    "action",
    "transfer_id",
    "crate_id",
    "crate_no",
    "crates_in_transfer",
    "kind",
    "origin_id",
    "destination_id",
    "final_destination_id",
    "items",
)


def _stop_label(i: int, s: StopLine, last: int) -> str:
    no = "D" if i in (0, last) else str(i)
    return f"{no} {s.name_zh} ({s.node_id})"


def _summary(s: StopLine, first: bool) -> str:
    parts = [f"depart {fmt_hm(s.departure)}" if first else f"arrive {fmt_hm(s.arrival)}"]
    if s.opens is not None:
        parts.append(f"open {fmt_hm(s.opens)}-{fmt_hm(s.closes)}")
    parts.append(f"unload {s.crates_unloaded}, load {s.crates_loaded}")
    return "; ".join(parts)


def gpx_text(plan: Plan, run: Run) -> str:
    """GPX 1.1 of one run: route points and waypoints in driving order, named."""
    g = gpxpy.gpx.GPX()
    g.creator = "bookvan"
    g.name = f"{run.vehicle_id} trip {run.trip} {plan.date:%Y-%m-%d}"
    g.description = f"plan {plan.plan_id}"
    route = gpxpy.gpx.GPXRoute(name=g.name, description=f"plan {plan.plan_id}", number=run.trip)
    last = len(run.stops) - 1
    for i, s in enumerate(run.stops):
        when = (s.departure if i == 0 else s.arrival).to_pydatetime()
        kw = {
            "latitude": round(s.lat, 7),
            "longitude": round(s.lon, 7),
            "name": _stop_label(i, s, last),
            "description": _summary(s, i == 0),
            "time": when,
        }
        route.points.append(gpxpy.gpx.GPXRoutePoint(**kw))
        wpt = gpxpy.gpx.GPXWaypoint(**kw)
        wpt.type = s.kind
        g.waypoints.append(wpt)
    g.routes.append(route)
    if run.road_geometry:
        track = gpxpy.gpx.GPXTrack(name=g.name)
        seg = gpxpy.gpx.GPXTrackSegment()
        points = [p for leg in run.legs for p in leg]
        for k, (lon, lat) in enumerate(points):
            if k and points[k - 1] == (lon, lat):
                continue  # a leg starts where the previous one ended
            seg.points.append(gpxpy.gpx.GPXTrackPoint(latitude=round(lat, 7), longitude=round(lon, 7)))
        track.segments.append(seg)
        g.tracks.append(track)
    return g.to_xml(version="1.1")


def _iso(ts: object) -> str | None:
    return None if ts is None else ts.isoformat()  # type: ignore[attr-defined]


def geojson_text(plan: Plan, run: Run) -> str:
    """GeoJSON FeatureCollection of one run: stop Points then leg LineStrings."""
    feats = []
    last = len(run.stops) - 1
    for i, s in enumerate(run.stops):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(s.lon, 7), round(s.lat, 7)]},
                "properties": {
                    "feature": "stop",
                    "vehicle_id": run.vehicle_id,
                    "trip": run.trip,
                    "stop_no": i,
                    "is_depot_visit": i in (0, last),
                    "node_id": s.node_id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "arrival": _iso(s.arrival),
                    "departure": _iso(s.departure),
                    "opens": _iso(s.opens),
                    "closes": _iso(s.closes),
                    "crates_unloaded": s.crates_unloaded,
                    "crates_loaded": s.crates_loaded,
                    "load_after": s.load_after,
                    "unload_crate_ids": [c for line in s.unload for c in line.crate_ids],
                    "load_crate_ids": [c for line in s.load for c in line.crate_ids],
                },
            }
        )
    moves = [(a, b) for a, b in zip(run.stops, run.stops[1:], strict=False) if a.node_id != b.node_id]
    for k, ((a, b), leg) in enumerate(zip(moves, run.legs, strict=True), start=1):
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(x, 7), round(y, 7)] for x, y in leg],
                },
                "properties": {
                    "feature": "leg",
                    "vehicle_id": run.vehicle_id,
                    "trip": run.trip,
                    "leg": k,
                    "from_id": a.node_id,
                    "to_id": b.node_id,
                    "geometry": "road" if len(leg) > 2 or run.road_geometry else "straight",
                },
            }
        )
    fc = {
        "type": "FeatureCollection",
        "name": f"{run.vehicle_id} trip {run.trip} {plan.date:%Y-%m-%d}",
        "features": feats,
    }
    return json.dumps(fc, ensure_ascii=False)


def loading_rows(plan: Plan, runs: list[Run]) -> list[dict]:
    """One row per crate loaded or unloaded, in run and stop order."""
    rows = []
    for run in runs:
        for i, s in enumerate(run.stops):
            for action, lines in (("unload", s.unload), ("load", s.load)):
                for line in lines:
                    for n, cid in enumerate(line.crate_ids, start=1):
                        rows.append(
                            {
                                "date": plan.date.isoformat(),
                                "node_id": s.node_id,
                                "node_name_zh": s.name_zh,
                                "vehicle_id": run.vehicle_id,
                                "trip": run.trip,
                                "stop_no": i,
                                "planned_arrival": _iso(s.arrival),
                                "action": action,
                                "transfer_id": line.transfer_id,
                                "crate_id": cid,
                                "crate_no": n,
                                "crates_in_transfer": line.crates,
                                "kind": line.kind,
                                "origin_id": line.origin_id,
                                "destination_id": line.destination_id,
                                "final_destination_id": line.final_destination_id,
                                "items": "" if line.items is None else line.items,
                            }
                        )
    return rows


def write_loading_csvs(plan: Plan, runs: list[Run], folder: Path) -> list[Path]:
    """``folder/<node file stem>.csv`` per node visited (UTF-8, header row, one row per crate).

    The stem is :func:`bookvan.data.file_names.file_stem` of the node id; cells that a
    spreadsheet would run as formulas are neutralised (:mod:`bookvan.data.csv_safe`).
    """
    by_node: dict[str, list[dict]] = {}
    for r in loading_rows(plan, runs):
        by_node.setdefault(r["node_id"], []).append(r)
    for run in runs:  # a visited node with nothing to move still gets its (empty) list
        for s in run.stops:
            by_node.setdefault(s.node_id, [])
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for node_id, rows in sorted(by_node.items()):
        # one file per node id (A/B and A_B differ), cells formula-safe for spreadsheets
        paths.append(write_csv_rows(folder / f"{file_stem(node_id)}.csv", LOADING_COLUMNS, rows))
    return paths
