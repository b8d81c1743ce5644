"""Prove a plan folder feasible, or list every way it is not, without any solver code.

The checker reads only what the plan folder holds (``plan.json`` and five Parquet tables, see
``../shared/contracts.md``), so a plan can be re-checked years later, and a solver bug cannot
hide behind the same bug in its own bookkeeping. Each :class:`Violation` is one line a
coordinator understands, naming the van, trip, stop and transfer.

Tolerances: timestamps have one-second resolution, so travel may be up to 1 s shorter than
the matrix says (rounding); distances must add up to ``total_distance_m`` within 1 m.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from bookvan.data.tables import TZ
from bookvan.routing.check_read import (
    NodeRec,
    PlanRecords,
    StopRec,
    TransferRec,
    VanRec,
    parse_plan,
    plan_labels,
    read_plan_dir,
)

__all__ = [
    "DISTANCE_TOL_M",
    "KINDS",
    "TIME_TOL_S",
    "Violation",
    "check_plan_dir",
    "check_plan_tables",
    "read_plan_dir",
    "summarise",
]

TIME_TOL_S = 1.0
DISTANCE_TOL_M = 1.0

#: Every kind of violation the checker reports, in the order it reports them.
KINDS = (
    "duplicate_id",  # a node, vehicle or transfer id listed twice
    "unknown_id",  # a stop, transfer, van or unassigned entry names an id the folder lacks
    "trip_structure",  # seq not 0, 1, 2, …; a trip that does not start and end at the van's depot
    "unassigned",  # an unassigned entry without a reason, or listed twice
    "unserved",  # neither delivered nor listed in unassigned
    "served_and_unassigned",
    "pickup",  # not picked up, picked up twice, or not at its origin
    "delivery",  # not delivered, delivered twice, or not at its destination
    "same_van",  # picked up by one van, delivered by another
    "order",  # delivered before (or at the same stop as) it was picked up
    "hub_leg",  # a later hub leg picked up before the earlier leg was delivered
    "release",  # picked up before its release time
    "due",  # delivered after its due time
    "load",  # load_after disagrees with the crates picked and delivered, or is negative
    "capacity",  # more crates on board than the van holds
    "missing_matrix",  # a driven leg with no matrix row
    "travel_time",  # arrives sooner than the matrix duration allows
    "service",  # service before arrival, or leaving before service starts
    "closed",  # a stop at a node closed that day
    "opening_hours",  # service starts outside the node's opening hours
    "shift",  # van leaves before its shift starts or is back after it ends
    "distance",  # driven distance differs from total_distance_m
    "summary",  # vehicles_used / transfers_planned disagree with the stops
    "unscheduled_visit",  # a stop on a day its node is not scheduled, without a reason
    "arrival_window",  # a scheduled arrival outside target ± tolerance (hard), or unlisted (soft)
    "driven_prefix",  # a re-plan: a driven stop after a re-planned one, or a new stop before replan.at
)

_ZONE = ZoneInfo(TZ)


@dataclass(frozen=True)
class Violation:
    """One way a plan is infeasible: a stable ``kind`` (see :data:`KINDS`) and a sentence."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def check_plan_dir(path: str | Path) -> list[Violation]:
    """Check the plan folder at ``path``; an empty list means the plan is feasible.

    Raises
    ------
    InputError
        A file is missing or unreadable, or a required column or value is missing.
    """
    d = Path(path)
    plan, tables = read_plan_dir(d)
    return _check(plan, tables, plan_labels(d))


def check_plan_tables(
    plan: dict[str, Any],
    nodes: pd.DataFrame,
    vehicles: pd.DataFrame,
    transfers: pd.DataFrame,
    matrix: pd.DataFrame,
    stops: pd.DataFrame,
) -> list[Violation]:
    """Check an in-memory plan (``plan.json`` as a dict plus the five tables).

    The scenario simulator calls this every simulated day, so nothing is written or read.

    Raises
    ------
    InputError
        A required column or value is missing or of the wrong type.
    """
    tables = {
        "nodes": nodes,
        "vehicles": vehicles,
        "transfers": transfers,
        "matrix": matrix,
        "stops": stops,
    }
    return _check(plan, tables, plan_labels())


# --------------------------------------------------------------------------------------------
# checking: pure, on the parsed records
# --------------------------------------------------------------------------------------------


def _clock(t: float) -> str:
    d = dt.datetime.fromtimestamp(t, _ZONE)
    return d.strftime("%H:%M:%S" if d.second else "%H:%M")


def _crates(n: int) -> str:
    return f"{n} crate" if n == 1 else f"{n} crates"


def _secs(s: float) -> str:
    s = round(s)
    return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"


class _Checker:
    def __init__(self, p: PlanRecords) -> None:
        self.p = p
        self.out: list[Violation] = []
        self.nodes: dict[str, NodeRec] = {}
        self.vans: dict[str, VanRec] = {}
        self.transfers: dict[str, TransferRec] = {}
        self.matrix: dict[tuple[str, str], tuple[float, float]] = {}
        self.days: dict[str, list[StopRec]] = {}
        self.picked: dict[str, list[StopRec]] = defaultdict(list)
        self.dropped: dict[str, list[StopRec]] = defaultdict(list)
        self.distance_ok = True
        self.distance = 0.0

    def add(self, kind: str, message: str) -> None:
        self.out.append(Violation(kind, message))

    def run(self) -> list[Violation]:
        self.index()
        self.unknown_ids()
        self.structure()
        self.unassigned()
        self.legs_and_loads()
        self.transfer_fates()
        self.hub_legs()
        self.summary()
        self.driven_prefix()
        order = {k: i for i, k in enumerate(KINDS)}
        return sorted(self.out, key=lambda v: order[v.kind])  # stable: within a kind, plan order

    # -- ids ---------------------------------------------------------------------------------
    def index(self) -> None:
        for what, rows, target in (
            ("node", self.p.nodes, self.nodes),
            ("vehicle", self.p.vans, self.vans),
            ("transfer", [(t.tid, t) for t in self.p.transfers], self.transfers),
        ):
            for key, val in rows:
                if key in target:
                    self.add("duplicate_id", f"{what} id {key} is listed twice")
                else:
                    target[key] = val
        for a, b, dist, dur in self.p.matrix:
            if (a, b) in self.matrix and self.matrix[a, b] != (dist, dur):
                self.add("duplicate_id", f"the matrix lists {a} → {b} twice with different values")
            self.matrix.setdefault((a, b), (dist, dur))
        by_van: dict[str, list[StopRec]] = defaultdict(list)
        for s in self.p.stops:
            by_van[s.van].append(s)
        for van, stops in by_van.items():
            stops.sort(key=lambda s: (s.trip, s.seq))
            for i, s in enumerate(stops):
                s.pos = i
            self.days[van] = stops
            for s in stops:
                for tid in s.pickups:
                    self.picked[tid].append(s)
                for tid in s.deliveries:
                    self.dropped[tid].append(s)

    def unknown_ids(self) -> None:
        nodes = self.nodes
        for vid, van in self.vans.items():
            if van.depot not in nodes:
                self.add("unknown_id", f"van {vid}'s depot {van.depot} is not in nodes.parquet")
        for t in self.transfers.values():
            for end, nid in (("origin", t.origin), ("destination", t.destination)):
                if nid not in nodes:
                    self.add(
                        "unknown_id", f"transfer {t.tid}'s {end} {nid} is not in nodes.parquet"
                    )
        for van, stops in self.days.items():
            if van not in self.vans:
                self.add("unknown_id", f"stops name van {van}, which is not in vehicles.parquet")
            for s in stops:
                if s.node not in nodes:
                    self.add("unknown_id", f"{s.where}: node {s.node} is not in nodes.parquet")
                for tid in [*s.pickups, *s.deliveries]:
                    if tid not in self.transfers:
                        self.add(
                            "unknown_id", f"{s.where}: transfer {tid} is not in transfers.parquet"
                        )

    # -- trips -------------------------------------------------------------------------------
    def structure(self) -> None:
        for van, stops in self.days.items():
            trips: dict[int, list[StopRec]] = defaultdict(list)
            for s in stops:
                trips[s.trip].append(s)
            depot = self.vans[van].depot if van in self.vans else None
            for trip, rows in trips.items():
                if trip < 1:
                    self.add(
                        "trip_structure", f"{van} has a trip numbered {trip}; trips count from 1"
                    )
                seqs = [s.seq for s in rows]
                if seqs != list(range(len(rows))):
                    self.add(
                        "trip_structure",
                        f"{van} trip {trip}: stops are numbered {seqs}, not 0 to {len(rows) - 1}",
                    )
                if len(rows) < 2:
                    self.add(
                        "trip_structure",
                        f"{van} trip {trip} has a single stop: it never leaves the depot",
                    )
                    continue
                if depot is None:
                    continue
                if rows[0].node != depot:
                    self.add(
                        "trip_structure",
                        f"{van} trip {trip} starts at {rows[0].node}, not at its depot {depot}",
                    )
                down = self.p.down_at.get(van)
                if down is not None and trip == max(trips) and rows[-1].node == down:
                    continue  # broke down there (plan.json replan.vans_down): the run ends where the van stands
                if rows[-1].node != depot:
                    self.add(
                        "trip_structure",
                        f"{van} trip {trip} ends at {rows[-1].node}, not back at its depot {depot}",
                    )

    # -- unassigned ----------------------------------------------------------------------------
    def unassigned(self) -> None:
        self.known_groups = {g for t in self.transfers.values() for g in (t.leg_of, t.part_of) if g}
        seen: set[str] = set()
        for tid, reason in self.p.unassigned:
            if tid in seen:
                self.add("unassigned", f"transfer {tid} is listed twice in unassigned")
            seen.add(tid)
            if tid not in self.transfers and tid not in self.known_groups:
                self.add(
                    "unknown_id",
                    f"unassigned lists transfer {tid}, which is not in transfers.parquet",
                )
            if not reason:
                self.add("unassigned", f"transfer {tid} is unassigned without a reason")
        self.left_out = seen

    def is_left_out(self, t: TransferRec) -> bool:
        return bool({t.tid, t.leg_of, t.part_of} & self.left_out)

    # -- driving: travel time, service, hours, shifts, loads, distance --------------------------
    def legs_and_loads(self) -> None:
        for van, stops in self.days.items():
            info = self.vans.get(van)
            load = 0
            for i, s in enumerate(stops):
                if i > 0:
                    self.drive(stops[i - 1], s)
                self.service(s, info)
                picked = sum(self.transfers[t].crates for t in s.pickups if t in self.transfers)
                dropped = sum(self.transfers[t].crates for t in s.deliveries if t in self.transfers)
                load += picked - dropped
                if s.load_after != load:
                    self.add(
                        "load",
                        f"{s.where}: load_after is {s.load_after} crates, but the crates "
                        f"picked up and delivered so far leave {load} on board",
                    )
                if load < 0:
                    self.add("load", f"{s.where}: {-load} more crates delivered than were on board")
                if info is not None and load > info.capacity:
                    self.add(
                        "capacity",
                        f"{s.where}: {load} crates on board, over the van's "
                        f"capacity of {info.capacity} by {load - info.capacity}",
                    )
            if info is None:
                continue
            for s in stops:
                if s.seq == 0 and s.departure < info.shift_start:
                    self.add(
                        "shift",
                        f"{s.where}: leaves at {_clock(s.departure)}, before the "
                        f"shift starts at {_clock(info.shift_start)}",
                    )
            last = stops[-1]
            if last.arrival > info.shift_end:
                self.add(
                    "shift",
                    f"{last.where}: back at {_clock(last.arrival)}, after the shift "
                    f"ends at {_clock(info.shift_end)}",
                )

    def drive(self, a: StopRec, b: StopRec) -> None:
        if b.arrival < a.departure:
            self.add(
                "travel_time",
                f"{b.where}: arrives at {_clock(b.arrival)}, before leaving "
                f"{a.node} at {_clock(a.departure)}",
            )
            if a.node == b.node:
                return
        if a.node == b.node:
            return  # staying put: no matrix row needed
        if a.node not in self.nodes or b.node not in self.nodes:
            self.distance_ok = False
            return
        row = self.matrix.get((a.node, b.node))
        if row is None:
            self.add(
                "missing_matrix", f"{b.where}: no matrix row for the drive {a.node} → {b.node}"
            )
            self.distance_ok = False
            return
        dist, dur = row
        self.distance += dist
        took = b.arrival - a.departure
        if b.arrival >= a.departure and took < dur - TIME_TOL_S:
            self.add(
                "travel_time",
                f"{b.where}: arrives at {_clock(b.arrival)}, {_secs(took)} after "
                f"leaving {a.node} at {_clock(a.departure)}, but the drive takes {_secs(dur)}",
            )

    def service(self, s: StopRec, van: VanRec | None) -> None:
        if s.start < s.arrival:
            self.add(
                "service",
                f"{s.where}: service starts at {_clock(s.start)}, before the van "
                f"arrives at {_clock(s.arrival)}",
            )
        if s.departure < s.start:
            self.add(
                "service",
                f"{s.where}: leaves at {_clock(s.departure)}, before service starts "
                f"at {_clock(s.start)}",
            )
        node = self.nodes.get(s.node)
        if node is None or node.kind == "depot" or (van is not None and s.node == van.depot):
            return
        if node.opens is None or node.closes is None:
            why = node.closed_reason or f"{s.node} is closed that day"
            self.add("closed", f"{s.where}: {why}")
        elif not node.opens <= s.start <= node.closes:
            self.add(
                "opening_hours",
                f"{s.where}: service starts at {_clock(s.start)}, outside "
                f"{s.node}'s hours {_clock(node.opens)}–{_clock(node.closes)}",
            )

    # -- transfers -----------------------------------------------------------------------------
    def transfer_fates(self) -> None:
        self.served: list[TransferRec] = []
        for t in self.transfers.values():
            picks, drops = self.picked.get(t.tid, []), self.dropped.get(t.tid, [])
            what = f"transfer {t.tid} ({t.origin} → {t.destination}, {_crates(t.crates)})"
            if self.is_left_out(t):
                if picks or drops:
                    self.add(
                        "served_and_unassigned",
                        f"{what} is in the plan and also listed as unassigned",
                    )
                continue
            if not picks and not drops:
                self.add(
                    "unserved",
                    f"{what} is neither delivered nor listed as unassigned with a reason",
                )
                continue
            if not picks:
                self.add("pickup", f"{what} is delivered at {drops[0].where} but never picked up")
            if not drops:
                self.add("delivery", f"{what} is picked up at {picks[0].where} but never delivered")
            if len(picks) > 1:
                self.add(
                    "pickup",
                    f"{what} is picked up {len(picks)} times: " + "; ".join(s.where for s in picks),
                )
            if len(drops) > 1:
                self.add(
                    "delivery",
                    f"{what} is delivered {len(drops)} times: " + "; ".join(s.where for s in drops),
                )
            for s in picks:
                if s.node != t.origin and t.origin in self.nodes:
                    self.add(
                        "pickup", f"{what} is picked up at {s.where}, not at its origin {t.origin}"
                    )
                if t.release is not None and s.start < t.release:
                    self.add(
                        "release",
                        f"{what} is picked up at {_clock(s.start)} ({s.where}), "
                        f"before it is ready at {_clock(t.release)}",
                    )
            for s in drops:
                if s.node != t.destination and t.destination in self.nodes:
                    self.add(
                        "delivery",
                        f"{what} is delivered at {s.where}, not at its destination {t.destination}",
                    )
                if t.due is not None and s.start > t.due:
                    self.add(
                        "due",
                        f"{what} is delivered at {_clock(s.start)} ({s.where}), after it "
                        f"is due at {_clock(t.due)}",
                    )
            if len(picks) == 1 and len(drops) == 1:
                p, d = picks[0], drops[0]
                if p.van != d.van:
                    self.add("same_van", f"{what} is picked up by {p.van} but delivered by {d.van}")
                elif d.pos <= p.pos:
                    self.add(
                        "order",
                        f"{what} is delivered at {d.where} "
                        + ("at the same stop as" if d.pos == p.pos else "before")
                        + f" it is picked up at {p.where}",
                    )
            if picks and drops:
                self.served.append(t)

    def hub_legs(self) -> None:
        groups: dict[str, list[TransferRec]] = defaultdict(list)
        for t in self.transfers.values():
            if t.leg_of is not None:
                groups[t.leg_of].append(t)
        for orig, legs in groups.items():
            legs.sort(key=lambda t: (t.leg if t.leg is not None else 0, t.tid))
            for a, b in itertools.pairwise(legs):
                b_picks = self.picked.get(b.tid, [])
                if not b_picks or self.is_left_out(b):
                    continue
                a_drops = self.dropped.get(a.tid, [])
                if not a_drops or self.is_left_out(a):
                    self.add(
                        "hub_leg",
                        f"transfer {orig}: leg {b.tid} is picked up at {b_picks[0].where}, "
                        f"but the earlier leg {a.tid} is never delivered",
                    )
                    continue
                ready = max(s.start for s in a_drops)
                first = min(s.start for s in b_picks)
                if first < ready:
                    self.add(
                        "hub_leg",
                        f"transfer {orig}: leg {b.tid} is picked up at {_clock(first)}, "
                        f"before the earlier leg {a.tid} is delivered at {_clock(ready)}",
                    )

    # -- a re-plan's fixed prefix ---------------------------------------------------------------
    def driven_prefix(self) -> None:
        at = self.p.replan_at
        for stops in self.days.values():
            replanned = None
            for s in stops:
                if not s.driven:
                    replanned = replanned or s
                    if at is not None and s.arrival < at - TIME_TOL_S:
                        self.add("driven_prefix", f"{s.where}: a re-planned stop arrives at {_clock(s.arrival)}, "
                                                  f"before the re-plan time {_clock(at)}")
                elif replanned is not None:
                    self.add("driven_prefix", f"{s.where} is marked driven but comes after the re-planned "
                                              f"{replanned.where}")

    # -- plan.json summary -----------------------------------------------------------------------
    def summary(self) -> None:
        p = self.p
        if self.distance_ok and abs(self.distance - p.total_distance_m) > DISTANCE_TOL_M:
            self.add(
                "distance",
                f"the vans drive {self.distance:.0f} m by the matrix, but "
                f"total_distance_m says {p.total_distance_m:.0f} m",
            )
        with_stops = len(self.days)
        working = len(
            {s.van for t in self.served for s in self.picked[t.tid] + self.dropped[t.tid]}
        )
        if p.vehicles_used not in (with_stops, working):
            self.add(
                "summary", f"vehicles_used is {p.vehicles_used}, but {with_stops} van(s) have stops"
            )
        rows = len(self.served)
        originals = len({t.leg_of or t.tid for t in self.served})
        roots = len({t.part_of or t.leg_of or t.tid for t in self.served})
        if p.transfers_planned not in (rows, originals, roots):
            self.add(
                "summary",
                f"transfers_planned is {p.transfers_planned}, but {rows} transfers "
                f"are picked up and delivered ({originals} counting each hub transfer once)",
            )


def _check(
    plan: dict[str, Any], tables: dict[str, pd.DataFrame], labels: dict[str, str]
) -> list[Violation]:
    from bookvan.routing.check_schedule import schedule_problems

    found = _Checker(parse_plan(plan, tables, labels)).run()
    return found + [Violation(k, m) for k, m in schedule_problems(plan, tables["stops"], tables["nodes"])]


def summarise(plan: dict[str, Any], stops: pd.DataFrame) -> str:
    """One line for a feasible plan: vans, trips, transfers, unassigned and distance."""
    trips = stops[["vehicle_id", "trip"]].drop_duplicates().shape[0] if len(stops) else 0
    return (
        f"{plan.get('vehicles_used', 0)} van(s), {trips} trip(s), "
        f"{plan.get('transfers_planned', 0)} transfer(s) planned, "
        f"{len(plan.get('unassigned') or [])} unassigned, "
        f"{float(plan.get('total_distance_m', 0)) / 1000:.1f} km"
    )
