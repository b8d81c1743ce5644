"""What each branch receives today, and what each branch has packed before its van comes.

Per node, two lists written by ``bookvan manifest`` next to the loading lists:

- ``receiving/<node>.csv`` / ``.html``: every crate the vans unload there, with the van, the
  expected arrival and, for an item-level plan (``items.parquet``), one row per item in the
  crate, so the branch checks off barcodes as they come in;
- ``packing/<node>.csv`` / ``.html``: every crate a van picks up there, *ready by* the van's
  planned arrival, with the items to put in it.

A hub-mode crate appears at the depot (unloaded for sorting, loaded again) as well as at its
final branch; ``final_destination_id`` tells them apart. Pages are bilingual (繁體中文 and
English on one sheet, a branch's staff read either) and use the day overview's styles.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from bookvan.data.csv_safe import write_csv_rows
from bookvan.data.file_names import file_stem
from bookvan.routing.manifest.overview import _CSS
from bookvan.routing.manifest.packing import crate_contents
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.runs import Run, fmt_hm

__all__ = ["PACKING_LIST_COLUMNS", "RECEIVING_COLUMNS", "branch_rows", "write_branch_lists"]

RECEIVING_COLUMNS = ("node_id", "expected_arrival", "vehicle_id", "trip", "crate_id", "transfer_id", "kind",
                     "from_id", "final_destination_id", "item_id", "title")
PACKING_LIST_COLUMNS = ("node_id", "ready_by", "vehicle_id", "trip", "crate_id", "transfer_id", "kind",
                        "to_id", "final_destination_id", "item_id", "title")


def _text(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def branch_rows(plan: Plan, runs: list[Run]) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(receiving, packing): node id → rows in time order, one per item (per crate without items)."""
    contents = crate_contents(plan)
    receiving: dict[str, list[dict]] = {}
    packing: dict[str, list[dict]] = {}
    for run in runs:
        for s in run.stops:
            when = s.arrival.isoformat()
            for line in s.unload:
                for cid in line.crate_ids:
                    base = {"node_id": s.node_id, "expected_arrival": when, "vehicle_id": run.vehicle_id,
                            "trip": run.trip, "crate_id": cid, "transfer_id": line.transfer_id,
                            "kind": line.kind, "from_id": line.origin_id,
                            "final_destination_id": line.final_destination_id}
                    for it in contents.get(cid) or [{}]:
                        receiving.setdefault(s.node_id, []).append(
                            {**base, "item_id": _text(it.get("item_id")), "title": _text(it.get("title"))})
            for line in s.load:
                for cid in line.crate_ids:
                    base = {"node_id": s.node_id, "ready_by": when, "vehicle_id": run.vehicle_id,
                            "trip": run.trip, "crate_id": cid, "transfer_id": line.transfer_id,
                            "kind": line.kind, "to_id": line.destination_id,
                            "final_destination_id": line.final_destination_id}
                    for it in contents.get(cid) or [{}]:
                        packing.setdefault(s.node_id, []).append(
                            {**base, "item_id": _text(it.get("item_id")), "title": _text(it.get("title"))})
    for table, key in ((receiving, "expected_arrival"), (packing, "ready_by")):
        for rows in table.values():
            rows.sort(key=lambda r, k=key: (r[k], r["crate_id"]))  # type: ignore[misc]
    return receiving, packing


_WORDS = {
    "receiving": ("到館清單", "Receiving list"),
    "packing": ("裝箱清單", "Packing list"),
    "intro_receiving": ("今日送達本館的書箱與資料；到館時請逐項勾選。",
                        "Crates and items the vans bring here today; tick each one as it arrives."),
    "intro_packing": ("請在書車抵達前裝好以下書箱。", "Have these crates packed before the van arrives."),
    "time_receiving": ("預計到達", "Expected"),
    "time_packing": ("裝好時間", "Ready by"),
    "van": ("車輛", "Van"),
    "crate": ("書箱", "Crate"),
    "kind": ("類別", "Kind"),
    "other_receiving": ("來自", "From"),
    "other_packing": ("送往", "To"),
    "item": ("條碼", "Item"),
    "title": ("題名", "Title"),
    "check": ("✓", "✓"),
    "crates": ("箱", "crates"),
    "items": ("件", "items"),
    "none": ("今日無。", "Nothing today."),
}


def _w(key: str) -> str:
    zh, en = _WORDS[key]
    return zh if zh == en else f"{zh} {en}"


def _e(x: object) -> str:
    return html.escape(_text(x), quote=True)


def branch_page(plan: Plan, node_id: str, which: str, rows: list[dict]) -> str:
    """One printable page (``which`` = ``receiving`` or ``packing``) for one node."""
    n = plan.nodes.loc[node_id]
    time_key, other_key = ("expected_arrival", "from_id") if which == "receiving" else ("ready_by", "to_id")
    names = {str(k): f"{_text(v['name_zh'])} {_text(v['name_en'])}" for k, v in plan.nodes.iterrows()}
    head = "".join(f"<th>{_w(k)}</th>" for k in (f"time_{which}", "van", "crate", "kind", f"other_{which}",
                                                   "item", "title", "check"))
    body = []
    for r in rows:
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in (
            _e(fmt_hm(_ts(r[time_key]))), _e(f"{r['vehicle_id']} #{r['trip']}"), _e(r["crate_id"]), _e(r["kind"]),
            _e(names.get(r[other_key], r[other_key])), _e(r["item_id"]), _e(r["title"]), "☐")) + "</tr>")
    crates = len({r["crate_id"] for r in rows})
    items = sum(1 for r in rows if r["item_id"])
    count = f"{crates} {_w('crates')}" + (f" · {items} {_w('items')}" if items else "")
    title = f"{_w(which)} · {_text(n['name_zh'])} {_text(n['name_en'])} · {plan.date:%Y-%m-%d}"
    table = f"<table><tr>{head}</tr>{''.join(body)}</table>" if rows else f"<p>{_w('none')}</p>"
    return (f'<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>"
            f'<div class="sub">{_e(node_id)} · {count} · plan {_e(plan.plan_id)}</div>'
            f"<p>{_w('intro_' + which)}</p>{table}</body></html>\n")


def _ts(text: str) -> object:
    import pandas as pd

    return pd.Timestamp(text)


def write_branch_lists(plan: Plan, runs: list[Run], folder: Path) -> list[str]:
    """Write ``receiving/`` and ``packing/`` (CSV and HTML per node); return the relative paths."""
    receiving, packing = branch_rows(plan, runs)
    visited = sorted({s.node_id for run in runs for s in run.stops})
    written = []
    for which, table, cols in (("receiving", receiving, RECEIVING_COLUMNS), ("packing", packing, PACKING_LIST_COLUMNS)):
        (folder / which).mkdir(parents=True, exist_ok=True)
        for node_id in sorted(set(visited) | set(table)):
            rows = table.get(node_id, [])
            stem = file_stem(node_id)
            write_csv_rows(folder / which / f"{stem}.csv", cols, rows)
            (folder / which / f"{stem}.html").write_text(branch_page(plan, node_id, which, rows), encoding="utf-8")
            written += [f"{which}/{stem}.csv", f"{which}/{stem}.html"]
    return written
