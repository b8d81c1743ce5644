"""Write a :class:`DayPlan` as the plan folder of the contracts, atomically."""

from __future__ import annotations

from pathlib import Path

from bookvan.data.outdir import output_folder
from bookvan.data.tables import write_plan_tables
from bookvan.routing.daily import DayPlan

__all__ = ["write_plan"]


def write_plan(plan: DayPlan, out: str | Path, *, force: bool = False) -> Path:
    """Write plan.json and the five tables; an existing folder is replaced only on success.

    ``out`` must be absent, empty or a bookvan plan folder; ``force`` moves anything else aside.
    """
    out = Path(out)
    tables = {"nodes": plan.nodes, "vehicles": plan.vehicles, "transfers": plan.transfers,
              "matrix": plan.matrix, "stops": plan.stops}
    with output_folder(out, "plan", force=force) as tmp:
        write_plan_tables(tmp, plan.plan_json(), tables)
    return out
