"""Item-level transfer lists (one row per item, as a library system exports them), grouped.

Reads a Koha-like "transfers to send" list or holds-queue report (``barcode`` or
``itemnumber``, ``title``, ``frombranch``/``holdingbranch``, ``tobranch``/``pickbranch``,
``reason``), or any other export through a column-mapping file (``[columns]`` as for the
history readers, ``[kinds]`` for reason values, ``[defaults] kind``), and groups the items
into the contract's transfers, one per (origin, destination, kind):

* ``items`` is the number of items in the group, ``crates`` follows from it;
* ``release`` is the **latest** release of its items (the crates leave when all are ready),
  ``due`` the **earliest** due (the first item needed sets the deadline);
* ids are ``T0001``… in sorted (origin, destination, kind) order, so the same items in any row
  order give the same transfers;
* an item listed twice is moved once (its first row) and reported once with all its rows.

Rows are read one at a time and never kept: memory holds the groups and one small record per
item (its id, title, group and crate, written to the plan folder's ``items.parquet``).
Every bad row is collected and raised once (file, row, field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.ils_export import REASON_KIND, read_column_map, renamed
from bookvan.data.input_rows import BATCH_ROWS, iter_cell_rows
from bookvan.data.interrupt import raise_if_stopped
from bookvan.data.limits import MAX_ITEM_ID_CHARS, MAX_ITEM_ROWS, MAX_TRANSFERS, check_count
from bookvan.data.tables import TRANSFER_KINDS, TZ
from bookvan.data.transfers import TransferList, crates_for, parse_when, transfers_frame

__all__ = ["ITEM_ALIASES", "ITEM_COLUMNS", "DuplicateItem", "is_item_list", "read_item_list"]

ITEM_ALIASES = {
    "item_id": "item_id", "barcode": "item_id", "itemnumber": "item_id", "item": "item_id",
    "item_barcode": "item_id", "itembarcode": "item_id", "條碼": "item_id",
    "title": "title", "題名": "title",
    "origin": "origin", "origin_id": "origin", "from": "origin", "frombranch": "origin",
    "holdingbranch": "origin", "source_branchcode": "origin",
    "destination": "destination", "destination_id": "destination", "to": "destination",
    "tobranch": "destination", "pickbranch": "destination", "send to": "destination",
    "send_to": "destination",
    "kind": "kind", "reason": "reason",
    "release": "release", "ready": "release", "due": "due", "needed_by": "due",
}
"""Known column names (lower-cased) → ours; a mapping file's ``[columns]`` comes first."""

ITEM_COLUMNS = ("transfer_id", "item_id", "title", "origin_id", "destination_id", "kind",
                "release", "due", "source_row", "crate_no")
"""Columns of the items table (``items.parquet`` in a plan folder)."""

# Koha branchtransfers.reason values beyond the history readers' map; unknown reasons are
# "balance", as there (Manual, Recall, ...).
_REASONS = {**REASON_KIND, "returntohome": "return", "returntoholding": "return", "hold": "hold",
            "rotation": "rotation", "balance": "balance"}
_PROGRESS_EVERY = BATCH_ROWS


@dataclass(frozen=True)
class DuplicateItem:
    """An item id listed on more than one row; moved once, from ``rows[0]``."""

    item_id: str
    rows: tuple[int, ...]


def is_item_list(header: list[str], column_map: str | Path | None = None) -> bool:
    """True when the (mapped) header has an item id column and no aggregated ``items`` count."""
    cols = renamed(header, ITEM_ALIASES, read_column_map(column_map)["columns"])
    return "item_id" in cols and "items" not in cols


#: One kept item: (item id, title, group key (origin, destination, kind), source row, release, due).
_Item = tuple[str, str, tuple[str, str, str], int, pd.Timestamp | None, pd.Timestamp | None]


@dataclass(frozen=True)
class _Columns:
    """Where our columns stand in the file, and how its kind or reason values read."""

    width: int  # columns in the header
    pos: dict[str, int]
    kinds: dict[str, str]
    default_kind: str

    def cell(self, cells: list[str], name: str) -> str:
        k = self.pos.get(name)
        return cells[k].strip() if k is not None and k < len(cells) else ""


def _kind_map(maps: dict[str, dict[str, str]], where: str | Path) -> tuple[dict[str, str], str]:
    """Reason/kind values → our kinds (Koha's, then the mapping file's), and the default kind."""
    kinds = {**_REASONS, **{k: v.lower() for k, v in maps["kinds"].items()}}
    bad_kinds = [v for v in maps["kinds"].values() if v.lower() not in TRANSFER_KINDS]
    default_kind = maps["defaults"].get("kind", "").lower()
    if bad_kinds or (default_kind and default_kind not in TRANSFER_KINDS):
        raise InputError.single(where, f"kinds must be one of {', '.join(TRANSFER_KINDS)}")
    return kinds, default_kind


def _columns(path: Path, raw_header: list[str], mapping: dict[str, str], kinds: dict[str, str],
             default_kind: str) -> _Columns:
    """The header read against the known names and the mapping; missing columns → InputError."""
    header = renamed(raw_header, ITEM_ALIASES, mapping)
    lowered = [h.strip().lower() for h in raw_header]
    if not default_kind and "pickbranch" in lowered and "kind" not in header and "reason" not in header:
        default_kind = "hold"  # a holds queue: every row fills a hold at its pickup branch
    need = ["item_id", "origin", "destination"] + ([] if default_kind else ["kind or reason"])
    missing = [c for c in need if c not in header and not (c == "kind or reason" and {"kind", "reason"} & set(header))]
    if missing:
        raise InputError.single(
            path, f"missing column(s): {', '.join(missing)} (found: {', '.join(raw_header)[:200]}); "
            "map them with --transfers-map (a column-mapping file)", row=0, field=missing[0])
    return _Columns(len(raw_header), {c: header.index(c) for c in dict.fromkeys(header) if c}, kinds, default_kind)


def _row_kind(c: _Columns, cells: list[str]) -> tuple[str, str, str]:
    """(the row's own value, the field it came from, our kind) from a kind or reason column or the default."""
    if "kind" in c.pos:
        raw = c.cell(cells, "kind")
        return raw, "kind", c.kinds.get(raw.lower(), raw.lower()) if raw else c.default_kind
    if "reason" in c.pos:
        raw = c.cell(cells, "reason")
        return raw, "reason", c.kinds.get(raw.lower(), "balance") if raw else (c.default_kind or "balance")
    return "", "kind", c.default_kind


def _row_times(c: _Columns, cells: list[str], i: int, date: dt.date,
               col: ProblemCollector) -> dict[str, pd.Timestamp | None] | None:
    """The row's release and due (None each when blank); None when one is bad (added to ``col``)."""
    when: dict[str, pd.Timestamp | None] = {"release": None, "due": None}
    ok = True
    for f in ("release", "due"):
        if text := c.cell(cells, f):
            try:
                when[f] = parse_when(text, date)
            except (ValueError, OverflowError):
                col.add(f"'{text[:40]}' is neither HH:MM nor an ISO date-time", row=i, field=f)
                ok = False
    if when["release"] is not None and when["due"] is not None and when["due"] < when["release"]:
        col.add("due before release", row=i, field="due")
        ok = False
    return when if ok else None


def _item_row(c: _Columns, cells: list[str], i: int, node_ids: set[str], date: dt.date,
              col: ProblemCollector) -> _Item | None:
    """One data row checked field by field; None when any is bad (each problem added to ``col``)."""
    if len(cells) > c.width and any(x.strip() for x in cells[c.width:]):
        col.add(f"{len(cells)} cells but the header has {c.width} columns", row=i)
        return None
    item_id = c.cell(cells, "item_id")
    ok = True
    if not item_id:
        col.add("empty item id", row=i, field="item_id")
        ok = False
    elif len(item_id) > MAX_ITEM_ID_CHARS:
        col.add(f"item id of {len(item_id)} characters (at most {MAX_ITEM_ID_CHARS})", row=i, field="item_id")
        ok = False
    ends = {}
    for f in ("origin", "destination"):
        ends[f] = c.cell(cells, f)
        if ends[f] not in node_ids:
            col.add(f"unknown node code '{ends[f][:60]}'", row=i, field=f)
            ok = False
    if ends["origin"] and ends["origin"] == ends["destination"]:
        col.add("origin and destination are the same node", row=i, field="destination")
        ok = False
    raw_kind, field, kind = _row_kind(c, cells)
    if kind not in TRANSFER_KINDS:
        col.add(f"kind '{raw_kind[:40]}' is not one of {', '.join(TRANSFER_KINDS)} "
                "(map it under [kinds])", row=i, field=field)
        ok = False
    when = _row_times(c, cells, i, date, col)
    if not ok or when is None:
        return None
    return item_id, c.cell(cells, "title"), (ends["origin"], ends["destination"], kind), i, when["release"], when["due"]


def _add_to_group(groups: dict[tuple[str, str, str], list[object]], item: _Item) -> None:
    """Count the item in its group; the group's release is its latest, its due its earliest."""
    _, _, key, _, release, due = item
    g = groups.setdefault(key, [0, None, None])
    g[0] += 1  # type: ignore[operator]
    if release is not None and (g[1] is None or release > g[1]):
        g[1] = release
    if due is not None and (g[2] is None or due < g[2]):
        g[2] = due


def read_item_list(
    path: str | Path,
    *,
    node_ids: set[str],
    date: dt.date,
    items_per_crate: int,
    column_map: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> TransferList:
    """Read an item-level export and group it into transfers (see the module docstring).

    ``progress`` is called with the number of rows read every 10,000 rows. Raises
    :class:`InputError` (file, row, field) for bad rows, unknown columns or a list beyond
    :data:`bookvan.data.limits.MAX_ITEM_ROWS` rows or ``MAX_TRANSFERS`` groups.
    """
    path = Path(path)
    maps = read_column_map(column_map, ("columns", "kinds", "defaults"))
    kinds, default_kind = _kind_map(maps, column_map or path)
    rows = iter_cell_rows(path)
    _, raw_header, _ = next(rows)
    c = _columns(path, raw_header or [], maps["columns"], kinds, default_kind)
    col = ProblemCollector(str(path))
    groups: dict[tuple[str, str, str], list[object]] = {}  # key → [count, latest release, earliest due]
    seen: dict[str, int] = {}
    dup_rows: dict[str, list[int]] = {}
    kept: list[_Item] = []
    n = 0
    for i, _, cells in rows:
        n = i
        if i % _PROGRESS_EVERY == 0:
            raise_if_stopped()
            if progress is not None:
                progress(i)
        check_count(i, MAX_ITEM_ROWS, file=path, what="rows in the item list")
        if not any(x.strip() for x in cells):
            continue  # blank lines, as spreadsheets leave them
        item = _item_row(c, cells, i, node_ids, date, col)
        if item is None or col:
            continue  # a bad file is refused: no need to group what follows
        if item[0] in seen:
            dup_rows.setdefault(item[0], [seen[item[0]]]).append(i)
            continue
        seen[item[0]] = i
        _add_to_group(groups, item)
        kept.append(item)
    col.raise_if_any()
    if n == 0 or not kept:
        raise InputError.single(path, "the file has a header but no item rows")
    check_count(len(groups), MAX_TRANSFERS, file=path, what="transfers after grouping by origin, destination and kind")
    if progress is not None:
        progress(n)
    return _grouped(groups, kept, dup_rows, n, items_per_crate)


def _grouped(
    groups: dict[tuple[str, str, str], list[object]],
    kept: list[_Item],
    dup_rows: dict[str, list[int]],
    rows: int,
    items_per_crate: int,
) -> TransferList:
    tid = {key: f"T{k:04d}" for k, key in enumerate(sorted(groups), start=1)}
    records = [{
        "transfer_id": tid[key], "origin_id": key[0], "destination_id": key[1],
        "items": int(g[0]), "crates": crates_for(int(g[0]), items_per_crate),  # type: ignore[call-overload]
        "kind": key[2], "release": g[1], "due": g[2],
    } for key, g in sorted(groups.items())]
    placed: dict[tuple[str, str, str], int] = {}
    crate_no = []
    for _, _, key, _, _, _ in kept:
        placed[key] = placed.get(key, 0) + 1
        crate_no.append((placed[key] - 1) // items_per_crate + 1)
    items = pd.DataFrame({
        "transfer_id": [tid[k[2]] for k in kept],
        "item_id": [k[0] for k in kept],
        "title": [k[1] for k in kept],
        "origin_id": [k[2][0] for k in kept],
        "destination_id": [k[2][1] for k in kept],
        "kind": [k[2][2] for k in kept],
        "release": pd.to_datetime(pd.Series([k[4] for k in kept], dtype=object), utc=True).dt.tz_convert(TZ),
        "due": pd.to_datetime(pd.Series([k[5] for k in kept], dtype=object), utc=True).dt.tz_convert(TZ),
        "source_row": pd.array([k[3] for k in kept], dtype="int64"),
        "crate_no": pd.array(crate_no, dtype="int64"),
    })
    items = items.sort_values(["transfer_id", "source_row"], kind="stable").reset_index(drop=True)
    dups = tuple(DuplicateItem(item, tuple(r)) for item, r in sorted(dup_rows.items(), key=lambda x: x[1][1]))
    return TransferList(transfers_frame(records), items, dups, rows)
