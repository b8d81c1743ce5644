"""Read a file of crate scans (CSV or Parquet), one row per scan, as ``../shared/contracts.md`` fixes it.

Columns: ``time`` (local date-time, Asia/Taipei unless it carries an offset), ``vehicle_id``,
``node_id``, ``crate_id`` (as printed on the label), ``event`` (``loaded``, ``unloaded``,
``missing``, ``damaged``) and an optional ``note``. Every bad row is collected and raised once
as :class:`~bookvan.data.errors.InputError` naming the file, row and field. Whether a scan
agrees with a plan is not this module's business (``bookvan.routing.scan`` judges that).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.input_rows import read_csv_rows, read_parquet_rows
from bookvan.data.tables import TZ

__all__ = ["SCAN_COLUMNS", "SCAN_EVENTS", "read_scans", "scans_frame"]

SCAN_EVENTS = ("loaded", "unloaded", "missing", "damaged")
SCAN_COLUMNS = ("time", "vehicle_id", "node_id", "crate_id", "event")
_ALIASES = {"van": "vehicle_id", "vehicle": "vehicle_id", "node": "node_id", "crate": "crate_id"}


def _parse_time(text: str) -> pd.Timestamp:
    """ISO date-time; naive means local time in Asia/Taipei."""
    t = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    ts = pd.Timestamp(t)
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def scans_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """A scans table with the contract's columns (plus ``row``, the 1-based source row)."""
    cols = [*SCAN_COLUMNS, "note", "row"]
    df = pd.DataFrame.from_records(records, columns=cols)
    df["time"] = pd.to_datetime(df["time"], utc=True).dt.tz_convert(TZ)
    df["row"] = df["row"].astype("int64")
    return df


def read_scans(path: str | Path) -> pd.DataFrame:
    """Validate a scan file and return it as a table in file order.

    Raises
    ------
    InputError
        Every empty id, unknown event or unreadable time, each with file, row and field.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError.single(path, "is a folder, not a scan file (CSV or Parquet)")
    if not path.exists():
        raise InputError.single(path, "no such scan file")
    if path.suffix.lower() in (".parquet", ".pq"):
        rows = read_parquet_rows(path, SCAN_COLUMNS, aliases=_ALIASES, allow_no_rows=True)
    else:
        rows = [{_ALIASES.get(k, k): v for k, v in r.items()} for r in read_csv_rows(path, (), allow_no_rows=True)]
        if rows:
            missing = [c for c in SCAN_COLUMNS if c not in rows[0]]
            if missing:
                raise InputError.single(path, f"missing column(s): {', '.join(missing)}", row=0, field=missing[0])
    col = ProblemCollector(str(path))
    records: list[dict[str, object]] = []
    for i, r in enumerate(rows, start=1):
        when = None
        text = r.get("time", "")
        if not text:
            col.add("empty time", row=i, field="time")
        else:
            try:
                when = _parse_time(text)
            except ValueError:
                col.add(f"'{text}' is not a date-time like 2026-12-01T09:05", row=i, field="time")
        for f in ("vehicle_id", "node_id", "crate_id"):
            if not r.get(f, ""):
                col.add(f"empty {f}", row=i, field=f)
        ev = r.get("event", "").lower()
        if ev not in SCAN_EVENTS:
            col.add(f"event '{r.get('event', '')}' is not one of {', '.join(SCAN_EVENTS)}", row=i, field="event")
        records.append({
            "time": when, "vehicle_id": r.get("vehicle_id", ""), "node_id": r.get("node_id", ""),
            "crate_id": r.get("crate_id", ""), "event": ev, "note": r.get("note", ""), "row": i,
        })
    col.raise_if_any()
    return scans_frame(records)
