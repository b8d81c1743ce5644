"""Read circulation history in the contract's schema (CSV or Parquet, long or wide).

Contract (``../shared/contracts.md``): ``date`` (YYYY-MM-DD, or YYYY-MM for monthly data),
``branch``, and measure columns among ``checkouts, returns, holds, transfers_in,
transfers_out`` (non-negative; blank = missing, not zero). *Wide* has one column per measure;
*long* has ``measure`` and ``value`` columns instead. Renamed columns are mapped by a small
alias table (``COLUMN_ALIASES``) or a mapping file (TOML ``[columns]`` ``"their name" =
"our name"``).

Bad rows are counted and reported with their row numbers (1-based data rows, header = row
0) in :class:`History.problems`, never silently dropped; when more than ``MAX_BAD_SHARE``
of the rows are bad the file is an :class:`~bookvan.data.errors.InputError`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError, Problem, read_toml_input

__all__ = [
    "COLUMN_ALIASES",
    "MEASURES",
    "History",
    "load_column_map",
    "measure_from_name",
    "parse_history_frame",
    "read_histories",
    "read_history",
]

MEASURES = ("checkouts", "returns", "holds", "transfers_in", "transfers_out")
MAX_BAD_SHARE = 0.5
COLUMN_ALIASES: dict[str, str] = {
    "day": "date", "month": "date", "period": "date", "ds": "date", "日期": "date", "年月": "date",
    "branch_id": "branch", "branchcode": "branch", "library": "branch", "node_id": "branch",
    "unique_id": "branch", "館別": "branch", "分館": "branch", "branch_code": "branch",
    "loans": "checkouts", "issues": "checkouts", "issue": "checkouts", "circulation": "checkouts",
    "借閱": "checkouts", "借閱冊數": "checkouts", "借書": "checkouts",
    "return": "returns", "還書": "returns", "還書冊數": "returns",
    "reserves": "holds", "reservations": "holds", "預約": "holds",
    "transfers in": "transfers_in", "transfer_in": "transfers_in",
    "transfers out": "transfers_out", "transfer_out": "transfers_out",
    "y": "value", "count": "value", "kind": "measure",
}
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
FREQS = ("D", "W", "M")


@dataclass
class History:
    """A per-branch panel: ``frame`` has ``branch, measure, date, value`` (NaN = missing).

    ``freq`` is ``"D"``, ``"W"`` or ``"M"`` (dates are period starts for W and M);
    ``problems`` lists bad rows that were left out; ``rows`` counts data rows read.
    """

    frame: pd.DataFrame
    freq: str
    rows: int
    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    @property
    def series_ids(self) -> list[tuple[str, str]]:
        return sorted(set(zip(self.frame["branch"], self.frame["measure"], strict=True)))

    def summary(self) -> str:
        bad = len({p.row for p in self.problems})
        return (f"{self.source}: {self.rows} rows, {len(self.series_ids)} series "
                f"({self.frame['branch'].nunique()} branches), freq {self.freq}, {bad} bad rows")


def load_column_map(path: str | Path | None) -> dict[str, str]:
    """Read a mapping file: TOML with a ``[columns]`` table, ``"their name" = "our name"``."""
    if path is None:
        return {}
    p = Path(path)
    data = read_toml_input(p, what="column mapping file")
    cols = data.get("columns", data)
    if not isinstance(cols, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cols.items()
    ):
        raise InputError.single(p, "expected a [columns] table of \"their name\" = \"our name\"")
    return {k.strip().lower(): v.strip() for k, v in cols.items()}


def _read_raw(path: Path) -> pd.DataFrame:
    """The file as a frame of strings (CSV) or as stored (Parquet)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError.single(path, f"cannot read the file: {e.strerror}") from None
    if raw[:4] == b"PAR1" or path.suffix.lower() in {".parquet", ".pq"}:
        try:
            return pd.read_parquet(io.BytesIO(raw))
        except Exception as e:
            msg = f"not a readable Parquet file ({type(e).__name__})"
            raise InputError.single(path, msg) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        msg = f"not UTF-8 text (byte {e.start}); save it as UTF-8"
        raise InputError.single(path, msg) from None
    if not text.strip():
        raise InputError.single(path, "the file is empty")
    if "\x00" in text:
        raise InputError.single(path, "binary data in a CSV file")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                           skipinitialspace=True, on_bad_lines="skip", engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv_error()) as e:
        raise InputError.single(path, f"not a readable CSV file: {e}") from None


def csv_error() -> type[Exception]:
    import csv

    return csv.Error


def _rename(df: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    names = {}
    for c in df.columns:
        key = str(c).strip().lower()
        own = key in (*MEASURES, "date", "branch", "measure", "value")
        # unknown headers keep their spelling: in a wide-by-branch file they are branch ids
        names[c] = mapping.get(key) or (key if own else COLUMN_ALIASES.get(key, str(c).strip()))
    out = df.rename(columns=names)
    return out.loc[:, ~out.columns.duplicated()]


def _parse_dates(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """→ (timestamps, NaT where unreadable; is-month flags). Vectorised."""
    if pd.api.types.is_datetime64_any_dtype(col):
        ts = pd.to_datetime(col, errors="coerce")
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_localize(None)
        return ts.dt.normalize(), pd.Series(False, index=col.index)
    txt = col.map(lambda v: "" if v is None else str(v)).str.strip()
    day = txt.str.extract(_DAY)
    mon = txt.str.extract(_MONTH)
    is_month = mon[0].notna()
    y = day[0].fillna(mon[0])
    m = day[1].fillna(mon[1])
    d = day[2].where(day[0].notna(), "1")
    parts = pd.DataFrame({"year": pd.to_numeric(y, errors="coerce"),
                          "month": pd.to_numeric(m, errors="coerce"),
                          "day": pd.to_numeric(d, errors="coerce")})
    ok = parts.notna().all(axis=1) & parts["year"].between(1900, 2200)
    ts = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    if ok.any():
        ts[ok] = pd.to_datetime(parts[ok].astype(int), errors="coerce")
    return ts, is_month & ts.notna()


def _parse_values(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """→ (numbers with NaN for blank, error messages or None). Vectorised."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        x = col.astype(float)
        txt = x.astype(str)
    else:
        txt = col.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v)).str.strip()
        blank = txt.eq("") | txt.str.lower().isin(["na", "nan", "null", "none"])
        x = pd.to_numeric(txt.str.replace(",", "", regex=False).where(~blank), errors="coerce")
        x = x.astype(float)
        notnum = x.isna() & ~blank
    err = pd.Series(None, index=col.index, dtype=object)
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        err[notnum] = "'" + txt[notnum].str.slice(0, 30) + "' is not a number"
    inf = np.isinf(x)
    err[inf] = "not a finite number"
    neg = x < 0
    err[neg] = x[neg].map(lambda v: f"{v:g} is negative: counts cannot be")
    return x.where(err.isna()), err


def _infer_freq(dates: pd.Series, any_month_text: bool) -> str:
    u = pd.Series(sorted(dates.dropna().unique()))
    if any_month_text:
        return "M"
    if len(u) < 2:
        return "D"
    gaps = u.diff().dropna().dt.days
    med = float(gaps.median())
    if med >= 27 and (u.dt.day == 1).all():
        return "M"
    if med >= 6.5 and (gaps % 7 == 0).all():
        return "W"
    return "D"


def _check_columns(df: pd.DataFrame, source: str) -> tuple[bool, list[str]]:
    """(long form?, the measure columns): date, branch and a measure are required, and a row."""
    if "date" not in df.columns or "branch" not in df.columns:
        missing = [c for c in ("date", "branch") if c not in df.columns]
        raise InputError.single(
            source, f"missing column(s): {', '.join(missing)} (found: "
            f"{', '.join(map(str, df.columns[:12]))}); map them with a column-mapping file", row=0)
    long = "measure" in df.columns and "value" in df.columns
    measures = [m for m in MEASURES if m in df.columns]
    if not long and not measures:
        raise InputError.single(
            source, f"no measure column: expected one of {', '.join(MEASURES)} "
            "(or 'measure' and 'value' for the long form)", row=0)
    if len(df) == 0:
        raise InputError.single(source, "the file has a header but no rows")
    return long, measures


def _row_keys(df: pd.DataFrame, rowno: pd.Series, source: str,
              problems: list[Problem]) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(branch, date, is-a-month, bad) per row; an empty branch or a bad date is a problem."""
    branch = df["branch"].map(
        lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).str.strip()
    bad = branch.eq("")
    problems += [Problem(source, "empty branch", int(i), "branch") for i in rowno[bad]]
    dates, is_month = _parse_dates(df["date"])
    nodate = dates.isna() & ~bad
    problems += [Problem(source, f"'{str(v)[:30]}' is not a date (YYYY-MM-DD or YYYY-MM)", int(i),
                         "date") for i, v in zip(rowno[nodate], df["date"][nodate], strict=True)]
    return branch, dates, is_month, bad | nodate


def _long_values(df: pd.DataFrame, rowno: pd.Series, field_of: np.ndarray | None, source: str,
                 problems: list[Problem], bad: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The long form's (measure, value, bad) per row: known measures, finite non-negative values."""
    meas = df["measure"].map(lambda v: "" if v is None else str(v)).str.strip().str.lower()
    meas = meas.map(lambda v: COLUMN_ALIASES.get(v, v))
    unknown = ~meas.isin(MEASURES) & ~bad
    problems += [Problem(source, f"measure '{v[:30]}' is not one of {', '.join(MEASURES)}",
                         int(i), "measure") for i, v in zip(rowno[unknown], meas[unknown], strict=True)]
    bad = bad | unknown
    vals, err = _parse_values(df["value"])
    e = err.notna() & ~bad
    vfield = (pd.Series("value", index=df.index) if field_of is None
              else pd.Series(field_of, index=df.index))
    problems += [Problem(source, str(msg), int(i), str(fl))
                 for i, msg, fl in zip(rowno[e], err[e], vfield[e], strict=True)]
    return meas, vals, bad | e


def _wide_values(df: pd.DataFrame, measures: list[str], rowno: pd.Series, source: str,
                 problems: list[Problem], bad: pd.Series) -> tuple[dict[str, pd.Series], pd.Series]:
    """One value column per measure, and the rows where any of them is bad."""
    cols = {}
    errs = []
    for m in measures:
        vals, err = _parse_values(df[m])
        e = err.notna() & ~bad
        problems += [Problem(source, str(msg), int(i), m) for i, msg in zip(rowno[e], err[e], strict=True)]
        cols[m] = vals
        errs.append(e)
    for e in errs:
        bad = bad | e
    return cols, bad


def _drop_duplicates(melted: pd.DataFrame, rowno: pd.Series, source: str, problems: list[Problem],
                     bad: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Keep the first of each (branch, measure, date); each later one is a problem and a bad row."""
    dup = melted.duplicated(["branch", "measure", "date"], keep="first")
    if not dup.any():
        return melted, bad
    first = melted[~dup].set_index(["branch", "measure", "date"])["row"]
    for _, r in melted[dup].iterrows():
        problems.append(Problem(
            source, f"duplicate {r['measure']} for {r['branch']} on {r['date']:%Y-%m-%d} "
            f"(first on row {first.get((r['branch'], r['measure'], r['date']))}); kept the "
            "first", int(r["row"]), str(r["measure"])))
    return melted[~dup], bad | rowno.isin(set(melted.loc[dup, "row"]))


def _period_frame(melted: pd.DataFrame, any_month: bool, source: str) -> tuple[pd.DataFrame, str]:
    """The history table at its inferred frequency (days inside one period summed), and that frequency."""
    frame = pd.DataFrame({
        "branch": melted["branch"].astype(object).to_numpy(),
        "measure": melted["measure"].astype(object).to_numpy(),
        "date": pd.to_datetime(melted["date"]).to_numpy(),
        "value": melted["value"].astype(float).to_numpy(),
    })
    if frame.empty:
        raise InputError.single(source, "no usable rows")
    freq = _infer_freq(frame["date"], any_month)
    frame["date"] = _period_start(frame["date"], freq)
    if frame.duplicated(["branch", "measure", "date"]).any():
        # several days inside one period: sum them (min_count keeps all-missing as missing)
        frame = (frame.groupby(["branch", "measure", "date"], as_index=False)["value"]
                 .sum(min_count=1))
    return frame.sort_values(["branch", "measure", "date"], ignore_index=True), freq


def parse_history_frame(
    df: pd.DataFrame, source: str = "history", column_map: dict[str, str] | None = None,
    measure: str | None = None,
) -> History:
    """Validate a raw frame (strings or typed) into a :class:`History`.

    A frame with ``date`` but neither ``branch`` nor a measure column is *wide by branch*:
    every other column is one branch, and the measure comes from a ``measure`` column or
    from ``measure`` (:func:`read_history` takes it from the file name).
    """
    df = _rename(df, {k.lower(): v for k, v in (column_map or {}).items()})
    rowno_of, field_of = None, None
    if _wide_by_branch(df):
        df, rowno_of, field_of = _melt_branches(df, source, measure)
    long, measures = _check_columns(df, source)
    problems: list[Problem] = []
    n = len(df) if rowno_of is None else int(rowno_of.max())
    rowno = (pd.Series(np.arange(1, n + 1), index=df.index) if rowno_of is None
             else pd.Series(rowno_of, index=df.index))
    branch, dates, is_month, bad = _row_keys(df, rowno, source, problems)
    any_month = bool(is_month[~bad].any())
    if long:
        meas, vals, bad = _long_values(df, rowno, field_of, source, problems, bad)
        melted = pd.DataFrame({"row": rowno, "branch": branch, "measure": meas, "date": dates,
                               "value": vals})[~bad]
    else:
        cols, bad = _wide_values(df, measures, rowno, source, problems, bad)
        melted = pd.concat([
            pd.DataFrame({"row": rowno, "branch": branch, "measure": m, "date": dates,
                          "value": cols[m]})[~bad] for m in measures], ignore_index=True)
    melted, bad = _drop_duplicates(melted, rowno, source, problems, bad)
    bad_rows = set(rowno[bad])
    problems = list(dict.fromkeys(problems))  # a wide row's date error, once
    problems.sort(key=lambda p: (p.row or 0))
    if len(bad_rows) > MAX_BAD_SHARE * n:
        raise InputError([
            Problem(source, f"{len(bad_rows)} of {n} rows are bad: this does not look like "
                    "circulation history in the contract's schema"), *problems])
    frame, freq = _period_frame(melted, any_month, source)
    return History(frame=frame, freq=freq, rows=n, problems=problems, source=source)


def _wide_by_branch(df: pd.DataFrame) -> bool:
    cols = set(df.columns)
    return ("date" in cols and "branch" not in cols and "value" not in cols
            and not cols & set(MEASURES) and len(cols - {"date", "measure"}) > 0)


def _melt_branches(
    df: pd.DataFrame, source: str, measure: str | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Wide-by-branch → long rows; also each long row's file row and field (branch column)."""
    branches = [c for c in df.columns if c not in ("date", "measure")]
    for i, c in enumerate(df.columns):
        name = str(c).strip()
        if not name or name.lower().startswith("unnamed:"):
            raise InputError.single(
                source, f"column {i + 1} has no name: in a file with one column per branch "
                "every column after the date needs the branch id as its header", row=0)
    if "measure" not in df.columns:
        if measure is None:
            raise InputError.single(
                source, "one column per branch but no measure: add a 'measure' column or name "
                f"the file after its measure ({', '.join(m + '.csv' for m in MEASURES[:2])}, …)",
                row=0)
        df = df.assign(measure=measure)
    n = len(df)
    rows = np.tile(np.arange(1, n + 1), len(branches))
    fields = np.repeat(np.array([str(b) for b in branches], dtype=object), n)
    long = pd.DataFrame({
        "date": pd.concat([df["date"]] * len(branches), ignore_index=True),
        "branch": fields,
        "measure": pd.concat([df["measure"]] * len(branches), ignore_index=True),
        "value": pd.concat([df[b].astype(object) for b in branches], ignore_index=True),
    })
    return long, rows, fields


def measure_from_name(path: str | Path) -> str | None:
    """The measure a file name names (``checkouts.csv``, ``2024_loans.parquet``), if one."""
    stem = Path(path).stem.strip().lower()
    found = {m for m in MEASURES if m in stem}
    if not found:
        tokens = re.split(r"[^0-9a-z\u4e00-\u9fff]+", stem)
        found = {COLUMN_ALIASES[t] for t in tokens if COLUMN_ALIASES.get(t) in MEASURES}
        found |= {m for m in MEASURES if m in tokens}
    if "transfers_in" in found and "transfers_out" in found:
        return None
    return found.pop() if len(found) == 1 else None


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    if freq == "M":
        return dates.dt.to_period("M").dt.start_time
    if freq == "W":
        return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return dates


def read_history(
    path: str | Path, column_map: str | Path | dict[str, str] | None = None
) -> History:
    """Read a history file (CSV/Parquet; wide or long; daily, weekly or monthly)."""
    p = Path(path)
    mapping = column_map if isinstance(column_map, dict) else load_column_map(column_map)
    return parse_history_frame(_read_raw(p), source=str(p), column_map=mapping,
                               measure=measure_from_name(p))


def read_histories(
    paths: list[str | Path], column_map: str | Path | dict[str, str] | None = None
) -> History:
    """Read several history files (e.g. one per measure) as one history.

    They must share one frequency; the same branch, measure and period in two files is an
    error naming both.
    """
    if len(paths) == 1:
        return read_history(paths[0], column_map)
    mapping = column_map if isinstance(column_map, dict) else load_column_map(column_map)
    parts = [read_history(p, mapping) for p in paths]
    freqs = {h.freq for h in parts}
    if len(freqs) > 1:
        raise InputError([Problem(h.source, f"frequency {h.freq}; the other files differ "
                                  "(give files of one frequency)") for h in parts])
    frames = [h.frame.assign(_src=h.source) for h in parts]
    f = pd.concat(frames, ignore_index=True)
    dup = f.duplicated(["branch", "measure", "date"], keep=False)
    if dup.any():
        d = f[dup].iloc[0]
        files = sorted(set(f[dup & (f["branch"] == d["branch"]) & (f["measure"] == d["measure"])
                             & (f["date"] == d["date"])]["_src"]))
        raise InputError.single(
            " and ".join(files), f"{d['measure']} for {d['branch']} on {d['date']:%Y-%m-%d} is "
            f"in more than one file ({int(dup.sum())} such rows)")
    f = f.drop(columns="_src").sort_values(["branch", "measure", "date"], ignore_index=True)
    return History(frame=f, freq=freqs.pop(), rows=sum(h.rows for h in parts),
                   problems=[pr for h in parts for pr in h.problems],
                   source=", ".join(h.source for h in parts))


def to_freq(history: History, freq: str) -> History:
    """Aggregate to a coarser frequency (D → W → M); finer than the data is an error."""
    order = {"D": 0, "W": 1, "M": 2}
    if freq not in order:
        raise InputError.single(history.source, f"frequency '{freq}' is not one of D, W, M")
    if order[freq] < order[history.freq]:
        raise InputError.single(
            history.source, f"the history is {history.freq}; cannot forecast at a finer {freq}")
    if freq == history.freq:
        return history
    f = history.frame.copy()
    start = f["date"]
    f["date"] = _period_start(start, freq)
    if history.freq == "D":
        # a period the data only partly cover (the series' first or the file's last) would
        # look like a slump: leave it out
        nxt = f["date"] + (pd.offsets.MonthBegin(1) if freq == "M" else pd.Timedelta(days=7))
        last_day = start.max()
        first_day = start.groupby([f["branch"], f["measure"]]).transform("min")
        partial = (nxt - pd.Timedelta(days=1) > last_day) | (f["date"] < first_day)
        if (~partial).any():
            f = f[~partial]
    f = f.groupby(["branch", "measure", "date"], as_index=False)["value"].sum(min_count=1)
    return History(frame=f, freq=freq, rows=history.rows, problems=history.problems,
                   source=history.source)
