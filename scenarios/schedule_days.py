"""Plan consecutive working days with carry-over, with or without the schedule, and measure.

Each working day (a depot open) gets the demand model's new transfers plus what the day
before left waiting; the day is planned either freely (:func:`~bookvan.routing.daily.plan_day`,
what was left out carries over) or honouring a schedule
(:func:`~bookvan.routing.schedule_day.plan_with_schedule`, its ``waits`` carry over). With a
``folder`` every day is written as a plan folder and the next day reads its carry-over from
there, exactly as ``bookvan plan --carry-over`` does.

The consistency KPIs: per node, the spread of arrival times over the days (standard deviation
and range, minutes) and the share inside the schedule's tolerance; per hold item, the days it
waited (created → delivered at its destination); and the item ledger (in = delivered + waiting).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.network import Network
from bookvan.data.schedule import Schedule
from bookvan.data.transfers import transfers_frame
from bookvan.routing.carry_over import join_carry_over, unassigned_rows
from bookvan.routing.daily import DayPlan, plan_day
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.schedule_day import arrival_records, plan_cost_ntd, plan_with_schedule

__all__ = ["DaysResult", "consistency_kpis", "run_days", "waits_frame", "working_days"]

Demand = Callable[[Network, dt.date], pd.DataFrame]
_BASE = re.compile(r"[./]")


def working_days(network: Network, start: dt.date, count: int) -> list[dt.date]:
    """The first ``count`` dates from ``start`` on which a depot is open."""
    out, d = [], start
    while len(out) < count:
        if any(network.hours_on(x, d).is_open for x in network.depot_ids):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def waits_frame(waits: list[dict[str, object]]) -> pd.DataFrame:
    """plan.json ``waits`` back into a transfers table."""
    return transfers_frame([
        {"transfer_id": w["transfer_id"], "origin_id": w["origin_id"], "destination_id": w["destination_id"],
         "items": w["items"], "crates": w["crates"], "kind": w["kind"], "release": w.get("release"),
         "due": w.get("due"), "leg_of": None, "leg": None, "part_of": None}
        for w in waits
    ])


@dataclass
class DaysResult:
    """Per day: the plan summary row; per stop: arrivals; per item batch: its wait; the ledger."""

    days: pd.DataFrame
    arrivals: pd.DataFrame
    deliveries: pd.DataFrame
    items_in: int
    items_delivered: int
    items_waiting: int
    plans: dict[dt.date, DayPlan] = field(default_factory=dict)


def run_days(
    network: Network,
    fleet: Fleet,
    matrix: pd.DataFrame,
    demand: Demand,
    dates: list[dt.date],
    params: SolveParams,
    schedule: Schedule | None,
    *,
    windows: str = "hard",
    folder: Path | None = None,
    keep_plans: bool = False,
    progress: Callable[[dt.date, DayPlan], None] | None = None,
) -> DaysResult:
    """Plan ``dates`` in order, carrying over what waits; see the module's note."""
    from bookvan.routing.planfolder import write_plan

    carried = transfers_frame([])
    created: dict[str, tuple[dt.date, str, str]] = {}
    rows, arrivals, delivered = [], [], []
    items_in = 0
    prev_dir: Path | None = None
    depots = set(network.depot_ids)
    plan: DayPlan | None = None
    for day in dates:
        new = demand(network, day)
        items_in += int(new["items"].sum())
        for r in new.itertuples(index=False):
            created[str(r.transfer_id)] = (day, str(r.destination_id), str(r.kind))
        if folder is not None and prev_dir is not None:
            todo = join_carry_over(new, prev_dir, day, set(network.node_ids))
        else:
            todo = transfers_frame(carried.to_dict("records") + new.to_dict("records"))
        if schedule is None:
            plan = plan_day(network, fleet, todo, day, matrix, params)
            left = {str(u["transfer_id"]) for u in plan.unassigned}
            carried = transfers_frame(unassigned_rows(plan.transfers, left))
        else:
            plan = plan_with_schedule(network, fleet, todo, day, matrix, params, schedule, windows=windows)
            carried = waits_frame(plan.summary["waits"])  # type: ignore[arg-type]
        if folder is not None:
            prev_dir = write_plan(plan, folder / day.isoformat())
        tr = plan.transfers.set_index("transfer_id")
        for ids, node in zip(plan.stops["delivery_ids"], plan.stops["node_id"], strict=True):
            for tid in ids:
                base = _BASE.split(str(tid))[0]
                made = created.get(base)
                if made is not None and node == made[1]:
                    delivered.append({"transfer_id": base, "kind": made[2], "created": made[0], "delivered": day,
                                      "items": int(tr.at[tid, "items"])})
        for a in arrival_records(plan, schedule or Schedule(), depots):
            arrivals.append({"date": day, **a})
        rows.append({
            "date": day, "km": float(plan.summary["total_distance_m"]) / 1000,  # type: ignore[arg-type]
            "cost_ntd": plan_cost_ntd(plan, fleet), "vans": int(plan.summary["vehicles_used"]),  # type: ignore[call-overload]
            "transfers": len(todo), "waiting": len(carried), "unassigned": len(plan.unassigned),
            "unscheduled_visits": len(plan.summary.get("schedule", {}).get("unscheduled_visits", [])),  # type: ignore[union-attr]
            "search_capped": bool(params.deterministic and not plan.summary.get("reproducible", True)),
        })
        if progress is not None:
            progress(day, plan)
    dl = pd.DataFrame(delivered, columns=["transfer_id", "kind", "created", "delivered", "items"])
    return DaysResult(
        days=pd.DataFrame(rows),
        arrivals=pd.DataFrame(arrivals),
        deliveries=dl,
        items_in=items_in,
        items_delivered=int(dl["items"].sum()) if len(dl) else 0,
        items_waiting=int(carried["items"].sum()) if len(carried) else 0,
    )


def consistency_kpis(
    result: DaysResult, schedule: Schedule | None, first_arrival_only: bool = True
) -> dict[str, object]:
    """Van-km, cost, vans; per node arrival spread and share inside tolerance; holds' wait days.

    Arrivals are compared with ``schedule``'s windows whichever way the days were planned, so
    a free optimisation's spread and misses are measured against the same targets.
    """
    d = result.days
    a = result.arrivals.copy()
    per_node: dict[str, dict[str, float]] = {}
    if len(a):
        a["t"] = pd.to_datetime(a["arrival"].str.slice(11, 19), format="%H:%M:%S")
        a["min"] = a["t"].dt.hour * 60 + a["t"].dt.minute + a["t"].dt.second / 60
        if first_arrival_only:
            a = a.sort_values("min").groupby(["date", "node_id"], as_index=False).first()
        for n, g in a.groupby("node_id"):
            ns = schedule.get(str(n)) if schedule else None
            w = ns.window_s() if ns else None
            inside = ((g["min"] * 60 >= w[0]) & (g["min"] * 60 <= w[1])).mean() if w else float("nan")
            per_node[str(n)] = {
                "visits": len(g),
                "spread_sd_min": round(float(g["min"].std(ddof=0)), 1),
                "spread_range_min": round(float(g["min"].max() - g["min"].min()), 1),
                "inside_tolerance": round(float(inside), 3),
            }
    dl = result.deliveries
    holds = dl.loc[dl["kind"] == "hold"] if len(dl) else dl
    waited = (pd.to_datetime(holds["delivered"]) - pd.to_datetime(holds["created"])).dt.days if len(holds) else None
    w_items = np.repeat(waited.to_numpy(), holds["items"].to_numpy()) if waited is not None else np.array([])
    inside = [v["inside_tolerance"] for v in per_node.values() if not np.isnan(v["inside_tolerance"])]
    visits = [v["visits"] for v in per_node.values() if not np.isnan(v["inside_tolerance"])]
    return {
        "days": len(d),
        "van_km": round(float(d["km"].sum()), 1),
        "cost_ntd": round(float(d["cost_ntd"].sum()), 0),
        "vans_mean": round(float(d["vans"].mean()), 2),
        "vans_max": int(d["vans"].max()),
        "unscheduled_visits": int(d["unscheduled_visits"].sum()),
        "arrival_spread_sd_min_mean": round(float(np.mean([v["spread_sd_min"] for v in per_node.values()])), 1)
        if per_node else None,
        "share_inside_tolerance": round(float(np.average(inside, weights=visits)), 3) if inside else None,
        "hold_wait_days_mean": round(float(w_items.mean()), 2) if len(w_items) else None,
        "hold_wait_days_p95": float(np.percentile(w_items, 95)) if len(w_items) else None,
        "items_in": result.items_in,
        "items_delivered": result.items_delivered,
        "items_waiting": result.items_waiting,
        "per_node": per_node,
    }
