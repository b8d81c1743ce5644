"""Write a :class:`DayPlan` as the plan folder of the contracts, atomically.

The layout (files, columns, types) and the one writer are :mod:`bookvan.data.planfolder`'s;
this module only hands it a day plan's tables and swaps the folder in one step.
"""

from __future__ import annotations

from pathlib import Path

from bookvan.data.atomic import atomic_dir
from bookvan.data.planfolder import write_plan_folder
from bookvan.routing.daily import DayPlan

__all__ = ["write_plan"]


def write_plan(plan: DayPlan, out: str | Path) -> Path:
    """Write plan.json and the five tables; an existing folder is replaced only on success."""
    out = Path(out)
    tables = {"nodes": plan.nodes, "vehicles": plan.vehicles, "transfers": plan.transfers,
              "matrix": plan.matrix, "stops": plan.stops}
    with atomic_dir(out) as tmp:
        write_plan_folder(tmp, plan.plan_json(), tables)
    return out
