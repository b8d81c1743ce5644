"""Read a day's transfers file (CSV or Parquet) and turn items into crates.

Columns: ``origin``, ``destination``, ``items``, ``kind`` and optional ``transfer_id``,
``release``, ``due`` (``HH:MM`` on the plan's date, or an ISO date-time). ``origin_id`` /
``destination_id`` are accepted as the contract's spelling of the same columns.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from bookvan.data.crates import crates_for
from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.hours import parse_clock
from bookvan.data.network import read_csv_rows
from bookvan.data.tables import TRANSFER_KINDS, TZ

__all__ = ["crates_for", "read_transfers", "transfers_frame"]

_ALIASES = {"origin_id": "origin", "destination_id": "destination", "from": "origin", "to": "destination"}
_REQUIRED = ("origin", "destination", "items", "kind")


def _parse_when(text: str, date: dt.date) -> pd.Timestamp:
    text = text.strip()
    if len(text) <= 5 and ":" in text:
        t = parse_clock(text)
        return pd.Timestamp(dt.datetime.combine(date, t), tz=TZ)
    ts = pd.Timestamp(dt.datetime.fromisoformat(text))
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def _rows_from_parquet(path: Path) -> list[dict[str, str]]:
    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises many types for a bad file
        raise InputError.single(path, f"not a readable Parquet file ({type(e).__name__})") from None
    if df.empty:
        raise InputError.single(path, "the file has no rows")
    df = df.rename(columns=_ALIASES)
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputError.single(path, f"missing column(s): {', '.join(missing)}", row=0)
    out = []
    for rec in df.to_dict("records"):
        out.append({k: "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT else str(v)
                    for k, v in rec.items()})
    return out


def read_transfers(
    path: str | Path, *, node_ids: set[str], date: dt.date, items_per_crate: int
) -> pd.DataFrame:
    """Validate a transfers file against the network and return the transfers table.

    Every problem (unknown node code, negative items, bad kind or time, duplicate id) is
    collected and raised once as :class:`InputError` naming file, row and field.
    """
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        rows = _rows_from_parquet(path)
    else:
        raw_rows = read_csv_rows(path, ())
        rows = [{_ALIASES.get(k, k): v for k, v in r.items()} for r in raw_rows]
        missing = [c for c in _REQUIRED if c not in rows[0]]
        if missing:
            raise InputError.single(path, f"missing column(s): {', '.join(missing)}", row=0)
    col = ProblemCollector(str(path))
    records = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=1):
        tid = r.get("transfer_id", "") or f"T{i:04d}"
        if tid in seen:
            col.add(f"duplicate transfer id '{tid}' (first on row {seen[tid]})", row=i, field="transfer_id")
        seen.setdefault(tid, i)
        for f in ("origin", "destination"):
            if r[f] not in node_ids:
                col.add(f"unknown node code '{r[f]}'", row=i, field=f)
        if r["origin"] and r["origin"] == r["destination"]:
            col.add("origin and destination are the same node", row=i, field="destination")
        try:
            items_f = float(r["items"])
            if items_f != int(items_f) or items_f <= 0:
                raise ValueError
            items = int(items_f)
        except (ValueError, OverflowError):
            col.add(f"items must be a positive whole number, got '{r['items']}'", row=i, field="items")
            items = 0
        if r["kind"] not in TRANSFER_KINDS:
            col.add(f"kind '{r['kind']}' is not one of {', '.join(TRANSFER_KINDS)}", row=i, field="kind")
        when: dict[str, pd.Timestamp | None] = {"release": None, "due": None}
        for f in ("release", "due"):
            if r.get(f):
                try:
                    when[f] = _parse_when(r[f], date)
                except ValueError:
                    col.add(f"'{r[f]}' is neither HH:MM nor an ISO date-time", row=i, field=f)
        if when["release"] is not None and when["due"] is not None and when["due"] < when["release"]:
            col.add("due before release", row=i, field="due")
        if items:
            records.append({
                "transfer_id": tid, "origin_id": r["origin"], "destination_id": r["destination"],
                "items": items, "crates": crates_for(items, items_per_crate), "kind": r["kind"],
                "release": when["release"], "due": when["due"],
            })
    col.raise_if_any()
    return transfers_frame(records)


def transfers_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """A transfers table with every column of the contract, in order, with proper dtypes."""
    cols = ["transfer_id", "origin_id", "destination_id", "items", "crates", "kind",
            "release", "due", "leg_of", "leg", "part_of"]
    df = pd.DataFrame.from_records(records, columns=cols)
    for c in ("release", "due"):
        df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert(TZ)
    df["items"] = df["items"].astype("int64")
    df["crates"] = df["crates"].astype("int64")
    df["leg"] = df["leg"].astype("Int64")
    return df
