"""What changed between two plans of one day, in words a coordinator checks before adopting.

Pure function over two loaded plan folders: per transfer, which van and run carries it and
when it is picked up and delivered, before and after; transfers that now wait (left out) or
are now served; and per van the runs' times, stops and crates.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bookvan.routing.manifest.plan import Plan

__all__ = ["PlanDiff", "TransferChange", "plan_diff"]

RETIME_S = 10 * 60  # smaller shifts are not worth a coordinator's attention


@dataclass(frozen=True)
class TransferChange:
    transfer_id: str
    change: str  # moved | retimed | now_waiting | now_served | new | gone
    before: str
    after: str


@dataclass(frozen=True)
class RunLine:
    vehicle_id: str
    trip: int
    departure: str
    back: str
    stops: int
    crates: int


@dataclass(frozen=True)
class PlanDiff:
    changes: tuple[TransferChange, ...]
    runs_before: tuple[RunLine, ...]
    runs_after: tuple[RunLine, ...]
    distance_before_m: float
    distance_after_m: float
    waiting_before: int
    waiting_after: int

    @property
    def unchanged(self) -> bool:
        return not self.changes and self.runs_before == self.runs_after


def _carriers(plan: Plan) -> dict[str, tuple[str, int, pd.Timestamp, pd.Timestamp]]:
    """transfer id → (van, run, pickup departure, delivery arrival)."""
    pick: dict[str, tuple[str, int, pd.Timestamp]] = {}
    drop: dict[str, pd.Timestamp] = {}
    for s in plan.stops.itertuples(index=False):
        for t in [] if s.pickup_ids is None else list(s.pickup_ids):
            pick[str(t)] = (str(s.vehicle_id), int(s.trip), pd.Timestamp(s.departure))
        for t in [] if s.delivery_ids is None else list(s.delivery_ids):
            drop[str(t)] = pd.Timestamp(s.arrival)
    return {t: (v, k, p, drop.get(t, p)) for t, (v, k, p) in pick.items()}


def _runs(plan: Plan) -> tuple[RunLine, ...]:
    crates = dict(zip(plan.transfers.index, plan.transfers["crates"], strict=True))
    out = []
    for (van, trip), g in plan.stops.groupby(["vehicle_id", "trip"], sort=True):
        picked = sum(int(crates[t]) for ids in g["pickup_ids"] for t in ([] if ids is None else list(ids)))
        out.append(RunLine(str(van), int(trip), f"{g['departure'].min():%H:%M}", f"{g['arrival'].max():%H:%M}",
                           max(len(g) - 2, 0), picked))
    return tuple(out)


def _where(c: tuple[str, int, pd.Timestamp, pd.Timestamp] | None, reason: str | None) -> str:
    if c is None:
        return f"waits: {reason}" if reason else "not in the plan"
    v, k, p, d = c
    return f"{v} run {k}, {p:%H:%M} → {d:%H:%M}"


def plan_diff(old: Plan | None, new: Plan) -> PlanDiff:
    """The differences from ``old`` (None: no plan yet, everything is new) to ``new``."""
    after = _carriers(new)
    after_wait = {str(u["transfer_id"]): str(u.get("reason", "")) for u in new.unassigned}
    if old is None:
        before: dict = {}
        before_wait: dict[str, str] = {}
        known_before: set[str] = set()
    else:
        before = _carriers(old)
        before_wait = {str(u["transfer_id"]): str(u.get("reason", "")) for u in old.unassigned}
        known_before = set(map(str, old.transfers.index))
    changes = []
    for t in sorted(known_before | set(map(str, new.transfers.index))):
        b, a = before.get(t), after.get(t)
        if t not in known_before:
            change = "new"
        elif t not in set(map(str, new.transfers.index)):
            change = "gone"
        elif b is not None and a is None:
            change = "now_waiting"
        elif b is None and a is not None:
            change = "now_served"
        elif b is None and a is None:
            continue
        elif (b[0], b[1]) != (a[0], a[1]):
            change = "moved"
        elif max(abs((b[2] - a[2]).total_seconds()), abs((b[3] - a[3]).total_seconds())) >= RETIME_S:
            change = "retimed"
        else:
            continue
        if old is None and change == "new":
            continue  # a first plan: the runs table says it all
        changes.append(TransferChange(t, change, _where(b, before_wait.get(t)), _where(a, after_wait.get(t))))
    return PlanDiff(
        changes=tuple(changes),
        runs_before=() if old is None else _runs(old),
        runs_after=_runs(new),
        distance_before_m=0.0 if old is None else float(old.info.get("total_distance_m", 0.0)),
        distance_after_m=float(new.info.get("total_distance_m", 0.0)),
        waiting_before=0 if old is None else len(old.unassigned),
        waiting_after=len(new.unassigned),
    )
