"""Read a plan folder (``../shared/contracts.md``) for printing, and only that.

The manifest layer never imports the solver: a plan printed tomorrow from a folder copied to
another machine must look the same. Files and columns are read with the one plan-folder reader
(:mod:`bookvan.data.planfolder`); this module adds the cross-references printing
relies on. Every missing file or column raises :class:`~bookvan.data.errors.InputError` naming
the file, row and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.hours import DAY_S
from bookvan.data.network import COORD_RANGE, MAX_ID_CHARS, MAX_NAME_CHARS, number_in_range
from bookvan.data.planfolder import PlanFolder, read_plan_folder

__all__ = ["Plan", "load_plan"]

#: The tables a manifest prints from; the matrix and road legs only add distances and lines.
_TABLES = ("nodes", "vehicles", "transfers", "stops")
_OPTIONAL_TABLES = ("matrix", "legs", "items")  # items: item-level plans (labels, packing lists)
#: Optional text columns (additions beyond the contract) that printing reads: null if absent.
_OPTIONAL_TEXT = {
    "nodes": ("address", "closed_reason"),
    "transfers": ("leg_of", "part_of"),
}


@dataclass(frozen=True)
class Plan:
    """The tables of one plan folder, tz-aware, plus its short id for page footers."""

    folder: Path
    info: dict
    nodes: pd.DataFrame
    vehicles: pd.DataFrame
    transfers: pd.DataFrame
    stops: pd.DataFrame
    matrix: pd.DataFrame | None
    legs: pd.DataFrame | None
    plan_id: str
    items: pd.DataFrame | None = None  # items.parquet, when the plan came from an item-level list

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(str(self.info["date"])[:10])

    @property
    def unassigned(self) -> list[dict]:
        return list(self.info.get("unassigned") or [])


_LONGEST = (
    ("nodes", "node_id", MAX_ID_CHARS),
    ("nodes", "name_zh", MAX_NAME_CHARS),
    ("nodes", "name_en", MAX_NAME_CHARS),
    ("vehicles", "vehicle_id", MAX_ID_CHARS),
    ("transfers", "transfer_id", MAX_ID_CHARS),
)


def _check_lengths(read: PlanFolder) -> None:
    """Ids and names within the network's limits: they name files and fill one printed line."""
    for name, key, most in _LONGEST:
        col = ProblemCollector(str(read.path(name)))
        for i, v in enumerate(read[name][key], start=1):
            if isinstance(v, str) and len(v) > most:
                col.add(f"{len(v)} characters long; at most {most}", row=i, field=key)
        col.raise_if_any()


def _check_coordinates(read: PlanFolder) -> None:
    """Every node somewhere on Earth: the route maps, the overview and the GPX draw each one."""
    col = ProblemCollector(str(read.path("nodes")))
    nodes = read["nodes"]
    for field, (lo, hi) in COORD_RANGE.items():
        for i, v in enumerate(nodes[field].tolist(), start=1):
            number_in_range(col, v, row=i, field=field, lo=lo, hi=hi)
    col.raise_if_any()


def _check_breaks(read: PlanFolder) -> None:
    """Each stop's break (optional ``break_s``, null: none) within a day: the manifest places it
    before the departure, and a longer one put its start out of the calendar."""
    stops = read["stops"]
    if "break_s" not in stops.columns:
        return
    col = ProblemCollector(str(read.path("stops")))
    for i, v in enumerate(stops["break_s"].tolist(), start=1):
        if isinstance(v, str) or not pd.isna(v):
            number_in_range(col, v, row=i, field="break_s", lo=0, hi=DAY_S)
    col.raise_if_any()


def _check_refs(read: PlanFolder) -> None:
    """Stops and transfers must name known nodes and transfers; rows are 1-based as in errors."""
    for name, key in (("nodes", "node_id"), ("transfers", "transfer_id")):
        col = ProblemCollector(str(read.path(name)))
        first: dict[object, int] = {}
        for i, v in enumerate(read[name][key], start=1):
            if v in first:
                col.add(f"duplicate id '{v}' (first on row {first[v]})", row=i, field=key)
            first.setdefault(v, i)
        col.raise_if_any()
    nodes = set(read["nodes"]["node_id"])
    transfers = read["transfers"]
    known = set(transfers["transfer_id"])
    col = ProblemCollector(str(read.path("transfers")))
    for i, r in enumerate(transfers.itertuples(index=False), start=1):
        for f in ("origin_id", "destination_id"):
            if getattr(r, f) not in nodes:
                col.add(f"unknown node '{getattr(r, f)}'", row=i, field=f)
        crates = r.crates
        if pd.isna(crates) or int(crates) < 1:
            col.add(f"crates must be a whole number ≥ 1, got {crates}", row=i, field="crates")
    col.raise_if_any()
    col = ProblemCollector(str(read.path("stops")))
    vans = set(read["vehicles"]["vehicle_id"])
    for i, r in enumerate(read["stops"].itertuples(index=False), start=1):
        if r.node_id not in nodes:
            col.add(f"unknown node '{r.node_id}'", row=i, field="node_id")
        if r.vehicle_id not in vans:
            col.add(f"unknown vehicle '{r.vehicle_id}'", row=i, field="vehicle_id")
        for f in ("pickup_ids", "delivery_ids"):
            ids = getattr(r, f)
            for t in [] if ids is None else list(ids):
                if t not in known:
                    col.add(f"unknown transfer '{t}'", row=i, field=f)
        for f in ("arrival", "departure"):
            if pd.isna(getattr(r, f)):
                col.add("empty time", row=i, field=f)
    col.raise_if_any()


def _plan_id(folder: Path) -> str:
    """Short hash of plan.json and stops.parquet: two prints with the same id show the same plan."""
    h = hashlib.sha256()
    for name in ("plan.json", "stops.parquet"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:8]


def load_plan(folder: str | Path) -> Plan:
    """Load and validate a plan folder; raise InputError naming file, row and field."""
    read = read_plan_folder(folder, _TABLES, optional=_OPTIONAL_TABLES)
    info, pj = read.info, read.path("plan")
    try:
        dt.date.fromisoformat(str(info.get("date", ""))[:10])
    except ValueError:
        raise InputError.single(pj, f"not a date: {info.get('date')!r}", field="date") from None
    if not isinstance(info.get("unassigned") or [], list):
        raise InputError.single(pj, "must be a list of {transfer_id, reason}", field="unassigned")
    for i, u in enumerate(info.get("unassigned") or [], start=1):
        if not isinstance(u, dict) or "transfer_id" not in u:
            raise InputError.single(pj, "each entry needs transfer_id and reason", row=i, field="unassigned")
    for name, cols in _OPTIONAL_TEXT.items():
        for c in cols:
            if c not in read[name].columns:
                read[name][c] = None
    _check_lengths(read)
    _check_coordinates(read)
    _check_breaks(read)
    _check_refs(read)
    stops = read["stops"].sort_values(["vehicle_id", "trip", "seq"], kind="stable")
    return Plan(
        folder=read.folder,
        info=info,
        nodes=read["nodes"].set_index("node_id", drop=False),
        vehicles=read["vehicles"],
        transfers=read["transfers"].set_index("transfer_id", drop=False),
        stops=stops.reset_index(drop=True),
        matrix=read.get("matrix"),
        legs=read.get("legs"),
        plan_id=_plan_id(read.folder),
        items=read.get("items"),
    )
