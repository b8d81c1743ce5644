"""The fleet file (``fleet.toml``): vans, shifts, breaks, costs and routing settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from bookvan.data.costs import COST_KEYS, Costs, read_costs
from bookvan.data.errors import ProblemCollector
from bookvan.data.hours import DAY_S, parse_clock
from bookvan.data.settings import SettingsTable, read_toml_input

__all__ = ["LIMITS", "Costs", "Fleet", "RoutingSettings", "Vehicle", "load_fleet", "vehicle_problems"]

#: Upper bounds of the fleet file's numbers (documented in the README). Above them a value is
#: a typo, not a van: it would overflow the solver's integer arithmetic or plan nonsense.
LIMITS = {
    "vehicle_id": 64,  # characters; it names manifest files (runs/VAN_tripN.pdf)
    "capacity_crates": 1000,
    "items_per_crate": 1000,
    "max_trips": 24,
    "vehicles": 200,
    "penalty": 10**9,  # NT$ for leaving a transfer for another day
    "sorting_s": DAY_S,  # seconds: at most a day of sorting at the depot
}


@dataclass(frozen=True)
class Vehicle:
    """One van and its driver's day; times are local clock times."""

    vehicle_id: str
    depot: str
    capacity_crates: int
    shift_start: dt.time
    shift_end: dt.time
    break_earliest: dt.time | None = None
    break_latest: dt.time | None = None
    break_s: int = 0
    max_trips: int = 1


@dataclass(frozen=True)
class RoutingSettings:
    """How transfers travel: ``direct`` or ``hub`` (via the depot's sorting), and drop penalties."""

    mode: str = "direct"
    sorting_s: int = 3600
    hold_penalty: int = 20000
    return_penalty: int = 5000


@dataclass(frozen=True)
class Fleet:
    vehicles: tuple[Vehicle, ...]
    items_per_crate: int = 30
    costs: Costs = field(default_factory=Costs)
    routing: RoutingSettings = field(default_factory=RoutingSettings)

    def replace(self, **changes: object) -> Fleet:
        return replace(self, **changes)  # type: ignore[arg-type]

    def changed(
        self,
        *,
        without: Iterable[str] = (),
        vans: int | None = None,
        mode: str | None = None,
        costs: Mapping[str, float] | None = None,
        **per_van: object,
    ) -> Fleet:
        """This fleet edited: vans left out by id, resized to ``vans`` (new vans copy the last
        one), each van's ``per_van`` fields replaced (``capacity_crates``, ``shift_start``,
        ``depot``…), the routing ``mode`` and some ``costs`` changed by name.

        The one edit of a fleet, for ``bookvan plan --without/--mode`` and for scenarios.

        Raises
        ------
        ValueError
            An unknown van id, no van left, a mode other than direct/hub, or an unknown field.
        """
        drop = set(without)
        unknown = sorted(drop - {v.vehicle_id for v in self.vehicles})
        if unknown:
            raise ValueError(f"unknown van(s): {', '.join(unknown)}")
        kept = [v for v in self.vehicles if v.vehicle_id not in drop]
        if vans is not None and kept:
            kept = kept[:vans]
            while len(kept) < vans:
                kept.append(replace(kept[-1], vehicle_id=f"VAN-{len(kept) + 1}"))
        if not kept:
            raise ValueError("no van left to plan with")
        bad = sorted(set(per_van) - {f.name for f in fields(Vehicle)} - {"vehicle_id"})
        if bad or "vehicle_id" in per_van:
            raise ValueError(f"not a per-van field: {', '.join(bad or ['vehicle_id'])}")
        if mode is not None and mode not in ("direct", "hub"):
            raise ValueError(f"'{mode}' must be 'direct' or 'hub'")
        set_vals = {k: v for k, v in per_van.items() if v is not None}
        return replace(
            self,
            vehicles=tuple(replace(v, **set_vals) for v in kept),  # type: ignore[arg-type]
            routing=self.routing if mode is None else replace(self.routing, mode=mode),
            costs=self.costs.override(costs or {}),
        )


_VEHICLE_KEYS = {
    "vehicle_id", "depot", "capacity_crates", "shift_start", "shift_end",
    "break_earliest", "break_latest", "break_s", "max_trips",
}
_TOP_KEYS = {"items_per_crate", "vehicle", "costs", "routing"}


def _vehicle_id(v: Mapping[str, object], seen: set[str], col: ProblemCollector, where: dict[str, int]) -> str:
    """The van's id: text, present, not too long, not used before (recorded in ``seen``)."""
    vid = v.get("vehicle_id", "")
    if not isinstance(vid, str):
        col.add(f"vehicle_id must be text, got {vid!r}", field="vehicle_id", **where)
        vid = str(vid)
    elif not vid:
        col.add("missing vehicle_id", field="vehicle_id", **where)
    elif len(vid) > LIMITS["vehicle_id"]:
        col.add(f"vehicle_id is {len(vid)} characters long; at most {LIMITS['vehicle_id']}",
                field="vehicle_id", **where)
    elif vid in seen:
        col.add(f"duplicate vehicle_id '{vid}'", field="vehicle_id", **where)
    seen.add(vid)
    return vid


def _shift_times(v: Mapping[str, object], col: ProblemCollector, where: dict[str, int]) -> dict[str, dt.time | None]:
    """Shift and break times (a TOML time or HH:MM text); the shift's ends are required."""
    times: dict[str, dt.time | None] = {}
    for k in ("shift_start", "shift_end", "break_earliest", "break_latest"):
        value = v.get(k)
        if k not in v:
            if k.startswith("shift"):
                col.add("missing", field=k, **where)
            times[k] = None
        elif isinstance(value, dt.time):  # a bare TOML time, 08:00:00
            times[k] = value.replace(tzinfo=None)
        else:
            try:
                times[k] = parse_clock(str(value))
            except ValueError as e:
                col.add(str(e), field=k, **where)
                times[k] = None
    if times.get("shift_start") and times.get("shift_end") and times["shift_end"] <= times["shift_start"]:  # type: ignore[operator]
        col.add("shift ends before it starts", field="shift_end", **where)
    return times


def _whole(value: object, lo: int, hi: int | None = None) -> bool:
    """A TOML integer (not a bool) within [lo, hi]."""
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value and (hi is None or value <= hi)


def _vehicle(v: object, i: int, node_ids: set[str] | None, seen: set[str], col: ProblemCollector) -> Vehicle | None:
    """The ``i``-th [[vehicle]] table as a Vehicle, or None with every problem added to ``col``."""
    where = {"row": i}
    before = len(col.problems)
    if not isinstance(v, dict):
        col.add(f"vehicle {i} must be a [[vehicle]] table, got {v!r}", field="vehicle", **where)
        return None
    for k in v:
        if k not in _VEHICLE_KEYS:
            col.add(f"unknown key '{k}' in vehicle {i}", field=k, **where)
    vid = _vehicle_id(v, seen, col, where)
    depot = str(v.get("depot", ""))
    if node_ids is not None and depot not in node_ids:
        col.add(f"unknown depot '{depot}'", field="depot", **where)
    cap = v.get("capacity_crates")
    if not _whole(cap, 1, LIMITS["capacity_crates"]):
        msg = f"capacity must be a whole number of crates from 1 to {LIMITS['capacity_crates']}, got {cap!r}"
        col.add(msg, field="capacity_crates", **where)
    times = _shift_times(v, col, where)
    brk = v.get("break_s", 0)
    if not _whole(brk, 0):
        col.add(f"break must be whole seconds ≥ 0, got {brk!r}", field="break_s", **where)
        brk = 0
    if brk and (times.get("break_earliest") is None or times.get("break_latest") is None):
        col.add("a break needs break_earliest and break_latest", field="break_earliest", **where)
    trips = v.get("max_trips", 1)
    if not _whole(trips, 1, LIMITS["max_trips"]):
        col.add(f"max_trips must be a whole number from 1 to {LIMITS['max_trips']}, got {trips!r}",
                field="max_trips", **where)
        trips = 1
    if len(col.problems) != before:
        return None
    van = Vehicle(
        vid, depot, int(cap), times["shift_start"], times["shift_end"],  # type: ignore[arg-type]
        times["break_earliest"], times["break_latest"], int(brk), int(trips),
    )
    for f, msg in vehicle_problems(van):
        col.add(msg, field=f, **where)
    return van


def load_fleet(path: str | Path, node_ids: set[str] | None = None) -> Fleet:
    """Read and validate a fleet file; ``node_ids`` (if given) checks each van's depot exists."""
    path = Path(path)
    raw = read_toml_input(path)
    col = ProblemCollector(str(path))
    for k in raw:
        if k not in _TOP_KEYS:
            col.add(f"unknown key '{k}' (known: {', '.join(sorted(_TOP_KEYS))})", field=k)
    vans = raw.get("vehicle", [])
    if not isinstance(vans, list) or not vans:
        col.add("no [[vehicle]] entries: the fleet needs at least one van", field="vehicle")
        col.raise_if_any()
    seen: set[str] = set()
    vehicles = [van for i, v in enumerate(vans, start=1) if (van := _vehicle(v, i, node_ids, seen, col)) is not None]
    if len(vans) > LIMITS["vehicles"]:
        col.add(f"{len(vans)} vans; at most {LIMITS['vehicles']}", field="vehicle")
    ipc = raw.get("items_per_crate", 30)
    if not _whole(ipc, 1, LIMITS["items_per_crate"]):
        col.add(f"items_per_crate must be a whole number from 1 to {LIMITS['items_per_crate']}, got {ipc!r}",
                field="items_per_crate")
    costs = Costs().override(read_costs(SettingsTable(col, raw.get("costs", {}), "costs", set(COST_KEYS))))
    routing = _routing(SettingsTable(col, raw.get("routing", {}), "routing", _ROUTING_KEYS))
    if routing.mode not in ("direct", "hub"):
        col.add(f"mode '{routing.mode}' must be 'direct' or 'hub'", field="routing.mode")
    col.raise_if_any()
    return Fleet(tuple(vehicles), int(ipc), costs, routing)  # type: ignore[arg-type]


_ROUTING_KEYS = {f.name for f in fields(RoutingSettings)}


def _routing(r: SettingsTable) -> RoutingSettings:
    """The ``[routing]`` table; a bad value is recorded and its default kept."""
    d = RoutingSettings()
    return RoutingSettings(
        mode=r.get("mode", str, d.mode),
        sorting_s=r.get("sorting_s", int, d.sorting_s, lo=0, hi=LIMITS["sorting_s"]),
        hold_penalty=r.get("hold_penalty", int, d.hold_penalty, lo=0, hi=LIMITS["penalty"]),
        return_penalty=r.get("return_penalty", int, d.return_penalty, lo=0, hi=LIMITS["penalty"]),
    )


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def vehicle_problems(van: Vehicle) -> list[tuple[str, str]]:
    """What is wrong with one van's day, as (field, message) pairs; empty when it can be planned.

    The break must lie inside the shift: its window neither backwards nor before the shift
    starts, and the break taken at the latest start still ends by the end of the shift. Checked
    here, before any solver, because a backwards window leaves every transfer out as "shifts are
    full" and a window before the shift is "taken" before the driver starts.
    """
    out: list[tuple[str, str]] = []
    start, end = _secs(van.shift_start), _secs(van.shift_end)
    shift = f"{van.shift_start:%H:%M}–{van.shift_end:%H:%M}"
    if end <= start:
        return [("shift_end", f"the shift {shift} ends before it starts")]
    if van.break_s >= end - start:
        out.append(("break_s", f"a break of {van.break_s} s is as long as the shift {shift} or longer"))
    if van.break_s and van.break_earliest is not None and van.break_latest is not None:
        lo, hi = _secs(van.break_earliest), _secs(van.break_latest)
        window = f"{van.break_earliest:%H:%M}–{van.break_latest:%H:%M}"
        if hi < lo:
            out.append(("break_latest", f"the break window {window} is backwards (latest before earliest)"))
        elif lo < start:
            out.append(("break_earliest", f"the break window {window} starts before the shift {shift}"))
        elif hi + van.break_s > end:
            out.append(("break_latest", f"a {van.break_s} s break starting at {van.break_latest:%H:%M} "
                                        f"ends after the shift {shift}"))
    return out
