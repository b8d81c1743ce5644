"""Write a :class:`DayPlan` as the plan folder of the contracts, atomically."""

from __future__ import annotations

import json
from pathlib import Path

from bookvan.data.atomic import atomic_dir
from bookvan.data.tables import (
    MATRIX_SCHEMA,
    NODES_SCHEMA,
    STOPS_SCHEMA,
    TRANSFERS_SCHEMA,
    VEHICLES_SCHEMA,
    write_table,
)
from bookvan.routing.daily import DayPlan

__all__ = ["write_plan"]


def write_plan(plan: DayPlan, out: str | Path) -> Path:
    """Write plan.json and the five tables; an existing folder is replaced only on success."""
    out = Path(out)
    with atomic_dir(out) as tmp:
        write_table(plan.nodes, NODES_SCHEMA, tmp / "nodes.parquet")
        write_table(plan.vehicles, VEHICLES_SCHEMA, tmp / "vehicles.parquet")
        write_table(plan.transfers, TRANSFERS_SCHEMA, tmp / "transfers.parquet")
        write_table(plan.matrix, MATRIX_SCHEMA, tmp / "matrix.parquet")
        write_table(plan.stops, STOPS_SCHEMA, tmp / "stops.parquet")
        (tmp / "plan.json").write_text(
            json.dumps(plan.plan_json(), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
    return out
