"""Write a :class:`DayPlan` as the plan folder of the contracts, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bookvan.data.atomic import atomic_dir
from bookvan.data.tables import CRATES_SCHEMA, write_plan_tables, write_table
from bookvan.routing.daily import DayPlan

__all__ = ["write_plan"]


def write_plan(plan: DayPlan, out: str | Path, crates: pd.DataFrame | None = None) -> Path:
    """Write plan.json and the five tables (and ``crates.parquet`` if given); replaced only on success."""
    out = Path(out)
    tables = {"nodes": plan.nodes, "vehicles": plan.vehicles, "transfers": plan.transfers,
              "matrix": plan.matrix, "stops": plan.stops}
    with atomic_dir(out) as tmp:
        write_plan_tables(tmp, plan.plan_json(), tables)
        if crates is not None:
            write_table(crates, CRATES_SCHEMA, tmp / "crates.parquet")
    return out
