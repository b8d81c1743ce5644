"""The standing weekly schedule: on which days each node is visited, and at about what time.

One definition shared by ``plan`` (which honours it), ``check`` (which verifies it), the
scenarios (whose ``[visits]`` are another way to write it) and ``schedule build`` (which
writes it). On disk it is ``schedule.csv`` in the network folder, one row per node::

    node_id,days,target_arrival,tolerance_min,vehicle_id,source
    KL-ANLE,tue-thu-sat,10:30,30,VAN-1,built by bookvan schedule build

``days`` is a pattern name (``daily``, ``tue-thu-sat``, ``school-days`` …) or weekdays such as
``mon,wed,fri``. ``school-days`` are Monday to Friday except Taiwan's public holidays (the
``holidays`` calendar the opening hours already use). ``target_arrival`` may be blank (visit
days only); ``vehicle_id`` is optional. A node not listed is visited on any day it is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.hours import WEEKDAYS, parse_clock, tw_holidays

__all__ = [
    "PATTERNS",
    "SCHEDULE_COLUMNS",
    "SCHEDULE_FILE",
    "NodeSchedule",
    "Schedule",
    "VisitDays",
    "load_schedule",
    "parse_schedule",
    "parse_visit_days",
    "parse_weekdays",
    "schedule_from_visits",
    "write_schedule",
]

SCHEDULE_FILE = "schedule.csv"
SCHEDULE_COLUMNS = ("node_id", "days", "target_arrival", "tolerance_min", "vehicle_id", "source")
DEFAULT_TOLERANCE_MIN = 30

# visit patterns by name; a node is visited only on these weekdays (and only when it is open)
PATTERNS: dict[str, tuple[str, ...]] = {
    "daily": WEEKDAYS,
    "mon-wed-fri": ("mon", "wed", "fri"),
    "tue-thu-sat": ("tue", "thu", "sat"),
    "tue-fri": ("tue", "fri"),
    "tue-sat": ("tue", "sat"),
    "wed-sat": ("wed", "sat"),
    "weekly-wed": ("wed",),
    "school-days": ("mon", "tue", "wed", "thu", "fri"),
}
_NO_HOLIDAYS = {"school-days"}  # patterns that skip Taiwan's public holidays
_ZH_DAYS = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class VisitDays:
    """Weekdays a node is visited; ``skip_holidays`` leaves out Taiwan's public holidays."""

    weekdays: tuple[str, ...]
    skip_holidays: bool = False

    def includes(self, date: dt.date) -> bool:
        if WEEKDAYS[date.weekday()] not in self.weekdays:
            return False
        return not (self.skip_holidays and date in tw_holidays(date.year))

    @property
    def text(self) -> str:
        """The pattern as written back to ``schedule.csv`` (a name when one fits)."""
        for name, days in PATTERNS.items():
            if days == self.weekdays and (name in _NO_HOLIDAYS) == self.skip_holidays:
                return name
        return ",".join(self.weekdays)

    @property
    def zh(self) -> str:
        """``每週二、四、六`` for a timetable."""
        if self.weekdays == WEEKDAYS:
            return "每日"
        days = "、".join(_ZH_DAYS[WEEKDAYS.index(d)] for d in self.weekdays)
        tail = "（國定假日除外）" if self.skip_holidays else ""
        return f"每週{days}{tail}"

    @property
    def en(self) -> str:
        if self.weekdays == WEEKDAYS:
            return "every day"
        names = ", ".join(d.capitalize() for d in self.weekdays)
        return names + (" (not on public holidays)" if self.skip_holidays else "")


def parse_weekdays(value: object) -> tuple[str, ...]:
    """A visit pattern name (``"tue-thu-sat"``), ``"mon,wed,fri"`` or a list of weekday names."""
    return parse_visit_days(value).weekdays


def parse_visit_days(value: object) -> VisitDays:
    """Like :func:`parse_weekdays`, keeping whether the pattern skips public holidays."""
    if isinstance(value, str):
        v = value.strip().lower()
        if v in PATTERNS:
            return VisitDays(PATTERNS[v], v in _NO_HOLIDAYS)
        parts = [p.strip() for p in v.replace("-", ",").split(",") if p.strip()]
    elif isinstance(value, list):
        parts = [str(p).strip().lower() for p in value]
    else:
        raise ValueError(f"{value!r} is not a visit pattern")
    bad = [p for p in parts if p not in WEEKDAYS]
    if bad or not parts:
        raise ValueError(
            f"{value!r} is not a visit pattern: use one of {', '.join(PATTERNS)} "
            f"or weekdays like 'mon,wed,fri'"
        )
    return VisitDays(tuple(d for d in WEEKDAYS if d in parts))


@dataclass(frozen=True)
class NodeSchedule:
    """One node's standing visit: days, target arrival (seconds after midnight), tolerance."""

    node_id: str
    days: VisitDays
    target_s: int | None = None
    tolerance_s: int = DEFAULT_TOLERANCE_MIN * 60
    vehicle_id: str | None = None
    source: str = ""

    def window_s(self) -> tuple[int, int] | None:
        """Earliest and latest arrival (seconds of the day), or None without a target."""
        if self.target_s is None:
            return None
        return self.target_s - self.tolerance_s, self.target_s + self.tolerance_s

    @property
    def target_text(self) -> str:
        return "" if self.target_s is None else _clock(self.target_s)


@dataclass(frozen=True)
class Schedule:
    """Every listed node's standing visit; nodes not listed are visited whenever open."""

    nodes: Mapping[str, NodeSchedule] = field(default_factory=dict)
    source: str = ""

    def get(self, node_id: str) -> NodeSchedule | None:
        return self.nodes.get(node_id)

    def visits_on(self, node_id: str, date: dt.date) -> bool:
        """Is ``node_id`` due a visit on ``date`` (opening hours aside)?"""
        ns = self.nodes.get(node_id)
        return ns is None or ns.days.includes(date)

    def next_visit(
        self,
        node_id: str,
        after: dt.date,
        is_open: Callable[[str, dt.date], bool] | None = None,
        horizon_days: int = 60,
    ) -> dt.date | None:
        """The first date after ``after`` the node is scheduled and (if told how) open."""
        for k in range(1, horizon_days + 1):
            d = after + dt.timedelta(days=k)
            if self.visits_on(node_id, d) and (is_open is None or is_open(node_id, d)):
                return d
        return None

    def to_rows(self) -> list[dict[str, str]]:
        return [
            {
                "node_id": n.node_id,
                "days": n.days.text,
                "target_arrival": n.target_text,
                "tolerance_min": str(n.tolerance_s // 60),
                "vehicle_id": n.vehicle_id or "",
                "source": n.source,
            }
            for n in self.nodes.values()
        ]

    def to_json(self) -> dict[str, dict[str, object]]:
        """The schedule as plan.json records it (so ``check`` needs no network files)."""
        return {
            n.node_id: {
                "days": n.days.text,
                "target_arrival": n.target_text or None,
                "tolerance_min": n.tolerance_s // 60,
                "vehicle_id": n.vehicle_id,
            }
            for n in self.nodes.values()
        }


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_schedule(
    rows: Iterable[Mapping[str, str]],
    *,
    where: str = SCHEDULE_FILE,
    node_ids: set[str] | None = None,
    vehicle_ids: set[str] | None = None,
) -> Schedule:
    """Validate schedule rows; every bad field is collected and raised once (row 1 = first row)."""
    col = ProblemCollector(where)
    out: dict[str, NodeSchedule] = {}
    first: dict[str, int] = {}
    for i, r in enumerate(rows, start=1):
        nid = (r.get("node_id") or "").strip()
        if not nid:
            col.add("empty node id", row=i, field="node_id")
        elif nid in first:
            col.add(f"node '{nid}' is listed twice (first on row {first[nid]})", row=i, field="node_id")
        elif node_ids is not None and nid not in node_ids:
            col.add(f"unknown node '{nid}' (not in nodes.csv)", row=i, field="node_id")
        first.setdefault(nid, i)
        try:
            days = parse_visit_days(r.get("days") or "")
        except ValueError as e:
            col.add(str(e), row=i, field="days")
            days = None
        target = None
        text = (r.get("target_arrival") or "").strip()
        if text:
            try:
                t = parse_clock(text)
                target = t.hour * 3600 + t.minute * 60
            except ValueError as e:
                col.add(str(e), row=i, field="target_arrival")
        tol_text = (r.get("tolerance_min") or "").strip()
        tol = DEFAULT_TOLERANCE_MIN
        if tol_text:
            try:
                tol = int(tol_text)
                if not 0 <= tol <= 720:
                    raise ValueError
            except ValueError:
                col.add(f"'{tol_text}' is not whole minutes in 0..720", row=i, field="tolerance_min")
        van = (r.get("vehicle_id") or "").strip() or None
        if van is not None and vehicle_ids is not None and van not in vehicle_ids:
            col.add(f"unknown van '{van}' (not in the fleet)", row=i, field="vehicle_id")
        if nid and days is not None and nid not in out:
            out[nid] = NodeSchedule(nid, days, target, tol * 60, van, (r.get("source") or "").strip())
    col.raise_if_any()
    return Schedule(out, where)


def load_schedule(
    network_dir: str | Path | None,
    *,
    node_ids: set[str] | None = None,
    vehicle_ids: set[str] | None = None,
    path: str | Path | None = None,
) -> Schedule | None:
    """Read ``schedule.csv`` of a network folder (or ``path``); None when there is none."""
    from bookvan.data.input_rows import read_csv_rows

    p = Path(path) if path is not None else (Path(network_dir) / SCHEDULE_FILE if network_dir else None)
    if p is None or (path is None and not p.exists()):
        return None
    if not p.exists():
        raise InputError.single(p, "no such schedule file")
    rows = read_csv_rows(p, ("node_id", "days"))
    return parse_schedule(rows, where=str(p), node_ids=node_ids, vehicle_ids=vehicle_ids)


def schedule_from_visits(
    default: tuple[str, ...],
    visits: Mapping[str, tuple[str, ...]],
    node_ids: Iterable[str],
    *,
    depots: Iterable[str] = (),
    source: str = "scenario [visits]",
) -> Schedule:
    """A scenario's ``[visits]`` (default pattern plus per-node patterns) as a :class:`Schedule`.

    Depots are left out: vans start and end there every working day.
    """
    skip = set(depots)
    out = {}
    for n in node_ids:
        if n in skip:
            continue
        days = tuple(visits.get(n, default))
        if days == WEEKDAYS:
            continue
        out[n] = NodeSchedule(n, VisitDays(days), source=source)
    return Schedule(out, source)


def write_schedule(schedule: Schedule, path: str | Path, header_note: str = "") -> Path:
    """Write ``schedule.csv`` atomically (UTF-8, one row per node)."""
    from bookvan.data.csv_safe import write_csv_rows

    rows = schedule.to_rows()
    for row in rows:
        if header_note and not row["source"]:
            row["source"] = header_note
    return write_csv_rows(path, list(SCHEDULE_COLUMNS), rows)
