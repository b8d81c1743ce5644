"""The network: nodes (depot, branches, stations) with hours and sources, loaded and validated.

The bundled Keelung network lives in ``network/keelung/`` (package data). Any folder with the
same files (``nodes.csv``, optional ``closures.csv``, ``fleet.toml``) is a network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.hours import CLOSURE_RULES, WEEKDAYS, Closure, DayHours, day_hours, parse_span
from bookvan.data.input_rows import read_csv_rows
from bookvan.data.limits import MAX_NODES, check_count

__all__ = [
    "COORD_RANGE",
    "MAX_ID_CHARS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "NODE_COLUMNS",
    "NODE_KINDS",
    "Network",
    "bundled_network_dir",
    "load_network",
    "number_in_range",
]

NODE_KINDS = ("depot", "branch", "station", "school", "community")
NODE_COLUMNS = (
    "node_id", "name_zh", "name_en", "kind", "lat", "lon",
    *WEEKDAYS, "service_s", "service_per_crate_s",
)
_OPTIONAL_TEXT = (
    "district", "address", "coord_source", "hours_source", "service_source", "weight_source",
    "note", "closure_rule",
)
#: Longest node id, name and free text (characters). Ids name files (loading/NODE.csv) and names
#: fill a line of a printed manifest; longer ones broke ``manifest`` (file name too long, a PDF
#: layout error), so they are refused on load.
MAX_ID_CHARS = 64
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 2000
#: Where a node may lie: latitude and longitude bounds in degrees (the network's nodes.csv and a
#: plan folder's nodes.parquet, whose maps and GPX need every point).
COORD_RANGE = {"lat": (-90, 90), "lon": (-180, 180)}
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "": False}


def bundled_network_dir() -> Path:
    """Folder of the bundled Keelung network (inside the installed package)."""
    return Path(str(resources.files("bookvan.data") / "network" / "keelung"))


@dataclass(frozen=True)
class Network:
    """Nodes (one row each, validated) and dated closures; pure data, no I/O after loading."""

    nodes: pd.DataFrame
    closures: tuple[Closure, ...] = ()
    source_dir: Path | None = None
    weekly: dict[str, dict[str, tuple[dt.time, dt.time] | None]] = field(default_factory=dict)

    @property
    def node_ids(self) -> list[str]:
        return list(self._node_ids)

    @property
    def depot_ids(self) -> list[str]:
        return list(self._depot_ids)

    @cached_property
    def _node_ids(self) -> tuple[str, ...]:
        """Node ids in table order, read once: a simulated day asks for them many times."""
        return tuple(self.nodes["node_id"])

    @cached_property
    def _depot_ids(self) -> tuple[str, ...]:
        """Depot ids in table order, read once (a ``.loc`` filter costs a millisecond a call)."""
        return tuple(self.nodes.loc[self.nodes["kind"] == "depot", "node_id"])

    def node(self, node_id: str) -> pd.Series:
        return self._rows[node_id]

    @cached_property
    def _rows(self) -> dict[str, pd.Series]:
        """Each node's row by id, built once: a day's plan asks for rows hundreds of times."""
        return {str(row["node_id"]): row for _, row in self.nodes.iterrows()}

    def hours_on(self, node_id: str, date: dt.date) -> DayHours:
        """Opening hours of ``node_id`` on ``date`` (closures, holidays and monthly rules applied)."""
        row = self.node(node_id)
        return day_hours(
            name=str(row["name_en"]),
            weekly=self.weekly[node_id],
            date=date,
            closure_rule=str(row.get("closure_rule", "") or ""),
            closed_on_holidays=bool(row.get("closed_on_holidays", False)),
            closures=tuple(c for c in self.closures if c.node_id == node_id),
        )

    def with_closures(self, extra: tuple[Closure, ...]) -> Network:
        return Network(self.nodes, self.closures + tuple(extra), self.source_dir, self.weekly)


def number_in_range(
    col: ProblemCollector, value: object, *, row: int, field: str, lo: float, hi: float
) -> float | None:
    """``value`` as a number within ``lo..hi``, or ``None`` with the problem added to ``col``.

    A CSV cell comes as text; a table's cell may be null (None, NaN, NaT: a missing value).
    """
    if not isinstance(value, str) and pd.isna(value):
        col.add("missing value", row=row, field=field)
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        col.add(f"'{value}' is not a number", row=row, field=field)
        return None
    if not lo <= x <= hi:
        col.add(f"{x} is outside {lo}..{hi}", row=row, field=field)
        return None
    return x


def parse_nodes(path: Path) -> tuple[pd.DataFrame, dict[str, dict[str, tuple[dt.time, dt.time] | None]]]:
    """Validate ``nodes.csv`` and return the node table plus each node's weekly hours."""
    rows = read_csv_rows(path, NODE_COLUMNS)
    col = ProblemCollector(str(path))
    seen: dict[str, int] = {}
    out: list[dict[str, object]] = []
    weekly: dict[str, dict[str, tuple[dt.time, dt.time] | None]] = {}
    for i, r in enumerate(rows, start=1):
        nid = r["node_id"]
        if not nid:
            col.add("empty node id", row=i, field="node_id")
        elif nid in seen:
            col.add(f"duplicate node id '{nid}' (first on row {seen[nid]})", row=i, field="node_id")
        else:
            seen[nid] = i
        if len(nid) > MAX_ID_CHARS:
            col.add(f"node id is {len(nid)} characters long; at most {MAX_ID_CHARS}", row=i, field="node_id")
        for f in ("name_zh", "name_en"):
            if not r[f]:
                col.add("empty name", row=i, field=f)
            elif len(r[f]) > MAX_NAME_CHARS:
                col.add(f"name is {len(r[f])} characters long; at most {MAX_NAME_CHARS}", row=i, field=f)
        for f in _OPTIONAL_TEXT:
            if len(r.get(f) or "") > MAX_TEXT_CHARS:
                col.add(f"text is {len(r[f])} characters long; at most {MAX_TEXT_CHARS}", row=i, field=f)
        if r["kind"] not in NODE_KINDS:
            col.add(f"kind '{r['kind']}' is not one of {', '.join(NODE_KINDS)}", row=i, field="kind")
        lat, lon = (number_in_range(col, r[f], row=i, field=f, lo=lo, hi=hi) for f, (lo, hi) in COORD_RANGE.items())
        service = number_in_range(col, r["service_s"], row=i, field="service_s", lo=0, hi=4 * 3600)
        per_crate = number_in_range(col, r["service_per_crate_s"], row=i, field="service_per_crate_s", lo=0, hi=3600)
        week: dict[str, tuple[dt.time, dt.time] | None] = {}
        for d in WEEKDAYS:
            try:
                week[d] = parse_span(r[d])
            except ValueError as e:
                col.add(str(e), row=i, field=d)
        rule = r.get("closure_rule", "") or ""
        if rule not in CLOSURE_RULES:
            col.add(f"closure rule '{rule}' is not one of: last-thursday", row=i, field="closure_rule")
        flags = {}
        for f in ("coord_approx", "closed_on_holidays", "hours_estimated", "confirmed"):
            v = (r.get(f, "") or "").lower()
            if v not in _BOOL:
                col.add(f"'{r.get(f)}' is not true/false", row=i, field=f)
            flags[f] = _BOOL.get(v, False) if f != "confirmed" or v else True
        weight = 0.0
        if r.get("weight"):
            weight = number_in_range(col, r["weight"], row=i, field="weight", lo=0, hi=1e9) or 0.0
        weekly[nid] = week
        out.append({
            "node_id": nid, "name_zh": r["name_zh"], "name_en": r["name_en"], "kind": r["kind"],
            "lat": lat, "lon": lon, **{d: r[d] for d in WEEKDAYS},
            "service_s": int(service or 0), "service_per_crate_s": int(per_crate or 0),
            "weight": weight, **flags,
            **{f: r.get(f, "") or "" for f in _OPTIONAL_TEXT},
        })
    if not any(r["kind"] == "depot" for r in rows):
        col.add("no node of kind 'depot': the vans need somewhere to start", field="kind")
    col.raise_if_any()
    return pd.DataFrame(out), weekly


def parse_closures(path: Path, node_ids: set[str]) -> tuple[Closure, ...]:
    """Validate ``closures.csv`` (node_id, start, end, reason); absent or header-only: none."""
    try:
        if not path.read_bytes().strip():
            return ()
    except FileNotFoundError:
        return ()
    except OSError:
        pass  # read_csv_rows says what is wrong
    rows = read_csv_rows(path, ("node_id", "start", "end", "reason"), allow_no_rows=True)
    col = ProblemCollector(str(path))
    out = []
    for i, r in enumerate(rows, start=1):
        if r["node_id"] not in node_ids:
            col.add(f"unknown node '{r['node_id']}'", row=i, field="node_id")
        dates: dict[str, dt.date] = {}
        for f in ("start", "end"):
            try:
                dates[f] = dt.date.fromisoformat(r[f])
            except ValueError:
                col.add(f"'{r[f]}' is not a date like 2026-12-01", row=i, field=f)
        if len(dates) < 2:
            continue
        if dates["end"] < dates["start"]:
            col.add("ends before it starts", row=i, field="end")
        if len(r["reason"]) > MAX_NAME_CHARS:
            col.add(f"reason is {len(r['reason'])} characters long; at most {MAX_NAME_CHARS}", row=i, field="reason")
        out.append(Closure(r["node_id"], dates["start"], dates["end"], r["reason"] or "closed"))
    col.raise_if_any()
    return tuple(out)


def load_network(directory: str | Path | None = None) -> Network:
    """Load and validate a network folder (the bundled Keelung network by default)."""
    d = Path(directory) if directory is not None else bundled_network_dir()
    if not (d / "nodes.csv").exists():
        raise InputError.single(d / "nodes.csv", "no such file: a network folder needs nodes.csv")
    nodes, weekly = parse_nodes(d / "nodes.csv")
    check_count(len(nodes), MAX_NODES, file=d / "nodes.csv", what="nodes")  # before an n² travel matrix
    closures = parse_closures(d / "closures.csv", set(nodes["node_id"]))
    return Network(nodes=nodes, closures=closures, source_dir=d, weekly=weekly)
