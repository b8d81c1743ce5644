"""Tell intermittent series (small stations, batched transfers) from smooth ones.

Why: smoothing and seasonal models assume a volume every period; a school reading station
that moves a few items on one day in three is better served by the intermittent-demand
family (Croston, SBA, TSB, ADIDA, IMAPA), which forecasts the demand size and the interval
between demands separately. The test is Syntetos, Boylan & Croston (2005): the average
inter-demand interval ADI = open periods / periods with demand above 1.32 marks intermittent
(or lumpy) demand. Days the series is closed (a zero on a regular closed weekday or holiday)
are not periods of zero demand and are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ADI_CUTOFF", "closed_weekdays", "demand_class"]

ADI_CUTOFF = 1.32
MIN_OPEN = 8  # fewer open observed periods than this: too little to call it intermittent


def demand_class(train: pd.DataFrame, closed: pd.Series | None = None,
                 periods: int | None = None) -> pd.DataFrame:
    """Per series: ``zero_share``, ``adi``, ``cv2`` (of non-zero sizes) and ``intermittent``.

    ``train`` has ``unique_id, ds, y_obs``; ``closed`` (same index) marks closed periods;
    only the last ``periods`` rows of each series count when given.
    """
    f = train
    if closed is not None:
        f = f[~closed.reindex(f.index, fill_value=False)]
    f = f[f["y_obs"].notna()]
    if periods is not None:
        f = f.groupby("unique_id", sort=False).tail(periods)
    rows = []
    for uid, g in f.groupby("unique_id", sort=False):
        y = g["y_obs"].to_numpy(float)
        nz = y[y > 0]
        adi = len(y) / len(nz) if len(nz) else float("inf")
        cv2 = float((nz.std() / nz.mean()) ** 2) if len(nz) > 1 else float("nan")
        rows.append((uid, float(np.mean(y == 0)) if len(y) else float("nan"), adi, cv2,
                     bool(len(y) >= MIN_OPEN and len(nz) > 0 and adi > ADI_CUTOFF)))
    return pd.DataFrame(rows, columns=["unique_id", "zero_share", "adi", "cv2",
                                       "intermittent"]).set_index("unique_id")


def closed_weekdays(train: pd.DataFrame, freq: str) -> pd.Series:
    """True for daily rows on a weekday the series was zero on in at least 90 % of weeks."""
    if freq != "D":
        return pd.Series(False, index=train.index)
    wd = train["ds"].dt.day_of_week
    zero = (train["y_obs"] == 0).groupby([train["unique_id"], wd]).transform("mean")
    return zero >= 0.9
