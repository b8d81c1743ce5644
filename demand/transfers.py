"""The day's transfers the routing reads: one row per (origin, destination, kind).

``method="generator"`` draws from the documented rate model (:mod:`bookvan.demand.generator`);
``method="forecast"`` splits forecast branch volumes over origin-destination shares learnt
from history (:mod:`bookvan.demand.od`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

from bookvan.data.network import Network
from bookvan.demand.generator import generate_transfers

__all__ = ["daily_transfers"]


def daily_transfers(
    network: Network,
    date: dt.date,
    *,
    seed: int = 0,
    items_per_crate: int = 30,
    quantile: float = 0.5,
    method: Literal["generator", "forecast"] = "forecast",
    sample: bool | None = None,
) -> pd.DataFrame:
    """Transfers for ``date`` with the columns of ``TRANSFERS_SCHEMA`` (``bookvan.data.tables``).

    Only pairs whose origin and destination are both open on ``date`` get a row; items that
    came in while one end was closed ride on the next shared open day. ``crates`` is
    ``ceil(items / items_per_crate)``; ``release``/``due`` are NaT (the opening hours bound the
    visit); ``leg_of``/``leg``/``part_of`` are null. Same ``seed`` and ``date``, same table.
    ``quantile`` > 0.5 gives a busier day (e.g. 0.9 for fleet sizing).

    ``method="forecast"`` (default) splits the forecast of each origin's outgoing items over
    smoothed origin-destination shares of the bundled synthetic history
    (:mod:`bookvan.demand.od`); ``method="generator"`` draws from the seeded rate model
    (:mod:`bookvan.demand.generator`), which needs no history and follows the network's
    ``weight`` column (use it for networks whose demand differs from the history's).
    With the forecast, a quantile of 0.5 draws a realistic day from the forecast distribution
    (seeded; ``sample=False`` gives the median day instead); another quantile gives that
    quantile at every origin.
    """
    if method == "generator":
        return generate_transfers(
            network, date, seed=seed, items_per_crate=items_per_crate, quantile=quantile
        )
    if method == "forecast":
        from bookvan.demand.od import forecast_transfers

        return forecast_transfers(
            network, date, seed=seed, items_per_crate=items_per_crate, quantile=quantile,
            sample=sample,
        )
    raise ValueError(f"method must be 'generator' or 'forecast', not {method!r}")
