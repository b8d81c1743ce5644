"""A library system's per-item check-in export: which item was checked in where, and when.

CSV, one row per check-in: an item id (``item_id``, ``barcode``, ``itemnumber``), the branch
(``node_id``, ``branch``, ``branchcode``, ``checkin_branch``) and the time (``time``,
``datetime``, ``date``; ISO, naive = Asia/Taipei). A column-mapping file's ``[columns]`` (the
format the other ILS readers share) renames any other export's columns. An item checked in
twice keeps its latest check-in.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.ils_export import read_column_map, renamed
from bookvan.data.tables import TZ

__all__ = ["CHECKIN_ALIASES", "read_checkins"]

CHECKIN_ALIASES = {"item_id": "item_id", "barcode": "item_id", "itemnumber": "item_id", "item": "item_id",
                   "node_id": "node_id", "branch": "node_id", "branchcode": "node_id", "checkin_branch": "node_id",
                   "time": "time", "datetime": "time", "date": "time", "checkin_time": "time"}


def read_checkins(path: str | Path, node_ids: set[str], column_map: str | Path | None = None) -> pd.DataFrame:
    """``item_id, node_id, time`` (the latest check-in per item); bad rows → InputError (file, row, field)."""
    import csv

    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise InputError.single(p, f"cannot read the file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError.single(p, "not UTF-8 text; save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise InputError.single(p, "empty file: a header row with item_id, node_id, time is needed")
    cols = renamed(header, CHECKIN_ALIASES, read_column_map(column_map)["columns"])
    missing = [c for c in ("item_id", "node_id", "time") if c not in cols]
    if missing:
        raise InputError.single(p, f"missing column(s): {', '.join(missing)}", row=0, field=missing[0])
    at = {c: cols.index(c) for c in ("item_id", "node_id", "time")}
    col = ProblemCollector(str(p))
    latest: dict[str, tuple[pd.Timestamp, str]] = {}
    for i, row in enumerate(reader, start=1):
        if not any(x.strip() for x in row):
            continue
        cell = {c: (row[k].strip() if k < len(row) else "") for c, k in at.items()}
        if not cell["item_id"]:
            col.add("empty item id", row=i, field="item_id")
        if cell["node_id"] not in node_ids:
            col.add(f"unknown node '{cell['node_id']}'", row=i, field="node_id")
        try:
            ts = pd.Timestamp(dt.datetime.fromisoformat(cell["time"].replace(" ", "T", 1)))
            ts = ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)
        except ValueError:
            col.add(f"'{cell['time']}' is not a date-time like 2026-12-01 14:05", row=i, field="time")
            continue
        if cell["item_id"] and (cell["item_id"] not in latest or ts >= latest[cell["item_id"]][0]):
            latest[cell["item_id"]] = (ts, cell["node_id"])
    col.raise_if_any()
    return pd.DataFrame([{"item_id": k, "node_id": n, "time": t} for k, (t, n) in latest.items()],
                        columns=["item_id", "node_id", "time"])
