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

__all__ = ["daily_transfers", "empty_demand_reason"]


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


def empty_demand_reason(date: dt.date, transfers: pd.DataFrame) -> str | None:
    """Why the forecast gave ``date`` no items to move, as a warning for the console; else None.

    An empty plan from the forecast is otherwise silent: a date before the bundled history and
    forecast (1900-01-02), a history of zeros, or a day the history recorded nothing.
    """
    if len(transfers) and float(transfers["items"].sum()) > 0:
        return None
    from bookvan.demand.od import transfers_forecast
    from bookvan.demand.synthetic import bundled_od_flows

    flows = bundled_od_flows()
    day = pd.Timestamp(date)
    dates = pd.to_datetime(flows["date"]) if len(flows) else pd.Series([], dtype="datetime64[ns]")
    fc = transfers_forecast()
    fc_first = pd.Timestamp(fc["date"].min()) if len(fc) else None
    what = f"no transfers for {date}"
    fix = "the plan is empty; pass --transfers FILE to plan real ones"
    if not len(flows) or float(flows["items"].sum()) == 0:
        return f"{what}: the history is all zeros; {fix}"
    first, last = dates.min(), dates.max()
    if day < first and (fc_first is None or day < fc_first):
        return (f"{what}: no history or forecast covers this date (history {first:%Y-%m-%d} to "
                f"{last:%Y-%m-%d}); {fix}")
    if first <= day <= last:
        if float(flows.loc[dates == day, "items"].sum()) > 0:
            return f"{what}: the history's items of this day are for nodes closed on it"
        return f"{what}: the history records no items moved on this day; {fix}"
    return f"{what}: the forecast is zero at every open branch; {fix}"
