"""Write a :class:`DayPlan` as the plan folder of the contracts, atomically.

The layout (files, columns, types) and the one writer are :mod:`bookvan.data.planfolder`'s;
this module only hands it a day plan's tables and swaps the folder in one step.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bookvan.data.outdir import output_folder
from bookvan.data.planfolder import write_plan_folder
from bookvan.routing.daily import DayPlan

__all__ = ["write_plan"]


def write_plan(
    plan: DayPlan,
    out: str | Path,
    *,
    items: pd.DataFrame | None = None,
    crates: pd.DataFrame | None = None,
    force: bool = False,
) -> Path:
    """Write plan.json and the five tables, and the optional ones given: ``items.parquet`` when
    the list had items, ``crates.parquet`` for the packed crates.

    The folder is replaced only on success; ``out`` must be absent, empty or a bookvan plan
    folder, and ``force`` moves anything else aside.
    """
    out = Path(out)
    tables = {"nodes": plan.nodes, "vehicles": plan.vehicles, "transfers": plan.transfers,
              "matrix": plan.matrix, "stops": plan.stops, "items": items, "crates": crates}
    with output_folder(out, "plan", force=force) as tmp:
        write_plan_folder(tmp, plan.plan_json(), tables)
    return out
