"""CSV cells safe to open in a spreadsheet: formula injection neutralised, one writer for all.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a NUL is read
by Excel, LibreOffice and Google Sheets as a formula (``=cmd|' /C calc'!A0``). Following
OWASP's CSV-injection guidance (and ASVS 5.0 requirement 1.2.10), such a cell is prefixed
with a single quote, and the csv module's RFC 4180 quoting (inner ``"`` doubled) keeps
separators and quotes from starting a new cell. A number such as ``-3`` or ``+1.5`` is left
as it is, so numeric columns stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from bookvan.data.atomic import atomic_file

__all__ = ["csv_text", "safe_cell", "safe_frame", "write_csv_rows", "write_frame_csv"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_cell(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula; then ``'`` + text."""
    if not isinstance(value, str) or not value.startswith(_TRIGGERS):
        return value
    if value[0] in "+-" and _is_number(value):
        return value
    return "'" + value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) passed through :func:`safe_cell`."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """Dict rows as CSV text (header first), every cell made safe."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[str(safe_cell(f)) for f in fieldnames], lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({str(safe_cell(k)): _cell(v) for k, v in r.items()})
    return buf.getvalue()


def write_csv_rows(path: str | Path, fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> Path:
    """Write dict rows as UTF-8 CSV (header first), every cell made safe, atomically."""
    with atomic_file(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(csv_text(fieldnames, rows))  # type: ignore[attr-defined]
    return Path(path)


def _cell(v: object) -> object:
    if isinstance(v, float) and math.isnan(v):
        return ""
    return safe_cell(v)


def write_frame_csv(df: pd.DataFrame, path: str | Path, **to_csv: object) -> Path:
    """``df.to_csv(path, index=False)`` with every text cell made safe, atomically."""
    with atomic_file(path, "w", encoding="utf-8", newline="") as fh:
        safe_frame(df).to_csv(fh, index=False, **to_csv)  # type: ignore[call-overload]
    return Path(path)
