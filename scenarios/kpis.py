"""KPIs of a simulated day and of a whole run: van-km, van-hours, NT$, CO2, crates, waits.

Per day: what the vans drove and cost, how full they were, what is left waiting. Per run
(scenario × replication): totals and yearly rates, and item days in transit (hold placed →
ready at the pickup branch; return → back home) as item-weighted mean and 95th percentile.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
from pandas.arrays import DatetimeArray

from bookvan.data.costs import DAYS_PER_YEAR, Costs
from bookvan.data.crates import crates_for
from bookvan.data.fleet import Fleet

__all__ = ["KPI_LABELS", "arrival_kpis", "day_kpis", "run_summary", "van_hours", "weighted_quantile"]

_NAT = np.iinfo("int64").min  # NaT among a datetime array's int64 ticks

# KPI column → (label, unit) for tables and charts
KPI_LABELS: dict[str, tuple[str, str]] = {
    "van_km": ("van-km", "km"),
    "van_hours": ("van-hours on runs", "h"),
    "cost_ntd": ("cost", "NT$"),
    "co2_kg": ("CO2", "kg"),
    "crates_moved": ("crates moved", "crates"),
    "utilisation": ("van utilisation (shift time used)", "share"),
    "load_factor": ("load factor (crate-km / capacity-km)", "share"),
    "backlog_items": ("backlog at end of day", "items"),
    "hold_days_mean": ("hold → ready, mean", "days"),
    "hold_days_p95": ("hold → ready, 95th pct", "days"),
    "return_days_mean": ("return → home, mean", "days"),
    "return_days_p95": ("return → home, 95th pct", "days"),
    "holds_within_2d": ("holds ready within 2 days", "share"),
    "arrival_spread_min": ("arrival spread per node (sd over days)", "min"),
    "inside_tolerance": ("arrivals inside the schedule's tolerance", "share"),
}


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile of ``values`` where each counts ``weights`` times (items per delivery)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = weights > 0
    if not keep.any():
        return float("nan")
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, q * cum[-1], side="left")])


def van_hours(stops: pd.DataFrame) -> float:
    """Hours the vans are out on runs: each run from leaving the depot to being back.

    Time parked at the depot between runs is not counted, so a van that carries more (more
    runs) shows more hours, and two vans sharing one van's work show about the same.
    """
    if stops is None or stops.empty:
        return 0.0
    keys = ["vehicle_id", "trip"] if "trip" in stops.columns else ["vehicle_id"]
    dep, arr = stops["departure"].array, stops["arrival"].array
    if not _same_clock(dep, arr):
        span = stops.groupby(keys).agg(first=("departure", "min"), last=("arrival", "max"))
        return float((span["last"] - span["first"]).dt.total_seconds().clip(lower=0).sum() / 3600.0)
    # one pass over the stops (a groupby costs milliseconds a day); runs in the groupby's order
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    runs_of = zip(*(stops[k].tolist() for k in keys), strict=True)
    for key, d, a in zip(runs_of, dep.asi8.tolist(), arr.asi8.tolist(), strict=True):
        first[key] = min(first.get(key, d), d)
        last[key] = max(last.get(key, a), a)
    runs = sorted(first)
    spans = np.array([last[k] - first[k] for k in runs], dtype="int64").view(f"m8[{dep.unit}]")
    return float(np.maximum(pd.TimedeltaIndex(spans).total_seconds().to_numpy(), 0.0).sum() / 3600.0)


def _same_clock(a: object, b: object) -> bool:
    """Datetime arrays of one unit and time zone, without NaT: their ticks subtract directly."""
    if not isinstance(a, DatetimeArray) or not isinstance(b, DatetimeArray) or a.dtype != b.dtype:
        return False
    return not ((a.asi8 == _NAT).any() or (b.asi8 == _NAT).any())


def _load_factor(stops: pd.DataFrame, matrix: pd.DataFrame, vehicles: pd.DataFrame) -> float:
    """Distance-weighted share of capacity on board over the driven legs."""
    if stops is None or stops.empty:
        return 0.0
    pairs = zip(matrix["from_id"].tolist(), matrix["to_id"].tolist(), strict=True)
    dist = dict(zip(pairs, matrix["distance_m"].tolist(), strict=True))
    cap = dict(zip(vehicles["vehicle_id"].tolist(), vehicles["capacity_crates"].tolist(), strict=True))
    cols = [stops[c].tolist() for c in ("vehicle_id", "trip", "seq", "node_id", "load_after")]
    rows = sorted(zip(*cols, strict=True), key=lambda r: r[:3])
    legs = [(a[3], b[3], a[0], a[4]) for a, b in pairwise(rows) if a[:2] == b[:2] and a[3] != b[3]]
    if not legs:
        return 0.0
    d = np.array([dist.get((a, b), 0.0) for a, b, _, _ in legs], dtype=float)
    c = np.array([cap.get(v, np.nan) for _, _, v, _ in legs], dtype=float)
    load = np.array([x for _, _, _, x in legs], dtype=float)
    denom = float((d * c).sum())
    return float((d * load).sum() / denom) if denom else 0.0


def _waits(transit: pd.DataFrame, kind: str) -> tuple[float, float]:
    if transit is None or transit.empty:
        return float("nan"), float("nan")
    mine = transit["kind"].to_numpy() == kind
    if not mine.any():
        return float("nan"), float("nan")
    days = transit["days"].to_numpy()[mine]
    w = transit["items"].to_numpy(float)[mine]
    return float(np.average(days, weights=w)), weighted_quantile(days, w, 0.95)


def day_kpis(
    plan: object | None,
    fleet: Fleet,
    costs: Costs,
    transit: pd.DataFrame,
    backlog: pd.DataFrame,
    crates_moved: int,
    items_per_crate: int,
) -> dict[str, float]:
    """One simulated day's KPIs (a day without a plan still pays for the fleet it owns)."""
    if plan is not None:
        km = float(plan.summary.get("total_distance_m", 0.0)) / 1000.0  # type: ignore[attr-defined]
        hours = van_hours(plan.stops)  # type: ignore[attr-defined]
        used = int(plan.summary.get("vehicles_used", 0))  # type: ignore[attr-defined]
        lf = _load_factor(plan.stops, plan.matrix, plan.vehicles)  # type: ignore[attr-defined]
        unassigned = len(plan.unassigned)  # type: ignore[attr-defined]
    else:
        km = hours = lf = 0.0
        used = unassigned = 0
    shift_h = (
        sum(
            (
                pd.Timestamp.combine(pd.Timestamp(0).date(), v.shift_end)
                - pd.Timestamp.combine(pd.Timestamp(0).date(), v.shift_start)
            ).total_seconds()
            for v in fleet.vehicles
        )
        / 3600.0
    )
    fuel, wages = costs.distance_ntd(km), costs.wages_ntd(hours)
    fixed = costs.fixed_ntd_per_day(len(fleet.vehicles))
    hold_mean, hold_p95 = _waits(transit, "hold")
    ret_mean, ret_p95 = _waits(transit, "return")
    back_items, back_crates, holds_waiting = _backlog(backlog, items_per_crate)
    return {
        "van_km": km,
        "van_hours": hours,
        "vans_used": used,
        "fuel_ntd": fuel,
        "wages_ntd": wages,
        "fixed_ntd": fixed,
        "cost_ntd": fuel + wages + fixed,
        "co2_kg": costs.co2_kg(km),
        "crates_moved": int(crates_moved),
        "items_moved": int(transit["items"].sum()) if len(transit) else 0,
        "utilisation": hours / shift_h if shift_h else 0.0,
        "load_factor": lf,
        "backlog_items": back_items,
        "backlog_crates": back_crates,
        "holds_waiting": holds_waiting,
        "unassigned": unassigned,
        "hold_days_mean": hold_mean,
        "hold_days_p95": hold_p95,
        "return_days_mean": ret_mean,
        "return_days_p95": ret_p95,
    }


def _backlog(backlog: pd.DataFrame, items_per_crate: int) -> tuple[int, int, int]:
    """Items and crates waiting at the end of the day, and the items of holds among them."""
    if not len(backlog):
        return 0, 0, 0
    items = backlog["items"].to_numpy()
    holds = items[backlog["kind"].to_numpy() == "hold"]
    return int(items.sum()), int(crates_for(items, items_per_crate).sum()), int(holds.sum())


def arrival_kpis(plan: object | None, schedule: object, depots: set[str]) -> dict[str, float]:
    """A day's consistency: each node's first arrival (minutes after midnight, ``arr:<node>``)
    and how many timed arrivals fell inside the schedule's tolerance."""
    from bookvan.routing.schedule_day import stop_arrivals

    out: dict[str, float] = {"arrivals_timed": 0, "arrivals_inside": 0}
    if plan is None or plan.stops is None or plan.stops.empty:  # type: ignore[attr-defined]
        return out
    for a in stop_arrivals(plan, schedule, depots):  # type: ignore[arg-type]
        minute = a.at.hour * 60 + a.at.minute + a.at.second / 60
        key = f"arr:{a.node_id}"
        out[key] = min(out.get(key, minute), minute)
        if a.deviation_s is not None:
            out["arrivals_timed"] += 1
            out["arrivals_inside"] += int(a.deviation_s == 0)
    return out


def run_summary(kpis: pd.DataFrame, transit: pd.DataFrame) -> pd.DataFrame:
    """One row per (scenario, replication): yearly rates of the flows, and wait statistics.

    Flows (km, hours, NT$, CO2, crates) are summed and scaled to a year so runs of any
    length compare; waits come from the item-level transit records, weighted by items.
    """
    rows = []
    for (scn, rep), k in kpis.groupby(["scenario", "replication"], sort=False):
        n = len(k)
        per_year = DAYS_PER_YEAR / n
        t = (
            transit.loc[(transit["scenario"] == scn) & (transit["replication"] == rep)]
            if len(transit)
            else transit
        )
        row: dict[str, object] = {"scenario": scn, "replication": rep, "days": n}
        for c in (
            "van_km",
            "van_hours",
            "cost_ntd",
            "fuel_ntd",
            "wages_ntd",
            "fixed_ntd",
            "co2_kg",
            "crates_moved",
            "items_moved",
        ):
            row[c] = float(k[c].sum()) * per_year
        work = k.loc[k["vans_used"] > 0]
        row["utilisation"] = float(work["utilisation"].mean()) if len(work) else 0.0
        row["load_factor"] = float(work["load_factor"].mean()) if len(work) else 0.0
        row["backlog_items"] = float(k["backlog_items"].mean())
        row["backlog_items_end"] = float(k["backlog_items"].iloc[-1])
        arr = [c for c in k.columns if c.startswith("arr:")]
        sds = [float(k[c].std(ddof=0)) for c in arr if k[c].notna().sum() > 1]
        row["arrival_spread_min"] = float(np.mean(sds)) if sds else float("nan")
        timed = float(k["arrivals_timed"].sum()) if "arrivals_timed" in k else 0.0
        row["inside_tolerance"] = float(k["arrivals_inside"].sum()) / timed if timed else float("nan")
        # days whose search the safety cap ended: their plans depend on the machine's speed
        row["days_capped"] = int(k["search_capped"].sum()) if "search_capped" in k else 0
        for kind, name in (("hold", "hold"), ("return", "return")):
            tk = t.loc[t["kind"] == kind] if len(t) else t
            if len(tk):
                w = tk["items"].to_numpy(float)
                row[f"{name}_days_mean"] = float(np.average(tk["days"], weights=w))
                row[f"{name}_days_p95"] = weighted_quantile(tk["days"].to_numpy(), w, 0.95)
                if kind == "hold":
                    row["holds_within_2d"] = float(w[tk["days"].to_numpy() <= 2.0].sum() / w.sum())
            else:
                row[f"{name}_days_mean"] = row[f"{name}_days_p95"] = float("nan")
                if kind == "hold":
                    row["holds_within_2d"] = float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
