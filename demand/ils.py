"""Raw library-system exports → daily per-branch history and origin-destination flows.

Two exports, modelled on Koha's tables (other systems map their columns with a TOML file):

* **Circulation events** (Koha ``statistics``: ``datetime, branch, type, itemnumber, …``),
  one row per event. Event types: ``checkout`` (Koha ``issue``), ``return``, ``renew``,
  ``hold_placed``, ``hold_filled`` (see ``EVENT_ALIASES``). Optional ``homebranch`` (the
  item's owning branch; Koha keeps it in ``items``, join it in the export) and
  ``holdingbranch`` (where the copy that filled a hold was).
* **Branch transfers** (Koha ``branchtransfers``: ``datesent, frombranch, datearrived,
  tobranch, reason``), one row per item moved. ``reason`` ``Reserve`` → hold, ``Return`` →
  return, ``StockrotationAdvance``/``RotatingCollection`` → rotation, anything else → balance.

Daily measures: ``checkouts``, ``returns``, ``holds`` (holds filled at the pickup branch)
from events; ``transfers_out``/``transfers_in`` from the transfer log (by date sent / date
arrived, or sent when arrival is blank). Flows: the transfer log when given; otherwise
inferred from events: a return away from the home branch travels home, a hold filled from
another branch's copy travels from there to the pickup branch.

A mapping file is TOML: ``[columns]`` ``"their column" = "our column"`` and optionally
``[event_types]`` ``"their value" = "checkout"``. Bad rows are counted and reported with
their row numbers; more than half bad is an :class:`InputError`.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError, Problem
from bookvan.data.ils_export import REASON_KIND, read_column_map
from bookvan.demand.history import MAX_BAD_SHARE, History, parse_history_frame

__all__ = [
    "EVENT_ALIASES",
    "EVENT_TYPES",
    "flows_from_events",
    "history_from_exports",
    "load_export_map",
    "read_events",
    "read_transfer_log",
]

EVENT_TYPES = ("checkout", "return", "renew", "hold_placed", "hold_filled")
EVENT_ALIASES = {
    "issue": "checkout", "checkout": "checkout", "loan": "checkout", "借出": "checkout",
    "return": "return", "checkin": "return", "還書": "return",
    "renew": "renew", "renewal": "renew",
    "reserve": "hold_placed", "hold": "hold_placed", "hold_placed": "hold_placed",
    "hold_filled": "hold_filled", "waiting": "hold_filled", "reserve_filled": "hold_filled",
    "localuse": None, "writeoff": None, "payment": None, "onsite_checkout": "checkout",
    "recall": None,
}
EVENT_COLUMNS = {"datetime": "datetime", "timestamp": "datetime", "date": "datetime",
                 "branch": "branch", "branchcode": "branch", "type": "type", "event": "type",
                 "itemnumber": "itemnumber", "item": "itemnumber", "barcode": "itemnumber",
                 "homebranch": "homebranch", "home_branch": "homebranch",
                 "holdingbranch": "holdingbranch", "holding_branch": "holdingbranch"}
TRANSFER_COLUMNS = {"datesent": "datesent", "sent": "datesent", "date_sent": "datesent",
                    "frombranch": "frombranch", "from": "frombranch", "origin": "frombranch",
                    "datearrived": "datearrived", "arrived": "datearrived",
                    "date_arrived": "datearrived", "tobranch": "tobranch", "to": "tobranch",
                    "destination": "tobranch", "reason": "reason", "itemnumber": "itemnumber"}


def load_export_map(path: str | Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """``(columns, event_types)`` from a TOML mapping file (both lower-cased keys)."""
    maps = read_column_map(path, ("columns", "event_types"))  # one reader with the item lists
    return maps["columns"], {k: v.lower() for k, v in maps["event_types"].items()}


def _read_table(path: Path) -> pd.DataFrame:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError.single(path, f"cannot read the file: {e.strerror}") from None
    if raw[:4] == b"PAR1":
        try:
            return pd.read_parquet(io.BytesIO(raw)).astype(str)
        except Exception as e:
            raise InputError.single(path, f"not a readable Parquet file ({type(e).__name__})") \
                from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError.single(path, f"not UTF-8 text (byte {e.start})") from None
    if not text.strip():
        raise InputError.single(path, "the file is empty")
    if "\x00" in text:
        raise InputError.single(path, "binary data in a CSV file")
    sep = "\t" if text.split("\n", 1)[0].count("\t") > text.split("\n", 1)[0].count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep,
                         on_bad_lines="skip", engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise InputError.single(path, f"not a readable CSV file: {e}") from None
    if df.empty:
        raise InputError.single(path, "the file has a header but no rows")
    return df


def _rename(df: pd.DataFrame, aliases: dict[str, str], mapping: dict[str, str]) -> pd.DataFrame:
    names = {}
    for c in df.columns:
        k = str(c).strip().lower()
        names[c] = mapping.get(k) or aliases.get(k, k)
    out = df.rename(columns=names)
    return out.loc[:, ~out.columns.duplicated()]


def _require(df: pd.DataFrame, path: Path, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError.single(
            path, f"missing column(s): {', '.join(missing)} (found: "
            f"{', '.join(map(str, df.columns[:12]))}); map them with a column-mapping file", row=0)


def _timestamps(col: pd.Series) -> pd.Series:
    txt = col.astype(str).str.strip()
    ts = pd.to_datetime(txt, errors="coerce", format="mixed")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.where(ts.dt.year.between(1900, 2200))


def _too_bad(path: Path, bad: int, n: int, problems: list[Problem]) -> None:
    if bad > MAX_BAD_SHARE * n:
        raise InputError([Problem(str(path), f"{bad} of {n} rows are bad: this does not look "
                                  "like the expected export"), *problems])


def read_events(path: str | Path, column_map: str | Path | None = None
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """Circulation events → ``date, branch, type, homebranch, holdingbranch`` and problems."""
    p = Path(path)
    cols, types = load_export_map(column_map)
    df = _rename(_read_table(p), EVENT_COLUMNS, cols)
    _require(df, p, ("datetime", "branch", "type"))
    n = len(df)
    rowno = np.arange(1, n + 1)
    ts = _timestamps(df["datetime"])
    branch = df["branch"].astype(str).str.strip()
    raw_type = df["type"].astype(str).str.strip().str.lower()
    known = {**EVENT_ALIASES, **types}
    etype = raw_type.map(lambda t: known.get(t, "?"))
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)
    for mask, field, msg in (
        (ts.isna().to_numpy(), "datetime", lambda i: f"'{df['datetime'].iloc[i][:30]}' is not a "
         "date/time"),
        (branch.eq("").to_numpy(), "branch", lambda i: "empty branch"),
        ((etype == "?").to_numpy(), "type", lambda i: f"event type '{raw_type.iloc[i][:30]}' is "
         f"unknown (map it under [event_types] to one of {', '.join(EVENT_TYPES)})"),
    ):
        new = mask & ~bad
        problems += [Problem(str(p), msg(i), int(rowno[i]), field) for i in np.nonzero(new)[0]]
        bad |= mask
    out = pd.DataFrame({
        "date": ts.dt.normalize(), "branch": branch, "type": etype,
        "homebranch": df["homebranch"].astype(str).str.strip() if "homebranch" in df else "",
        "holdingbranch": (df["holdingbranch"].astype(str).str.strip()
                          if "holdingbranch" in df else ""),
    })[~bad]
    _too_bad(p, int(bad.sum()), n, problems)
    return out[out["type"].notna()].reset_index(drop=True), problems


def read_transfer_log(path: str | Path, column_map: str | Path | None = None
                      ) -> tuple[pd.DataFrame, list[Problem]]:
    """Branch transfers → ``sent, arrived, origin, destination, kind`` and problems."""
    p = Path(path)
    cols, _ = load_export_map(column_map)
    df = _rename(_read_table(p), TRANSFER_COLUMNS, cols)
    _require(df, p, ("datesent", "frombranch", "tobranch"))
    n = len(df)
    rowno = np.arange(1, n + 1)
    sent = _timestamps(df["datesent"])
    arrived_txt = df["datearrived"].astype(str).str.strip() if "datearrived" in df else \
        pd.Series("", index=df.index)
    arrived = _timestamps(arrived_txt.where(arrived_txt.ne(""), "NaT"))
    origin = df["frombranch"].astype(str).str.strip()
    dest = df["tobranch"].astype(str).str.strip()
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)
    checks = (
        (sent.isna().to_numpy(), "datesent",
         lambda i: f"'{df['datesent'].iloc[i][:30]}' is not a date/time"),
        (origin.eq("").to_numpy(), "frombranch", lambda i: "empty branch"),
        (dest.eq("").to_numpy(), "tobranch", lambda i: "empty branch"),
        ((arrived.isna() & arrived_txt.ne("")).to_numpy(), "datearrived",
         lambda i: f"'{arrived_txt.iloc[i][:30]}' is not a date/time"),
        ((arrived < sent).fillna(False).to_numpy(), "datearrived",
         lambda i: "arrived before it was sent"),
    )
    for mask, field, msg in checks:
        new = mask & ~bad
        problems += [Problem(str(p), msg(i), int(rowno[i]), field) for i in np.nonzero(new)[0]]
        bad |= mask
    reason = (df["reason"].astype(str).str.strip().str.lower() if "reason" in df
              else pd.Series("", index=df.index))
    out = pd.DataFrame({
        "sent": sent.dt.normalize(), "arrived": arrived.dt.normalize(),
        "origin": origin, "destination": dest,
        "kind": reason.map(lambda r: REASON_KIND.get(r, "balance")),
    })[~bad]
    problems.sort(key=lambda x: x.row or 0)
    _too_bad(p, int(bad.sum()), n, problems)
    return out.reset_index(drop=True), problems


def flows_from_events(events: pd.DataFrame, *, floating: bool = False) -> pd.DataFrame:
    """Infer OD flows from events: returns away from home go home; holds come from the copy.

    With ``floating`` (a floating collection) a returned item stays where it was returned,
    so only holds cause transfers.
    """
    ret = events[(events["type"] == "return") & events["homebranch"].ne("")
                 & events["homebranch"].ne(events["branch"])]
    if floating:
        ret = ret.iloc[0:0]
    hold = events[(events["type"] == "hold_filled") & events["holdingbranch"].ne("")
                  & events["holdingbranch"].ne(events["branch"])]
    parts = [
        pd.DataFrame({"date": ret["date"], "origin": ret["branch"],
                      "destination": ret["homebranch"], "kind": "return"}),
        pd.DataFrame({"date": hold["date"], "origin": hold["holdingbranch"],
                      "destination": hold["branch"], "kind": "hold"}),
    ]
    f = pd.concat(parts, ignore_index=True)
    return (f.groupby(["date", "origin", "destination", "kind"]).size().rename("items")
            .reset_index())


def history_from_exports(
    events: str | Path | None = None, transfer_log: str | Path | None = None,
    column_map: str | Path | None = None, *, floating: bool = False,
) -> History:
    """Aggregate exports to the contract's daily history (and keep the OD flows on it).

    The returned :class:`History` carries ``od_flows`` (date, origin, destination, kind,
    items): from the transfer log if given, else inferred from the events.
    """
    if events is None and transfer_log is None:
        raise InputError.single("--events", "give an events export, a transfer log, or both")
    frames, problems, rows, flows = [], [], 0, None
    if events is not None:
        ev, probs = read_events(events, column_map)
        problems += probs
        rows += len(ev) + len({x.row for x in probs})
        counts = ev.groupby(["date", "branch", "type"]).size().unstack("type", fill_value=0)
        wide = pd.DataFrame(index=counts.index)
        for ours, theirs in (("checkouts", "checkout"), ("returns", "return"),
                             ("holds", "hold_filled")):
            wide[ours] = counts.get(theirs, 0)
        frames.append(wide.reset_index())
        flows = flows_from_events(ev, floating=floating)
    if transfer_log is not None:
        tl, probs = read_transfer_log(transfer_log, column_map)
        problems += probs
        rows += len(tl) + len({x.row for x in probs})
        out_ = tl.groupby(["sent", "origin"]).size().rename("transfers_out").reset_index()
        out_ = out_.rename(columns={"sent": "date", "origin": "branch"})
        arr = tl.assign(day=tl["arrived"].fillna(tl["sent"]))
        in_ = arr.groupby(["day", "destination"]).size().rename("transfers_in").reset_index()
        in_ = in_.rename(columns={"day": "date", "destination": "branch"})
        frames.append(out_.merge(in_, on=["date", "branch"], how="outer").fillna(0))
        flows = (tl.groupby(["sent", "origin", "destination", "kind"]).size().rename("items")
                 .reset_index().rename(columns={"sent": "date"}))
    wide = frames[0]
    for f in frames[1:]:
        wide = wide.merge(f, on=["date", "branch"], how="outer")
    if wide.empty:
        raise InputError.single(str(events or transfer_log), "no usable rows")
    wide = _fill_calendar(wide)
    source = " + ".join(str(x) for x in (events, transfer_log) if x is not None)
    h = parse_history_frame(wide, source=source)
    h.problems = problems + h.problems
    h.rows = rows
    h.od_flows = flows  # type: ignore[attr-defined]
    return h


def _fill_calendar(wide: pd.DataFrame) -> pd.DataFrame:
    """Days without any event at a branch count as zero (exports list events, not days)."""
    measures = [c for c in wide.columns if c not in ("date", "branch")]
    days = pd.date_range(wide["date"].min(), wide["date"].max(), freq="D")
    parts = []
    for b, g in wide.groupby("branch"):
        g = g.set_index("date").reindex(days)
        g[measures] = g[measures].fillna(0)
        g["branch"] = b
        parts.append(g.rename_axis("date").reset_index())
    return pd.concat(parts, ignore_index=True)
