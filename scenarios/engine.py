"""The engines a scenario run calls: demand, travel matrix, day plan and plan checker.

Kept as one value so the simulator stays a pure loop over days and a test (or a benchmark)
can swap any engine for a small fake. :func:`real_engine` wires bookvan's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Engine", "real_engine", "search_capped"]


@dataclass(frozen=True)
class Engine:
    """Callables with the signatures of bookvan's demand, travel, routing and checker APIs.

    ``check`` is ``None`` only for a fake engine that plans nothing the checker could read
    (bookvan's own always checks); the run records whether its days were checked.
    """

    daily_transfers: Callable[..., pd.DataFrame]
    build_matrix: Callable[..., pd.DataFrame]
    plan_day: Callable[..., Any]
    check: Callable[..., list] | None
    name: str = "bookvan"
    _matrices: dict[tuple, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def matrix(self, nodes: pd.DataFrame) -> pd.DataFrame:
        """The travel matrix of ``nodes``, built once per engine for the same places.

        Keyed on every node's id and coordinates (to 1e-7°, about a centimetre), so a moved
        or added node gets a matrix of its own.
        """
        key = tuple(
            zip(nodes["node_id"], nodes["lat"].round(7), nodes["lon"].round(7), strict=True)
        )
        if key not in self._matrices:
            self._matrices[key] = self.build_matrix(nodes)
        return self._matrices[key]


def search_capped(plan: Any, deterministic: bool) -> bool:
    """Whether the safety cap, not the search steps, ended a deterministic day's search.

    Such a plan depends on the machine's speed, so a run containing it may not repeat.
    """
    summary = getattr(plan, "summary", None) or {}
    return bool(deterministic and plan is not None and not summary.get("reproducible", True))


def _daily_transfers(network: Any, date: dt.date, **kw: Any) -> pd.DataFrame:
    from bookvan.demand import daily_transfers

    return daily_transfers(network, date, **kw)


def _build_matrix(nodes: pd.DataFrame) -> pd.DataFrame:
    from bookvan.data.travel import build_matrix

    return build_matrix(nodes)


def _plan_day(*args: Any) -> Any:
    from bookvan.routing.daily import plan_day

    return plan_day(*args)


def _check(
    plan: dict,
    nodes: pd.DataFrame,
    vehicles: pd.DataFrame,
    transfers: pd.DataFrame,
    matrix: pd.DataFrame,
    stops: pd.DataFrame,
) -> list:
    from bookvan.routing.check import check_plan_tables

    return list(check_plan_tables(plan, nodes, vehicles, transfers, matrix, stops))


def real_engine() -> Engine:
    """bookvan's own engines (imported on first use, so workers import them themselves)."""
    return Engine(_daily_transfers, _build_matrix, _plan_day, _check)
