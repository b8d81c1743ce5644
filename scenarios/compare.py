"""Scenarios side by side: KPI means with replication spread, and differences to the baseline.

Input is any number of run folders (``bookvan scenario run --out``); output is one long table
(scenario × KPI) with mean, standard deviation, a 95 % interval of the mean, and the difference
to the baseline with its own 95 % interval (Welch, normal approximation: replications are few,
so the interval is a guide, not a test).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError
from bookvan.scenarios.kpis import KPI_LABELS, run_summary

__all__ = ["COMPARE_KPIS", "compare_runs", "compare_table", "load_runs", "pick_baseline"]

COMPARE_KPIS = (
    "van_km",
    "van_hours",
    "cost_ntd",
    "co2_kg",
    "crates_moved",
    "utilisation",
    "load_factor",
    "backlog_items",
    "hold_days_mean",
    "hold_days_p95",
    "return_days_mean",
    "return_days_p95",
    "holds_within_2d",
    "arrival_spread_min",
    "inside_tolerance",
)


def load_runs(dirs: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """KPIs per day, item transit records and run facts of every run folder given."""
    kp, tr, info = [], [], []
    for d in dirs:
        f = Path(d) / "kpis.parquet"
        if not f.exists():
            raise InputError.single(
                d,
                "not a scenario run folder (no kpis.parquet); "
                "make one with: bookvan scenario run FILE.toml --out DIR",
            )
        kp.append(pd.read_parquet(f))
        t = Path(d) / "transit.parquet"
        if t.exists():
            tr.append(pd.read_parquet(t))
        j = Path(d) / "run.json"
        if j.exists():
            info.append(json.loads(j.read_text(encoding="utf-8")))
    kpis = pd.concat(kp, ignore_index=True)
    dup = kpis.duplicated(["scenario", "replication", "day"])
    if dup.any():
        name = kpis.loc[dup, "scenario"].iloc[0]
        raise InputError.single(
            ", ".join(map(str, dirs)), f"scenario '{name}' appears in more than one run folder"
        )
    transit = pd.concat(tr, ignore_index=True) if tr else pd.DataFrame()
    return kpis, transit, info


def pick_baseline(names: list[str], wanted: str | None = None) -> str:
    """The scenario others are compared with: ``wanted``, else one named baseline, else first."""
    if wanted is not None:
        if wanted not in names:
            raise InputError.single(
                "--baseline", f"no scenario '{wanted}' among {', '.join(names)}"
            )
        return wanted
    for n in names:
        if n == "baseline" or n.startswith("baseline"):
            return n
    return names[0]


def _ci(sd: float, n: int) -> float:
    return 1.96 * sd / math.sqrt(n) if n > 1 and np.isfinite(sd) else float("nan")


def compare_table(summary: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Long table: one row per (scenario, KPI) with spread and difference to ``baseline``."""
    rows = []
    base = summary.loc[summary["scenario"] == baseline]
    order = list(dict.fromkeys(summary["scenario"]))
    for scn in order:
        s = summary.loc[summary["scenario"] == scn]
        for k in COMPARE_KPIS:
            if k not in s.columns:
                continue
            x = s[k].astype(float).dropna()
            b = base[k].astype(float).dropna()
            n, nb = len(x), len(b)
            mean = float(x.mean()) if n else float("nan")
            sd = float(x.std(ddof=1)) if n > 1 else float("nan")
            bmean = float(b.mean()) if nb else float("nan")
            bsd = float(b.std(ddof=1)) if nb > 1 else float("nan")
            diff = mean - bmean
            se = (
                math.sqrt((sd**2 / n if n > 1 else 0.0) + (bsd**2 / nb if nb > 1 else 0.0))
                if n and nb
                else float("nan")
            )
            label, unit = KPI_LABELS.get(k, (k, ""))
            rows.append(
                {
                    "scenario": scn,
                    "kpi": k,
                    "label": label,
                    "unit": unit,
                    "replications": n,
                    "mean": mean,
                    "sd": sd,
                    "ci95": _ci(sd, n),
                    "min": float(x.min()) if n else float("nan"),
                    "max": float(x.max()) if n else float("nan"),
                    "baseline": baseline,
                    "baseline_mean": bmean,
                    "diff": diff,
                    "diff_ci95": 1.96 * se
                    if scn != baseline and n > 1 and nb > 1
                    else float("nan"),
                    "diff_pct": 100.0 * diff / bmean
                    if bmean not in (0.0,) and np.isfinite(bmean)
                    else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def summarise(kpis: pd.DataFrame, transit: pd.DataFrame) -> pd.DataFrame:
    return run_summary(kpis, transit)


def compare_runs(
    dirs: list[Path], out: Path, *, baseline: str | None = None, force: bool = False
) -> dict[str, Path]:
    """Write compare.parquet, compare.csv, summary.csv, three PNG charts and report.html to ``out``.

    Everything is written to a temporary folder first and swapped in, so ``out`` is never half
    done. ``out`` must be absent, empty or a compare folder; ``force`` moves anything else aside.
    """
    from bookvan.data.csv_safe import write_frame_csv
    from bookvan.data.outdir import check_out, output_folder
    from bookvan.scenarios.charts import kpi_bars, monthly_van_km, tradeoff
    from bookvan.scenarios.report import render_report

    check_out(out, "compare", force=force)  # before reading and drawing anything
    kpis, transit, info = load_runs(dirs)
    summary = run_summary(kpis, transit)
    base = pick_baseline(list(dict.fromkeys(summary["scenario"])), baseline)
    table = compare_table(summary, base)
    shared = [i.get("cost_parameters") for i in info]
    costs = shared[0] if shared and all(c == shared[0] for c in shared) else None
    names = [
        "compare.parquet",
        "compare.csv",
        "summary.csv",
        "kpi_bars.png",
        "tradeoff.png",
        "monthly_van_km.png",
        "report.html",
    ]
    with output_folder(out, "compare", force=force) as tmp:
        table.to_parquet(tmp / "compare.parquet", index=False)
        write_frame_csv(table, tmp / "compare.csv")  # formula-safe for spreadsheets
        write_frame_csv(summary, tmp / "summary.csv")
        imgs = {
            "bars": kpi_bars(table, base, tmp / "kpi_bars.png"),
            "tradeoff": tradeoff(table, base, tmp / "tradeoff.png"),
            "monthly": monthly_van_km(kpis, base, tmp / "monthly_van_km.png"),
        }
        render_report(table, base, imgs, info, tmp / "report.html", costs)
    return {n: Path(out) / n for n in names}
