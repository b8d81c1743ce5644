"""Input tables (CSV and Parquet) read as rows of text, with errors that name file, row and field.

One home for what every bookvan reader does before it looks at its own columns: decode a CSV
as UTF-8 (a byte-order mark allowed), refuse an empty or binary file, turn Parquet cells into
the same text a CSV would hold. The readers of nodes, closures, schedules, transfers, item
lists and scans all start here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector

__all__ = [
    "BATCH_ROWS",
    "CellRows",
    "iter_cell_rows",
    "read_csv_rows",
    "read_csv_text",
    "read_parquet_rows",
]

#: Rows per Parquet batch when streaming (and how often a long read reports progress).
BATCH_ROWS = 10_000
#: (row number, header or None, cells): the header first (row 0, no cells), then the data rows.
CellRows = Iterator[tuple[int, list[str] | None, list[str]]]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_csv_text(path: Path) -> str:
    """The text of a CSV file; unreadable, not UTF-8 or empty → InputError (with the row of a bad byte)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError.single(path, f"cannot read the file: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError.single(
            path,
            f"not UTF-8 text (byte {e.start}); save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
            row=raw[: e.start].count(b"\n"),
        ) from None
    if not text.strip():
        raise InputError.single(path, "the file is empty")
    return text


def read_csv_rows(
    path: Path, required: tuple[str, ...], *, allow_no_rows: bool = False
) -> list[dict[str, str]]:
    """Read a UTF-8 CSV into dict rows; wrong encoding, empty file or missing columns → InputError.

    Row numbers in errors are 1-based data rows (the header is row 0), as a spreadsheet shows
    them minus one. Trailing rows blank in every column are dropped. NUL and other control
    characters (what a UTF-16 or binary file looks like once read as UTF-8) are refused.
    ``allow_no_rows`` accepts a header-only file (an optional list with nothing in it).
    """
    reader = csv.DictReader(io.StringIO(read_csv_text(path), newline=""))
    rows = []
    col = ProblemCollector(str(path))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        if any(_CONTROL.search(h) for h in header):
            msg = "control characters in the header: a UTF-16 or binary file? Save it as UTF-8"
            raise InputError.single(path, msg, row=0)
        missing = [c for c in required if c not in header]
        if missing:
            msg = f"missing column(s): {', '.join(missing)}"
            raise InputError.single(path, msg, row=0, field=missing[0])
        for i, r in enumerate(reader, start=1):
            row = {(k or "").strip(): v.strip() if isinstance(v, str) else "" for k, v in r.items()}
            rows.append(row)
            for k, v in row.items():
                if bad := _CONTROL.search(v):
                    col.add(f"control character {bad.group()!r} in {v!r}", row=i, field=k)
    except csv.Error as e:
        line = max(reader.line_num - 1, 0)
        raise InputError.single(path, f"not readable as CSV: {e}", row=line) from None
    while rows and not any(rows[-1].values()):
        rows.pop()  # trailing blank lines, as editors and spreadsheets leave them
    col.raise_if_any()
    if not rows and not allow_no_rows:
        raise InputError.single(path, "the file has a header but no rows")
    return rows


def _parquet_cell(v: object) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp | dt.datetime):
        return pd.Timestamp(v).isoformat()
    return str(v).strip()


def read_parquet_rows(
    path: Path, required: tuple[str, ...], *, aliases: Mapping[str, str] | None = None, allow_no_rows: bool = False
) -> list[dict[str, str]]:
    """A Parquet file as the text rows :func:`read_csv_rows` would give for the same table.

    Missing values are empty, date-times ISO text. Columns are renamed by ``aliases`` before
    ``required`` is checked; an unreadable file, no rows (unless ``allow_no_rows``) or a
    missing column → InputError.
    """
    try:
        df = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a damaged file
        raise InputError.single(path, f"not a readable Parquet file ({type(e).__name__})") from None
    if df.empty and not allow_no_rows:
        raise InputError.single(path, "the file has no rows")
    df = df.rename(columns=dict(aliases or {}))
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError.single(path, f"missing column(s): {', '.join(missing)}", row=0, field=missing[0])
    return [{str(k): _parquet_cell(v) for k, v in rec.items()} for rec in df.to_dict("records")]


def _csv_cell_rows(path: Path) -> CellRows:
    text = read_csv_text(path)
    if "\x00" in text:
        raise InputError.single(path, "binary data (NUL bytes) in a CSV file: a UTF-16 or binary file?")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if first.count("\t") > first.count(",") else ",")
    del text  # the reader holds its own copy; a long item list should not sit in memory twice
    try:
        header = next(reader)
        yield 0, [h.strip() for h in header], []
        for i, cells in enumerate(reader, start=1):
            yield i, None, cells
    except csv.Error as e:
        raise InputError.single(path, f"not readable as CSV: {e}", row=max(reader.line_num - 1, 0)) from None


def _parquet_cell_rows(path: Path) -> CellRows:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises many types for a bad file
        raise InputError.single(path, f"not a readable Parquet file ({type(e).__name__})") from None
    names = list(pf.schema_arrow.names)
    yield 0, names, []
    i = 0
    for batch in pf.iter_batches(batch_size=BATCH_ROWS):
        cols = [batch.column(n).to_pylist() for n in names]
        for cells in zip(*cols, strict=True):
            i += 1
            yield i, None, ["" if v is None else str(v) for v in cells]


def iter_cell_rows(path: Path) -> CellRows:
    """Stream a CSV (comma or tab separated) or Parquet file row by row, the header first.

    For lists too long to hold as dicts (item-level exports): nothing but the current row is
    kept. Cells are raw text (not stripped); CSV errors name the row where reading stopped.
    """
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet_cell_rows(path)
    return _csv_cell_rows(path)
