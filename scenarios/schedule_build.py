"""Build a standing weekly schedule from forecast volumes and the fleet.

Two stages, as in periodic vehicle routing (Campbell & Wilson 2014) followed by consistent
routing (Groër, Golden & Wasil 2009):

1. **Visit days** (a heuristic). Each node starts on the sparsest candidate pattern. While
   fewer than ``share`` of the forecast's hold items (p50, ``weeks`` sampled weeks) would
   leave within ``within_days`` days (a hold moves on the first day both its ends are
   visited and open), the node whose densification buys the most on-time hold items per NT$
   of extra visits is moved to its next denser pattern. A visit's cost is the cheapest
   insertion of the node into a tour of the others (NT$ for km and driver time): an estimate,
   not the routing engine's marginal cost.
2. **Template routes** (the routing engine's local search, not proven optimal). Each working
   weekday of a typical week is planned with the p90 forecast (what waits for the day
   accumulates from the days before), busiest day first. The first template a node appears
   in sets its target arrival (rounded to 5 min) and van; later templates are planned with
   the targets already set as hard windows, so every weekday keeps the same times.

Pure apart from the routing engine calls: network, fleet, matrix and a demand function in,
a :class:`BuiltSchedule` out. Writing files is :mod:`bookvan.scenarios.schedule_write`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.hours import WEEKDAYS
from bookvan.data.network import Network
from bookvan.data.schedule import NodeSchedule, Schedule, parse_visit_days
from bookvan.routing.daily import DayPlan
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.schedule_day import plan_with_schedule

__all__ = ["BuildSettings", "BuiltSchedule", "build_schedule", "hold_service_share", "visit_costs"]

Demand = Callable[[Network, dt.date, float], pd.DataFrame]


@dataclass(frozen=True)
class BuildSettings:
    """What ``schedule build`` may choose and the service level it must keep."""

    start: dt.date = dt.date(2026, 11, 30)  # a Monday: the sampled weeks start here
    weeks: int = 4
    seed: int = 0
    within_days: int = 2  # a hold waits at most this many days for its van …
    share: float = 0.95  # … for at least this share of hold items
    tolerance_min: int = 30
    patterns: tuple[str, ...] = ("tue-sat", "tue-thu-sat", "daily")  # sparse → dense, nested
    round_min: int = 5
    params: SolveParams = field(
        default_factory=lambda: SolveParams(time_limit_s=30.0, deterministic=True, solution_limit=20)
    )


@dataclass(frozen=True)
class BuiltSchedule:
    """The schedule, the template day plans it was read from, and the numbers behind it."""

    schedule: Schedule
    templates: dict[dt.date, DayPlan]
    service_share: float
    visit_cost_ntd: dict[str, float]
    visits_per_week: dict[str, int]
    p90_crates_per_day: float
    notes: tuple[str, ...] = ()


def visit_costs(network: Network, fleet: Fleet, matrix: pd.DataFrame) -> dict[str, float]:
    """NT$ a visit adds: the cheapest insertion between two other nodes, plus the stop time."""
    dist = matrix.pivot_table(index="from_id", columns="to_id", values="distance_m", aggfunc="first")
    dur = matrix.pivot_table(index="from_id", columns="to_id", values="duration_s", aggfunc="first")
    ids = [n for n in network.node_ids if n in dist.index]
    c = fleet.costs
    out = {}
    for n in ids:
        if n in network.depot_ids:
            continue
        best = float("inf")
        others = [m for m in ids if m != n]
        for a in others:
            for b in others:
                if a == b and a not in network.depot_ids:
                    continue
                dd = float(dist.at[a, n] + dist.at[n, b] - (dist.at[a, b] if a != b else 0.0))
                dt_ = float(dur.at[a, n] + dur.at[n, b] - (dur.at[a, b] if a != b else 0.0))
                best = min(best, c.per_km * dd / 1000 + c.per_driver_hour * dt_ / 3600)
        svc = float(network.node(n)["service_s"])
        out[n] = round(best + c.per_driver_hour * svc / 3600, 1)
    return out


def _open_days(network: Network, dates: list[dt.date]) -> dict[str, set[dt.date]]:
    """Dates each node is open; for a depot, the dates any depot is open (the vans work)."""
    depots = set(network.depot_ids)
    open_ = {n: {d for d in dates if network.hours_on(n, d).is_open} for n in network.node_ids}
    work = set().union(*(open_[x] for x in depots)) if depots else set(dates)
    return {n: (work if n in depots else open_[n] & work) for n in network.node_ids}


def _visit_days(
    network: Network, schedule: Schedule, dates: list[dt.date], open_days: dict[str, set[dt.date]] | None = None
) -> dict[str, set[dt.date]]:
    """Dates each node is visited: open, the vans work, and its pattern includes the date."""
    od = open_days if open_days is not None else _open_days(network, dates)
    depots = set(network.depot_ids)
    return {n: {d for d in od[n] if n in depots or schedule.visits_on(n, d)} for n in network.node_ids}


def hold_service_share(
    holds: pd.DataFrame, visit_days: dict[str, set[dt.date]], within_days: int
) -> float:
    """Share of hold items that leave within ``within_days`` days (both ends visited that day)."""
    total = float(holds["items"].sum())
    if total <= 0:
        return 1.0
    ok = 0.0
    for r in holds.itertuples(index=False):
        common = visit_days[r.origin_id] & visit_days[r.destination_id]
        if any((r.created + dt.timedelta(days=k)) in common for k in range(within_days + 1)):
            ok += float(r.items)
    return ok / total


def _schedule_of(choice: dict[str, str], source: str) -> Schedule:
    return Schedule({n: NodeSchedule(n, parse_visit_days(p), source=source) for n, p in choice.items()}, source)


def choose_visit_days(
    network: Network,
    holds: pd.DataFrame,
    costs: dict[str, float],
    settings: BuildSettings,
    dates: list[dt.date],
) -> tuple[dict[str, str], float]:
    """Greedy densification until the hold service level is met (see the module's note)."""
    pats = list(settings.patterns)
    nodes = [n for n in network.node_ids if n not in network.depot_ids]
    level = dict.fromkeys(nodes, 0)
    # visits after the last sampled day count too (a hold of the last day leaves after it)
    horizon = [dates[0] + dt.timedelta(days=k) for k in range(len(dates) + settings.within_days + 7)]
    od = _open_days(network, horizon)

    def share(lv: dict[str, int]) -> float:
        sched = _schedule_of({n: pats[i] for n, i in lv.items()}, "")
        return hold_service_share(holds, _visit_days(network, sched, horizon, od), settings.within_days)

    cur = share(level)
    week = dates[:7]
    per_week = {p: sum(1 for d in week if WEEKDAYS[d.weekday()] in parse_visit_days(p).weekdays) for p in pats}
    while cur < settings.share:
        best, best_n, best_s = 0.0, None, cur
        for n in nodes:
            if level[n] + 1 >= len(pats):
                continue
            trial = {**level, n: level[n] + 1}
            s = share(trial)
            extra = (per_week[pats[level[n] + 1]] - per_week[pats[level[n]]]) * max(costs.get(n, 1.0), 1.0)
            ratio = (s - cur) / extra
            if s > cur and ratio > best:
                best, best_n, best_s = ratio, n, s
        if best_n is None:
            # no single node helps alone (a hold needs both ends): try two nodes together
            for a, b in itertools.combinations([n for n in nodes if level[n] + 1 < len(pats)], 2):
                trial = {**level, a: level[a] + 1, b: level[b] + 1}
                s = share(trial)
                extra = sum(
                    (per_week[pats[level[n] + 1]] - per_week[pats[level[n]]]) * max(costs.get(n, 1.0), 1.0)
                    for n in (a, b)
                )
                if s > cur and (s - cur) / extra > best:
                    best, best_n, best_s = (s - cur) / extra, (a, b), s  # type: ignore[assignment]
            if best_n is None:
                break
        for n in (best_n,) if isinstance(best_n, str) else best_n:
            level[n] += 1
        cur = best_s
    return {n: pats[i] for n, i in level.items()}, cur


def _typical_day(
    network: Network, sched: Schedule, demand: dict[dt.date, pd.DataFrame], day: dt.date, items_per_crate: int
) -> pd.DataFrame:
    """The p90 transfers that go on ``day``: each day's rows ride on their first common visit."""
    dates = sorted(demand)
    vd = _visit_days(network, sched, dates)
    rows = []
    for d in dates:
        if d > day or (day - d).days > 14:
            continue
        for r in demand[d].to_dict("records"):
            common = vd[r["origin_id"]] & vd[r["destination_id"]]
            first = min((x for x in common if x >= d), default=None)
            if first == day:
                rows.append(r)
    if not rows:
        return demand[day].iloc[0:0]
    df = pd.DataFrame(rows)
    agg = df.groupby(["origin_id", "destination_id", "kind"], as_index=False)["items"].sum()
    agg["crates"] = -(-agg["items"] // items_per_crate)
    agg["transfer_id"] = [f"T{day:%m%d}-{k:03d}" for k in range(len(agg))]
    from bookvan.data.transfers import transfers_frame

    return transfers_frame([{**r, "release": None, "due": None, "leg_of": None, "leg": None, "part_of": None}
                            for r in agg.to_dict("records")])


def _with_targets(days_only: Schedule, targets: dict[str, tuple[int, str]], tol: int) -> Schedule:
    nodes = {}
    for n, ns in days_only.nodes.items():
        t, van = targets.get(n, (None, None))
        nodes[n] = NodeSchedule(n, ns.days, t, tol, van, days_only.source)
    return Schedule(nodes, days_only.source)


def build_schedule(
    network: Network,
    fleet: Fleet,
    matrix: pd.DataFrame,
    demand: Demand,
    settings: BuildSettings = BuildSettings(),
    progress: Callable[[str], None] | None = None,
) -> BuiltSchedule:
    """Choose visit days, plan a typical week's templates, set targets; see the module's note."""
    say = progress or (lambda _m: None)
    dates = [settings.start + dt.timedelta(days=k) for k in range(7 * settings.weeks)]
    say(f"forecast: {len(dates)} days at p50 and p90")
    p50 = {d: demand(network, d, 0.5) for d in dates}
    p90 = {d: demand(network, d, 0.9) for d in dates[:14]}
    cols = ["origin_id", "destination_id", "items"]
    holds = pd.concat([t.loc[t["kind"] == "hold", cols].assign(created=d) for d, t in p50.items()], ignore_index=True)
    costs = visit_costs(network, fleet, matrix)
    choice, share = choose_visit_days(network, holds, costs, settings, dates)
    src = f"bookvan schedule build (start {settings.start}, {settings.weeks} weeks, seed {settings.seed})"
    days_only = _schedule_of(choice, src)
    # a typical week: the second sampled week, so what waits from the first is included
    week = [settings.start + dt.timedelta(days=7 + k) for k in range(7)]
    depots = set(network.depot_ids)
    vd = _visit_days(network, days_only, dates[:14])
    work = [d for d in week if any(d in vd[x] for x in depots)]
    order = sorted(work, key=lambda d: (-sum(d in vd[n] for n in choice), d))
    targets: dict[str, tuple[int, str]] = {}
    templates: dict[dt.date, DayPlan] = {}
    tol = settings.tolerance_min * 60
    for d in order:
        sched = _with_targets(days_only, targets, tol)
        todo = _typical_day(network, days_only, p90, d, fleet.items_per_crate)
        say(f"template {WEEKDAYS[d.weekday()]} {d}: {len(todo)} transfers")
        plan = plan_with_schedule(network, fleet, todo, d, matrix, settings.params, sched)
        templates[d] = plan
        stops = plan.stops
        if stops.empty:
            continue
        when = stops["service_start"].fillna(stops["arrival"])
        midnight = pd.Timestamp(dt.datetime.combine(d, dt.time()), tz=when.dt.tz)
        for (_, s), at in zip(stops.iterrows(), when, strict=True):
            n = s["node_id"]
            if n in depots or n in targets or n not in choice:
                continue
            sec = int((at - midnight).total_seconds())
            step = settings.round_min * 60
            targets[n] = (int(round(sec / step) * step), str(s["vehicle_id"]))
    final = _with_targets(days_only, targets, tol)
    per_week = {n: sum(1 for d in week if d in vd[n]) for n in choice}
    p90_day = sum(float(t["crates"].sum()) for t in p90.values()) / max(len(p90), 1)
    notes = []
    untimed = sorted(set(choice) - set(targets))
    if untimed:
        notes.append("no template visit, so no target arrival: " + ", ".join(untimed))
    return BuiltSchedule(final, templates, share, costs, per_week, p90_day, tuple(notes))
