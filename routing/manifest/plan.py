"""Read a plan folder (``../shared/contracts.md``) for printing, and only that.

The manifest layer never imports the solver: a plan printed tomorrow from a folder copied to
another machine must look the same. Every missing file or column raises
:class:`~bookvan.data.errors.InputError` naming the file, row and field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.network import MAX_ID_CHARS, MAX_NAME_CHARS
from bookvan.data.tables import TZ

__all__ = ["Plan", "load_plan"]

_REQUIRED = {
    "nodes.parquet": ("node_id", "name_zh", "name_en", "kind", "lat", "lon", "opens", "closes"),
    "vehicles.parquet": ("vehicle_id", "depot_id", "capacity_crates"),
    "transfers.parquet": ("transfer_id", "origin_id", "destination_id", "crates", "kind"),
    "stops.parquet": (
        "vehicle_id",
        "trip",
        "seq",
        "node_id",
        "arrival",
        "departure",
        "load_after",
        "pickup_ids",
        "delivery_ids",
    ),
}
_OPTIONAL_TEXT = {
    "nodes.parquet": ("address", "closed_reason"),
    "transfers.parquet": ("leg_of", "part_of"),
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

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(str(self.info["date"])[:10])

    @property
    def unassigned(self) -> list[dict]:
        return list(self.info.get("unassigned") or [])


def _read(folder: Path, name: str, *, required: bool = True) -> pd.DataFrame | None:
    path = folder / name
    if not path.exists():
        if required:
            raise InputError.single(path, "missing: not a plan folder (run `bookvan plan --out DIR` first)")
        return None
    try:
        df = pq.read_table(path).to_pandas()
    except Exception as e:  # pyarrow raises several types for a damaged file
        raise InputError.single(path, f"not a readable Parquet file ({e.__class__.__name__})") from None
    cols = _REQUIRED.get(name, ())
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError.single(path, f"missing column(s): {', '.join(missing)}", row=0, field=missing[0])
    for c in _OPTIONAL_TEXT.get(name, ()):
        if c not in df.columns:
            df[c] = None
    for c in df.columns:
        if isinstance(df[c].dtype, pd.DatetimeTZDtype):
            df[c] = df[c].dt.tz_convert(TZ)
    return df


_LONGEST = (
    ("nodes.parquet", "node_id", MAX_ID_CHARS),
    ("nodes.parquet", "name_zh", MAX_NAME_CHARS),
    ("nodes.parquet", "name_en", MAX_NAME_CHARS),
    ("vehicles.parquet", "vehicle_id", MAX_ID_CHARS),
    ("transfers.parquet", "transfer_id", MAX_ID_CHARS),
)


def _check_lengths(plan_files: dict[str, pd.DataFrame], folder: Path) -> None:
    """Ids and names within the network's limits: they name files and fill one printed line."""
    for name, key, most in _LONGEST:
        col = ProblemCollector(str(folder / name))
        for i, v in enumerate(plan_files[name][key], start=1):
            if isinstance(v, str) and len(v) > most:
                col.add(f"{len(v)} characters long; at most {most}", row=i, field=key)
        col.raise_if_any()


def _check_refs(plan_files: dict[str, pd.DataFrame], folder: Path) -> None:
    """Stops and transfers must name known nodes and transfers; rows are 1-based as in errors."""
    for name, key in (("nodes.parquet", "node_id"), ("transfers.parquet", "transfer_id")):
        col = ProblemCollector(str(folder / name))
        first: dict[object, int] = {}
        for i, v in enumerate(plan_files[name][key], start=1):
            if v in first:
                col.add(f"duplicate id '{v}' (first on row {first[v]})", row=i, field=key)
            first.setdefault(v, i)
        col.raise_if_any()
    nodes = set(plan_files["nodes.parquet"]["node_id"])
    transfers = plan_files["transfers.parquet"]
    known = set(transfers["transfer_id"])
    col = ProblemCollector(str(folder / "transfers.parquet"))
    for i, r in enumerate(transfers.itertuples(index=False), start=1):
        for f in ("origin_id", "destination_id"):
            if getattr(r, f) not in nodes:
                col.add(f"unknown node '{getattr(r, f)}'", row=i, field=f)
        crates = r.crates
        if pd.isna(crates) or int(crates) < 1:
            col.add(f"crates must be a whole number ≥ 1, got {crates}", row=i, field="crates")
    col.raise_if_any()
    col = ProblemCollector(str(folder / "stops.parquet"))
    vans = set(plan_files["vehicles.parquet"]["vehicle_id"])
    for i, r in enumerate(plan_files["stops.parquet"].itertuples(index=False), start=1):
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
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError.single(folder, "not a folder (expected a plan folder from `bookvan plan`)")
    pj = folder / "plan.json"
    if not pj.exists():
        raise InputError.single(pj, "missing: not a plan folder (run `bookvan plan --out DIR` first)")
    try:
        info = json.loads(pj.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError.single(pj, f"not valid JSON: {e}") from None
    if not isinstance(info, dict):
        raise InputError.single(pj, "expected a JSON object")
    try:
        dt.date.fromisoformat(str(info.get("date", ""))[:10])
    except ValueError:
        raise InputError.single(pj, f"not a date: {info.get('date')!r}", field="date") from None
    if not isinstance(info.get("unassigned") or [], list):
        raise InputError.single(pj, "must be a list of {transfer_id, reason}", field="unassigned")
    for i, u in enumerate(info.get("unassigned") or [], start=1):
        if not isinstance(u, dict) or "transfer_id" not in u:
            raise InputError.single(pj, "each entry needs transfer_id and reason", row=i, field="unassigned")
    files = {name: _read(folder, name) for name in _REQUIRED}
    _check_lengths(files, folder)
    _check_refs(files, folder)
    stops = files["stops.parquet"].sort_values(["vehicle_id", "trip", "seq"], kind="stable")
    return Plan(
        folder=folder,
        info=info,
        nodes=files["nodes.parquet"].set_index("node_id", drop=False),
        vehicles=files["vehicles.parquet"],
        transfers=files["transfers.parquet"].set_index("transfer_id", drop=False),
        stops=stops.reset_index(drop=True),
        matrix=_read(folder, "matrix.parquet", required=False),
        legs=_read(folder, "legs.parquet", required=False),
        plan_id=_plan_id(folder),
    )
