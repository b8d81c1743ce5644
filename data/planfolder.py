"""The plan folder of the contracts: its files, columns and types, one writer and one reader.

A plan folder (``bookvan plan --out DIR``, ``../shared/contracts.md``) is ``plan.json`` beside
one Parquet file per table of :data:`PLAN_TABLES`. The planner, the manifest sample and test
plans write it with :func:`write_plan_folder`; the checker, the manifests and the scenarios
read it with :func:`read_plan_folder`, asking for the tables they need. The checker still
parses the records itself (it trusts no one's bookkeeping), but not the format.

To add a table, add one :class:`PlanTable` line to :data:`PLAN_TABLES` (``required=False``
for a file older folders lack); to add a column, add it to the table's schema in
:mod:`bookvan.data.tables`. Columns are only ever added, never renamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bookvan.data.errors import InputError, Problem, read_input_text
from bookvan.data.tables import (
    CRATES_SCHEMA,
    ITEMS_SCHEMA,
    MATRIX_SCHEMA,
    NODES_SCHEMA,
    STOPS_SCHEMA,
    TRANSFERS_SCHEMA,
    TZ,
    VEHICLES_SCHEMA,
    write_table,
)

__all__ = [
    "CORE_TABLES",
    "LEGS_SCHEMA",
    "PLAN_JSON",
    "PLAN_TABLES",
    "PlanFolder",
    "PlanTable",
    "plan_table",
    "read_plan_folder",
    "write_plan_folder",
]

PLAN_JSON = "plan.json"
"""The plan's summary (date, seed, totals, unassigned with reasons, solver)."""

LEGS_SCHEMA = pa.schema([
    ("from_id", pa.string()),
    ("to_id", pa.string()),
    ("geometry", pa.binary()),  # WKB line in EPSG:4326: the road a van drives between two nodes
])


@dataclass(frozen=True)
class PlanTable:
    """One table of a plan folder: ``<name>.parquet`` with ``schema``.

    ``columns`` are the ones a reader may rely on (the contract's); every other schema column
    is an addition a writer fills when it can. ``required`` tables are in every plan folder.
    """

    name: str
    schema: pa.Schema
    columns: tuple[str, ...]
    required: bool = True

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"


PLAN_TABLES: tuple[PlanTable, ...] = (
    PlanTable("nodes", NODES_SCHEMA, (
        "node_id", "name_zh", "name_en", "kind", "lat", "lon", "opens", "closes", "service_s")),
    PlanTable("vehicles", VEHICLES_SCHEMA, (
        "vehicle_id", "depot_id", "capacity_crates", "shift_start", "shift_end")),
    PlanTable("transfers", TRANSFERS_SCHEMA, (
        "transfer_id", "origin_id", "destination_id", "items", "crates", "kind", "release", "due")),
    PlanTable("matrix", MATRIX_SCHEMA, ("from_id", "to_id", "distance_m", "duration_s", "source")),
    PlanTable("stops", STOPS_SCHEMA, (
        "vehicle_id", "trip", "seq", "node_id", "arrival", "departure", "load_after",
        "pickup_ids", "delivery_ids")),
    PlanTable("legs", LEGS_SCHEMA, ("from_id", "to_id", "geometry"), required=False),
    PlanTable("items", ITEMS_SCHEMA, (
        "transfer_id", "item_id", "title", "origin_id", "destination_id", "kind"), required=False),
    PlanTable("crates", CRATES_SCHEMA, (
        "crate_id", "vehicle_id", "trip", "origin_id", "destination_id", "items", "transfer_ids"), required=False),
)
"""Every table a plan folder may hold, in the order they are written."""

CORE_TABLES: tuple[str, ...] = tuple(t.name for t in PLAN_TABLES if t.required)
"""The tables every plan folder has (the checker reads all of them)."""


def plan_table(name: str) -> PlanTable:
    """The declaration of table ``name``; a name not in :data:`PLAN_TABLES` is a KeyError."""
    for t in PLAN_TABLES:
        if t.name == name:
            return t
    raise KeyError(f"no plan-folder table '{name}' (known: {', '.join(t.name for t in PLAN_TABLES)})")


def write_plan_folder(
    folder: str | Path, plan: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]
) -> Path:
    """Write ``plan.json`` and the tables into ``folder``: every required one, and the optional
    ones ``tables`` holds. Columns follow each table's schema (missing ones become nulls).

    The one writer of the layout, for plans, samples and test plans alike; callers that
    replace an existing plan wrap it in :func:`bookvan.data.outdir.output_folder`.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for t in PLAN_TABLES:
        if t.required or tables.get(t.name) is not None:
            write_table(tables[t.name], t.schema, out / t.file)
    text = json.dumps(dict(plan), ensure_ascii=False, indent=2, default=str) + "\n"
    (out / PLAN_JSON).write_text(text, encoding="utf-8")
    return out


@dataclass(frozen=True)
class PlanFolder:
    """What :func:`read_plan_folder` read: ``plan.json`` as a dict and the asked-for tables.

    An optional table the folder lacks is absent from ``tables`` (``get`` gives ``None``).
    """

    folder: Path
    info: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def path(self, name: str) -> Path:
        """The file of table ``name`` (or ``plan.json`` for ``"plan"``), for error messages."""
        return self.folder / (PLAN_JSON if name == "plan" else plan_table(name).file)


_NOT_A_PLAN = "missing: not a plan folder (run `bookvan plan --out DIR` first)"


def read_plan_folder(
    folder: str | Path, tables: Iterable[str] = CORE_TABLES, *, optional: Iterable[str] = ()
) -> PlanFolder:
    """Read ``plan.json`` and the named tables of a plan folder.

    ``tables`` must be there; ``optional`` ones are read when present. Each table must have
    its contract columns; timestamps come back tz-aware in Asia/Taipei.

    Raises
    ------
    InputError
        The folder, ``plan.json`` or a table is missing or unreadable, ``plan.json`` is not a
        JSON object, or a table lacks a contract column (naming the file and the column).
    """
    d = Path(folder)
    if not d.is_dir():
        why = "does not exist" if not d.exists() else "is a file"
        raise InputError.single(d, f"not a folder ({why}; expected a plan folder from `bookvan plan`)")
    info_path = d / PLAN_JSON
    text = read_input_text(info_path, missing=_NOT_A_PLAN)
    try:
        info = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError.single(info_path, f"not valid JSON: {e.msg} (line {e.lineno})") from None
    if not isinstance(info, dict):
        raise InputError.single(info_path, "must be a JSON object with the plan's summary")
    out: dict[str, pd.DataFrame] = {}
    for name, needed in [(n, True) for n in tables] + [(n, False) for n in optional]:
        df = _read_table(d, plan_table(name), needed=needed)
        if df is not None:
            out[name] = df
    return PlanFolder(d, info, out)


def _read_table(folder: Path, table: PlanTable, *, needed: bool) -> pd.DataFrame | None:
    path = folder / table.file
    if not path.is_file():
        if needed:
            raise InputError.single(path, _NOT_A_PLAN if not path.exists() else "not a file")
        return None
    try:
        df = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException, ValueError, TypeError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError.single(path, f"not a readable Parquet file ({first})") from None
    missing = [c for c in table.columns if c not in df.columns]
    if missing:
        raise InputError([Problem(str(path), "missing column", field=c) for c in missing])
    for c in df.columns:
        if isinstance(df[c].dtype, pd.DatetimeTZDtype):
            df[c] = df[c].dt.tz_convert(TZ)
    return df
