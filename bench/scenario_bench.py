"""Benchmark: one scenario simulated for a year (goal: under 2 minutes on 2 cores), and the
speed-up of the same run from 1 to 2 Dask workers.

    .venv/bin/python bench/scenario_bench.py                       # baseline, 365 days, 1 replication
    .venv/bin/python bench/scenario_bench.py --days 60 --scenario fleet-plus-one
    .venv/bin/python bench/scenario_bench.py --quick                # the quick sweep's settings

It times three things with the real demand model, routing engine and checker:

1. the run in-process (``simulate``), split into demand drawn ahead and the day-by-day loop;
2. the run on a Dask local cluster with 1 worker process;
3. the same on 2 worker processes. With one replication the second worker helps by drawing
   the demand chunks in parallel (the day loop itself is sequential: each day's backlog is
   the next day's input); with several replications or scenarios, runs go side by side.

Prints one line per measurement and a JSON object at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from bookvan.scenarios.catalog import resolve_scenario_file
from bookvan.scenarios.runner import run_scenarios
from bookvan.scenarios.simulate import base_demand, simulate
from bookvan.scenarios.spec import QUICK_SWEEP, load_scenario


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--replications", type=int, default=1)
    ap.add_argument("--skip-inprocess", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--quick", action="store_true", help="the router's settings of `scenario run --quick`")
    args = ap.parse_args()
    scn = load_scenario(resolve_scenario_file(args.scenario))
    if args.quick:
        scn = scn.with_sim(**QUICK_SWEEP)
    out: dict[str, object] = {"scenario": scn.name, "quick": args.quick, "days": args.days,
                              "replications": args.replications,
                              "load_avg_start": os.getloadavg()[0]}
    dates = [scn.sim.start + __import__("datetime").timedelta(days=k) for k in range(args.days)]
    if not args.skip_inprocess:
        t0, c0 = time.perf_counter(), _cpu()
        demand = base_demand(scn, 0, dates)
        t1 = time.perf_counter()
        res = simulate(scn, 0, days=args.days, demand=demand)
        t2, c2 = time.perf_counter(), _cpu()
        out["inprocess_demand_s"] = round(t1 - t0, 1)
        out["inprocess_days_s"] = round(t2 - t1, 1)
        out["inprocess_total_s"] = round(t2 - t0, 1)
        out["inprocess_cpu_s"] = round(c2 - c0, 1)
        out["van_km_per_year"] = round(float(res.kpis["van_km"].sum()) * 365 / args.days)
        print(f"in-process: demand {t1 - t0:.1f} s + {args.days} days {t2 - t1:.1f} s "
              f"= {t2 - t0:.1f} s wall, {c2 - c0:.1f} s CPU", flush=True)
    for n in () if args.skip_dask else (1, 2):
        t0 = time.perf_counter()
        runs = run_scenarios([scn], days=args.days, replications=args.replications,
                             n_workers=n)
        wall = time.perf_counter() - t0
        out[f"dask_{n}_workers_s"] = round(wall, 1)
        capped = sum(int(r.info.get("days_capped", 0)) for r in runs.results)
        out[f"dask_{n}_days_capped"] = capped
        print(f"dask, {n} worker(s): {wall:.1f} s wall ({runs.where}); "
              f"days the safety cap ended: {capped}", flush=True)
    if not args.skip_dask:
        out["speedup_1_to_2"] = round(out["dask_1_workers_s"] / out["dask_2_workers_s"], 2)  # type: ignore[operator]
        print(f"speed-up 1 → 2 workers: {out['speedup_1_to_2']}×")
    out["load_avg_end"] = os.getloadavg()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
