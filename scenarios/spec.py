"""Scenario files (TOML): a base network plus named changes, validated on load.

A scenario says what a planner wants to try (a new node, a closure, one more van, fewer visit
days, more demand) and how long to simulate it. Loading checks every key, node code and date
and raises one :class:`~bookvan.data.errors.InputError` naming the file and the key, so the CLI
exits 2 with a message the planner can act on. Loading never touches the routing engine.

A file may hold ``[[variant]]`` tables (e.g. candidate sites of a new main library); each
variant is the base scenario with the variant's changes added, and runs as its own scenario
named ``<name>--<variant>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from bookvan.data.costs import COST_KEYS, DAYS_PER_YEAR, read_costs
from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.fleet import LIMITS as FLEET_LIMITS
from bookvan.data.fleet import load_fleet, vehicle_problems
from bookvan.data.hours import DAY_S, WEEKDAYS, parse_clock, parse_span
from bookvan.data.network import NODE_KINDS, Network, bundled_network_dir, load_network
from bookvan.data.schedule import parse_weekdays  # one definition of visit patterns
from bookvan.data.settings import SettingsTable, read_toml_input

__all__ = [
    "QUICK_SWEEP",
    "AddNode",
    "ClosureChange",
    "DemandChange",
    "FleetChange",
    "MoveNode",
    "Scenario",
    "SimSettings",
    "load_scenario",
    "load_scenarios",
    "parse_weekdays",
    "scenario_from_dict",
]

#: Limits of a scenario's numbers (documented in the README).
MAX_DAYS = 3660  # ten years of simulated days
MAX_REPLICATIONS = 1000
MAX_SEED = 2**32 - 1
#: How far (degrees) an added or moved node may lie outside the box spanned by the base
#: network's nodes: 0.5° is about 50 km, so for the bundled network the box is the Keelung
#: area with Taipei, New Taipei and Taoyuan; farther is a typo (a swapped lat/lon, a missing
#: digit), not a site the vans can serve.
MAP_MARGIN_DEG = 0.5
#: Longest service time of an added node (seconds): four hours at one stop is a typo.
MAX_SERVICE_S = 4 * 3600
#: Most search steps (solution_limit) and warm-start iterations a simulated day may take.
MAX_STEPS = 10**6
#: The day's first routes a simulation may ask for (``SolveParams.warm_start``).
WARM_STARTS = ("auto", "vroom", "pyvrp", "none")
#: VROOM's highest exploration level.
MAX_VROOM_LEVEL = 5

#: ``bookvan scenario run --quick``: the router's settings of a quick sweep (VROOM's first
#: level; a solution limit of 1 is the start itself, so no search step follows). On 98
#: simulated day plans of three shipped scenarios the days came out 1.9-4.5 % dearer than
#: ``bookvan plan``'s settings, for a seventh to a thirteenth of the shipped settings' CPU
#: time (bench/README.md, "Scenario simulation"): for screening many scenarios, then
#: confirming the finalists with their own settings.
QUICK_SWEEP: dict[str, object] = {"warm_start": "vroom", "vroom_level": 1, "solution_limit": 1}


@dataclass(frozen=True)
class SimSettings:
    """How long and how often to simulate, and how hard the router may think each day."""

    start: dt.date = dt.date(2027, 1, 4)
    days: int = DAYS_PER_YEAR
    replications: int = 3
    seed: int = 2026
    time_limit_s: float = 30.0  # a safety cap: deterministic runs stop on solution_limit
    deterministic: bool = True
    solution_limit: int = 5
    first_solution: str = "local_cheapest_cost_insertion"
    warm_iterations: int = 100  # PyVRP warm-start iterations, where the router offers one
    # the day's first routes: "auto" (the plan's portfolio), "vroom", "pyvrp" or "none"
    warm_start: str = "auto"
    vroom_level: int = 0  # VROOM's exploration level 1-5 (a work limit); 0: by the day's size


@dataclass(frozen=True)
class AddNode:
    """A new stop; hours, service time and volume by analogy with ``like`` unless given."""

    node_id: str
    name_zh: str
    name_en: str
    kind: str
    lat: float
    lon: float
    like: str
    volume: float = 1.0  # share of the analogue's transfers this node generates
    hours: dict[str, str] | None = None  # weekday → "09:00-17:00" | "closed"
    service_s: int | None = None
    opens_on: dt.date | None = None
    source: str = ""


@dataclass(frozen=True)
class MoveNode:
    node_id: str
    lat: float
    lon: float
    source: str = ""


@dataclass(frozen=True)
class ClosureChange:
    """A node closed for a date range; its transfers go to ``redirect_to`` if given, else wait."""

    node_id: str
    start: dt.date
    end: dt.date
    reason: str
    redirect_to: str | None = None


@dataclass(frozen=True)
class FleetChange:
    vans: int | None = None
    capacity_crates: int | None = None
    shift_start: str | None = None
    shift_end: str | None = None
    max_trips: int | None = None
    depot: str | None = None


@dataclass(frozen=True)
class DemandChange:
    """Demand growth: a flat factor, or loans per resident from a base toward a target year."""

    growth: float = 1.0
    node_factors: dict[str, float] = field(default_factory=dict)
    model_year: int | None = None  # draw demand as the model gives it this year (same weekday)


@dataclass(frozen=True)
class Scenario:
    """One runnable scenario: everything needed to rebuild its network, fleet and demand."""

    name: str
    description: str = ""
    source_file: str = ""
    network_dir: str | None = None  # None = bundled Keelung
    fleet_file: str | None = None  # None = the network's fleet.toml
    sim: SimSettings = field(default_factory=SimSettings)
    demand: DemandChange = field(default_factory=DemandChange)
    fleet: FleetChange = field(default_factory=FleetChange)
    mode: str | None = None  # "direct" | "hub"; None = the fleet file's
    costs: dict[str, float] = field(default_factory=dict)  # [costs] by name over the fleet file's
    visits_default: tuple[str, ...] = WEEKDAYS
    visits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    add_nodes: tuple[AddNode, ...] = ()
    remove_nodes: tuple[str, ...] = ()
    move_nodes: tuple[MoveNode, ...] = ()
    closures: tuple[ClosureChange, ...] = ()
    variant: str = ""
    schedule_file: str | None = None  # a schedule.csv the days honour (visit days and arrival windows)

    def with_sim(self, **changes: object) -> Scenario:
        return replace(self, sim=replace(self.sim, **changes))  # type: ignore[arg-type]


_TOP = {
    "name",
    "description",
    "network",
    "fleet_file",
    "simulation",
    "demand",
    "fleet",
    "routing",
    "costs",
    "visits",
    "add_node",
    "remove_nodes",
    "move_node",
    "closure",
    "variant",
    "schedule",
}
_VARIANT = _TOP - {"simulation", "variant", "network", "fleet_file", "schedule"}
_SIM = {f for f in SimSettings.__dataclass_fields__}
_DEMAND = {
    "growth",
    "model_year",
    "base_year",
    "target_year",
    "base_loans_per_resident",
    "target_loans_per_resident",
    "year",
    "node_factors",
}
_FLEET = set(FleetChange.__dataclass_fields__)
_ADD = set(AddNode.__dataclass_fields__)
_MOVE = set(MoveNode.__dataclass_fields__)
_CLOSURE = set(ClosureChange.__dataclass_fields__)


def _demand(r: SettingsTable) -> DemandChange:
    growth = r.get("growth", float, None, lo=0.0, hi=1000.0)
    if "target_loans_per_resident" in r.t:
        base = r.need("base_loans_per_resident", float, lo=0.01, hi=1e4)
        target = r.get("target_loans_per_resident", float, lo=0.0, hi=1e4)
        by = r.need("base_year", int)
        ty = r.need("target_year", int)
        year = r.get("year", int, ty)
        if None not in (base, target, by, ty, year):
            if ty <= by:  # type: ignore[operator]
                r.col.add("target_year must come after base_year", field=r.key("target_year"))
            else:
                frac = min(max((year - by) / (ty - by), 0.0), 1.0)  # type: ignore[operator]
                growth = (target / base) ** frac  # type: ignore[operator]
    factors: dict[str, float] = {}
    nf = r.t.get("node_factors", {})
    if not isinstance(nf, dict):
        r.col.add("must be a table of node code = factor", field=r.key("node_factors"))
    else:
        for k, v in nf.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1000:
                r.col.add(f"{v!r} must be a number from 0 to 1000", field=r.key(f"node_factors.{k}"))
            else:
                factors[str(k)] = float(v)
    model_year = r.get("model_year", int, None, lo=1990, hi=2200)
    return DemandChange(float(growth if growth is not None else 1.0), factors, model_year)  # type: ignore[arg-type]


def _list(col: ProblemCollector, raw: dict, key: str) -> list[tuple[str, object]]:
    v = raw.get(key, [])
    if isinstance(v, dict):
        v = [v]
    if not isinstance(v, list):
        col.add("must be an array of tables", field=key)
        return []
    return [(f"{key}[{i}]", t) for i, t in enumerate(v)]


def _fleet_change(col: ProblemCollector, t: object) -> FleetChange:
    """``[fleet]``: vans, capacity, shift, trips and depot over the fleet file's."""
    r = SettingsTable(col, t, "fleet", _FLEET)
    change = FleetChange(
        vans=r.get("vans", int, lo=0, hi=FLEET_LIMITS["vehicles"]),  # type: ignore[arg-type]
        capacity_crates=r.get("capacity_crates", int, lo=1, hi=FLEET_LIMITS["capacity_crates"]),  # type: ignore[arg-type]
        shift_start=_clock(r, "shift_start"),
        shift_end=_clock(r, "shift_end"),
        max_trips=r.get("max_trips", int, lo=1, hi=FLEET_LIMITS["max_trips"]),  # type: ignore[arg-type]
        depot=r.get("depot", str),  # type: ignore[arg-type]
    )
    if change.vans == 0:
        col.add("a fleet needs at least one van", field="fleet.vans")
    return change


def _routing_mode(col: ProblemCollector, t: object) -> str | None:
    """``[routing] mode``: 'direct' or 'hub'."""
    mode = SettingsTable(col, t, "routing", {"mode"}).get("mode", str)
    if mode is not None and mode not in ("direct", "hub"):
        col.add(f"{mode!r} must be 'direct' or 'hub'", field="routing.mode")
    return mode  # type: ignore[no-any-return]


def _visits(col: ProblemCollector, t: object, out: dict[str, object]) -> None:
    """``[visits]``: the default visit pattern and per-node patterns (over ``out``'s)."""
    r = SettingsTable(col, t, "visits", {"default", "nodes"})
    if "default" in r.t:
        try:
            out["visits_default"] = parse_weekdays(r.t["default"])
        except ValueError as e:
            col.add(str(e), field="visits.default")
    nodes = r.t.get("nodes", {})
    visits = dict(out.get("visits", {}))  # type: ignore[call-overload]
    if not isinstance(nodes, dict):
        col.add("must be a table of node code = pattern", field="visits.nodes")
    else:
        for k, v in nodes.items():
            try:
                visits[str(k)] = parse_weekdays(v)
            except ValueError as e:
                col.add(str(e), field=f"visits.nodes.{k}")
    out["visits"] = visits


def _add_node(col: ProblemCollector, where: str, t: object) -> AddNode | None:
    """One ``[[add_node]]`` (None when a required key is missing or bad)."""
    r = SettingsTable(col, t, where, _ADD)
    hours = r.get("hours", dict)
    if isinstance(hours, dict):
        for d, span in hours.items():
            if d not in WEEKDAYS:
                col.add("unknown weekday (use mon … sun)", field=f"{where}.hours.{d}")
                continue
            try:
                parse_span(str(span))
            except ValueError as e:
                col.add(str(e), field=f"{where}.hours.{d}")
    kind = r.need("kind", str)
    if kind is not None and kind not in NODE_KINDS:
        col.add(f"{kind!r} is not one of {', '.join(NODE_KINDS)}", field=f"{where}.kind")
    lat, lon = r.need("lat", float, lo=-90, hi=90), r.need("lon", float, lo=-180, hi=180)
    vals = dict(
        node_id=r.need("node_id", str),
        name_zh=r.need("name_zh", str),
        name_en=r.need("name_en", str),
        kind=kind,
        lat=lat,
        lon=lon,
        like=r.need("like", str),
        volume=r.get("volume", float, 1.0, lo=0.0, hi=1000.0),
        hours=hours,
        service_s=r.get("service_s", int, lo=0, hi=MAX_SERVICE_S),
        opens_on=r.get("opens_on", dt.date),
        source=r.get("source", str, ""),
    )
    if any(vals[k] is None for k in ("node_id", "name_zh", "name_en", "kind", "lat", "lon", "like")):
        return None
    return AddNode(**vals)  # type: ignore[arg-type]


def _move_node(col: ProblemCollector, where: str, t: object) -> MoveNode | None:
    """One ``[[move_node]]`` (None when a required key is missing or bad)."""
    r = SettingsTable(col, t, where, _MOVE)
    vals = dict(
        node_id=r.need("node_id", str),
        lat=r.need("lat", float, lo=-90, hi=90),
        lon=r.need("lon", float, lo=-180, hi=180),
        source=r.get("source", str, ""),
    )
    return None if None in vals.values() else MoveNode(**vals)  # type: ignore[arg-type]


def _closure(col: ProblemCollector, where: str, t: object) -> ClosureChange | None:
    """One ``[[closure]]`` (None when a required key is missing or bad, or it ends before it starts)."""
    r = SettingsTable(col, t, where, _CLOSURE)
    start, end = r.need("start", dt.date), r.need("end", dt.date)
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        col.add(f"ends ({end}) before it starts ({start})", field=f"{where}.end")
        return None
    vals = dict(
        node_id=r.need("node_id", str),
        start=start,
        end=end,
        reason=r.get("reason", str, "closed"),
        redirect_to=r.get("redirect_to", str),
    )
    return None if None in (vals["node_id"], start, end) else ClosureChange(**vals)  # type: ignore[arg-type]


def _changes(col: ProblemCollector, raw: dict, base: dict[str, object]) -> dict[str, object]:
    """Parse the change keys shared by a scenario and its variants; ``base`` gives defaults."""
    out = dict(base)
    if "demand" in raw:
        out["demand"] = _demand(SettingsTable(col, raw["demand"], "demand", _DEMAND))
    if "fleet" in raw:
        out["fleet"] = _fleet_change(col, raw["fleet"])
    if "routing" in raw:
        out["mode"] = _routing_mode(col, raw["routing"])
    if "costs" in raw:
        changes = read_costs(SettingsTable(col, raw["costs"], "costs", set(COST_KEYS)))
        out["costs"] = {**out.get("costs", {}), **changes}  # type: ignore[dict-item]
    if "visits" in raw:
        _visits(col, raw["visits"], out)
    for key, table, parse in (("add_nodes", "add_node", _add_node), ("move_nodes", "move_node", _move_node),
                              ("closures", "closure", _closure)):
        parsed = [parse(col, where, t) for where, t in _list(col, raw, table)]
        out[key] = (*out.get(key, ()), *(x for x in parsed if x is not None))  # type: ignore[misc]
    if "remove_nodes" in raw:
        rm = raw["remove_nodes"]
        if not isinstance(rm, list) or not all(isinstance(x, str) for x in rm):
            col.add("must be a list of node codes", field="remove_nodes")
        else:
            out["remove_nodes"] = tuple(out.get("remove_nodes", ())) + tuple(rm)  # type: ignore[call-overload]
    return out


def _clock(r: SettingsTable, k: str) -> str | None:
    v = r.get(k, str)
    if v is None:
        return None
    try:
        parse_clock(str(v))
    except ValueError as e:
        r.col.add(str(e), field=r.key(k))
        return None
    return str(v)


def _check_codes(col: ProblemCollector, scn: Scenario, known: set[str]) -> None:
    """Every node code a scenario mentions must exist in the base network or be added by it."""
    ids = set(known)
    for a in scn.add_nodes:
        if a.node_id in ids:
            col.add(f"node '{a.node_id}' already exists", field="add_node.node_id")
        if a.like not in known:
            col.add(f"unknown node code '{a.like}'", field="add_node.like")
        ids.add(a.node_id)
    for n in scn.remove_nodes:
        if n not in ids:
            col.add(f"unknown node code '{n}'", field="remove_nodes")
    for m in scn.move_nodes:
        if m.node_id not in ids:
            col.add(f"unknown node code '{m.node_id}'", field="move_node.node_id")
    for c in scn.closures:
        if c.node_id not in ids:
            col.add(f"unknown node code '{c.node_id}'", field="closure.node_id")
        if c.redirect_to is not None and c.redirect_to not in ids:
            col.add(f"unknown node code '{c.redirect_to}'", field="closure.redirect_to")
    for n in scn.visits:
        if n not in ids:
            col.add(f"unknown node code '{n}'", field=f"visits.nodes.{n}")
    for n in scn.demand.node_factors:
        if n not in ids:
            col.add(f"unknown node code '{n}'", field=f"demand.node_factors.{n}")
    if scn.fleet.depot is not None and scn.fleet.depot not in ids:
        col.add(f"unknown node code '{scn.fleet.depot}'", field="fleet.depot")


def _sim_settings(col: ProblemCollector, raw: dict) -> SimSettings:
    """``[simulation]`` over the defaults; the first-solution strategy must be one OR-Tools knows."""
    r = SettingsTable(col, raw.get("simulation", {}), "simulation", _SIM)
    d = SimSettings
    sim = SimSettings(
        start=r.get("start", dt.date, d.start),  # type: ignore[arg-type]
        days=r.get("days", int, d.days, lo=1, hi=MAX_DAYS),  # type: ignore[arg-type]
        replications=r.get("replications", int, d.replications, lo=1, hi=MAX_REPLICATIONS),  # type: ignore[arg-type]
        seed=r.get("seed", int, d.seed, lo=0, hi=MAX_SEED),  # type: ignore[arg-type]
        time_limit_s=r.get("time_limit_s", float, d.time_limit_s, lo=0.01, hi=DAY_S),  # type: ignore[arg-type]
        deterministic=r.get("deterministic", bool, d.deterministic),  # type: ignore[arg-type]
        solution_limit=r.get("solution_limit", int, d.solution_limit, lo=1, hi=MAX_STEPS),  # type: ignore[arg-type]
        first_solution=r.get("first_solution", str, d.first_solution),  # type: ignore[arg-type]
        warm_iterations=r.get("warm_iterations", int, d.warm_iterations, lo=0, hi=MAX_STEPS),  # type: ignore[arg-type]
        warm_start=r.get("warm_start", str, d.warm_start),  # type: ignore[arg-type]
        vroom_level=r.get("vroom_level", int, d.vroom_level, lo=0, hi=MAX_VROOM_LEVEL),  # type: ignore[arg-type]
    )
    if sim.warm_start not in WARM_STARTS:
        col.add(f"{sim.warm_start!r} is not a warm start (one of {', '.join(WARM_STARTS)})",
                field="simulation.warm_start")
    if sim.first_solution != "auto":
        from ortools.constraint_solver import routing_enums_pb2

        names = routing_enums_pb2.FirstSolutionStrategy.Value.keys()
        known = {k.lower() for k in names}
        if sim.first_solution not in known:
            col.add(
                f"{sim.first_solution!r} is not an OR-Tools first-solution strategy "
                f"(e.g. auto, local_cheapest_cost_insertion, parallel_cheapest_insertion)",
                field="simulation.first_solution",
            )
    return sim


def _beside(value: str, path: Path) -> str:
    """A path from a scenario file: absolute, or relative to the file's folder."""
    p = Path(value)
    return str(p if p.is_absolute() else (path.parent / p).resolve())


def _variants(col: ProblemCollector, variants: list[tuple[str, object]], path: Path, base: dict[str, object],
              common: dict[str, object]) -> list[Scenario]:
    """One scenario per ``[[variant]]``: the base changes plus the variant's, named ``<name>--<variant>``."""
    scns = []
    for where, t in variants:
        vr = SettingsTable(col, t, where, _VARIANT)
        vname = vr.need("name", str)
        sub = {k: v for k, v in t.items() if k not in ("name", "description")} if isinstance(t, dict) else {}
        vcol = ProblemCollector(str(path))
        ch = _changes(vcol, sub, base)
        for p in vcol.problems:
            col.add(p.message, field=f"{where}.{p.field}")
        if vname:
            named = {"name": f"{common['name']}--{vname}",
                     "description": str(vr.get("description", str, common["description"]))}
            scns.append(Scenario(**{**common, **named}, **ch, variant=str(vname)))  # type: ignore[arg-type]
    return scns


def _check_against_network(col: ProblemCollector, scns: list[Scenario], network: str | None,
                           fleet_file: str | None, path: Path) -> None:
    """Node codes, map positions, depots and shifts of every scenario against its base network."""
    try:
        net = load_network(network) if network else load_network(bundled_network_dir())
    except InputError as e:
        raise InputError.single(path, f"base network does not load: {e}", field="network") from None
    for s in scns:
        _check_codes(col, s, set(net.node_ids))
    col.raise_if_any()
    fleet_path = Path(fleet_file) if fleet_file else (net.source_dir or bundled_network_dir()) / "fleet.toml"
    for s in scns:
        _check_world(col, s, net, fleet_path)
    col.raise_if_any()


def scenario_from_dict(raw: dict, path: str | Path = "<scenario>") -> list[Scenario]:
    """Validate a parsed scenario table; one :class:`Scenario` per variant (or just one)."""
    path = Path(path)
    col = ProblemCollector(str(path))
    top = SettingsTable(col, raw, "", _TOP)
    name = top.need("name", str) or path.stem
    sim = _sim_settings(col, raw)
    network = top.get("network", str)
    network = _beside(network, path) if network is not None and network != "bundled" else None
    fleet_file = top.get("fleet_file", str)
    fleet_file = None if fleet_file is None else _beside(fleet_file, path)
    schedule_file = _schedule_file(top.get("schedule", str), path, network)
    base = _changes(col, raw, {})
    variants = _list(col, raw, "variant")
    col.raise_if_any()
    common: dict[str, object] = dict(
        name=str(name),
        description=str(top.get("description", str, "")),
        source_file=str(path),
        network_dir=network,
        fleet_file=fleet_file,
        sim=sim,
        schedule_file=schedule_file,
    )
    scns = _variants(col, variants, path, base, common) if variants else [Scenario(**common, **base)]  # type: ignore[arg-type]
    col.raise_if_any()
    _check_against_network(col, scns, network, fleet_file, path)
    return scns


def _check_world(col: ProblemCollector, scn: Scenario, net: Network, fleet_path: Path) -> None:
    """The changed world must still be plannable: on the map, a depot for every van, valid shifts.

    Checked when the scenario is loaded, so a bad file is exit 2 before any worker starts.
    """
    from bookvan.scenarios.apply import apply_fleet  # apply imports this module

    pre = f"variant '{scn.variant}': " if scn.variant else ""
    lat, lon = net.nodes["lat"].astype(float), net.nodes["lon"].astype(float)
    box = (lat.min() - MAP_MARGIN_DEG, lat.max() + MAP_MARGIN_DEG,
           lon.min() - MAP_MARGIN_DEG, lon.max() + MAP_MARGIN_DEG)  # fmt: skip
    for key, places in (("add_node", scn.add_nodes), ("move_node", scn.move_nodes)):
        for p in places:
            if not (box[0] <= p.lat <= box[1] and box[2] <= p.lon <= box[3]):
                col.add(
                    f"{pre}'{p.node_id}' at {p.lat}, {p.lon} is off the map: more than "
                    f"{MAP_MARGIN_DEG}° outside the network's area (lat {box[0]:.2f}..{box[1]:.2f}, "
                    f"lon {box[2]:.2f}..{box[3]:.2f})",
                    field=f"{key}.lat",
                )
    ids = (set(net.node_ids) | {a.node_id for a in scn.add_nodes}) - set(scn.remove_nodes)
    try:
        fleet = load_fleet(fleet_path, ids | set(scn.remove_nodes))
    except InputError as e:
        col.add(f"{pre}the fleet file does not load: {e}", field="fleet_file")
        return
    depots = set(net.depot_ids) | {a.node_id for a in scn.add_nodes if a.kind == "depot"}
    if not depots - set(scn.remove_nodes):
        col.add(f"{pre}removes every depot: the vans need somewhere to start", field="remove_nodes")
    for van in apply_fleet(fleet, scn).vehicles:
        if van.depot not in ids:
            key = "fleet.depot" if scn.fleet.depot is not None else "remove_nodes"
            col.add(f"{pre}van {van.vehicle_id}'s depot '{van.depot}' is removed", field=key)
        changed = [k for k in ("shift_start", "shift_end") if getattr(scn.fleet, k) is not None]
        for _f, msg in vehicle_problems(van):
            key = f"fleet.{changed[0]}" if changed else "fleet_file"
            col.add(f"{pre}van {van.vehicle_id}: {msg}", field=key)

def _schedule_file(value: str | None, path: Path, network: str | None) -> str | None:
    """``schedule = "network"``: the network folder's schedule.csv; else a path (file-relative)."""
    if value is None:
        return None
    if value == "network":
        return str(Path(network or bundled_network_dir()) / "schedule.csv")
    p = Path(value)
    return str(p if p.is_absolute() else (path.parent / p).resolve())


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read and validate a scenario file; one scenario per variant."""
    path = Path(path)
    return scenario_from_dict(read_toml_input(path, what="scenario file"), path)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file that has no variants (the first variant otherwise)."""
    return load_scenarios(path)[0]
