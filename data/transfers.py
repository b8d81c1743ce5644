"""Read a day's transfers file (CSV or Parquet) and turn items into crates.

Columns: ``origin``, ``destination``, ``items``, ``kind`` and optional ``transfer_id``,
``release``, ``due`` (``HH:MM`` on the plan's date, or an ISO date-time). ``origin_id`` /
``destination_id`` are accepted as the contract's spelling of the same columns. ``items`` is
a whole number from 1 to :data:`bookvan.data.limits.MAX_ITEMS_PER_TRANSFER`; NaN, infinite,
negative, fractional or larger values are refused (file, row, field), never an overflow.

:func:`read_transfer_list` also takes an item-level list (one row per item, see
:mod:`bookvan.data.items`), told apart by its item id (barcode) column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bookvan.data.crates import crates_for
from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.hours import parse_clock
from bookvan.data.input_rows import read_csv_rows, read_parquet_rows
from bookvan.data.limits import MAX_ITEMS_PER_TRANSFER, MAX_TRANSFERS, check_count
from bookvan.data.tables import TRANSFER_KINDS, TZ

__all__ = ["TRANSFER_FORMATS", "TransferList", "local_times", "parse_when", "read_transfer_list",
           "read_transfers", "transfers_frame"]

TRANSFER_FORMATS = ("auto", "transfers", "items")
"""``--transfers-format``: the contract's aggregated rows, one row per item, or detect."""

_ALIASES = {"origin_id": "origin", "destination_id": "destination", "from": "origin", "to": "destination"}
_REQUIRED = ("origin", "destination", "items", "kind")


@dataclass(frozen=True)
class TransferList:
    """A day's transfers as read: the contract's table, plus the items when the list had them."""

    transfers: pd.DataFrame
    items: pd.DataFrame | None = None  # one row per item (bookvan.data.items.ITEM_COLUMNS)
    duplicates: tuple = ()  # bookvan.data.items.DuplicateItem, one per item listed twice
    rows: int = 0  # data rows read


def parse_when(text: str, date: dt.date) -> pd.Timestamp:
    """``HH:MM`` on ``date`` or an ISO date-time, as an Asia/Taipei timestamp (ValueError if neither)."""
    text = text.strip()
    if len(text) <= 5 and ":" in text:
        t = parse_clock(text)
        return pd.Timestamp(dt.datetime.combine(date, t), tz=TZ)
    ts = pd.Timestamp(dt.datetime.fromisoformat(text))
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def read_transfers(
    path: str | Path, *, node_ids: set[str], date: dt.date, items_per_crate: int
) -> pd.DataFrame:
    """Validate a transfers file against the network and return the transfers table.

    Every problem (unknown node code, negative items, bad kind or time, duplicate id) is
    collected and raised once as :class:`InputError` naming file, row and field.
    """
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        rows = read_parquet_rows(path, _REQUIRED, aliases=_ALIASES)
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
            if not math.isfinite(items_f) or items_f != int(items_f) or items_f <= 0:
                raise ValueError
            items = int(items_f)
        except (ValueError, OverflowError):
            col.add(f"items must be a positive whole number, got '{r['items'][:40]}'", row=i, field="items")
            items = 0
        if items > MAX_ITEMS_PER_TRANSFER:
            col.add(f"{items:,} items in one transfer: more than the supported {MAX_ITEMS_PER_TRANSFER:,} "
                    "(see 'Safety' in the README)", row=i, field="items")
            items = 0
        if r["kind"] not in TRANSFER_KINDS:
            col.add(f"kind '{r['kind']}' is not one of {', '.join(TRANSFER_KINDS)}", row=i, field="kind")
        when: dict[str, pd.Timestamp | None] = {"release": None, "due": None}
        for f in ("release", "due"):
            if r.get(f):
                try:
                    when[f] = parse_when(r[f], date)
                except (ValueError, OverflowError):
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
    check_count(len(records), MAX_TRANSFERS, file=path,
                what="transfers (one row per item? give the item ids, e.g. a barcode column, to group them)")
    return transfers_frame(records)


def _header(path: Path) -> list[str]:
    """Column names of a CSV or Parquet transfers file (for telling the two formats apart)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as e:  # pyarrow raises many types for a bad file
            raise InputError.single(path, f"not a readable Parquet file ({type(e).__name__})") from None
    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 20).decode("utf-8-sig", errors="replace")
    except OSError as e:
        raise InputError.single(path, f"cannot read the file: {e.strerror}") from None
    sep = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return next(csv.reader(io.StringIO(first), delimiter=sep), [])
    except csv.Error:  # only telling the formats apart: the full reader names the row and field
        return []


def read_transfer_list(
    path: str | Path,
    *,
    node_ids: set[str],
    date: dt.date,
    items_per_crate: int,
    fmt: str = "auto",
    column_map: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> TransferList:
    """Read either form of a day's transfers: aggregated rows or an item-level export.

    ``fmt`` ``auto`` takes a list with an item id column (``barcode``, ``itemnumber``,
    ``item_id`` or one mapped by ``column_map``) and no ``items`` count as item-level.
    """
    path = Path(path)
    if fmt not in TRANSFER_FORMATS:
        raise InputError.single("--transfers-format", f"'{fmt}' is not one of {', '.join(TRANSFER_FORMATS)}")
    if fmt == "auto" and not path.is_file():
        raise InputError.single(path, "no such file" if not path.exists() else "is not a file")
    from bookvan.data.items import is_item_list, read_item_list  # items imports this module

    if fmt == "items" or (fmt == "auto" and is_item_list(_header(path), column_map)):
        return read_item_list(path, node_ids=node_ids, date=date, items_per_crate=items_per_crate,
                              column_map=column_map, progress=progress)
    if column_map is not None:
        raise InputError.single("--transfers-map", "a column-mapping file is for item-level lists only")
    df = read_transfers(path, node_ids=node_ids, date=date, items_per_crate=items_per_crate)
    return TransferList(df, rows=len(df))


_FRAME_COLUMNS = ("transfer_id", "origin_id", "destination_id", "items", "crates", "kind",
                  "release", "due", "leg_of", "leg", "part_of")  # fmt: skip
"""The transfers table's columns, in order."""


def transfers_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """A transfers table with every column of the contract, in order, with proper dtypes.

    A field missing from a record is NaN, as ``from_records`` makes it from dicts; the rows go
    in as tuples, which pandas reads in half the time of dicts.
    """
    nan = float("nan")
    rows = [tuple([r.get(c, nan) for c in _FRAME_COLUMNS]) for r in records]
    df = local_times(pd.DataFrame.from_records(rows, columns=list(_FRAME_COLUMNS)), ("release", "due"))
    for c in ("items", "crates"):
        if df[c].dtype != "int64":  # mostly they are already
            df[c] = df[c].astype("int64")
    df["leg"] = df["leg"].astype("Int64")
    return df


def is_transfers_frame(df: pd.DataFrame) -> bool:
    """True when ``df`` already is what :func:`transfers_frame` makes: its columns in order, their dtypes, rows 0..n-1.

    Making such a frame again changes nothing, and a day's planning is often handed one.
    """
    if tuple(df.columns) != _FRAME_COLUMNS or not df.index.equals(pd.RangeIndex(len(df))):
        return False
    local = pd.Timestamp(0, tz=TZ).tz
    times = all(isinstance(df[c].dtype, pd.DatetimeTZDtype) and df[c].dtype.tz is local for c in ("release", "due"))
    return times and df["items"].dtype == "int64" and df["crates"].dtype == "int64" and df["leg"].dtype == "Int64"


def local_times(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` (timestamps, None or NaT) as Asia/Taipei datetimes, in place.

    A column pandas already read as Asia/Taipei times is left as it is: converting it through
    UTC and back gives the same column, at a tenth of a millisecond each.
    """
    local = pd.Timestamp(0, tz=TZ).tz
    for c in columns:
        if not (isinstance(df[c].dtype, pd.DatetimeTZDtype) and df[c].dtype.tz is local):
            df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert(TZ)
    return df
