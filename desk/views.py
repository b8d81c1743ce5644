"""What each page shows, worked out from a plan folder and the day's scans (no web code here)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bookvan.data.scans import scans_frame
from bookvan.data.tables import TZ
from bookvan.routing.manifest.overview import VAN_COLOURS, day_map_svg
from bookvan.routing.manifest.plan import Plan, load_plan
from bookvan.routing.manifest.runs import Run, build_runs, fmt_duration, fmt_hm
from bookvan.routing.scan import DayState, check_scans

__all__ = ["LoadedPlan", "PlanCache", "day_end", "driver_run", "scan_state", "today_view"]


@dataclass(frozen=True)
class LoadedPlan:
    plan: Plan
    runs: tuple[Run, ...]


class PlanCache:
    """Plan folders of versions never change once written, so each is read once."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: dict[str, LoadedPlan] = {}
        self._lock = threading.Lock()

    def get(self, folder: str | Path) -> LoadedPlan:
        key = str(folder)
        with self._lock:
            hit = self._items.get(key)
        if hit is not None:
            return hit
        plan = load_plan(folder)
        lp = LoadedPlan(plan, tuple(build_runs(plan)))
        with self._lock:
            if len(self._items) >= self._size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = lp
        return lp


def day_end(date: str) -> dt.datetime:
    """Midnight after ``date`` in Asia/Taipei: when the day's driver links stop working."""
    return pd.Timestamp(dt.date.fromisoformat(date) + dt.timedelta(days=1), tz=TZ).to_pydatetime()


def scan_state(lp: LoadedPlan, scans: list[dict[str, Any]]) -> DayState:
    """The day's state after the stored scans (the same check as `bookvan scan`)."""
    recs = [{**{k: s[k] for k in ("vehicle_id", "node_id", "crate_id", "event", "note")},
             "time": pd.Timestamp(s["time"]).tz_convert(TZ), "row": i} for i, s in enumerate(scans, start=1)]
    return check_scans(lp.plan, scans_frame(recs))


def _colour(vans: list[str], van: str) -> str:
    return VAN_COLOURS[vans.index(van) % len(VAN_COLOURS)] if van in vans else "#555"


def today_view(lp: LoadedPlan, state: DayState, manifests: Path | None) -> dict[str, Any]:
    """Map, runs per van with progress, left-out transfers, findings, and the printed files."""
    plan, runs = lp.plan, list(lp.runs)
    map_svg, gantt_svg = day_map_svg(plan, runs, "en")
    vans = [str(v) for v in plan.vehicles["vehicle_id"]]
    van_state = {v.vehicle_id: v for v in state.vans}
    stop_done = {(s.vehicle_id, s.trip, s.seq): s.status for s in state.stops}
    files: dict[str, str] = {}
    if manifests is not None and manifests.is_dir():
        files = {p.relative_to(manifests).as_posix(): p.relative_to(manifests).as_posix()
                 for p in sorted(manifests.rglob("*")) if p.is_file()}
    rows = []
    for van in vans:
        mine = [r for r in runs if r.vehicle_id == van]
        vs = van_state.get(van)
        rows.append({
            "van": van, "colour": _colour(vans, van),
            "at": None if vs is None else vs.node_id, "off_plan": bool(vs and vs.off_plan),
            "last_scan": None if vs is None or vs.last_scan is None else fmt_hm(vs.last_scan),
            "on_board": [] if vs is None else list(vs.on_board),
            "runs": [{
                "trip": r.trip, "key": r.key, "leaves": fmt_hm(r.departure), "back": fmt_hm(r.return_time),
                "stops": len(r.stops) - 2, "crates": r.crates_loaded,
                "max_load": max((s.load_after for s in r.stops), default=0),
                "km": f"{r.distance_m / 1000:.1f}", "driving": fmt_duration(r.driving_s),
                "done": sum(1 for s in r.stops if stop_done.get((van, r.trip, s.seq)) in ("scanned", "passed")),
                "total": len(r.stops),
                "pdf": f"runs/{r.key}.pdf" if f"runs/{r.key}.pdf" in files else None,
                "gpx": f"runs/{r.key}.gpx" if f"runs/{r.key}.gpx" in files else None,
                "stop_list": [{"seq": s.seq, "node": s.node_id, "name": s.name_en, "arrival": fmt_hm(s.arrival),
                               "departure": fmt_hm(s.departure), "load": s.crates_loaded,
                               "unload": s.crates_unloaded,
                               "status": stop_done.get((van, r.trip, s.seq), "pending")} for s in r.stops],
            } for r in mine],
        })
    tr = plan.transfers
    left_out = []
    for u in plan.unassigned:
        tid = str(u.get("transfer_id"))
        t = tr.loc[tid] if tid in tr.index else None
        left_out.append({
            "id": tid, "reason": str(u.get("reason", "")),
            "route": "" if t is None else f"{t['origin_id']} → {t['destination_id']}",
            "kind": "" if t is None else str(t["kind"]), "crates": "" if t is None else int(t["crates"]),
        })
    counts: dict[str, int] = {}
    for c in state.crates:
        counts[c.status] = counts.get(c.status, 0) + 1
    return {
        "map_svg": map_svg, "gantt_svg": gantt_svg, "vans": rows, "left_out": left_out,
        "findings": list(state.findings), "crate_counts": sorted(counts.items()), "events": state.events,
        "as_of": None if state.as_of is None else fmt_hm(state.as_of), "files": files,
        "plan_id": plan.plan_id, "distance_km": f"{float(plan.info.get('total_distance_m', 0)) / 1000:.1f}",
        "transfers_planned": plan.info.get("transfers_planned"),
    }


def driver_run(lp: LoadedPlan, van: str, trip: int, scans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One run for the driver's phone: stops in order, crates to load and unload, what is recorded."""
    run = next((r for r in lp.runs if r.vehicle_id == van and r.trip == trip), None)
    if run is None:
        return None
    last: dict[tuple[str, str], str] = {}  # (crate, node): loading at one stop is not unloading at another
    for s in scans:
        if s["vehicle_id"] == van:
            last[(str(s["crate_id"]), str(s["node_id"]))] = str(s["event"])
    stops = []
    for s in run.stops:
        crates = [{"id": cid, "action": "loaded", "dest": c.final_destination_id, "kind": c.kind}
                  for c in s.load for cid in c.crate_ids]
        crates += [{"id": cid, "action": "unloaded", "dest": c.final_destination_id, "kind": c.kind}
                   for c in s.unload for cid in c.crate_ids]
        for c in crates:
            c["recorded"] = last.get((c["id"], s.node_id))
        stops.append({"seq": s.seq, "node": s.node_id, "name_en": s.name_en, "name_zh": s.name_zh,
                      "address": "" if s.address.strip().lower() in ("not found", "-") else s.address,
                      "arrival": fmt_hm(s.arrival), "departure": fmt_hm(s.departure),
                      "crates": crates})
    return {"van": van, "trip": trip, "key": run.key, "leaves": fmt_hm(run.departure),
            "back": fmt_hm(run.return_time), "stops": stops, "plan_id": lp.plan.plan_id}
