"""Scenario changes as pure functions: network, fleet, visit days, transfers → changed copies.

Nothing here mutates its inputs or does I/O, so a scenario's world can be rebuilt on any Dask
worker from the scenario value alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.hours import WEEKDAYS, Closure, parse_clock, parse_span
from bookvan.data.network import Network
from bookvan.data.schedule import Schedule, load_schedule, schedule_from_visits
from bookvan.scenarios.spec import Scenario

__all__ = [
    "World",
    "apply_fleet",
    "apply_network",
    "build_world",
    "reshape_demand",
    "scenario_schedule",
    "served_on",
]


def apply_network(net: Network, scn: Scenario) -> Network:
    """The base network with the scenario's nodes added, removed, moved and closed."""
    nodes = net.nodes.copy()
    weekly = {k: dict(v) for k, v in net.weekly.items()}
    closures = list(net.closures)
    for a in scn.add_nodes:
        like = nodes.loc[nodes["node_id"] == a.like].iloc[0].to_dict()
        row = dict(like)
        row.update(
            node_id=a.node_id,
            name_zh=a.name_zh,
            name_en=a.name_en,
            kind=a.kind,
            lat=a.lat,
            lon=a.lon,
            weight=float(like.get("weight", 0.0) or 0.0) * a.volume,
            coord_approx=True,
            coord_source=a.source or f"scenario {scn.name}",
            note=f"added by scenario {scn.name} (like {a.like})",
            confirmed=False,
        )
        week = dict(weekly[a.like])
        if a.hours:
            for d in WEEKDAYS:
                span = a.hours.get(d, "closed")
                week[d] = parse_span(span)
                row[d] = span
            row["closure_rule"] = ""
            row["hours_source"] = a.source or f"scenario {scn.name}"
        if a.service_s is not None:
            row["service_s"] = int(a.service_s)
        weekly[a.node_id] = week
        nodes = pd.concat([nodes, pd.DataFrame([row])], ignore_index=True)
        if a.opens_on is not None:
            closures.append(
                Closure(
                    a.node_id,
                    dt.date(1900, 1, 1),
                    a.opens_on - dt.timedelta(days=1),
                    "not open yet",
                )
            )
    if scn.remove_nodes:
        nodes = nodes.loc[~nodes["node_id"].isin(scn.remove_nodes)].reset_index(drop=True)
        for n in scn.remove_nodes:
            weekly.pop(n, None)
        closures = [c for c in closures if c.node_id not in scn.remove_nodes]
    for m in scn.move_nodes:
        i = nodes.index[nodes["node_id"] == m.node_id]
        nodes.loc[i, "lat"] = m.lat
        nodes.loc[i, "lon"] = m.lon
        nodes.loc[i, "coord_source"] = m.source or f"moved by scenario {scn.name}"
        nodes.loc[i, "coord_approx"] = True
    for c in scn.closures:
        closures.append(Closure(c.node_id, c.start, c.end, c.reason))
    return Network(nodes=nodes, closures=tuple(closures), source_dir=net.source_dir, weekly=weekly)


def apply_fleet(fleet: Fleet, scn: Scenario) -> Fleet:
    """The fleet resized (new vans copy the last one), re-shifted, re-based, re-moded and
    re-priced, with :meth:`~bookvan.data.fleet.Fleet.changed` (the one fleet edit)."""
    ch = scn.fleet
    return fleet.changed(
        vans=ch.vans,
        mode=scn.mode,
        costs=scn.costs,
        capacity_crates=ch.capacity_crates,
        shift_start=None if ch.shift_start is None else parse_clock(ch.shift_start),
        shift_end=None if ch.shift_end is None else parse_clock(ch.shift_end),
        max_trips=ch.max_trips,
        depot=ch.depot,
    )


def scenario_schedule(scn: Scenario, node_ids: list[str]) -> Schedule:
    """The scenario's schedule: the file it names, else its ``[visits]`` written as a schedule."""
    if scn.schedule_file:
        sched = load_schedule(None, path=scn.schedule_file, node_ids=set(node_ids))
        if sched is not None:
            return sched
    return schedule_from_visits(scn.visits_default, scn.visits, node_ids, source=f"scenario {scn.name}")


def served_on(scn: Scenario, node_ids: list[str], date: dt.date) -> set[str]:
    """Nodes whose visit pattern includes ``date``'s weekday (depots are always served)."""
    sched = scenario_schedule(scn, node_ids)
    return {n for n in node_ids if sched.visits_on(n, date)}


@dataclass(frozen=True)
class World:
    """A scenario's network and fleet, plus what reshapes its daily demand."""

    scenario: Scenario
    network: Network
    fleet: Fleet

    @property
    def hub(self) -> str:
        return self.fleet.vehicles[0].depot


def build_world(scn: Scenario, base: Network, fleet: Fleet) -> World:
    return World(scn, apply_network(base, scn), apply_fleet(fleet, scn))


def _redirects(scn: Scenario, date: dt.date) -> dict[str, str]:
    return {
        c.node_id: c.redirect_to for c in scn.closures if c.redirect_to and c.start <= date <= c.end
    }


def reshape_demand(
    base: pd.DataFrame, world: World, date: dt.date, rng: np.random.Generator
) -> pd.DataFrame:
    """A day's transfers from the base network's demand → the scenario's.

    Order of changes: added nodes get the transfers of the node they are ``like`` (items ×
    ``volume``) unless the demand model already gave them some; removed nodes lose theirs;
    ``node_factors`` scale transfers touching a node; ``growth`` scales everything; a closure
    with ``redirect_to`` sends its node's transfers to the stand-in. Items are re-drawn as
    Poisson counts around the scaled means, so replications differ and totals stay whole.
    """
    scn = world.scenario
    if len(base) and _only_filters(scn, base, date):
        return _as_given(base, set(world.network.node_ids) - set(scn.remove_nodes))
    cols = ["origin_id", "destination_id", "items", "kind"]
    df = base[cols].copy() if len(base) else pd.DataFrame(columns=cols)
    df["items"] = df["items"].astype(float)
    added = _added_demand(df, _opened(scn, date))
    df = pd.concat([df, added], ignore_index=True) if added is not None else df.reset_index(drop=True)
    if scn.remove_nodes:
        gone = df["origin_id"].isin(scn.remove_nodes) | df["destination_id"].isin(scn.remove_nodes)
        df = df.loc[~gone]
    for node, f in scn.demand.node_factors.items():
        touch = (df["origin_id"] == node) | (df["destination_id"] == node)
        df.loc[touch, "items"] = df.loc[touch, "items"] * f
    df["items"] = df["items"] * scn.demand.growth
    changed = scn.demand.growth != 1.0 or scn.demand.node_factors or added is not None
    if changed:
        df["items"] = rng.poisson(df["items"].to_numpy(dtype=float))
    df["asked_destination"] = df["destination_id"]
    for src, dst in _redirects(scn, date).items():
        df["origin_id"] = df["origin_id"].replace(src, dst)
        df["destination_id"] = df["destination_id"].replace(src, dst)
    known = set(world.network.node_ids)
    keep = (df["items"] > 0) & (df["origin_id"] != df["destination_id"])
    df = df.loc[keep & df["origin_id"].isin(known) & df["destination_id"].isin(known)]
    df["items"] = df["items"].round().astype(int)
    return df.reset_index(drop=True)


def _added_demand(df: pd.DataFrame, opened: list) -> pd.DataFrame | None:
    """Transfers of the added nodes that the demand model gave none: their ``like`` node's, items × volume.

    ``None`` when every opened node already has its own demand (or none is open). Read from
    whole columns: a masked copy per node cost a station scenario several ms a day.
    """
    present = _present(df)
    todo = [a for a in opened if a.node_id not in present]
    if not todo:
        return None
    origin = df["origin_id"].to_numpy(dtype=object)
    dest = df["destination_id"].to_numpy(dtype=object)
    items, kind = df["items"].to_numpy(dtype=float), df["kind"].to_numpy(dtype=object)
    parts = []
    for a in todo:
        o_like, d_like = origin == a.like, dest == a.like
        take = o_like | d_like
        parts.append(pd.DataFrame({
            "origin_id": np.where(o_like, a.node_id, origin)[take],
            "destination_id": np.where(d_like, a.node_id, dest)[take],
            "items": items[take] * a.volume,
            "kind": kind[take],
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True).astype(df.dtypes.to_dict())


def _only_filters(scn: Scenario, base: pd.DataFrame, date: dt.date) -> bool:
    """Whether the scenario leaves ``date``'s transfers as they are, only dropping some:
    no growth, no node factors, no redirect, and no added node that takes another's demand."""
    if scn.demand.growth != 1.0 or scn.demand.node_factors or _redirects(scn, date):
        return False
    added = _opened(scn, date)
    if not added:
        return True
    present = _present(base)
    return all(a.node_id in present for a in added)


def _opened(scn: Scenario, date: dt.date) -> list:
    """The scenario's added nodes open on ``date``."""
    return [a for a in scn.add_nodes if a.opens_on is None or date >= a.opens_on]


def _present(df: pd.DataFrame) -> set[str]:
    """The nodes a transfers frame touches, as origin or destination."""
    return set(df["origin_id"].tolist()) | set(df["destination_id"].tolist())


def _as_given(base: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """:func:`reshape_demand` when it only filters: transfers with items between two different
    ``known`` nodes, items rounded to whole ones (the same frame, built in one step)."""
    origin, dest = base["origin_id"].array, base["destination_id"].array
    items = base["items"].astype(float).to_numpy()
    ends = [
        o != d and o in known and d in known
        for o, d in zip(origin.tolist(), dest.tolist(), strict=True)
    ]
    rows = np.flatnonzero((items > 0) & np.array(ends, dtype=bool))
    return pd.DataFrame(
        {
            "origin_id": origin.take(rows),
            "destination_id": dest.take(rows),
            "items": np.round(items[rows]).astype(int),
            "kind": base["kind"].array.take(rows),
            "asked_destination": dest.take(rows),
        }
    )
