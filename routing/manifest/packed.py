"""Labels and a packing list for the physical crates of ``crates.parquet`` (packed together).

``crates.parquet`` (written by ``bookvan plan``) has one row per physical crate: items that
travel between the same two stops on the same run share crates. Each packed label names the
transfers inside; ``packing.csv`` lists them with their items, for the branch that packs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bookvan.data.csv_safe import csv_text
from bookvan.data.planfolder import read_plan_folder
from bookvan.routing.manifest.pdf_labels import CrateLabel
from bookvan.routing.manifest.plan import Plan

__all__ = ["packed_labels", "packing_csv", "read_crates"]


def read_crates(plan_dir: Path) -> pd.DataFrame | None:
    """The plan folder's optional crates table; None when the plan has none."""
    return read_plan_folder(plan_dir, (), optional=("crates",)).get("crates")


def packed_labels(plan: Plan, crates: pd.DataFrame) -> list[CrateLabel]:
    """One label per physical crate, in van, run and group order; the transfers go on its info line."""
    kinds = dict(zip(plan.transfers["transfer_id"], plan.transfers["kind"], strict=True))
    out = []
    for r in crates.sort_values(["vehicle_id", "trip", "group", "crate_no"]).itertuples(index=False):
        dest = plan.nodes.loc[r.destination_id]
        ids = list(r.transfer_ids)
        ks = {kinds.get(t, "") for t in ids}
        out.append(CrateLabel(
            crate_id=r.crate_id, transfer_id=", ".join(ids), n=int(r.crate_no), of=int(r.crates_in_group),
            origin_id=r.origin_id, destination_id=r.destination_id, destination_zh=str(dest["name_zh"]),
            destination_en=str(dest["name_en"]), kind=ks.pop() if len(ks) == 1 else "mixed",
            vehicle_id=r.vehicle_id, trip=int(r.trip),
        ))
    return out


def packing_csv(crates: pd.DataFrame) -> str:
    """One line per (crate, transfer): what to put in which crate (formula-safe cells)."""
    cols = ["crate_id", "vehicle_id", "trip", "origin_id", "destination_id", "crate", "of", "transfer_id", "items"]
    rows = [
        dict(zip(cols, (r.crate_id, r.vehicle_id, r.trip, r.origin_id, r.destination_id, r.crate_no,
                        r.crates_in_group, t, n), strict=True))
        for r in crates.sort_values(["vehicle_id", "trip", "group", "crate_no"]).itertuples(index=False)
        for t, n in zip(r.transfer_ids, r.transfer_items, strict=True)
    ]
    return csv_text(cols, rows)
