"""Plan a day that honours the standing schedule: a layer around the day problem's inputs.

The day engine (:func:`bookvan.routing.daily.plan_day`) is not changed; this layer changes
what it is given:

* transfers that touch a node not visited today (not its scheduled day, or closed) are not
  offered; they **wait** for the first day both ends are visited, and plan.json lists them
  (``waits``: id, next visit date, reason, and the transfer itself so ``--carry-over`` can
  take them up tomorrow);
* in ``hard`` mode, each scheduled node's opening hours are narrowed to its target arrival ±
  tolerance for the solve (the plan folder keeps the real hours); ``soft`` mode leaves them and
  the plan lists the visits that missed the window and by how much;
* a waiting transfer **due today** whose ends are open makes an unscheduled visit: the day is
  planned with and without it, and the extra cost is shown.

What the checker needs to verify the schedule without network files is copied into plan.json
(``schedule``: the node patterns, which nodes are scheduled today, each visit's arrival).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.hours import DAY_S, DayHours
from bookvan.data.network import Network
from bookvan.data.schedule import NodeSchedule, Schedule
from bookvan.routing.carry_over import unassigned_rows
from bookvan.routing.daily import DayPlan, plan_day
from bookvan.routing.day_input import day_nodes
from bookvan.routing.engine.params import SolveParams

__all__ = [
    "WINDOW_MODES",
    "StopArrival",
    "arrival_records",
    "plan_cost_ntd",
    "plan_with_schedule",
    "schedule_lines",
    "split_by_visits",
    "stop_arrivals",
    "waited_days",
]

WINDOW_MODES = ("hard", "soft")
#: How far ahead a waiting transfer's next common visit is looked for (days).
LOOKAHEAD_DAYS = 60
_WD_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class _WindowedNetwork(Network):
    """The network with some nodes' hours on one date narrowed to their schedule window."""

    def __init__(self, net: Network, date: dt.date, windows: dict[str, tuple[dt.time, dt.time]]) -> None:
        object.__setattr__(self, "nodes", net.nodes)
        object.__setattr__(self, "closures", net.closures)
        object.__setattr__(self, "source_dir", net.source_dir)
        object.__setattr__(self, "weekly", net.weekly)
        object.__setattr__(self, "_base", net)
        object.__setattr__(self, "_date", date)
        object.__setattr__(self, "_windows", windows)

    def node(self, node_id: str) -> pd.Series:
        return self._base.node(node_id)  # type: ignore[attr-defined]

    def hours_on(self, node_id: str, date: dt.date) -> DayHours:
        h = self._base.hours_on(node_id, date)  # type: ignore[attr-defined]
        w = self._windows.get(node_id) if date == self._date else None  # type: ignore[attr-defined]
        return DayHours(w[0], w[1]) if (w and h.is_open) else h


def _time(seconds: int) -> dt.time:
    seconds = min(max(seconds, 0), DAY_S - 1)
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _windows(net: Network, schedule: Schedule, date: dt.date, nodes: set[str]) -> dict[str, tuple[dt.time, dt.time]]:
    """Target ± tolerance intersected with the hours; the close allows one crate's service.

    The day problem bounds the *start* of service by ``closes − service``; adding the fixed
    stop time and one crate's time back keeps every visit's start within target + tolerance.
    A window that misses the opening hours entirely is left out (the real hours apply).
    """
    out = {}
    for n in nodes:
        ns = schedule.get(n)
        w = ns.window_s() if ns else None
        h = net.hours_on(n, date)
        if w is None or not h.is_open:
            continue
        row = net.node(n)
        slack = int(row["service_s"]) + int(row["service_per_crate_s"])
        lo = max(_secs(h.opens), w[0])
        hi = min(_secs(h.closes), w[1] + slack)
        if hi - lo > slack:
            out[n] = (_time(lo), _time(hi))
    return out


def split_by_visits(
    transfers: pd.DataFrame,
    visited: set[str],
    next_common: Callable[[str, str], tuple[dt.date | None, str]],
    today: dt.date | None = None,
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Transfers whose both ends are visited today, and the waits (with date and reason)."""
    ok = transfers["origin_id"].isin(visited) & transfers["destination_id"].isin(visited)
    waits = []
    for r in transfers.loc[~ok].to_dict("records"):
        when, why = next_common(r["origin_id"], r["destination_id"])
        waits.append(_wait_record(r, when, why, today))
    return transfers.loc[ok].reset_index(drop=True), waits


def _wait_record(
    r: dict[str, object], when: dt.date | None, why: str, today: dt.date | None = None
) -> dict[str, object]:
    """A waiting transfer as plan.json lists it; ``release`` keeps the day it first waited."""

    def ts(v: object) -> str | None:
        return None if v is None or pd.isna(v) else pd.Timestamp(v).isoformat()  # type: ignore[arg-type]

    release = r.get("release")
    if (release is None or pd.isna(release)) and today is not None:  # type: ignore[arg-type]
        release = pd.Timestamp(dt.datetime.combine(today, dt.time()), tz="Asia/Taipei")

    return {
        "transfer_id": str(r["transfer_id"]),
        "next_visit": when.isoformat() if when else None,
        "reason": why,
        "origin_id": r["origin_id"],
        "destination_id": r["destination_id"],
        "items": int(r["items"]),  # type: ignore[call-overload]
        "crates": int(r["crates"]),  # type: ignore[call-overload]
        "kind": r["kind"],
        "release": ts(release),
        "due": ts(r.get("due")),
    }


def plan_cost_ntd(plan: DayPlan, fleet: Fleet) -> float:
    """NT$ of a plan: km, driver time from leaving to coming back, and a day's van cost."""
    s = plan.summary
    km = float(s.get("total_distance_m", 0.0)) / 1000  # type: ignore[arg-type]
    hours = float(s.get("total_duration_s", 0.0)) / 3600  # type: ignore[arg-type]
    vans = int(s.get("vehicles_used", 0))  # type: ignore[call-overload]
    c = fleet.costs
    return round(c.per_km * km + c.per_driver_hour * hours + c.per_van_day * vans, 1)


class StopArrival(NamedTuple):
    """A stop at a non-depot node: its service start against the node's schedule window."""

    node_id: str
    vehicle_id: str
    at: pd.Timestamp
    slot: NodeSchedule | None
    deviation_s: int | None  # 0 inside the window, else signed seconds outside; None: no window


def stop_arrivals(plan: DayPlan, schedule: Schedule, depots: set[str]) -> Iterator[StopArrival]:
    """Each stop at a non-depot node, in stops order: the one rule for "arrived inside its window"."""
    stops = plan.stops
    if stops.empty:
        return
    when = stops["service_start"].fillna(stops["arrival"]) if "service_start" in stops else stops["arrival"]
    midnight = pd.Timestamp(dt.datetime.combine(plan.date, dt.time()), tz=when.dt.tz)
    rows = zip(stops["node_id"].tolist(), stops["vehicle_id"].tolist(), when.tolist(), strict=True)
    for n, van, at in rows:  # whole columns, not iterrows: a row Series per stop cost most of this
        if n in depots:
            continue
        ns = schedule.get(n)
        w = ns.window_s() if ns else None
        sec = int((at - midnight).total_seconds())
        dev = None if w is None else (0 if w[0] <= sec <= w[1] else (sec - w[1] if sec > w[1] else sec - w[0]))
        yield StopArrival(n, van, at, ns, dev)


def arrival_records(plan: DayPlan, schedule: Schedule, depots: set[str]) -> list[dict[str, object]]:
    """One record per stop at a non-depot node: arrival (service start) against its window."""
    return [
        {
            "node_id": a.node_id,
            "vehicle_id": a.vehicle_id,
            "arrival": a.at.isoformat(),
            "target_arrival": a.slot.target_text if a.slot and a.slot.target_s is not None else None,
            "tolerance_min": a.slot.tolerance_s // 60 if a.slot and a.slot.target_s is not None else None,
            "deviation_s": a.deviation_s,
            "inside": None if a.deviation_s is None else a.deviation_s == 0,
        }
        for a in stop_arrivals(plan, schedule, depots)
    ]


@dataclass(frozen=True)
class _Day:
    network: Network
    fleet: Fleet
    date: dt.date
    matrix: pd.DataFrame
    params: SolveParams


@dataclass(frozen=True)
class _Visits:
    """Which nodes the schedule visits on a day, and when two nodes are next visited together."""

    network: Network
    schedule: Schedule
    date: dt.date

    @cached_property
    def depots(self) -> set[str]:
        return set(self.network.depot_ids)

    def is_open(self, n: str, d: dt.date) -> bool:
        return self.network.hours_on(n, d).is_open

    def visited_on(self, n: str, d: dt.date) -> bool:
        return self.is_open(n, d) and (n in self.depots or self.schedule.visits_on(n, d))

    @cached_property
    def today(self) -> set[str]:
        """The nodes visited on ``date`` (the depots when open, and the scheduled nodes)."""
        return {n for n in self.network.node_ids if self.visited_on(n, self.date)}

    def next_common(self, o: str, d: str) -> tuple[dt.date | None, str]:
        """The first later day (within LOOKAHEAD_DAYS) both are visited and a depot is open, and why not today."""
        date, network, visited = self.date, self.network, self.today
        depots = self.depots
        when = None
        for k in range(1, LOOKAHEAD_DAYS + 1):
            day = date + dt.timedelta(days=k)
            if self.visited_on(o, day) and self.visited_on(d, day) and any(self.is_open(x, day) for x in depots):
                when = day
                break
        parts = []
        for n in (n for n in (o, d) if n not in visited):
            name = str(network.node(n)["name_en"])
            ns = self.schedule.get(n)
            if not self.is_open(n, date):
                parts.append(f"{name} is closed today ({network.hours_on(n, date).closed_reason})")
            else:
                parts.append(f"{name} is visited {ns.days.en if ns else 'when open'}, not {_WD_EN[date.weekday()]}")
        tail = (f"; it goes on its next visit, {_WD_EN[when.weekday()]} {when}" if when
                else f"; no visit in {LOOKAHEAD_DAYS} days")
        return when, "; ".join(parts) + tail


def _with_due_today(day: _Day, schedule: Schedule, transfers: pd.DataFrame, today: pd.DataFrame,
                    visited: set[str], due_today: list[dict[str, object]], base_plan: DayPlan, windows: str,
                    planner: Callable[..., DayPlan]) -> tuple[DayPlan, list[dict[str, object]]]:
    """Re-plan with the waiting transfers due today: their nodes get unscheduled visits, priced against the base."""
    urgent_ids = {str(w["transfer_id"]) for w in due_today}
    extra_nodes = {n for w in due_today for n in (w["origin_id"], w["destination_id"])} - visited  # type: ignore[misc]
    rows = transfers.loc[transfers["transfer_id"].astype(str).isin(urgent_ids)]
    with_urgent = pd.concat([today, rows], ignore_index=True)
    plan = _solve(day, schedule, with_urgent, visited | extra_nodes, windows, planner, unscheduled=extra_nodes)
    extra = round(plan_cost_ntd(plan, day.fleet) - plan_cost_ntd(base_plan, day.fleet), 1)
    dist = [float(p.summary["total_distance_m"]) for p in (plan, base_plan)]  # type: ignore[arg-type]
    extra_km = round((dist[0] - dist[1]) / 1000, 1)
    served_nodes = set(plan.stops["node_id"]) if not plan.stops.empty else set()
    unscheduled = []
    for n in sorted(extra_nodes & served_nodes):
        ids = sorted(str(w["transfer_id"]) for w in due_today if n in (w["origin_id"], w["destination_id"]))
        ns = schedule.get(n)
        unscheduled.append({
            "node_id": n,
            "reason": f"transfer(s) {', '.join(ids)} due today; "
            f"{day.network.node(n)['name_en']} is scheduled {ns.days.en if ns else 'when open'}",
            "transfer_ids": ids,
            "extra_cost_ntd": extra,
            "extra_km": extra_km,
        })
    return plan, unscheduled


def _left_out(plan: DayPlan, relays: dict[str, dict[str, object]],
              visits: _Visits) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(waits, unassigned with next visit) for what the solver could not take today.

    Each item waits once: a relay as its original, hub legs all left out as their original.
    """
    left = {str(u["transfer_id"]): str(u["reason"]) for u in plan.unassigned}
    tr = plan.transfers
    pending = [relays[t] for t in left if t in relays]
    pending += unassigned_rows(tr.loc[~tr["transfer_id"].isin(list(relays))], left)
    waits = []
    for rec in pending:
        when, _ = visits.next_common(str(rec["origin_id"]), str(rec["destination_id"]))
        reasons = [left[t] for t in (str(rec["transfer_id"]), f"{rec['transfer_id']}.1") if t in left]
        why = f"the vans could not take it today ({reasons[0] if reasons else 'left out'})"
        waits.append(_wait_record(rec, when, why, visits.date))
    unassigned = []
    for u in plan.unassigned:
        row = tr.loc[tr["transfer_id"] == u["transfer_id"]].to_dict("records")
        when = visits.next_common(str(row[0]["origin_id"]), str(row[0]["destination_id"]))[0] if row else None
        unassigned.append({**u, "next_visit": when.isoformat() if when else None})
    return waits, unassigned


def _relay_second_legs(plan: DayPlan, relays: dict[str, dict[str, object]], visits: _Visits) -> list[dict[str, object]]:
    """A relay collected to the depot today waits there for its destination's next visit (leg 2)."""
    left = {str(u["transfer_id"]) for u in plan.unassigned}
    tr, network = plan.transfers, visits.network
    # a relay too big for one van travels as parts (``part_of`` names the relay leg)
    part_of = tr["part_of"] if "part_of" in tr.columns else pd.Series(None, index=tr.index)
    waits = []
    for leg1, orig in relays.items():
        if leg1 in left:
            continue
        d = str(orig["destination_id"])
        legs = tr.loc[(tr["transfer_id"] == leg1) | (part_of == leg1), "destination_id"]
        if legs.empty:
            continue
        hub = str(legs.iloc[0])
        when, _ = visits.next_common(hub, d)
        why = (
            f"collected to the depot today: {network.node(str(orig['origin_id']))['name_en']}'s visit comes after "
            f"{network.node(d)['name_en']}'s on the schedule; delivered on its next visit"
        )
        leg2 = {**orig, "transfer_id": f"{orig['transfer_id']}.2", "origin_id": hub}
        waits.append(_wait_record(leg2, when, why, visits.date))
    return waits


def _schedule_summary(plan: DayPlan, fleet: Fleet, visits: _Visits, windows: str,
                      unscheduled: list[dict[str, object]]) -> dict[str, object]:
    """plan.json's ``schedule``: what the checker needs to verify the day against the schedule."""
    schedule, depots = visits.schedule, visits.depots
    arrivals = arrival_records(plan, schedule, depots)
    timed = [a for a in arrivals if a["inside"] is not None]
    return {
        "honoured": True,
        "windows": windows,
        "source": schedule.source,
        "nodes": schedule.to_json(),
        "scheduled_today": sorted(n for n in visits.today if n not in depots),
        "unscheduled_visits": unscheduled,
        "arrivals": arrivals,
        "missed_window": [a for a in timed if not a["inside"]],
        "share_inside_tolerance": round(sum(bool(a["inside"]) for a in timed) / len(timed), 4) if timed else None,
        "cost_ntd": plan_cost_ntd(plan, fleet),
        "waited": waited_days(plan),
    }


def plan_with_schedule(
    network: Network,
    fleet: Fleet,
    transfers: pd.DataFrame,
    date: dt.date,
    matrix: pd.DataFrame,
    params: SolveParams,
    schedule: Schedule,
    *,
    windows: str = "hard",
    planner: Callable[..., DayPlan] = plan_day,
) -> DayPlan:
    """Plan ``date`` honouring ``schedule``; waits, unscheduled visits and arrivals in plan.json."""
    if windows not in WINDOW_MODES:
        raise ValueError(f"windows must be one of {WINDOW_MODES}, not {windows!r}")
    visits = _Visits(network, schedule, date)
    depots, visited = visits.depots, visits.today
    today, waits = split_by_visits(transfers, visited, visits.next_common, date)
    relays: dict[str, dict[str, object]] = {}
    if fleet.routing.mode != "hub" and windows == "hard" and len(today):
        today, relays = _relay_backward(network, schedule, today, date, matrix, visited, depots)
    due_today = [
        w for w in waits
        if w["due"] is not None and pd.Timestamp(w["due"]).date() <= date  # type: ignore[arg-type]
        and all(visits.is_open(n, date) for n in (w["origin_id"], w["destination_id"]))  # type: ignore[arg-type]
    ]
    day = _Day(network, fleet, date, matrix, params)
    plan = _solve(day, schedule, today, visited, windows, planner)
    unscheduled: list[dict[str, object]] = []
    if due_today:
        plan, unscheduled = _with_due_today(day, schedule, transfers, today, visited, due_today, plan, windows,
                                            planner)
        urgent_ids = {str(w["transfer_id"]) for w in due_today}
        waits = [w for w in waits if str(w["transfer_id"]) not in urgent_ids]
    # what the solver could not take waits too: give it the next day both ends are visited
    left_waits, unassigned = _left_out(plan, relays, visits)
    waits += left_waits + _relay_second_legs(plan, relays, visits)
    summary = {**plan.summary, "schedule": _schedule_summary(plan, fleet, visits, windows, unscheduled),
               "waits": waits}
    return replace(plan, unassigned=unassigned, summary=summary)


def _relay_backward(
    net: Network,
    schedule: Schedule,
    today: pd.DataFrame,
    date: dt.date,
    matrix: pd.DataFrame,
    visited: set[str],
    depots: set[str],
) -> tuple[pd.DataFrame, dict[str, dict[str, object]]]:
    """Transfers whose origin is timed after their destination go via the depot.

    With one arrival time per node, a van cannot pick up at a node timed 14:00 and deliver the
    same run at one timed 10:00; between two nodes timed close together it could, but only by
    a second visit or a second van, so the day's runs keep to one pass in target order. Such a
    transfer goes to the depot today (``<id>.1``) and on to its destination on that node's next
    visit (``<id>.2``, listed in ``waits``), as a courier's sorting hub does.
    Returns today's transfers and leg-1 id → the original transfer.
    """
    win = _windows(net, schedule, date, visited)
    dur = matrix.set_index(["from_id", "to_id"])["duration_s"]
    hub = sorted(depots)[0] if depots else None
    rows, relays = [], {}
    for r in today.to_dict("records"):
        o, d = str(r["origin_id"]), str(r["destination_id"])
        if hub is None or o in depots or d in depots or o not in win or d not in win:
            rows.append(r)
            continue
        earliest = _secs(win[o][0]) + int(net.node(o)["service_s"]) + int(dur.get((o, d), 0))
        t_o, t_d = (schedule.get(x).target_s for x in (o, d))  # type: ignore[union-attr]
        # one pass in target order: a transfer against it would need a second visit (or van)
        if earliest <= _secs(win[d][1]) and not (t_o is not None and t_d is not None and t_o > t_d):
            rows.append(r)
            continue
        relays[f"{r['transfer_id']}.1"] = dict(r)
        rows.append({**r, "transfer_id": f"{r['transfer_id']}.1", "destination_id": hub,
                     "leg_of": r["transfer_id"], "leg": 1})
    out = pd.DataFrame(rows, columns=today.columns) if rows else today.iloc[0:0]
    return out.reset_index(drop=True), relays


def _solve(
    day: _Day,
    schedule: Schedule,
    transfers: pd.DataFrame,
    visited: set[str],
    windows: str,
    planner: Callable[..., DayPlan],
    unscheduled: set[str] = frozenset(),  # type: ignore[assignment]
) -> DayPlan:
    """One solve; the plan folder keeps the real opening hours, not the narrowed ones."""
    net = day.network
    if windows == "hard":
        w = _windows(net, schedule, day.date, visited - set(unscheduled))
        net = _WindowedNetwork(day.network, day.date, w)
    plan = planner(net, day.fleet, transfers, day.date, day.matrix, day.params)
    return replace(plan, nodes=day_nodes(day.network, day.date))


def waited_days(plan: DayPlan) -> dict[str, object]:
    """Days the transfers delivered today waited since released (for a hold: placed → on the shelf).

    A waiting transfer keeps the day it first waited as its ``release``, so what comes back
    through ``--carry-over`` is measured; a transfer without a release counts as today's.
    """
    if plan.stops.empty:
        return {"transfers": 0, "items": 0, "mean_days": None, "max_days": None, "hold_mean_days": None}
    tr = plan.transfers.set_index("transfer_id")
    rows = []
    for ids in plan.stops["delivery_ids"]:
        for t in ids:
            rel = tr.at[t, "release"]
            days = 0 if pd.isna(rel) else (plan.date - pd.Timestamp(rel).date()).days
            rows.append((max(days, 0), int(tr.at[t, "items"]), str(tr.at[t, "kind"])))
    if not rows:
        return {"transfers": 0, "items": 0, "mean_days": None, "max_days": None, "hold_mean_days": None}
    items = sum(n for _, n, _ in rows) or 1
    holds = [(d, n) for d, n, k in rows if k == "hold"]
    hold_items = sum(n for _, n in holds)
    return {
        "transfers": len(rows),
        "items": sum(n for _, n, _ in rows),
        "mean_days": round(sum(d * n for d, n, _ in rows) / items, 2),
        "max_days": max(d for d, _, _ in rows),
        "hold_mean_days": round(sum(d * n for d, n in holds) / hold_items, 2) if hold_items else None,
    }


def schedule_lines(plan: DayPlan) -> list[str]:
    """What the coordinator reads after planning: waits, unscheduled visits, missed windows."""
    sch = plan.summary.get("schedule")
    if not isinstance(sch, dict):
        return []
    waits = plan.summary.get("waits", [])
    lines = [
        f"Schedule ({sch['windows']} windows): {len(sch['scheduled_today'])} nodes due today; "
        f"{len(waits)} transfers wait for a later visit (plan.json waits)"  # type: ignore[arg-type]
    ]
    share = sch.get("share_inside_tolerance")
    if share is not None:
        lines.append(f"  arrivals inside their tolerance: {100 * share:.0f} %")
    for u in sch["unscheduled_visits"]:
        lines.append(
            f"  unscheduled visit {u['node_id']}: {u['reason']} (extra NT$ {u['extra_cost_ntd']:,.0f}, "
            f"{u['extra_km']:+.1f} km)"
        )
    for m in sch["missed_window"][:10]:
        lines.append(f"  {m['node_id']} reached at {m['arrival'][11:16]}, {abs(m['deviation_s']) // 60} min outside "
                     f"{m['target_arrival']} ± {m['tolerance_min']} min")
    return lines
