"""Strategic optimiser: fleet size, visit days per node and the hub, at least yearly cost.

A small mixed-integer programme (pulp, CBC bundled with it):

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

from bookvan.data.errors import InputError, ProblemCollector, read_toml_input
from bookvan.data.hours import WEEKDAYS
from bookvan.routing.engine.params import SolveParams
from bookvan.scenarios.costs import CostParameters, load_cost_parameters
from bookvan.scenarios.engine import Engine, real_engine, search_capped
from bookvan.scenarios.kpis import _van_hours
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
    cost_file: str | None = None


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


_KEYS = {"name", "base_scenario", "fleet", "visits", "hub", "service", "estimate", "cost_file"}


def load_optimize_settings(path: str | Path) -> OptimizeSettings:
    """Read the optimiser's settings file; unknown keys, bad patterns or bounds → InputError."""
    from bookvan.scenarios.catalog import resolve_scenario_file

    path = Path(path)
    raw = read_toml_input(path)
    col = ProblemCollector(str(path))
    for k in raw:
        if k not in _KEYS:
            col.add(f"unknown key (known: {', '.join(sorted(_KEYS))})", field=k)
    fleet, visits = raw.get("fleet", {}), raw.get("visits", {})
    hub, service, est = raw.get("hub", {}), raw.get("service", {}), raw.get("estimate", {})
    lo, hi = fleet.get("min_vans", 1), fleet.get("max_vans", 4)
    if not isinstance(lo, int) or not isinstance(hi, int) or lo < 1 or hi < lo:
        col.add(f"need 1 ≤ min_vans ≤ max_vans, got {lo!r}, {hi!r}", field="fleet.max_vans")
    pats = tuple(visits.get("patterns", ["daily", "tue-thu-sat", "tue-sat"]))
    days_sets = []
    for p in pats:
        try:
            days_sets.append(set(parse_weekdays(p)))
        except ValueError as e:
            col.add(str(e), field="visits.patterns")
    for a, b in itertools.pairwise(days_sets):
        if not b <= a:
            col.add(
                "patterns must be nested, densest first (each one's days inside the previous's)",
                field="visits.patterns",
            )
    share = service.get("share", 0.95)
    if not isinstance(share, (int, float)) or not 0 < share <= 1:
        col.add(f"{share!r} must be a share in (0, 1]", field="service.share")
    within = service.get("within_days", 2.0)
    if not isinstance(within, (int, float)) or within <= 0:
        col.add(f"{within!r} must be a positive number of days", field="service.within_days")
    hubs = []
    for i, h in enumerate(hub.get("candidates", [])):
        if "name" not in h:
            col.add("missing", field=f"hub.candidates[{i}].name")
            continue
        hubs.append(HubCandidate(str(h["name"]), h.get("lat"), h.get("lon")))
    col.raise_if_any()
    base_name = raw.get("base_scenario", "baseline")
    local = path.parent / str(base_name)
    base = load_scenario(local if local.is_file() else resolve_scenario_file(str(base_name)))
    return OptimizeSettings(
        name=str(raw.get("name", path.stem + "-optimized")),
        source_file=str(path),
        base=base,
        min_vans=lo,
        max_vans=hi,
        patterns=pats,
        hubs=tuple(hubs),
        within_days=float(within),
        share=float(share),
        sample_days=int(est.get("sample_days", 28)),
        estimate_days=int(est.get("estimate_days", 1)),
        time_limit_s=float(est.get("time_limit_s", OptimizeSettings.time_limit_s)),
        max_load=float(fleet.get("max_load", 0.8)),
        cost_file=raw.get("cost_file"),
    )


def _route_cost(plan: object, costs: CostParameters) -> tuple[float, float]:
    """NT$ (km + driver time) and driver hours of a day's plan."""
    km = float(plan.summary.get("total_distance_m", 0.0)) / 1000.0  # type: ignore[attr-defined]
    hours = _van_hours(plan.stops)  # type: ignore[attr-defined]
    return costs.fuel_ntd(km) + costs.wages_ntd(hours), hours


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
    costs: CostParameters,
    params: SolveParams,
) -> tuple[float, float, dict[str, tuple[float, float]], int]:
    """Cost and hours of the full day's plan, each node's marginal (cost, hours), and how
    many of those plans the safety cap ended."""
    net, fleet = world.network, world.fleet  # type: ignore[attr-defined]
    matrix = engine.build_matrix(net.nodes)
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
        svc_h = float(net.node(n)["service_s"]) / 3600.0
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


def optimise(
    settings: OptimizeSettings, *, engine: Engine | None = None, costs: CostParameters | None = None
) -> Choice:
    """Estimate route costs with the routing engine, then solve the MIP with CBC."""
    import pulp

    from bookvan.scenarios.simulate import load_world

    engine = engine or real_engine()
    costs = costs or load_cost_parameters(settings.cost_file)
    world = load_world(settings.base)
    net, fleet = world.network, world.fleet
    hub_id = world.hub
    nodes = [n for n in net.node_ids if n not in set(net.depot_ids)]
    pats = list(settings.patterns)
    pat_days = {p: set(parse_weekdays(p)) for p in pats}
    start = settings.base.sim.start
    year = [start + dt.timedelta(days=k) for k in range(365)]
    open_on = {n: {d for d in year if net.hours_on(n, d).is_open} for n in net.node_ids}
    visits = {
        (n, p): sum(1 for d in open_on[n] if WEEKDAYS[d.weekday()] in pat_days[p])
        for n in nodes
        for p in pats
    }
    samples = _typical_days(settings, world, engine)
    # hold items per (origin, destination) and the share within the limit under each pattern
    holds: dict[tuple[str, str], float] = {}
    within: dict[tuple[str, str, str], float] = {}
    horizon = [start + dt.timedelta(days=k) for k in range(settings.sample_days + 28)]
    for d, tr in samples:
        h = tr.loc[tr["kind"] == "hold"]
        for (o, dd), items in h.groupby(["origin_id", "destination_id"])["items"].sum().items():
            holds[(o, dd)] = holds.get((o, dd), 0.0) + float(items)
            for p in pats:
                ok = _first_visit_within(
                    d,
                    o,
                    dd,
                    p,
                    pat_days,
                    open_on,
                    hub_id,
                    horizon,
                    settings.within_days,
                    net,
                    nodes,
                )
                within[(o, dd, p)] = within.get((o, dd, p), 0.0) + float(items) * ok
    from bookvan.scenarios.simulate import solve_params

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
    ops_days = sum(1 for d in year if net.hours_on(hub_id, d).is_open)
    crates_week = {n: 0.0 for n in nodes}
    for _d, tr in samples:
        for n in nodes:
            crates_week[n] += float(
                tr.loc[(tr["origin_id"] == n) | (tr["destination_id"] == n), "crates"].sum()
            )
    crates_week = {n: v * 7.0 / max(len(samples), 1) for n, v in crates_week.items()}
    v0 = fleet.vehicles[0]
    shift_h = (
        dt.datetime.combine(start, v0.shift_end) - dt.datetime.combine(start, v0.shift_start)
    ).seconds / 3600
    shift_h -= v0.break_s / 3600
    cap_day = v0.capacity_crates * v0.max_trips

    prob = pulp.LpProblem("bookvan_strategic", pulp.LpMinimize)
    n_vans = pulp.LpVariable("vans", settings.min_vans, settings.max_vans, cat="Integer")
    x = {
        (i, p): pulp.LpVariable(f"x_{k}_{j}", cat="Binary")
        for k, i in enumerate(nodes)
        for j, p in enumerate(pats)
    }
    hv = {c.name: pulp.LpVariable(f"hub_{j}", cat="Binary") for j, c in enumerate(hubs)}
    # z[i,p,h] = x[i,p] and hub h (visit cost depends on the hub)
    z = {
        (i, p, c): pulp.LpVariable(f"z_{k}_{j}_{m}", 0, 1)
        for k, i in enumerate(nodes)
        for j, p in enumerate(pats)
        for m, c in enumerate(hv)
    }
    pairs = [k for k in holds if k[0] in nodes or k[1] in nodes]
    y = {
        (o, d, p): pulp.LpVariable(f"y_{a}_{j}", 0, 1)
        for a, (o, d) in enumerate(pairs)
        for j, p in enumerate(pats)
    }
    fixed = costs.van_fixed_ntd_per_year * n_vans
    route = pulp.lpSum(z[i, p, c] * visits[i, p] * marg[c][i][0] for (i, p, c) in z)
    depot = pulp.lpSum(hv[c] * base_cost[c][0] * ops_days for c in hv)
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
    total_holds = sum(holds[k] for k in pairs) or 1.0
    prob += (
        (
            pulp.lpSum(y[o, d, p] * within[(o, d, p)] for (o, d, p) in y)
            >= settings.share * total_holds
        ),
        "service_level",
    )
    for wd in ("tue", "wed", "thu", "fri", "sat"):
        dense = [p for p in pats if wd in pat_days[p]]
        hours = pulp.lpSum(
            z[i, p, c] * marg[c][i][1] for (i, p, c) in z if p in dense
        ) + pulp.lpSum(hv[c] * base_cost[c][1] for c in hv)
        prob += hours <= settings.max_load * shift_h * n_vans, f"driver_time_{wd}"
        crates = pulp.lpSum(
            x[i, p] * crates_week[i] / max(len(pat_days[p]), 1) for (i, p) in x if p in dense
        )
        prob += crates <= settings.max_load * cap_day * n_vans, f"van_capacity_{wd}"
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=60))
    status = pulp.LpStatus[prob.status]
    if status != "Optimal":
        return Choice(False, status, plans_capped=capped)
    chosen = {i: next(p for p in pats if x[i, p].value() > 0.5) for i in nodes}
    hub = next(c for c in hv if hv[c].value() > 0.5)
    served = sum(y[k].value() * within[k] for k in y) / total_holds
    vans = round(n_vans.value())
    binding = []
    if served - settings.share < 0.005:
        binding.append(f"service level ({100 * served:.1f} % ≥ {100 * settings.share:.0f} %)")
    for wd in ("tue", "wed", "thu", "fri", "sat"):
        for kind in ("driver_time", "van_capacity"):
            con = prob.constraints[f"{kind}_{wd}"]
            avail = settings.max_load * (shift_h if kind == "driver_time" else cap_day) * vans
            need = avail + float(con.value())  # lhs − rhs = need − avail
            if avail > 0 and need / avail >= 0.95:
                binding.append(
                    f"{kind.replace('_', ' ')} on {wd} ({100 * need / avail:.0f} % of "
                    f"{100 * settings.max_load:.0f} % of the fleet's)"
                )
    if vans == settings.max_vans:
        binding.append(f"fleet at its upper bound ({vans})")
    if vans == settings.min_vans:
        binding.append(f"fleet at its lower bound ({vans})")
    parts = {
        "vans": float(pulp.value(fixed)),
        "visits": float(pulp.value(route)),
        "depot runs": float(pulp.value(depot)),
    }
    return Choice(
        True,
        status,
        vans,
        chosen,
        hub,
        float(pulp.value(prob.objective)),
        parts,
        float(served),
        binding,
        {c: {i: round(v[0], 1) for i, v in marg[c].items()} for c in marg},
        capped,
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
        },
    }
    if base.mode:
        doc["routing"] = {"mode": base.mode}
    cand = next((c for c in settings.hubs if c.name == choice.hub), None)
    if cand is not None and cand.lat is not None:
        doc["move_node"] = [
            {
                "node_id": base.fleet.depot or "KL-MAIN",
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
