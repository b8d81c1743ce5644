"""Simulate a scenario day by day: demand → backlog → the day's plan → checker → KPIs.

Each day the demand model's transfers for the base network are reshaped to the scenario
(:func:`bookvan.scenarios.apply.reshape_demand`) and join what waits from earlier days: what
the vans could not take, and what waits for a node's next visit day. The real routing engine
plans the day with a short, deterministic search; a plan the checker rejects stops the run.
Deliveries are matched back to the items they carry, so every item's days in transit (hold
placed → ready at the pickup branch; return → back home) are measured, not assumed.

One call of :func:`simulate` is one replication; same scenario and seed, same KPIs.
"""

from __future__ import annotations

import datetime as dt
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from pandas.arrays import DatetimeArray

from bookvan.data.costs import Costs
from bookvan.data.crates import crates_for
from bookvan.data.fleet import load_fleet
from bookvan.data.hours import DAY_S
from bookvan.data.network import Network, bundled_network_dir, load_network
from bookvan.data.tables import TZ
from bookvan.routing.engine.params import SolveParams
from bookvan.routing.schedule_day import plan_with_schedule
from bookvan.scenarios.apply import World, build_world, reshape_demand, scenario_schedule, served_on
from bookvan.scenarios.engine import Engine, real_engine, search_capped
from bookvan.scenarios.kpis import arrival_kpis, day_kpis
from bookvan.scenarios.spec import Scenario

__all__ = [
    "RunResult",
    "SimulationError",
    "base_demand",
    "demand_key",
    "load_world",
    "run_seed",
    "simulate",
]

_MEAN_YEAR_DAYS = 365.2425  # the Gregorian calendar's mean year

_POOL_COLS = [
    "root",
    "origin_id",
    "destination_id",
    "asked_destination",
    "items",
    "kind",
    "release",
    "home_origin",
]


class SimulationError(RuntimeError):
    """A day could not be planned, or its plan failed the checker: the run is not valid."""


@dataclass(frozen=True)
class RunResult:
    """One replication: KPIs per day, one row per delivered batch of items, and run facts."""

    kpis: pd.DataFrame
    transit: pd.DataFrame
    info: dict[str, object]
    unassigned: pd.DataFrame = field(default_factory=pd.DataFrame)


class _FastNetwork(Network):
    """A network whose row and hours look-ups are memoised (it never changes within a run)."""

    def __init__(self, net: Network) -> None:
        object.__setattr__(self, "nodes", net.nodes)
        object.__setattr__(self, "closures", net.closures)
        object.__setattr__(self, "source_dir", net.source_dir)
        object.__setattr__(self, "weekly", net.weekly)
        object.__setattr__(self, "_rows", {r["node_id"]: r for _, r in net.nodes.iterrows()})
        object.__setattr__(self, "_hours", {})

    def node(self, node_id: str) -> pd.Series:
        return self._rows[node_id]  # type: ignore[attr-defined]

    def hours_on(self, node_id: str, date: dt.date):  # type: ignore[override]
        key = (node_id, date)
        memo = self._hours  # type: ignore[attr-defined]
        if key not in memo:
            memo[key] = super().hours_on(node_id, date)
        return memo[key]


def solve_params(scn: Scenario, seed: int) -> SolveParams:
    """The router's settings for every simulated day: short, deterministic, seeded.

    Settings the installed router does not know (e.g. a warm start) are left out.
    """
    want = {"time_limit_s": scn.sim.time_limit_s, "seed": seed % (2**31 - 1),
            "deterministic": scn.sim.deterministic, "solution_limit": scn.sim.solution_limit,
            "first_solution": scn.sim.first_solution, "warm_iterations": scn.sim.warm_iterations,
            "warm_start": scn.sim.warm_start, "vroom_level": scn.sim.vroom_level or None}
    known = {f.name for f in fields(SolveParams)}
    return SolveParams(**{k: v for k, v in want.items() if k in known})  # type: ignore[arg-type]


def run_seed(scn: Scenario, replication: int) -> int:
    """The seed of one replication: recorded in the KPIs, so any run can be repeated."""
    return int(scn.sim.seed) * 1000 + int(replication)


def load_world(scn: Scenario) -> World:
    """Load the scenario's base network and fleet and apply its changes."""
    net = load_network(scn.network_dir) if scn.network_dir else load_network(bundled_network_dir())
    fleet_path = scn.fleet_file or str((net.source_dir or bundled_network_dir()) / "fleet.toml")
    fleet = load_fleet(fleet_path, set(net.node_ids) | {a.node_id for a in scn.add_nodes})
    return build_world(scn, net, fleet)


def demand_key(scn: Scenario, replication: int) -> tuple:
    """Scenarios with equal keys draw the same base demand (common random numbers)."""
    return (scn.network_dir, scn.fleet_file, run_seed(scn, replication), model_shift_days(scn))


def model_shift_days(scn: Scenario) -> int:
    """Days between a simulated date and the date the demand model is asked about.

    With ``[demand] model_year``, whole weeks (same weekday) to about that year; else 0.
    """
    if scn.demand.model_year is None:
        return 0
    return 7 * round((scn.demand.model_year - scn.sim.start.year) * _MEAN_YEAR_DAYS / 7)


def base_demand(
    scn: Scenario, replication: int, dates: list[dt.date], engine: Engine | None = None
) -> dict[dt.date, pd.DataFrame]:
    """The demand model's transfers on today's network for ``dates`` (before scenario changes).

    Independent of what the vans did, so it can be drawn ahead, in parallel, and shared by
    every scenario on the same base network and seed. The demand model is asked for its
    median day (``quantile=0.5``), which it draws from its forecast distribution with the
    replication's seed, so replications differ as the forecast says days do.
    """
    engine = engine or real_engine()
    net = load_network(scn.network_dir) if scn.network_dir else load_network(bundled_network_dir())
    fleet_path = scn.fleet_file or str((net.source_dir or bundled_network_dir()) / "fleet.toml")
    ipc = load_fleet(fleet_path, set(net.node_ids)).items_per_crate
    fast = _FastNetwork(net)
    kw = _demand_kwargs(engine.daily_transfers, run_seed(scn, replication), ipc)
    shift = dt.timedelta(days=model_shift_days(scn))
    return {d: engine.daily_transfers(fast, d + shift, **kw) for d in dates}


def _demand_kwargs(
    fn: Callable[..., pd.DataFrame], seed: int, items_per_crate: int
) -> dict[str, object]:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = {}
    kw: dict[str, object] = {"seed": seed, "items_per_crate": items_per_crate}
    if "quantile" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kw["quantile"] = 0.5
    return kw


def _empty_pool() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in _POOL_COLS}).astype({"items": "int64"})


def _submission(
    pool: pd.DataFrame,
    served: set[str],
    hub: str,
    mode: str,
    items_per_crate: int,
    closed: set[str],
) -> pd.DataFrame:
    """What goes to the router today.

    Direct mode: transfers whose both ends are visited and open today. Hub mode, as couriers
    run it: today's runs collect to the hub (origin → hub) and deliver what the hub sorted
    overnight (hub → destination); every submitted transfer touches the hub, so the items'
    days in transit include the night's sorting.
    """
    visit = served - closed
    o_ok = np.array([n in visit for n in pool["origin_id"].tolist()], dtype=bool)
    d_ok = np.array([n in visit for n in pool["destination_id"].tolist()], dtype=bool)
    if mode != "hub":
        sub = pool.loc[o_ok & d_ok].reset_index(drop=True)
        sub["sub_id"] = sub["root"].astype(str)
    else:
        touches = (pool["origin_id"] == hub) | (pool["destination_id"] == hub)
        direct = pool.loc[touches & o_ok & d_ok].copy()
        direct["sub_id"] = direct["root"].astype(str)
        collect = pool.loc[~touches & o_ok].copy()
        collect["sub_id"] = collect["root"].astype(str) + "~hub"
        collect["destination_id"] = hub
        sub = pd.concat([direct, collect], ignore_index=True)
    sub["crates"] = crates_for(sub["items"], items_per_crate)
    return sub


def _transfers_table(sub: pd.DataFrame) -> pd.DataFrame:
    """The router's transfers table of the submission (columns as arrays: no index alignment)."""
    nat = pd.array(np.full(len(sub), np.datetime64("NaT", "ns")), dtype=f"datetime64[ns, {TZ}]")
    return pd.DataFrame(
        {
            "transfer_id": sub["sub_id"].astype(str).array,
            "origin_id": sub["origin_id"].array,
            "destination_id": sub["destination_id"].array,
            "items": sub["items"].to_numpy(dtype="int64"),
            "crates": sub["crates"].to_numpy(dtype="int64"),
            "kind": sub["kind"].array,
            "release": nat,
            "due": nat,
            "leg_of": None,
            "leg": pd.array([pd.NA] * len(sub), dtype="Int64"),
            "part_of": None,
        }
    )


def _deliveries(plan: object) -> pd.DataFrame:
    """One row per plan transfer delivered: id, submitted id, items, crates, where, when."""
    stops = plan.stops  # type: ignore[attr-defined]
    cols = ["plan_id", "sub_id", "items", "crates", "to", "at"]
    if stops is None or stops.empty:
        return pd.DataFrame(columns=cols)
    when = stops["service_start"] if "service_start" in stops.columns else stops["arrival"]
    at = when.fillna(stops["arrival"]).array
    plan_ids: list[object] = []
    rows: list[int] = []
    for k, ids in enumerate(stops["delivery_ids"].tolist()):
        for pid in _ids(ids):
            plan_ids.append(pid)
            rows.append(k)
    tr = plan.transfers  # type: ignore[attr-defined]
    pos = {t: k for k, t in enumerate(tr["transfer_id"].tolist())}
    got = [pos.get(pid) for pid in plan_ids]
    if None in got or len(pos) < len(tr):  # an unknown or repeated id: the join says what that means
        return _deliveries_joined(stops, at, tr)
    legs, parts = tr["leg_of"].tolist(), tr["part_of"].tolist()
    subs = [_first_named(parts[g], legs[g], pid) for g, pid in zip(got, plan_ids, strict=True)]
    return pd.DataFrame(
        {
            "plan_id": pd.Series(plan_ids),
            "sub_id": pd.Series(subs, dtype=object),
            "items": tr["items"].to_numpy().take(got),
            "crates": tr["crates"].to_numpy().take(got),
            "to": stops["node_id"].array.take(rows),
            "at": at.take(rows),
        }
    )


def _ids(ids: object) -> list[object]:
    """A stop's delivered ids as a list (a missing or empty cell: none), as ``explode`` reads it."""
    if isinstance(ids, (list, tuple, np.ndarray)):
        return [i for i in ids if not pd.isna(i)]
    return [] if pd.isna(ids) else [ids]  # type: ignore[arg-type]


def _first_named(*ids: object) -> object:
    """The first of ``ids`` that is set: a part's whole, else a leg's transfer, else itself."""
    return next(i for i in ids if not pd.isna(i))  # type: ignore[arg-type]


def _deliveries_joined(stops: pd.DataFrame, at: object, tr: pd.DataFrame) -> pd.DataFrame:
    """:func:`_deliveries` by explode and join, for plans whose transfer ids are not one a row."""
    ex = (
        pd.DataFrame({"plan_id": stops["delivery_ids"], "to": stops["node_id"], "at": at})
        .explode("plan_id")
        .dropna(subset=["plan_id"])
    )
    ex = ex.join(tr.set_index("transfer_id")[["items", "crates", "leg_of", "part_of"]], on="plan_id")
    sub_id = ex["part_of"].where(ex["part_of"].notna(), ex["leg_of"])
    ex["sub_id"] = sub_id.where(sub_id.notna(), ex["plan_id"])
    return ex[["plan_id", "sub_id", "items", "crates", "to", "at"]].reset_index(drop=True)


def _settle(
    pool: pd.DataFrame,
    sub: pd.DataFrame,
    dl: pd.DataFrame,
    hub: str,
    day: int,
    date: dt.date,
    replication: int,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Items delivered home become transit records; the rest waits (some now at the hub)."""
    if not len(dl):
        return pool, pd.DataFrame(), 0
    m = _Matched(dl, sub)
    # items that reached the hub but not (yet) their destination: leg 1 of hub mode, or ~hub
    fin = m.items_by_root(at_dest=True, to_hub=False)
    via = m.items_by_root(at_dest=False, to_hub=False)
    hubbed = m.items_by_root(at_dest=True, to_hub=True)
    for root, n in via.items():
        hubbed[root] = hubbed.get(root, 0) + max(n - fin.get(root, 0), 0)
    transit = m.transit(day, date, replication)
    return _waiting(pool, fin, hubbed, hub), transit, sum(m.crates[k] for k in m.final)


class _Matched:
    """The day's deliveries joined to the submitted transfers they carried, as ``join`` would
    (inner, in delivery order): plain lists, as a day has tens of rows and pandas costs per call."""

    def __init__(self, dl: pd.DataFrame, sub: pd.DataFrame) -> None:
        where: dict[object, list[int]] = {}
        for k, sid in enumerate(sub["sub_id"].tolist()):
            where.setdefault(sid, []).append(k)
        pairs = [(i, k) for i, sid in enumerate(dl["sub_id"].tolist()) for k in where.get(sid, ())]
        self.dl_rows = [i for i, _ in pairs]
        self.sub_rows = [k for _, k in pairs]
        self.sub, self.dl = sub, dl
        sub_ids, to = dl["sub_id"].tolist(), dl["to"].tolist()
        dest = sub["destination_id"].tolist()
        self.roots = sub["root"].to_numpy().take(self.sub_rows).tolist()
        self.items = dl["items"].to_numpy().take(self.dl_rows).tolist()
        self.crates = dl["crates"].to_numpy().take(self.dl_rows).tolist()
        self.to_hub = [str(sub_ids[i]).endswith("~hub") for i in self.dl_rows]
        self.at_dest = [to[i] == dest[k] for i, k in pairs]
        self.final = [j for j in range(len(pairs)) if self.at_dest[j] and not self.to_hub[j]]

    def items_by_root(self, *, at_dest: bool, to_hub: bool) -> dict[object, int]:
        """Items per root over the pairs delivered (or not) at their destination, (not) ~hub."""
        out: dict[object, int] = {}
        for root, n, a, h in zip(self.roots, self.items, self.at_dest, self.to_hub, strict=True):
            if a == at_dest and h == to_hub:
                out[root] = out.get(root, 0) + n
        return out

    def transit(self, day: int, date: dt.date, replication: int) -> pd.DataFrame:
        """One record per delivery home: who, what, from where, released and delivered when."""
        sub_rows = np.asarray(self.sub_rows, dtype="int64").take(self.final)
        dl_rows = np.asarray(self.dl_rows, dtype="int64").take(self.final)
        col = lambda c: self.sub[c].to_numpy().take(sub_rows)  # noqa: E731
        release = self.sub["release"].array.take(sub_rows)
        delivered = _local(self.dl["at"].array.take(dl_rows))
        cols = {
            "replication": replication,
            "day": day,
            "date": date,
            "root": col("root"),
            "kind": col("kind"),
            "origin_id": col("home_origin"),
            "destination_id": col("destination_id"),
            "asked_destination": col("asked_destination"),
            "items": self.dl["items"].to_numpy(dtype="int64").take(dl_rows),
            "release": release,
            "delivered": delivered,
        }
        if len(sub_rows):
            cols["days"] = (delivered - release).total_seconds() / DAY_S
        return pd.DataFrame(cols)


def _local(at: object) -> object:
    """Delivery times on the library's clock (times without a zone are read as UTC)."""
    if isinstance(at, DatetimeArray) and at.tz is not None:
        return at.tz_convert(TZ)
    return pd.to_datetime(pd.Series(at), utc=True).dt.tz_convert(TZ).array


def _waiting(pool: pd.DataFrame, fin: dict, hubbed: dict, hub: str) -> pd.DataFrame:
    """The pool less what was delivered home; what reached the hub waits there, from the hub."""
    roots = pool["root"].tolist()
    done = np.array([fin.get(r, 0) for r in roots], dtype="int64")
    moved = np.array([hubbed.get(r, 0) for r in roots], dtype="int64")
    if (moved > 0).any():
        items = pool["items"] - done - moved
        stay = pool.loc[(items > 0).to_numpy()].assign(items=items[items > 0])
        at_hub = pool.assign(items=moved, origin_id=hub).loc[moved > 0]
        stay = pd.concat([stay, at_hub], ignore_index=True)
        return stay.loc[stay["origin_id"] != stay["destination_id"]].reset_index(drop=True)
    items = pool["items"].to_numpy() - done
    ends = zip(pool["origin_id"].tolist(), pool["destination_id"].tolist(), strict=True)
    keep = (items > 0) & np.array([o != d for o, d in ends], dtype=bool)
    left = pool.loc[keep].reset_index(drop=True)
    left["items"] = items[keep]
    return left


def simulate(
    scn: Scenario,
    replication: int = 0,
    *,
    days: int | None = None,
    engine: Engine | None = None,
    costs: Costs | None = None,
    world: World | None = None,
    demand: dict[dt.date, pd.DataFrame] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate ``days`` days (default: the scenario's) of one replication.

    ``costs`` (default: the scenario's fleet's, see :mod:`bookvan.data.costs`) price the KPIs.

    Raises
    ------
    SimulationError
        A day's plan failed the checker, or the routing engine refused the day.
    """
    engine = engine or real_engine()
    world = world or load_world(scn)
    run = _Run(scn, replication, engine, world, costs or world.fleet.costs)
    n_days = days or scn.sim.days
    dates = [scn.sim.start + dt.timedelta(days=k) for k in range(n_days)]
    missing = [d for d in dates if demand is None or d not in demand]
    if missing:
        demand = {**(demand or {}), **base_demand(scn, replication, missing, engine)}
    assert demand is not None
    for day, date in enumerate(dates):
        run.day(day, date, demand[date])
        if progress is not None:
            progress(1)
    return run.result(n_days)


_NO_DELIVERIES = ["plan_id", "sub_id", "items", "crates", "to", "at"]


class _Run:
    """One replication's state between days: what waits (the pool) and what was measured."""

    def __init__(self, scn: Scenario, replication: int, engine: Engine, world: World,
                 costs: Costs) -> None:
        self.scn, self.replication, self.engine, self.world, self.costs = (
            scn, replication, engine, world, costs)
        self.seed = run_seed(scn, replication)
        self.rng = np.random.default_rng(self.seed)
        self.net, self.fleet = _FastNetwork(world.network), world.fleet
        self.matrix = engine.matrix(self.net.nodes)
        self.params = solve_params(scn, self.seed)
        # a named schedule plans with its arrival windows; its timing is measured either way
        self.schedule = scenario_schedule(scn, self.net.node_ids) if scn.schedule_file else None
        self.timing = self.schedule or scenario_schedule(scn, self.net.node_ids)
        self.pool = _empty_pool()
        self.kpi_rows: list[dict[str, object]] = []
        self.transit_parts: list[pd.DataFrame] = []
        self.left_out: list[dict[str, object]] = []
        self.t0 = time.perf_counter()

    def day(self, day: int, date: dt.date, base: pd.DataFrame) -> None:
        """Today's new demand joins the pool; plan what can move; settle what was delivered."""
        new = self._arrivals(day, date, base)
        served = served_on(self.scn, self.net.node_ids, date) | set(self.net.depot_ids)
        closed = {n for n in self.net.node_ids if not self.net.hours_on(n, date).is_open}
        sub = _submission(self.pool, served, self.world.hub, self.fleet.routing.mode,
                          self.fleet.items_per_crate, closed)
        plan = self._plan(day, date, sub) if len(sub) else None
        dl = _deliveries(plan) if plan is not None else pd.DataFrame(columns=_NO_DELIVERIES)
        self.pool, transit, crates_moved = _settle(
            self.pool, sub, dl, self.world.hub, day, date, self.replication)
        if len(transit):
            self.transit_parts.append(transit)
        self.kpi_rows.append(
            {
                "scenario": self.scn.name,
                "replication": self.replication,
                "seed": self.seed,
                "day": day,
                "date": date,
                **day_kpis(plan, self.fleet, self.costs, transit, self.pool, crates_moved,
                           self.fleet.items_per_crate),
                # the safety cap, not the search steps, ended the day's search: its plan (and
                # every day after it) may differ on a faster or slower machine
                "search_capped": search_capped(plan, self.params.deterministic),
                **arrival_kpis(plan, self.timing, set(self.net.depot_ids)),
                "transfers_new": len(new),
                "items_new": int(new["items"].sum()),
            }
        )

    def _arrivals(self, day: int, date: dt.date, base: pd.DataFrame) -> pd.DataFrame:
        """The day's demand, reshaped to the scenario, added to the pool (closures redirect)."""
        new = reshape_demand(base, self.world, date, self.rng)
        new = pd.DataFrame(
            {
                "root": pd.Series([f"D{day:03d}-{k:04d}" for k in range(len(new))], dtype=object),
                "origin_id": new["origin_id"].to_numpy(),
                "destination_id": new["destination_id"].to_numpy(),
                "asked_destination": new["asked_destination"].to_numpy(),
                "items": new["items"].to_numpy(dtype="int64"),
                "kind": new["kind"].to_numpy(),
                "release": pd.Timestamp(date).tz_localize(TZ),
                "home_origin": new["origin_id"].to_numpy(),
            }
        )
        pool = pd.concat([self.pool, new], ignore_index=True) if len(self.pool) else new
        redirect = {
            c.node_id: c.redirect_to
            for c in self.scn.closures
            if c.redirect_to and c.start <= date <= c.end
        }
        if redirect:
            pool["destination_id"] = pool["destination_id"].replace(redirect)
            pool["origin_id"] = pool["origin_id"].replace(redirect)
            pool = pool.loc[pool["origin_id"] != pool["destination_id"]].reset_index(drop=True)
        self.pool = pool
        return new

    def _plan(self, day: int, date: dt.date, sub: pd.DataFrame) -> object:
        """The router's plan of the submitted transfers, proved by the checker."""
        where = f"{self.scn.name} rep {self.replication} {date}"
        try:
            if self.schedule is not None:  # the named schedule's arrival windows (visit days: served)
                plan = plan_with_schedule(self.net, self.fleet, _transfers_table(sub), date, self.matrix,
                                          self.params, self.schedule, planner=self.engine.plan_day)
            else:
                plan = self.engine.plan_day(self.net, self.fleet, _transfers_table(sub), date,
                                            self.matrix, self.params)
        except Exception as e:  # the run is invalid; say which day and why
            raise SimulationError(f"{where}: routing failed: {e}") from e
        if self.engine.check is not None:
            pj = (
                plan.plan_json()
                if hasattr(plan, "plan_json")
                else {"date": date.isoformat(), **plan.summary, "unassigned": plan.unassigned}
            )
            bad = self.engine.check(
                pj, plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops
            )
            if bad:
                lines = "; ".join(str(v) for v in bad[:5])
                raise SimulationError(
                    f"{where}: the day's plan fails the checker ({len(bad)} violation(s)): {lines}"
                )
        for u in plan.unassigned:
            self.left_out.append({"scenario": self.scn.name, "replication": self.replication,
                                  "day": day, "date": date,
                                  "transfer_id": str(u.get("transfer_id", "")),
                                  "reason": str(u.get("reason", ""))})
        return plan

    def _still_waiting(self, n_days: int) -> pd.DataFrame:
        """What waits at the end, counted with its wait so far (a lower bound: censored)."""
        pool = self.pool
        end_date = self.scn.sim.start + dt.timedelta(days=n_days)
        end = pd.Timestamp(end_date).tz_localize(TZ)
        return pd.DataFrame(
            {
                "replication": self.replication,
                "day": n_days,
                "date": end_date,
                "root": pool["root"],
                "kind": pool["kind"],
                "origin_id": pool["home_origin"],
                "destination_id": pool["destination_id"],
                "asked_destination": pool["asked_destination"],
                "items": pool["items"].astype(int),
                "release": pool["release"],
                "delivered": pd.NaT,
                "days": (end - pool["release"]).dt.total_seconds() / DAY_S,
                "censored": True,
            }
        )

    def result(self, n_days: int) -> RunResult:
        kpis = pd.DataFrame(self.kpi_rows)
        # one column per node's arrival, in node order: the same columns whatever day saw a node first
        arrivals = sorted(c for c in kpis.columns if c.startswith("arr:"))
        kpis = kpis[[c for c in kpis.columns if not c.startswith("arr:")] + arrivals]
        parts = list(self.transit_parts)
        if len(self.pool):
            parts.append(self._still_waiting(n_days))
        transit = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if len(transit):
            transit["censored"] = (
                transit["censored"].fillna(False).astype(bool)
                if "censored" in transit.columns
                else False
            )
            transit.insert(0, "scenario", self.scn.name)
        info = {
            "scenario": self.scn.name,
            "replication": self.replication,
            "seed": self.seed,
            "days": n_days,
            "wall_s": round(time.perf_counter() - self.t0, 3),
            "checked": self.engine.check is not None,
            "engine": self.engine.name,
            "fleet_size": len(self.fleet.vehicles),
            "mode": self.fleet.routing.mode,
            "costs": self.costs.as_dict(),
            "backlog_items_end": int(self.pool["items"].sum()) if len(self.pool) else 0,
            "days_capped": int(kpis["search_capped"].sum()) if len(kpis) else 0,
        }
        return RunResult(kpis, transit, info, pd.DataFrame(self.left_out))
