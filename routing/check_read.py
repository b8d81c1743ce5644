"""Read a plan folder into plain records for the checker; every bad value names file, row, field.

Kept apart from the checks themselves (:mod:`bookvan.routing.check`) so that those stay pure:
records in, violations out. Files are read with the one plan-folder reader
(:mod:`bookvan.data.planfolder`), never the network files or solver code; the records are parsed
here, value by value, so the checker trusts no one's bookkeeping. Times become epoch seconds;
naive timestamps are Asia/Taipei.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.planfolder import CORE_TABLES, PLAN_JSON, plan_table, read_plan_folder
from bookvan.data.tables import TZ

__all__ = [
    "NodeRec",
    "PlanRecords",
    "StopRec",
    "TransferRec",
    "VanRec",
    "parse_plan",
    "plan_labels",
    "read_plan_dir",
]

def plan_labels(folder: str | Path | None = None) -> dict[str, str]:
    """Names of a plan folder's files for error messages: ``plan`` and each core table.

    With ``folder``, the full paths; without, the bare file names (an in-memory plan).
    """
    base = Path(folder) if folder is not None else None
    names = {name: plan_table(name).file for name in CORE_TABLES} | {"plan": PLAN_JSON}
    return {k: str(base / v) if base is not None else v for k, v in names.items()}


def read_plan_dir(path: str | Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Read ``plan.json`` and the five tables of a plan folder (with the one plan-folder reader).

    Raises
    ------
    InputError
        The folder or a file is missing or unreadable, or a contract column is missing.
    """
    folder = read_plan_folder(path, CORE_TABLES)
    return folder.info, dict(folder.tables)


# value parsers: raise ValueError with a short reason; _column names file, row and field


def _is_null(v: object) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    try:
        return bool(pd.isna(v)) if pd.api.types.is_scalar(v) else False
    except (TypeError, ValueError):
        return False


def _null_cell(v: object) -> bool:
    """A table cell that holds no value (a list or array of ids is a value, even if empty)."""
    return not isinstance(v, (list, tuple)) and not hasattr(v, "__array__") and _is_null(v)


def _as_id(v: object) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise ValueError(f"{v!r} is not an id")
    s = str(v)
    if not s.strip():
        raise ValueError("empty id")
    return s


def _as_int(v: object) -> int:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a whole number")
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a whole number") from None
    if not f.is_integer():
        raise ValueError(f"{v!r} is not a whole number")
    return int(f)


def _as_float(v: object) -> float:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a number") from None
    if not math.isfinite(f):
        raise ValueError(f"{v!r} is not a finite number")
    return f


def _as_date(v: object) -> dt.date | None:
    """plan.json's ``date`` (YYYY-MM-DD, or a date in memory); None when it is not one."""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if not isinstance(v, str) or len(v) != 10:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        return None


def _as_time(v: object) -> float:
    """A timestamp as epoch seconds; naive times are local (Asia/Taipei)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        raise ValueError(f"{v!r} is a number, not a timestamp")
    try:
        ts = pd.Timestamp(v)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{v!r} is not a timestamp") from None
    if ts is pd.NaT:
        raise ValueError(f"{v!r} is not a timestamp")
    if not 1900 <= ts.year <= 2200:  # beyond what a clock or calendar prints: a broken value
        raise ValueError(f"a timestamp in the year {ts.year} is not a time of a plan day")
    if ts.tzinfo is None:
        ts = ts.tz_localize(TZ)
    return ts.timestamp()


def _as_ids(v: object) -> list[str]:
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        raise ValueError(f"{v!r} is not a list of transfer ids")
    return [_as_id(x) for x in v]


def _column(
    df: pd.DataFrame,
    col: str,
    label: str,
    parse: Callable[[object], Any],
    problems: ProblemCollector,
    *,
    required: bool = True,
    nullable: bool = False,
    default: Any = None,
) -> list[Any]:
    """Parse one column; a missing required column or a null where none is allowed is a problem."""
    if col not in df.columns:
        if required:
            problems.add(f"missing column '{col}'", field=col)
        return [default] * len(df)
    values = df[col]
    # column-wise null test first: only the cells it flags need the exact test, one by one
    maybe_null = pd.isna(values.array).tolist()
    if not any(maybe_null):
        try:
            return [parse(v) for v in values.tolist()]
        except ValueError:
            pass  # a bad value: the loop below names its row
    out: list[Any] = []
    for i, (v, maybe) in enumerate(zip(values.tolist(), maybe_null, strict=True), start=1):
        if maybe and _null_cell(v):
            if not nullable:
                problems.add("missing value", row=i, field=col)
            out.append(default)
            continue
        try:
            out.append(parse(v))
        except ValueError as e:
            problems.add(str(e), row=i, field=col)
            out.append(default)
    return out


@dataclass(frozen=True)
class NodeRec:
    kind: str
    opens: float | None
    closes: float | None
    closed_reason: str | None = None


@dataclass(frozen=True)
class VanRec:
    depot: str
    capacity: int
    shift_start: float
    shift_end: float


@dataclass(frozen=True)
class TransferRec:
    tid: str
    origin: str
    destination: str
    crates: int
    release: float | None
    due: float | None
    leg_of: str | None
    leg: int | None
    part_of: str | None


@dataclass
class StopRec:
    van: str
    trip: int
    seq: int
    node: str
    arrival: float
    departure: float
    start: float  # service start: service_start if given, else arrival
    load_after: int
    pickups: list[str]
    deliveries: list[str]
    pos: int = 0  # position in the van's day (trip, seq order)
    driven: bool = False  # addition (bookvan replan): driven before the re-plan, kept as it was

    @property
    def where(self) -> str:
        return f"{self.van} trip {self.trip} stop {self.seq} at {self.node}"


@dataclass
class PlanRecords:
    total_distance_m: float
    vehicles_used: int
    transfers_planned: int
    unassigned: list[tuple[str, str]]  # (transfer_id, reason)
    nodes: list[tuple[str, NodeRec]] = field(default_factory=list)
    vans: list[tuple[str, VanRec]] = field(default_factory=list)
    transfers: list[TransferRec] = field(default_factory=list)
    matrix: list[tuple[str, str, float, float]] = field(default_factory=list)
    stops: list[StopRec] = field(default_factory=list)
    # addition (bookvan replan): van → node where it broke down; its last run may end there
    down_at: dict[str, str] = field(default_factory=dict)
    replan_at: float | None = None  # plan.json replan.at (epoch seconds): new stops start no earlier


def _parse_plan_json(plan: object, label: str) -> tuple[float, int, int, list[tuple[str, str]]]:
    col = ProblemCollector(label)
    if not isinstance(plan, dict):
        raise InputError.single(label, "must be a JSON object with the plan's summary")
    vals: dict[str, Any] = {}
    for key, parse in (
        ("total_distance_m", _as_float),
        ("vehicles_used", _as_int),
        ("transfers_planned", _as_int),
    ):
        if key not in plan or plan[key] is None:
            col.add("missing", field=key)
            continue
        try:
            vals[key] = parse(plan[key])
        except ValueError as e:
            col.add(str(e), field=key)
    if _as_date(plan.get("date")) is None:  # the day every timestamp belongs to
        col.add(f"{plan.get('date')!r} is not a date like 2026-12-01", field="date")
    unassigned: list[tuple[str, str]] = []
    raw = plan.get("unassigned")
    if not isinstance(raw, list):
        col.add("missing or not a list of {transfer_id, reason}", field="unassigned")
    else:
        for i, u in enumerate(raw, start=1):
            if not isinstance(u, dict) or _is_null(u.get("transfer_id")):
                col.add(f"entry {i} has no transfer_id", field="unassigned")
                continue
            reason = u.get("reason")
            unassigned.append(
                (str(u["transfer_id"]), reason.strip() if isinstance(reason, str) else "")
            )
    col.raise_if_any()
    return vals["total_distance_m"], vals["vehicles_used"], vals["transfers_planned"], unassigned


def _vans_down(plan: dict[str, Any], label: str) -> dict[str, str]:
    """plan.json ``replan.vans_down`` (a re-plan's broken-down vans): van id → node where it stands."""
    rp = plan.get("replan")
    if rp is None:
        return {}
    raw = rp.get("vans_down") if isinstance(rp, dict) else None
    if not isinstance(raw, list):
        raise InputError.single(label, "replan must be an object with a list vans_down", field="replan")
    out = {}
    for i, d in enumerate(raw, start=1):
        if not isinstance(d, dict) or _is_null(d.get("vehicle_id")) or _is_null(d.get("node_id")):
            raise InputError.single(label, f"vans_down entry {i} needs vehicle_id and node_id", field="replan")
        out[str(d["vehicle_id"])] = str(d["node_id"])
    return out


_OPTIONAL: dict[str, Any] = dict(required=False, nullable=True, default=None)


def _replan_at(plan: dict[str, Any], label: str) -> float | None:
    """plan.json ``replan.at`` (epoch seconds) of a re-plan: new stops start no earlier."""
    rp = plan.get("replan")
    if not isinstance(rp, dict) or rp.get("at") is None:
        return None
    try:
        return _as_time(rp["at"])
    except (ValueError, TypeError):
        raise InputError.single(label, f"replan.at {rp['at']!r} is not a time stamp", field="replan") from None


def _node_records(t: pd.DataFrame, label: str) -> list[tuple[str, NodeRec]]:
    col = ProblemCollector(label)
    ids = _column(t, "node_id", label, _as_id, col)
    kinds = _column(t, "kind", label, str, col)
    opens = _column(t, "opens", label, _as_time, col, nullable=True)  # null: closed
    closes = _column(t, "closes", label, _as_time, col, nullable=True)
    reasons = _column(t, "closed_reason", label, str, col, **_OPTIONAL)
    col.raise_if_any()
    return [(i, NodeRec(*rest)) for i, *rest in zip(ids, kinds, opens, closes, reasons, strict=True)]


def _van_records(t: pd.DataFrame, label: str) -> list[tuple[str, VanRec]]:
    col = ProblemCollector(label)
    cols = [
        _column(t, c, label, p, col)
        for c, p in (
            ("vehicle_id", _as_id),
            ("depot_id", _as_id),
            ("capacity_crates", _as_int),
            ("shift_start", _as_time),
            ("shift_end", _as_time),
        )
    ]
    col.raise_if_any()
    return [(v, VanRec(d, c, s, e)) for v, d, c, s, e in zip(*cols, strict=True)]


def _transfer_records(t: pd.DataFrame, label: str) -> list[TransferRec]:
    col, opt = ProblemCollector(label), _OPTIONAL
    cols = [
        _column(t, "transfer_id", label, _as_id, col),
        _column(t, "origin_id", label, _as_id, col),
        _column(t, "destination_id", label, _as_id, col),
        _column(t, "crates", label, _as_int, col),
        _column(t, "release", label, _as_time, col, **opt),
        _column(t, "due", label, _as_time, col, **opt),
        _column(t, "leg_of", label, _as_id, col, **opt),
        _column(t, "leg", label, _as_int, col, **opt),
        _column(t, "part_of", label, _as_id, col, **opt),
    ]
    col.raise_if_any()
    return [TransferRec(*row) for row in zip(*cols, strict=True)]


def _matrix_records(t: pd.DataFrame, label: str) -> list[tuple[str, str, float, float]]:
    col = ProblemCollector(label)
    cols = [
        _column(t, c, label, p, col)
        for c, p in (
            ("from_id", _as_id),
            ("to_id", _as_id),
            ("distance_m", _as_float),
            ("duration_s", _as_float),
        )
    ]
    col.raise_if_any()
    return list(zip(*cols, strict=True))


def _stop_records(t: pd.DataFrame, label: str) -> list[StopRec]:
    col, opt = ProblemCollector(label), _OPTIONAL
    cols = [
        _column(t, "vehicle_id", label, _as_id, col),
        _column(t, "trip", label, _as_int, col),
        _column(t, "seq", label, _as_int, col),
        _column(t, "node_id", label, _as_id, col),
        _column(t, "arrival", label, _as_time, col),
        _column(t, "departure", label, _as_time, col),
    ]
    starts = _column(t, "service_start", label, _as_time, col, **opt)
    loads = _column(t, "load_after", label, _as_int, col)
    picks = _column(t, "pickup_ids", label, _as_ids, col, nullable=True, default=[])
    drops = _column(t, "delivery_ids", label, _as_ids, col, nullable=True, default=[])
    driven = _column(t, "driven", label, bool, col, **opt) if "driven" in t.columns else [None] * len(t)
    col.raise_if_any()
    return [
        StopRec(v, tr, sq, n, a, d, a if s is None else s, ld, list(p or []), list(q or []), 0, bool(dv))
        for v, tr, sq, n, a, d, s, ld, p, q, dv in zip(*cols, starts, loads, picks, drops, driven, strict=True)
    ]


def parse_plan(
    plan: dict[str, Any], tables: dict[str, pd.DataFrame], labels: dict[str, str]
) -> PlanRecords:
    """Parse plan.json and the five tables into records; ``labels`` name the files in errors.

    Raises
    ------
    InputError
        A required column or value is missing or of the wrong type.
    """
    dist, used, planned, unassigned = _parse_plan_json(plan, labels["plan"])
    out = PlanRecords(dist, used, planned, unassigned)
    out.down_at = _vans_down(plan, labels["plan"])
    out.replan_at = _replan_at(plan, labels["plan"])
    for name in CORE_TABLES:
        if not isinstance(tables.get(name), pd.DataFrame):
            raise InputError.single(labels[name], "missing table")
    out.nodes = _node_records(tables["nodes"], labels["nodes"])
    out.vans = _van_records(tables["vehicles"], labels["vehicles"])
    out.transfers = _transfer_records(tables["transfers"], labels["transfers"])
    out.matrix = _matrix_records(tables["matrix"], labels["matrix"])
    out.stops = _stop_records(tables["stops"], labels["stops"])
    return out
