"""What is inside each crate, when the plan came from an item-level list (``items.parquet``).

Items were packed ``items_per_crate`` to a crate in list order (``crate_no`` within their
grouped transfer). A grouped transfer larger than a van travels as parts ``<id>/1``,
``<id>/2``… that take whole crates in order, and in hub mode each crate keeps its id on every
leg; so crate ``n`` of the grouped transfer is crate ``n − (crates of the earlier parts)`` of
its part, with the crate id the labels print. The packing list is one CSV row per item, for a
branch to check off what arrives (formula-safe: titles come from the library system).
"""

from __future__ import annotations

import math
from pathlib import Path

from bookvan.data.csv_safe import write_csv_rows
from bookvan.routing.manifest.crates import crate_id
from bookvan.routing.manifest.plan import Plan

__all__ = ["PACKING_COLUMNS", "crate_contents", "packing_rows", "write_packing_csv"]

PACKING_COLUMNS = ("crate_id", "item_id", "title", "transfer_id", "kind", "origin_id", "destination_id",
                   "crate_no", "source_row")


def _text(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _part_no(base: str, group: str) -> int:
    tail = base[len(group) + 1:] if base.startswith(group + "/") else ""
    return int(tail) if tail.isdigit() else 0


def crate_contents(plan: Plan) -> dict[str, list[dict[str, object]]]:
    """Crate id → the item rows (``items.parquet`` records) packed in it; empty without items."""
    if plan.items is None or plan.items.empty:
        return {}
    bases: dict[str, tuple[str, int]] = {}  # crate base id → (grouped transfer, crates)
    for r in plan.transfers.itertuples(index=False):
        base = _text(getattr(r, "leg_of", None)) or str(r.transfer_id)
        bases.setdefault(base, (_text(getattr(r, "part_of", None)) or base, int(r.crates)))
    parts: dict[str, list[tuple[int, str, int]]] = {}
    for base, (group, crates) in bases.items():
        parts.setdefault(group, []).append((_part_no(base, group), base, crates))
    out: dict[str, list[dict[str, object]]] = {}
    for rec in plan.items.sort_values(["transfer_id", "crate_no", "source_row"], kind="stable").to_dict("records"):
        chain = sorted(parts.get(str(rec["transfer_id"]), []))
        n = int(rec["crate_no"])
        for _, base, crates in chain:
            if n <= crates or base == chain[-1][1]:
                out.setdefault(crate_id(base, min(n, crates), crates), []).append(rec)
                break
            n -= crates
    return out


def packing_rows(plan: Plan, crate_order: list[str]) -> list[dict[str, object]]:
    """One row per item, crates in ``crate_order`` (the labels' order), items in list order."""
    contents = crate_contents(plan)
    rows = []
    for cid in crate_order:
        for rec in contents.get(cid, []):
            rows.append({"crate_id": cid, **{k: rec.get(k) for k in PACKING_COLUMNS if k != "crate_id"}})
    return rows


def write_packing_csv(plan: Plan, crate_order: list[str], path: Path) -> Path | None:
    """``packing.csv`` (see the module docstring); ``None`` when the plan has no items."""
    if plan.items is None:
        return None
    return write_csv_rows(path, PACKING_COLUMNS, packing_rows(plan, crate_order))
