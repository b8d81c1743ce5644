"""Forecast benchmark: every bundled daily series (3 years) forecast and backtested, timed.

Usage::

    .venv/bin/python bench/forecast_bench.py            # numba cache as it is (warm after 1st run)
    .venv/bin/python bench/forecast_bench.py --cold     # fresh numba cache: compile time counts

Steps: import statsforecast (numba compiles or loads its cache), read the bundled synthetic
history (70 series, 2023-2025 daily), ``forecast_history`` with a one-year horizon (model
choice on 4 × 28-day windows, then the forecast), the rolling-origin backtest (3 origins × 28
days, plus the 4 selection windows before each), and the forecast-backed ``daily_transfers``
for one day as ``bookvan plan`` calls it. Goal (issues 3, 17): forecast + backtest < 60 s on
2 cores. ``--all-freqs`` also backtests the weekly and monthly aggregates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time


def _step(name: str, fn, results: list):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    results.append({"step": name, "wall_s": round(time.perf_counter() - w0, 2),
                    "cpu_s": round(time.process_time() - c0, 2)})
    print(f"{name:<58} {results[-1]['wall_s']:>7.2f} s wall {results[-1]['cpu_s']:>7.2f} s CPU",
          flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cold", action="store_true", help="use a fresh, empty numba cache")
    ap.add_argument("--horizon", type=int, default=366, help="forecast horizon in days")
    ap.add_argument("--json", type=str, default=None, help="also write the figures here")
    ap.add_argument("--all-freqs", action="store_true",
                    help="also backtest the weekly and monthly aggregates (AutoETS: slower)")
    args = ap.parse_args(argv)
    tmp = None
    if args.cold:
        tmp = tempfile.TemporaryDirectory(prefix="bookvan-numba-")
        os.environ["NUMBA_CACHE_DIR"] = tmp.name
        os.environ["BOOKVAN_CACHE_DIR"] = tmp.name
    results: list[dict] = []
    t0w, t0c = time.perf_counter(), time.process_time()

    def imp():
        from bookvan.demand.forecast import _statsforecast

        sf, models = _statsforecast()
        # first use compiles (or loads) the numba kernels
        import numpy as np
        import pandas as pd

        df = pd.DataFrame({"unique_id": "x", "ds": pd.date_range("2024-01-01", periods=60),
                           "y": np.arange(60.0) % 7})
        sf.StatsForecast(models=[models.SeasonalWindowAverage(window_size=4, season_length=7),
                                 models.CrostonOptimized(), models.ADIDA(),
                                 models.SeasonalNaive(7), models.HistoricAverage(),
                                 models.CrostonClassic(), models.CrostonSBA(),
                                 models.TSB(alpha_d=0.1, alpha_p=0.1), models.IMAPA()],
                         freq="D").forecast(df=df, h=7)

    _step("import statsforecast + first fit (numba compile/cache)", imp, results)
    from bookvan.demand.backtest import backtest
    from bookvan.demand.forecast import forecast_history
    from bookvan.demand.history import read_history
    from bookvan.demand.synthetic import bundled_history_path

    h = _step("read bundled history (contract reader)", lambda: read_history(bundled_history_path()),
              results)
    fc = _step(f"forecast {len(h.series_ids)} daily series, horizon {args.horizon}",
               lambda: forecast_history(h, args.horizon), results)
    rep = _step("backtest: 3 origins × 28 days (+4 selection windows)", lambda: backtest(h), results)
    more = {}
    if args.all_freqs:
        for f in ("W", "M"):
            more[f] = _step(f"backtest of the {f} aggregates", lambda f=f: backtest(h, freq=f),
                            results).as_json()

    def plan_day():
        from bookvan.data.network import load_network
        from bookvan.demand import daily_transfers

        return daily_transfers(load_network(), dt.date(2026, 12, 1), seed=0)

    t = _step("daily_transfers(method='forecast') for 2026-12-01", plan_day, results)
    total_w, total_c = time.perf_counter() - t0w, time.process_time() - t0c
    print(f"{'total':<58} {total_w:>7.2f} s wall {total_c:>7.2f} s CPU")
    summary = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(), "load_avg": os.getloadavg()[0], "cold_numba_cache": args.cold,
        "series": len(h.series_ids), "forecast_rows": len(fc), "steps": results,
        "total_wall_s": round(total_w, 2), "total_cpu_s": round(total_c, 2),
        "backtest": rep.as_json(), "transfers": {"rows": len(t), "items": int(t["items"].sum()),
                                                 "crates": int(t["crates"].sum())},
    }
    summary["backtest_other_freqs"] = more
    print(json.dumps(summary["backtest"]))
    for f, j in more.items():
        print(f, json.dumps(j))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=1)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
