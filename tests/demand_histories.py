"""Seeded test histories that look like real exports: messy monthly, intermittent stations.

Shared by the forecast and backtest tests (and bench/README's figures), so that the claims
about coverage and intermittent series are checked on the same data they were measured on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bookvan.demand.history import History, parse_history_frame


def messy_monthly(seed: int = 11, branches: int = 24, months: int = 96) -> History:
    """Monthly checkouts and returns of a city system, with what real exports carry.

    A yearly cycle (summer and January peaks) and a slow trend common to all branches, a
    city-wide slump (a pandemic-like closure: three months near zero, a year of recovery),
    per-branch level shifts (a refurbishment, a new catchment: ±15–35 %), branches that open
    or close permanently mid-way, temporary closures (zero months), blank months (gaps), and
    negative-binomial noise.
    """
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2017-01-01", periods=months, freq="MS")
    t = np.arange(months)
    season = 1 + 0.18 * np.cos(2 * np.pi * (idx.month - 7) / 12) + 0.08 * (idx.month == 1)
    trend = 1 + 0.02 * t / 12
    slump = np.ones(months)
    s0 = 38  # month 38 → 2020-03
    slump[s0:s0 + 3] = [0.25, 0.05, 0.3]
    slump[s0 + 3:s0 + 15] = np.linspace(0.6, 0.95, 12)
    rows = []
    for b in range(branches):
        size = float(np.exp(rng.uniform(np.log(300), np.log(9000))))
        level = np.ones(months)
        for _ in range(rng.integers(0, 3)):
            at = int(rng.integers(12, months - 6))
            level[at:] *= rng.choice([0.7, 0.8, 1.15, 1.3])
        start = int(rng.integers(20, 60)) if b % 7 == 3 else 0  # opens mid-way
        stop = int(rng.integers(60, 85)) if b % 11 == 5 else months  # closes for good
        closed = np.zeros(months, bool)
        if b % 5 == 2:
            c = int(rng.integers(15, months - 8))
            closed[c:c + int(rng.integers(2, 7))] = True
        ar = np.zeros(months)
        for i in range(1, months):
            ar[i] = 0.6 * ar[i - 1] + rng.normal(0, 0.04)
        mu = size * season * trend * slump * level * np.exp(ar)
        for meas, lag, k in (("checkouts", 0, 30.0), ("returns", 1, 40.0)):
            m = np.roll(mu, lag) * (0.97 if meas == "returns" else 1.0)
            vals = rng.negative_binomial(k, k / (k + m)).astype(float)
            vals[closed] = 0.0
            for i in range(start, stop):
                blank = rng.random() < 0.03
                rows.append((idx[i].strftime("%Y-%m"), f"LIB{b:02d}", meas,
                             "" if blank else str(int(vals[i]))))
    df = pd.DataFrame(rows, columns=["date", "branch", "measure", "value"])
    return parse_history_frame(df, "messy_monthly")


def stations_daily(seed: int = 3, days: int = 420) -> History:
    """Daily checkouts of six busy branches and six intermittent small stations.

    The stations (school reading stations, community return points) move a few items on
    some days only: each open day has demand with probability 0.15–0.4 (ADI ≈ 2.5–7), of
    1–8 items; they are closed on Sundays. Branches are Poisson around a weekly pattern.
    """
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2024-01-01", periods=days, freq="D")
    week = np.array([0.0, 1.0, 1.0, 1.1, 1.2, 1.6, 1.4])
    rows = []
    for b in range(6):
        lam = 40 * (b + 1) * week[idx.day_of_week]
        rows += [(d, f"BR{b}", int(v)) for d, v in zip(idx, rng.poisson(lam), strict=True)]
    for s in range(6):
        p = 0.15 + 0.05 * s
        size = 2 + s % 3
        occurs = rng.random(days) < p
        vals = np.where(occurs, 1 + rng.poisson(size, days), 0)
        vals[idx.day_of_week == 6] = 0
        rows += [(d, f"ST{s}", int(v)) for d, v in zip(idx, vals, strict=True)]
    return parse_history_frame(pd.DataFrame(rows, columns=["date", "branch", "checkouts"]),
                               "stations")
