"""Strategic optimiser: fleet size, visit days per node and the hub, at least yearly cost.

A small mixed-integer programme (PuLP; CBC from PuLP's ``cbc`` extra, run as ``COIN_CMD``):

* ``n`` vans (integer, between bounds) cost their yearly fixed cost each;
* each node gets one visit pattern ``q`` (binary ``x[i,q]``); a visit costs the node's
  *marginal route cost* — what the routing engine's plan of a typical day costs with the node
  minus without it (NT$ for km and driver time) — times the visits a year the pattern gives;
* optionally one hub (depot and sorting site) among candidates (binary ``h``); route costs
  are estimated per candidate;
* every weekday, the driver time the chosen visits need fits in ``n`` shifts, and the crates
  they carry fit in ``n`` vans' runs (both with a safety margin);
* **service level**: at least ``share`` of hold items are ready within ``within_days`` days.
  A hold from ``o`` to ``d`` moves on the first day both ends are visited and open, so a pair
  is as fast as its sparser pattern; patterns are nested (each one's days contain the next's),
  which makes that ``max`` linear (``y[pair,q]`` may only pick a pattern both ends meet).

The share of holds within the limit for each pair and pattern is counted on sampled days of
the demand model, not assumed. The choice is written as a scenario file for ``scenario run``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from bookvan.data.costs import COST_KEYS, DAYS_PER_YEAR, Costs, read_costs
from bookvan.data.errors import InputError
from bookvan.data.hours import WEEKDAYS
from bookvan.data.settings import SettingsTable, read_settings
from bookvan.routing.engine.params import SolveParams
from bookvan.scenarios.engine import Engine, real_engine, search_capped
from bookvan.scenarios.kpis import van_hours
from bookvan.scenarios.spec import MoveNode, Scenario, load_scenario, parse_weekdays

__all__ = [
    "Choice",
    "HubCandidate",
    "OptimizeSettings",
    "load_optimize_settings",
    "optimise",
    "write_choice",
]


@dataclass(frozen=True)
class HubCandidate:
    name: str
    lat: float | None = None  # None: the depot where it is
    lon: float | None = None


@dataclass(frozen=True)
class OptimizeSettings:
    """The optimiser's settings file: bounds, candidate patterns and hubs, service level."""

    name: str
    source_file: str
    base: Scenario
    min_vans: int = 1
    max_vans: int = 4
    patterns: tuple[str, ...] = ("daily", "tue-thu-sat", "tue-sat")
    hubs: tuple[HubCandidate, ...] = ()
    within_days: float = 2.0
    share: float = 0.95
    sample_days: int = 28
    estimate_days: int = 1
    time_limit_s: float = 30.0  # a safety cap per route-cost plan (deterministic search)
    max_load: float = 0.8


@dataclass
class Choice:
    """The optimiser's answer, the numbers behind it, and which constraints bind."""

    feasible: bool
    status: str
    vans: int = 0
    patterns: dict[str, str] = field(default_factory=dict)
    hub: str = ""
    yearly_cost_ntd: float = float("nan")
    cost_parts: dict[str, float] = field(default_factory=dict)
    service_share: float = float("nan")
    binding: list[str] = field(default_factory=list)
    marginal_cost: dict[str, dict[str, float]] = field(default_factory=dict)
    plans_capped: int = 0  # route-cost plans whose search the safety cap ended

    def report(self) -> str:
        if not self.feasible:
            return f"no plan meets the constraints (solver status: {self.status})"
        lines = [
            f"fleet: {self.vans} van(s); hub: {self.hub}",
            f"yearly cost ≈ NT$ {self.yearly_cost_ntd:,.0f} "
            + "("
            + ", ".join(f"{k} {v:,.0f}" for k, v in self.cost_parts.items())
            + ")",
            f"holds ready within the limit (estimated): {100 * self.service_share:.1f} %",
            "visit days: " + ", ".join(f"{n} {p}" for n, p in sorted(self.patterns.items())),
            "binding constraints: " + ("; ".join(self.binding) or "none"),
        ]
        if self.plans_capped:
            lines.append(
                f"warning: {self.plans_capped} route-cost plan(s) ran into the safety cap "
                "(estimate.time_limit_s) before their search steps: the costs, and so the choice, "
                "may differ on a faster or slower machine"
            )
        return "\n".join(lines)


_KEYS = {"name", "base_scenario", "fleet", "visits", "hub", "service", "estimate", "costs"}
_FLEET = {"min_vans", "max_vans", "max_load"}
_SERVICE = {"within_days", "share"}
_ESTIMATE = {"sample_days", "estimate_days", "time_limit_s"}
_CANDIDATE = {"name", "lat", "lon"}


def load_optimize_settings(path: str | Path) -> OptimizeSettings:
    """Read the optimiser's settings file; every bad key or value, in every table, is an
    InputError naming the file and the dotted key (``service.share``)."""
    from bookvan.scenarios.catalog import resolve_scenario_file

    path = Path(path)
    top = read_settings(path, _KEYS, what="optimiser settings file")
    col, d = top.col, OptimizeSettings
    fleet = top.table("fleet", _FLEET)
    lo = fleet.get("min_vans", int, d.min_vans, lo=1)
    hi = fleet.get("max_vans", int, d.max_vans, lo=1)
    if hi < lo:
        col.add(f"need min_vans ≤ max_vans, got {lo!r}, {hi!r}", field="fleet.max_vans")
    max_load = fleet.get("max_load", float, d.max_load, lo=0.01, hi=1.0)
    pats = _patterns(top.table("visits", {"patterns"}))
    hubs = []
    for h in top.table("hub", {"candidates"}).tables("candidates", _CANDIDATE):
        name = h.need("name", str)
        lat, lon = h.get("lat", float, lo=-90, hi=90), h.get("lon", float, lo=-180, hi=180)
        if (lat is None) != (lon is None):
            col.add("give both lat and lon, or neither (the depot where it is)", field=h.key("lon"))
        elif name is not None:
            hubs.append(HubCandidate(str(name), lat, lon))
    service = top.table("service", _SERVICE)
    share = service.get("share", float, d.share, hi=1.0)
    within = service.get("within_days", float, d.within_days)
    if share <= 0:
        col.add(f"{share!r} must be a share in (0, 1]", field="service.share")
    if within <= 0:
        col.add(f"{within!r} must be a positive number of days", field="service.within_days")
    est = top.table("estimate", _ESTIMATE)
    sample_days = est.get("sample_days", int, d.sample_days, lo=1)
    estimate_days = est.get("estimate_days", int, d.estimate_days, lo=1)
    time_limit_s = est.get("time_limit_s", float, d.time_limit_s, lo=0.01)
    costs = read_costs(top.table("costs", set(COST_KEYS)))
    name = top.get("name", str, path.stem + "-optimized")
    base_name = top.get("base_scenario", str, "baseline")
    col.raise_if_any()
    local = path.parent / base_name
    base = load_scenario(local if local.is_file() else resolve_scenario_file(base_name))
    if costs:
        base = replace(base, costs={**base.costs, **costs})
    return OptimizeSettings(
        name=name,
        source_file=str(path),
        base=base,
        min_vans=lo,
        max_vans=hi,
        patterns=pats,
        hubs=tuple(hubs),
        within_days=within,
        share=share,
        sample_days=sample_days,
        estimate_days=estimate_days,
        time_limit_s=time_limit_s,
        max_load=max_load,
    )


def _patterns(visits: SettingsTable) -> tuple[str, ...]:
    """Visit patterns, densest first, each one's days inside the previous one's."""
    raw = visits.get("patterns", list, list(OptimizeSettings.patterns))
    days_sets = []
    for p in raw:
        try:
            days_sets.append(set(parse_weekdays(p)))
        except ValueError as e:
            visits.col.add(str(e), field=visits.key("patterns"))
    for a, b in itertools.pairwise(days_sets):
        if not b <= a:
            visits.col.add(
                "patterns must be nested, densest first (each one's days inside the previous's)",
                field=visits.key("patterns"),
            )
    if not raw:
        visits.col.add("give at least one pattern", field=visits.key("patterns"))
    return tuple(str(p) for p in raw)


def _route_cost(plan: object, costs: Costs) -> tuple[float, float]:
    """NT$ (km + driver time) and driver hours of a day's plan."""
    km = float(plan.summary.get("total_distance_m", 0.0)) / 1000.0  # type: ignore[attr-defined]
    hours = van_hours(plan.stops)  # type: ignore[attr-defined]
    return costs.distance_ntd(km) + costs.wages_ntd(hours), hours


def _typical_days(
    settings: OptimizeSettings, world: object, engine: Engine
) -> list[tuple[dt.date, pd.DataFrame]]:
    """Sampled days of demand (today's network, replication 0) from the scenario's start."""
    from bookvan.scenarios.simulate import base_demand

    dates = [settings.base.sim.start + dt.timedelta(days=k) for k in range(settings.sample_days)]
    return list(base_demand(settings.base, 0, dates, engine).items())


def _marginal_costs(
    world: object,
    day: dt.date,
    transfers: pd.DataFrame,
    engine: Engine,
    costs: Costs,
    params: SolveParams,
) -> tuple[float, float, dict[str, tuple[float, float]], int]:
    """Cost and hours of the full day's plan, each node's marginal (cost, hours), and how
    many of those plans the safety cap ended."""
    net, fleet = world.network, world.fleet  # type: ignore[attr-defined]
    matrix = engine.matrix(net.nodes)
    full = engine.plan_day(net, fleet, transfers, day, matrix, params)
    capped = int(search_capped(full, params.deterministic))
    c_full, h_full = _route_cost(full, costs)
    out = {}
    depots = set(net.depot_ids)
    for n in net.node_ids:
        if n in depots:
            continue
        keep = transfers.loc[(transfers["origin_id"] != n) & (transfers["destination_id"] != n)]
        if len(keep) == len(transfers):
            out[n] = (0.0, 0.0)
            continue
        p = engine.plan_day(net, fleet, keep.reset_index(drop=True), day, matrix, params)
        capped += int(search_capped(p, params.deterministic))
        c, h = _route_cost(p, costs)
        svc_h = float(net.node(n)["service_s"]) / _HOUR_S
        out[n] = (max(c_full - c, costs.wages_ntd(svc_h)), max(h_full - h, svc_h))
    return c_full, h_full, out, capped


def _with_hub(world: object, cand: HubCandidate) -> object:
    """The scenario's world with its depot (the hub) moved to a candidate site."""
    from bookvan.scenarios.simulate import load_world

    if cand.lat is None or cand.lon is None:
        return world
    scn = world.scenario  # type: ignore[attr-defined]
    move = MoveNode(world.hub, float(cand.lat), float(cand.lon), f"hub candidate {cand.name}")  # type: ignore[attr-defined]
    return load_world(replace(scn, move_nodes=(*scn.move_nodes, move)))


_HOUR_S = 3600.0
_WORKDAYS = ("tue", "wed", "thu", "fri", "sat")  # the weekdays checked for driver time and crates
_CBC_TIME_LIMIT_S = 60  # a safety cap on the MIP solve, seconds
_BINDING_SHARE = 0.95  # a capacity constraint used this much of its room is reported as binding
_SERVICE_SLACK = 0.005  # a service level this close to the asked share is reported as binding
_HOLD_HORIZON_DAYS = 28  # days after the sampled ones searched for a hold's first visit


@dataclass
class _Estimates:
    """What the demand model and the routing engine say, before the MIP chooses."""

    nodes: list[str]  # the non-depot nodes that get a visit pattern
    pat_days: dict[str, set[str]]  # pattern → its weekdays
    visits: dict[tuple[str, str], int]  # (node, pattern) → visits a year
    holds: dict[tuple[str, str], float]  # (origin, destination) → hold items sampled
    within: dict[tuple[str, str, str], float]  # (o, d, pattern) → of those, ready in time
    hubs: list[HubCandidate]
    marg: dict[str, dict[str, tuple[float, float]]]  # hub → node → marginal (NT$, hours) a visit
    base_cost: dict[str, tuple[float, float]]  # hub → (NT$, hours) of a day's depot runs
    ops_days: int  # days a year the depot works
    crates_week: dict[str, float]  # node → crates a week it sends or receives
    shift_h: float  # a driver's working hours a day
    cap_day: int  # crates one van carries a day
    capped: int  # route-cost plans whose search the safety cap ended


@dataclass
class _Mip:
    prob: object
    n_vans: object
    x: dict
    hv: dict
    y: dict
    fixed: object
    route: object
    depot: object
    total_holds: float


def optimise(
    settings: OptimizeSettings, *, engine: Engine | None = None, costs: Costs | None = None
) -> Choice:
    """Estimate route costs with the routing engine, then solve the MIP with CBC.

    ``costs`` default to the base scenario's (its fleet file's ``[costs]`` with its overrides).
    """
    from bookvan.scenarios.simulate import load_world

    engine = engine or real_engine()
    world = load_world(settings.base)
    costs = costs or world.fleet.costs
    est = _estimate(settings, world, engine, costs)
    mip = _build_mip(settings, est, costs)
    mip.prob.solve(_cbc())  # type: ignore[attr-defined]
    return _read_choice(settings, est, mip)


def _cbc() -> object:
    """CBC as PuLP runs it from now on: ``COIN_CMD`` on the binary of the ``cbc`` extra."""
    import cbcbox
    import pulp

    return pulp.COIN_CMD(msg=False, timeLimit=_CBC_TIME_LIMIT_S, path=cbcbox.cbc_bin_path())


def _estimate(settings: OptimizeSettings, world: object, engine: Engine, costs: Costs) -> _Estimates:
    """Visits a year, hold timing and crates from sampled demand; route costs per hub."""
    from bookvan.scenarios.simulate import solve_params

    net, fleet, hub_id = world.network, world.fleet, world.hub  # type: ignore[attr-defined]
    nodes = [n for n in net.node_ids if n not in set(net.depot_ids)]
    pats = list(settings.patterns)
    pat_days = {p: set(parse_weekdays(p)) for p in pats}
    start = settings.base.sim.start
    year = [start + dt.timedelta(days=k) for k in range(DAYS_PER_YEAR)]
    open_on = {n: {d for d in year if net.hours_on(n, d).is_open} for n in net.node_ids}
    visits = {
        (n, p): sum(1 for d in open_on[n] if WEEKDAYS[d.weekday()] in pat_days[p])
        for n in nodes
        for p in pats
    }
    samples = _typical_days(settings, world, engine)
    holds, within = _hold_timing(settings, samples, pat_days, open_on, hub_id, net, nodes)
    params = replace(solve_params(settings.base, settings.base.sim.seed),
                     time_limit_s=settings.time_limit_s)
    # a busy typical day (the sample day with most crates) for route costs, per hub candidate
    est_day, est_tr = max(samples, key=lambda s: int(s[1]["crates"].sum()) if len(s[1]) else 0)
    hubs = list(settings.hubs) or [HubCandidate("current-site")]
    marg: dict[str, dict[str, tuple[float, float]]] = {}
    base_cost: dict[str, tuple[float, float]] = {}
    capped = 0
    for cand in hubs:
        w = _with_hub(world, cand)
        c_full, h_full, m, n_capped = _marginal_costs(w, est_day, est_tr, engine, costs, params)
        capped += n_capped
        sum_c = sum(v[0] for v in m.values())
        sum_h = sum(v[1] for v in m.values())
        base_cost[cand.name] = (max(c_full - sum_c, 0.0), max(h_full - sum_h, 0.0))
        marg[cand.name] = m
    crates_week = {n: 0.0 for n in nodes}
    for _d, tr in samples:
        for n in nodes:
            crates_week[n] += float(
                tr.loc[(tr["origin_id"] == n) | (tr["destination_id"] == n), "crates"].sum()
            )
    crates_week = {n: v * 7.0 / max(len(samples), 1) for n, v in crates_week.items()}
    v0 = fleet.vehicles[0]
    shift_s = (
        dt.datetime.combine(start, v0.shift_end) - dt.datetime.combine(start, v0.shift_start)
    ).seconds
    return _Estimates(
        nodes=nodes,
        pat_days=pat_days,
        visits=visits,
        holds=holds,
        within=within,
        hubs=hubs,
        marg=marg,
        base_cost=base_cost,
        ops_days=sum(1 for d in year if net.hours_on(hub_id, d).is_open),
        crates_week=crates_week,
        shift_h=(shift_s - v0.break_s) / _HOUR_S,
        cap_day=v0.capacity_crates * v0.max_trips,
        capped=capped,
    )


def _hold_timing(
    settings: OptimizeSettings,
    samples: list[tuple[dt.date, pd.DataFrame]],
    pat_days: dict[str, set[str]],
    open_on: dict[str, set[dt.date]],
    hub_id: str,
    net: object,
    nodes: list[str],
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str, str], float]]:
    """Hold items per (origin, destination) and, per pattern, how many are ready in time."""
    start = settings.base.sim.start
    horizon = [start + dt.timedelta(days=k) for k in range(settings.sample_days + _HOLD_HORIZON_DAYS)]
    holds: dict[tuple[str, str], float] = {}
    within: dict[tuple[str, str, str], float] = {}
    for d, tr in samples:
        h = tr.loc[tr["kind"] == "hold"]
        for (o, dd), items in h.groupby(["origin_id", "destination_id"])["items"].sum().items():
            holds[(o, dd)] = holds.get((o, dd), 0.0) + float(items)
            for p in pat_days:
                ok = _first_visit_within(
                    d, o, dd, p, pat_days, open_on, hub_id, horizon, settings.within_days, net, nodes
                )
                within[(o, dd, p)] = within.get((o, dd, p), 0.0) + float(items) * ok
    return holds, within


def _build_mip(settings: OptimizeSettings, est: _Estimates, costs: Costs) -> _Mip:
    """Vans, a pattern per node and one hub at least yearly cost, within service and capacity."""
    import pulp

    nodes, pats, marg, base_cost = est.nodes, list(est.pat_days), est.marg, est.base_cost
    prob = pulp.LpProblem("bookvan_strategic", pulp.LpMinimize)
    n_vans = prob.add_variable("vans", settings.min_vans, settings.max_vans, cat="Integer")
    x = {
        (i, p): prob.add_variable(f"x_{k}_{j}", cat="Binary")
        for k, i in enumerate(nodes)
        for j, p in enumerate(pats)
    }
    hv = {c.name: prob.add_variable(f"hub_{j}", cat="Binary") for j, c in enumerate(est.hubs)}
    # z[i,p,h] = x[i,p] and hub h (visit cost depends on the hub)
    z = {
        (i, p, c): prob.add_variable(f"z_{k}_{j}_{m}", 0, 1)
        for k, i in enumerate(nodes)
        for j, p in enumerate(pats)
        for m, c in enumerate(hv)
    }
    pairs = [k for k in est.holds if k[0] in nodes or k[1] in nodes]
    y = {
        (o, d, p): prob.add_variable(f"y_{a}_{j}", 0, 1)
        for a, (o, d) in enumerate(pairs)
        for j, p in enumerate(pats)
    }
    fixed = costs.per_van_year * n_vans
    route = pulp.lpSum(z[i, p, c] * est.visits[i, p] * marg[c][i][0] for (i, p, c) in z)
    depot = pulp.lpSum(hv[c] * base_cost[c][0] * est.ops_days for c in hv)
    prob += fixed + route + depot
    prob += pulp.lpSum(hv.values()) == 1, "one_hub"
    for i in nodes:
        prob += pulp.lpSum(x[i, p] for p in pats) == 1, f"one_pattern_{i}"
        for p in pats:
            prob += pulp.lpSum(z[i, p, c] for c in hv) == x[i, p], f"link_{i}_{p}"
            for c in hv:
                prob += z[i, p, c] <= hv[c], f"hubz_{i}_{p}_{c}"
    idx = {p: j for j, p in enumerate(pats)}
    for o, d in pairs:
        prob += pulp.lpSum(y[o, d, p] for p in pats) == 1, f"pair_{o}_{d}"
        for p in pats:
            for end in (o, d):
                if end in nodes:  # the pair may use pattern p only if this end is at least as dense
                    prob += (
                        y[o, d, p] <= pulp.lpSum(x[end, q] for q in pats if idx[q] <= idx[p]),
                        f"dense_{o}_{d}_{p}_{end}",
                    )
    total_holds = sum(est.holds[k] for k in pairs) or 1.0
    prob += (
        (
            pulp.lpSum(y[o, d, p] * est.within[(o, d, p)] for (o, d, p) in y)
            >= settings.share * total_holds
        ),
        "service_level",
    )
    for wd in _WORKDAYS:
        dense = [p for p in pats if wd in est.pat_days[p]]
        hours = pulp.lpSum(
            z[i, p, c] * marg[c][i][1] for (i, p, c) in z if p in dense
        ) + pulp.lpSum(hv[c] * base_cost[c][1] for c in hv)
        prob += hours <= settings.max_load * est.shift_h * n_vans, f"driver_time_{wd}"
        crates = pulp.lpSum(
            x[i, p] * est.crates_week[i] / max(len(est.pat_days[p]), 1)
            for (i, p) in x
            if p in dense
        )
        prob += crates <= settings.max_load * est.cap_day * n_vans, f"van_capacity_{wd}"
    return _Mip(prob, n_vans, x, hv, y, fixed, route, depot, total_holds)


def _read_choice(settings: OptimizeSettings, est: _Estimates, mip: _Mip) -> Choice:
    """The solved MIP as a choice: vans, patterns, hub, cost parts and what binds."""
    import pulp

    prob = mip.prob
    status = pulp.LpStatus[prob.status]  # type: ignore[attr-defined]
    if status != "Optimal":
        return Choice(False, status, plans_capped=est.capped)
    pats = list(est.pat_days)
    chosen = {i: next(p for p in pats if mip.x[i, p].value() > 0.5) for i in est.nodes}
    hub = next(c for c in mip.hv if mip.hv[c].value() > 0.5)
    served = sum(mip.y[k].value() * est.within[k] for k in mip.y) / mip.total_holds
    vans = round(mip.n_vans.value())  # type: ignore[attr-defined]
    binding = []
    if served - settings.share < _SERVICE_SLACK:
        binding.append(f"service level ({100 * served:.1f} % ≥ {100 * settings.share:.0f} %)")
    for wd in _WORKDAYS:
        for kind in ("driver_time", "van_capacity"):
            con = prob.get_constraint_by_name(f"{kind}_{wd}")  # type: ignore[attr-defined]
            avail = settings.max_load * (est.shift_h if kind == "driver_time" else est.cap_day) * vans
            need = avail + float(con.value())  # lhs − rhs = need − avail
            if avail > 0 and need / avail >= _BINDING_SHARE:
                binding.append(
                    f"{kind.replace('_', ' ')} on {wd} ({100 * need / avail:.0f} % of "
                    f"{100 * settings.max_load:.0f} % of the fleet's)"
                )
    if vans == settings.max_vans:
        binding.append(f"fleet at its upper bound ({vans})")
    if vans == settings.min_vans:
        binding.append(f"fleet at its lower bound ({vans})")
    parts = {
        "vans": float(pulp.value(mip.fixed)),
        "visits": float(pulp.value(mip.route)),
        "depot runs": float(pulp.value(mip.depot)),
    }
    return Choice(
        True,
        status,
        vans,
        chosen,
        hub,
        float(pulp.value(prob.objective)),  # type: ignore[attr-defined]
        parts,
        float(served),
        binding,
        {c: {i: round(v[0], 1) for i, v in est.marg[c].items()} for c in est.marg},
        est.capped,
    )


def _first_visit_within(
    day: dt.date,
    o: str,
    d: str,
    p: str,
    pat_days: dict[str, set[str]],
    open_on: dict[str, set[dt.date]],
    hub: str,
    horizon: list[dt.date],
    limit: float,
    net: object,
    nodes: list[str],
) -> float:
    """1.0 if a hold created on ``day`` moves soon enough when both ends follow pattern ``p``.

    It moves on the first day both ends are visited and open (and the depot works), and is
    ready that day; counted as ready within ``limit`` days only if that day is at most
    ``limit − 1`` days later, since delivery takes part of the day.
    """
    for s in horizon:
        if s < day:
            continue
        if (s - day).days > limit:
            return 0.0
        wd = WEEKDAYS[s.weekday()]
        if s in open_on[hub] and all(
            (n not in nodes or wd in pat_days[p]) and s in open_on[n] for n in (o, d)
        ):
            return 1.0 if (s - day).days <= limit - 1 else 0.0
    return 0.0


def write_choice(choice: Choice, settings: OptimizeSettings, path: Path) -> Path:
    """The choice as a scenario file (``scenario run`` simulates it), with an explaining header."""
    import tomli_w

    from bookvan.data.atomic import atomic_file

    if not choice.feasible:
        raise InputError.single(
            settings.source_file,
            f"no feasible choice ({choice.status}); relax the service level or allow more vans",
            field="service.share",
        )
    base = settings.base
    counts: dict[str, int] = {}
    for p in choice.patterns.values():
        counts[p] = counts.get(p, 0) + 1
    default = max(counts, key=counts.get) if counts else "daily"  # type: ignore[arg-type]
    doc: dict[str, object] = {
        "name": settings.name,
        "description": f"optimiser's choice: {choice.vans} vans, hub {choice.hub}, visit days",
        "fleet": {"vans": choice.vans},
        "visits": {
            "default": default,
            "nodes": {n: p for n, p in sorted(choice.patterns.items()) if p != default},
        },
        "simulation": {
            "start": base.sim.start,
            "days": base.sim.days,
            "replications": base.sim.replications,
            "seed": base.sim.seed,
            "time_limit_s": base.sim.time_limit_s,
            "deterministic": base.sim.deterministic,
            "solution_limit": base.sim.solution_limit,
            "first_solution": base.sim.first_solution,
            "warm_iterations": base.sim.warm_iterations,
            "warm_start": base.sim.warm_start,
            "vroom_level": base.sim.vroom_level,
        },
    }
    if base.mode:
        doc["routing"] = {"mode": base.mode}
    if base.costs:  # priced as the choice was made
        doc["costs"] = dict(base.costs)
    cand = next((c for c in settings.hubs if c.name == choice.hub), None)
    if cand is not None and cand.lat is not None:
        from bookvan.scenarios.simulate import load_world

        hub_node = load_world(base).hub  # the depot the scenario's vans start from
        doc["move_node"] = [
            {
                "node_id": hub_node,
                "lat": cand.lat,
                "lon": cand.lon,
                "source": f"hub candidate {cand.name} (optimiser)",
            }
        ]
    if not doc["visits"]["nodes"]:  # type: ignore[index]
        del doc["visits"]["nodes"]  # type: ignore[attr-defined]
    header = "\n".join(
        "# " + ln
        for ln in (
            f"Written by 'bookvan scenario optimize {settings.source_file}'.",
            f"Service level asked: {100 * settings.share:.0f} % of holds ready within "
            f"{settings.within_days:g} days; estimated {100 * choice.service_share:.1f} %.",
            f"Estimated yearly cost NT$ {choice.yearly_cost_ntd:,.0f}.",
            "Binding: " + ("; ".join(choice.binding) or "none"),
        )
    )
    with atomic_file(path, "w", encoding="utf-8") as fh:
        fh.write(header + "\n" + tomli_w.dumps(doc))  # type: ignore[attr-defined]
    return path
