"""PNG charts a planner reads: KPI bars with replication spread, cost vs. hold wait, monthly van-km.

Matplotlib with the Agg backend (no display needed); each function writes one file and
returns its path.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["kpi_bars", "monthly_van_km", "tradeoff"]

_BARS = (
    ("cost_ntd", "yearly cost (NT$ k)", 1e-3),
    ("van_km", "van-km per year (k)", 1e-3),
    ("van_hours", "van-hours per year", 1.0),
    ("co2_kg", "CO2 per year (t)", 1e-3),
    ("hold_days_mean", "hold → ready, mean (days)", 1.0),
    ("hold_days_p95", "hold → ready, 95th pct (days)", 1.0),
)


def _colors(names: list[str], baseline: str) -> list[str]:
    return ["#555555" if n == baseline else "#1f77b4" for n in names]


def kpi_bars(table: pd.DataFrame, baseline: str, path: Path) -> Path:
    """One panel per KPI: bar = mean over replications, whisker = min–max of replications."""
    names = list(dict.fromkeys(table["scenario"]))
    fig, axes = plt.subplots(2, 3, figsize=(15, 4 + 0.35 * len(names)), constrained_layout=True)
    for ax, (k, title, scale) in zip(axes.ravel(), _BARS, strict=True):
        t = table.loc[table["kpi"] == k].set_index("scenario").reindex(names)
        mean = t["mean"].to_numpy(float) * scale
        lo = np.clip(mean - t["min"].to_numpy(float) * scale, 0, None)
        hi = np.clip(t["max"].to_numpy(float) * scale - mean, 0, None)
        y = np.arange(len(names))
        ax.barh(
            y,
            np.nan_to_num(mean),
            xerr=[np.nan_to_num(lo), np.nan_to_num(hi)],
            color=_colors(names, baseline),
            capsize=3,
        )
        base = t.loc[baseline, "mean"] * scale if baseline in t.index else np.nan
        if np.isfinite(base):
            ax.axvline(base, color="#555555", ls="--", lw=1)
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Scenario KPIs (bars: mean of replications; whiskers: min–max; dashed: {baseline})"
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def tradeoff(table: pd.DataFrame, baseline: str, path: Path) -> Path:
    """Yearly cost against the 95th-percentile hold wait: down-left is better."""
    c = table.loc[table["kpi"] == "cost_ntd"].set_index("scenario")
    w = table.loc[table["kpi"] == "hold_days_p95"].set_index("scenario")
    names = [n for n in dict.fromkeys(table["scenario"]) if n in c.index and n in w.index]
    fig, ax = plt.subplots(figsize=(9, 6), constrained_layout=True)
    xs = np.array([w.at[n, "mean"] for n in names], float)
    ys = np.array([c.at[n, "mean"] / 1e3 for n in names], float)
    xr = np.nanmax(xs) - np.nanmin(xs) if len(xs) else 1.0
    yr = np.nanmax(ys) - np.nanmin(ys) if len(ys) else 1.0
    placed: list[tuple[float, float]] = []
    for n in names:
        x, y = w.at[n, "mean"], c.at[n, "mean"] / 1e3
        xe = w.at[n, "sd"] if np.isfinite(w.at[n, "sd"]) else 0
        ye = c.at[n, "sd"] / 1e3 if np.isfinite(c.at[n, "sd"]) else 0
        ax.errorbar(
            x,
            y,
            xerr=xe,
            yerr=ye,
            fmt="o",
            color="#555555" if n == baseline else "#1f77b4",
            capsize=3,
        )
        # labels of nearby points stack downwards instead of overprinting each other
        k = sum(1 for px, py in placed if abs(px - x) <= 0.08 * (xr or 1) and abs(py - y) <= 0.04 * (yr or 1))
        placed.append((x, y))
        ax.annotate(n, (x, y), textcoords="offset points", xytext=(6, 4 - 10 * k), fontsize=8)
    ax.set_xlabel("hold placed → ready at pickup branch, 95th percentile (days)")
    ax.set_ylabel("yearly cost (NT$ thousand)")
    ax.set_title("Cost vs. hold wait (error bars: ±1 sd over replications)")
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def monthly_van_km(kpis: pd.DataFrame, baseline: str, path: Path) -> Path:
    """Van-km per calendar month, mean over replications, one line per scenario."""
    dates = pd.to_datetime(kpis["date"])
    span = (dates.max() - dates.min()).days  # short runs: days or weeks, else one dot a run
    freq, what = ("D", "day") if span < 35 else ("W", "week") if span < 120 else ("M", "month")
    k = kpis.assign(month=dates.dt.to_period(freq).dt.start_time)
    per = k.groupby(["scenario", "replication", "month"])["van_km"].sum().reset_index()
    m = per.groupby(["scenario", "month"])["van_km"].mean().unstack(0)
    fig, ax = plt.subplots(figsize=(11, 5), constrained_layout=True)
    palette = plt.get_cmap("tab20")
    for j, n in enumerate(m.columns):
        ax.plot(m.index, m[n], marker="o", ms=3, lw=2.5 if n == baseline else 1.2,
                color="#333333" if n == baseline else palette(j % 20), label=n)
    ax.set_ylabel(f"van-km per {what}")
    note = "" if what == "day" else f"; first and last {what} may be partial"
    ax.set_title(f"Van-km per {what} (mean of replications{note})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
