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
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bookvan.data.fleet import load_fleet
from bookvan.data.network import Network, bundled_network_dir, load_network
from bookvan.data.tables import TZ
from bookvan.routing.solution_types import SolveParams
from bookvan.scenarios.apply import World, build_world, crates_for, reshape_demand, served_on
from bookvan.scenarios.costs import CostParameters
from bookvan.scenarios.engine import Engine, real_engine
from bookvan.scenarios.kpis import day_kpis
from bookvan.scenarios.spec import Scenario

__all__ = ["RunResult", "SimulationError", "load_world", "run_seed", "simulate"]

_POOL_COLS = ["root", "origin_id", "destination_id", "asked_destination", "items", "kind",
              "release", "home_origin"]


class SimulationError(RuntimeError):
    """A day could not be planned, or its plan failed the checker: the run is not valid."""


@dataclass(frozen=True)
class RunResult:
    """One replication: KPIs per day, one row per delivered batch of items, and run facts."""

    kpis: pd.DataFrame
    transit: pd.DataFrame
    info: dict[str, object]


def run_seed(scn: Scenario, replication: int) -> int:
    """The seed of one replication: recorded in the KPIs, so any run can be repeated."""
    return int(scn.sim.seed) * 1000 + int(replication)


def load_world(scn: Scenario) -> World:
    """Load the scenario's base network and fleet and apply its changes."""
    net = load_network(scn.network_dir) if scn.network_dir else load_network(bundled_network_dir())
    fleet_path = scn.fleet_file or str((net.source_dir or bundled_network_dir()) / "fleet.toml")
    fleet = load_fleet(fleet_path, set(net.node_ids) | {a.node_id for a in scn.add_nodes})
    return build_world(scn, net, fleet)


def _demand_kwargs(fn: Callable[..., pd.DataFrame], seed: int, items_per_crate: int) -> dict[str, object]:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = {}
    kw: dict[str, object] = {"seed": seed, "items_per_crate": items_per_crate}
    if "quantile" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kw["quantile"] = 0.5
    return kw


def _empty_pool() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in _POOL_COLS}).astype(
        {"items": "int64"})


def _submission(pool: pd.DataFrame, served: set[str], hub: str, mode: str,
                items_per_crate: int, closed: set[str]) -> pd.DataFrame:
    """What goes to the router today: both ends visited; in hub mode, origin → hub if only it is."""
    o_ok = pool["origin_id"].isin(served) & ~pool["origin_id"].isin(closed)
    d_ok = pool["destination_id"].isin(served) & ~pool["destination_id"].isin(closed)
    both = pool.loc[o_ok & d_ok].copy()
    both["sub_id"] = both["root"]
    parts = [both]
    if mode == "hub":
        to_hub = pool.loc[o_ok & ~d_ok & (pool["origin_id"] != hub)].copy()
        to_hub["sub_id"] = to_hub["root"] + "~hub"
        to_hub["destination_id"] = hub
        parts.append(to_hub)
    sub = pd.concat(parts, ignore_index=True)
    sub["crates"] = crates_for(sub["items"], items_per_crate)
    return sub


def _transfers_table(sub: pd.DataFrame) -> pd.DataFrame:
    nat = pd.Series(pd.NaT, index=sub.index, dtype=f"datetime64[ns, {TZ}]")
    return pd.DataFrame({
        "transfer_id": sub["sub_id"].astype(str), "origin_id": sub["origin_id"],
        "destination_id": sub["destination_id"], "items": sub["items"].astype("int64"),
        "crates": sub["crates"].astype("int64"), "kind": sub["kind"], "release": nat, "due": nat,
        "leg_of": None, "leg": pd.array([pd.NA] * len(sub), dtype="Int64"), "part_of": None,
    }).reset_index(drop=True)


def _deliveries(plan: object) -> pd.DataFrame:
    """One row per plan transfer delivered: id, submitted id, items, crates, where, when."""
    stops = plan.stops  # type: ignore[attr-defined]
    cols = ["plan_id", "sub_id", "items", "crates", "to", "at"]
    if stops is None or stops.empty:
        return pd.DataFrame(columns=cols)
    when = stops["service_start"] if "service_start" in stops.columns else stops["arrival"]
    ex = pd.DataFrame({"plan_id": stops["delivery_ids"], "to": stops["node_id"],
                       "at": when.fillna(stops["arrival"])}).explode("plan_id").dropna(subset=["plan_id"])
    tr = plan.transfers.set_index("transfer_id")  # type: ignore[attr-defined]
    ex = ex.join(tr[["items", "crates", "leg_of", "part_of"]], on="plan_id")
    sub_id = ex["part_of"].where(ex["part_of"].notna(), ex["leg_of"])
    ex["sub_id"] = sub_id.where(sub_id.notna(), ex["plan_id"])
    return ex[cols].reset_index(drop=True)


def _settle(pool: pd.DataFrame, sub: pd.DataFrame, dl: pd.DataFrame, hub: str, day: int,
            date: dt.date, replication: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Items delivered home become transit records; the rest waits (some now at the hub)."""
    final_rows = []
    moved_to_hub: dict[str, int] = {}
    final_items: dict[str, int] = {}
    crates_moved = 0
    if len(dl):
        info = sub.set_index("sub_id")
        for sid, g in dl.groupby("sub_id", sort=False):
            if sid not in info.index:
                continue
            row = info.loc[sid]
            root = row["root"]
            at_dest = g.loc[g["to"] == row["destination_id"]]
            via = g.loc[g["to"] != row["destination_id"]]
            if str(sid).endswith("~hub"):
                moved_to_hub[root] = moved_to_hub.get(root, 0) + int(at_dest["items"].sum())
                continue
            n_final = int(at_dest["items"].sum())
            n_via = int(via["items"].sum())
            crates_moved += int(at_dest["crates"].sum())
            final_items[root] = n_final
            if n_via > n_final:
                moved_to_hub[root] = moved_to_hub.get(root, 0) + n_via - n_final
            for _, d in at_dest.iterrows():
                final_rows.append({
                    "replication": replication, "day": day, "date": date, "root": root,
                    "kind": row["kind"], "origin_id": row["home_origin"],
                    "destination_id": row["destination_id"],
                    "asked_destination": row["asked_destination"], "items": int(d["items"]),
                    "release": row["release"], "delivered": d["at"],
                })
    if final_items or moved_to_hub:
        left = pool.copy()
        done = left["root"].map(final_items).fillna(0).astype(int)
        hubbed = left["root"].map(moved_to_hub).fillna(0).astype(int)
        stay = left.assign(items=left["items"] - done - hubbed)
        stay = stay.loc[stay["items"] > 0]
        at_hub = left.assign(items=hubbed, origin_id=hub).loc[hubbed > 0]
        left = pd.concat([stay, at_hub], ignore_index=True)
        left = left.loc[left["origin_id"] != left["destination_id"]]
    else:
        left = pool
    transit = pd.DataFrame(final_rows)
    if len(transit):
        transit["days"] = (transit["delivered"] - transit["release"]).dt.total_seconds() / 86400.0
    return left.reset_index(drop=True), transit, crates_moved


def simulate(
    scn: Scenario,
    replication: int = 0,
    *,
    days: int | None = None,
    engine: Engine | None = None,
    costs: CostParameters | None = None,
    world: World | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate ``days`` days (default: the scenario's) of one replication.

    Raises
    ------
    SimulationError
        A day's plan failed the checker, or the routing engine refused the day.
    """
    engine = engine or real_engine()
    costs = costs or CostParameters()
    world = world or load_world(scn)
    n_days = days or scn.sim.days
    seed = run_seed(scn, replication)
    rng = np.random.default_rng(seed)
    base_net: Network = _base_network(world)
    net, fleet = world.network, world.fleet
    hub = world.hub
    ipc = fleet.items_per_crate
    matrix = engine.build_matrix(net.nodes)
    params = SolveParams(time_limit_s=scn.sim.time_limit_s, seed=seed % (2**31 - 1),
                         deterministic=scn.sim.deterministic, solution_limit=scn.sim.solution_limit)
    dkw = _demand_kwargs(engine.daily_transfers, seed, ipc)
    pool = _empty_pool()
    kpi_rows, transit_parts = [], []
    checked = engine.check is not None
    t0 = time.perf_counter()
    node_ids = net.node_ids
    for day in range(n_days):
        date = scn.sim.start + dt.timedelta(days=day)
        base = engine.daily_transfers(base_net, date, **dkw)
        new = reshape_demand(base, world, date, rng)
        release = pd.Timestamp(date).tz_localize(TZ)
        new = pd.DataFrame({
            "root": [f"D{day:03d}-{k:04d}" for k in range(len(new))],
            "origin_id": new["origin_id"].to_numpy(), "destination_id": new["destination_id"].to_numpy(),
            "asked_destination": new["asked_destination"].to_numpy(),
            "items": new["items"].to_numpy(dtype="int64"), "kind": new["kind"].to_numpy(),
            "release": release, "home_origin": new["origin_id"].to_numpy(),
        })
        pool = pd.concat([pool, new], ignore_index=True) if len(pool) else new
        redirect = {c.node_id: c.redirect_to for c in scn.closures
                    if c.redirect_to and c.start <= date <= c.end}
        if redirect:
            pool["destination_id"] = pool["destination_id"].replace(redirect)
            pool["origin_id"] = pool["origin_id"].replace(redirect)
            pool = pool.loc[pool["origin_id"] != pool["destination_id"]].reset_index(drop=True)
        served = served_on(scn, node_ids, date) | set(net.depot_ids)
        closed = {n for n in node_ids if not net.hours_on(n, date).is_open}
        sub = _submission(pool, served, hub, fleet.routing.mode, ipc, closed)
        plan = None
        if len(sub):
            try:
                plan = engine.plan_day(net, fleet, _transfers_table(sub), date, matrix, params)
            except Exception as e:  # the run is invalid; say which day and why
                raise SimulationError(f"{scn.name} rep {replication} {date}: routing failed: {e}") from e
            if engine.check is not None:
                pj = plan.plan_json() if hasattr(plan, "plan_json") else {
                    "date": date.isoformat(), **plan.summary, "unassigned": plan.unassigned}
                bad = engine.check(pj, plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops)
                if bad:
                    lines = "; ".join(str(v) for v in bad[:5])
                    raise SimulationError(
                        f"{scn.name} rep {replication} {date}: the day's plan fails the checker "
                        f"({len(bad)} violation(s)): {lines}")
            dl = _deliveries(plan)
        else:
            dl = pd.DataFrame(columns=["plan_id", "sub_id", "items", "crates", "to", "at"])
        pool, transit, crates_moved = _settle(pool, sub, dl, hub, day, date, replication)
        if len(transit):
            transit_parts.append(transit)
        kpi_rows.append({
            "scenario": scn.name, "replication": replication, "seed": seed, "day": day,
            "date": date, **day_kpis(plan, fleet, costs, transit, pool, crates_moved, ipc),
            "transfers_new": len(new), "items_new": int(new["items"].sum()),
        })
        if progress is not None:
            progress(1)
    kpis = pd.DataFrame(kpi_rows)
    if len(pool):  # still waiting at the end: counted with the wait so far (a lower bound)
        end = pd.Timestamp(scn.sim.start + dt.timedelta(days=n_days)).tz_localize(TZ)
        transit_parts.append(pd.DataFrame({
            "replication": replication, "day": n_days, "date": scn.sim.start + dt.timedelta(days=n_days),
            "root": pool["root"], "kind": pool["kind"], "origin_id": pool["home_origin"],
            "destination_id": pool["destination_id"], "asked_destination": pool["asked_destination"],
            "items": pool["items"].astype(int), "release": pool["release"], "delivered": pd.NaT,
            "days": (end - pool["release"]).dt.total_seconds() / 86400.0, "censored": True,
        }))
    transit = pd.concat(transit_parts, ignore_index=True) if transit_parts else pd.DataFrame()
    if len(transit):
        transit["censored"] = transit["censored"].fillna(False).astype(bool) \
            if "censored" in transit.columns else False
    if len(transit):
        transit.insert(0, "scenario", scn.name)
    info = {"scenario": scn.name, "replication": replication, "seed": seed, "days": n_days,
            "wall_s": round(time.perf_counter() - t0, 3), "checked": checked, "engine": engine.name,
            "fleet_size": len(fleet.vehicles), "mode": fleet.routing.mode,
            "backlog_items_end": int(pool["items"].sum()) if len(pool) else 0}
    return RunResult(kpis, transit, info)


def _base_network(world: World) -> Network:
    """Demand is drawn on the base network (before the scenario), then reshaped."""
    scn = world.scenario
    keep = ~world.network.nodes["node_id"].isin([a.node_id for a in scn.add_nodes])
    nodes = world.network.nodes.loc[keep].reset_index(drop=True)
    base_closures = tuple(c for c in world.network.closures
                          if not any(c.node_id == x.node_id and c.start == x.start and c.end == x.end
                                     for x in scn.closures))
    weekly = {k: v for k, v in world.network.weekly.items() if k in set(nodes["node_id"])}
    return Network(nodes=nodes, closures=base_closures, source_dir=world.network.source_dir,
                   weekly=weekly)
