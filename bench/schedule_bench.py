"""Price of consistency: free daily optimisation vs the standing schedule over 4 weeks.

Run: .venv/bin/python bench/schedule_bench.py [--start 2026-12-01] [--days 24] [--seed 7]
     [--steps 5] [--out bench/results/schedule_bench.json]

All arms plan the same working days (a depot open) of the bundled Keelung network with the
same demand draws (forecast p50, seeded) and carry over what they leave: ``free`` (every node
every open day, no times) what the vans left out; ``days`` (the schedule's visit days, arrival
times free: soft windows) and ``schedule`` (visit days and hard arrival windows) their
``waits``. ``days`` against ``schedule`` is the price of the arrival windows alone. The schedule is the bundled one
(``data/network/keelung/schedule.csv``, written by ``bookvan schedule build``). Arrivals of
both arms are measured against the schedule's windows. Prints one table; writes JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", default="2026-12-01")
    ap.add_argument("--days", type=int, default=24, help="working days (24 = 4 weeks of Mon-Sat)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", type=int, default=5, help="search steps per day (deterministic)")
    ap.add_argument("--out", default="bench/results/schedule_bench.json")
    ap.add_argument("--arms", default="free,days,schedule", help="comma-separated: free, days, schedule")
    a = ap.parse_args()

    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import bundled_network_dir, load_network
    from bookvan.data.schedule import load_schedule
    from bookvan.data.travel import build_matrix
    from bookvan.demand import daily_transfers
    from bookvan.routing.engine.params import SolveParams
    from bookvan.scenarios.schedule_days import consistency_kpis, run_days, working_days

    net = load_network()
    fleet = load_fleet(bundled_network_dir() / "fleet.toml", set(net.node_ids))
    schedule = load_schedule(bundled_network_dir(), node_ids=set(net.node_ids))
    if schedule is None:
        print("the bundled network has no schedule.csv", file=sys.stderr)
        return 2
    matrix = build_matrix(net.nodes)
    dates = working_days(net, dt.date.fromisoformat(a.start), a.days)
    params = SolveParams(time_limit_s=60, seed=a.seed, deterministic=True, solution_limit=a.steps,
                         first_solution="local_cheapest_cost_insertion")
    cache: dict[dt.date, object] = {}

    def demand(n: object, d: dt.date) -> object:
        if d not in cache:
            cache[d] = daily_transfers(n, d, seed=a.seed, items_per_crate=fleet.items_per_crate)  # type: ignore[arg-type]
        return cache[d].copy()  # type: ignore[attr-defined]

    out: dict[str, object] = {"start": a.start, "working_days": len(dates), "seed": a.seed, "steps": a.steps}
    arms = {"free": (None, "hard"), "days": (schedule, "soft"), "schedule": (schedule, "hard")}
    for arm in a.arms.split(","):
        sched, windows = arms[arm]
        t0 = time.perf_counter()
        res = run_days(net, fleet, matrix, demand, dates, params, sched, windows=windows,
                       progress=lambda d, p, arm=arm: print(f"  {arm} {d}", file=sys.stderr))
        k = consistency_kpis(res, schedule)
        k["wall_s"] = round(time.perf_counter() - t0, 1)
        k["days_capped"] = int(res.days["search_capped"].sum())
        out[arm] = k
    names = [x for x in a.arms.split(",")]
    cols = ["van_km", "cost_ntd", "vans_mean", "vans_max", "unscheduled_visits", "arrival_spread_sd_min_mean",
            "share_inside_tolerance", "hold_wait_days_mean", "hold_wait_days_p95", "items_in", "items_delivered",
            "items_waiting", "days_capped", "wall_s"]
    print(f"{'':32}" + "".join(f"{n:>12}" for n in names))
    for c in cols:
        print(f"{c:32}" + "".join(f"{out[n][c]!s:>12}" for n in names))  # type: ignore[index]
    print("\nper node: arrival sd (min) / share inside tolerance, by arm")
    for node in sorted(out[names[-1]]["per_node"]):  # type: ignore[index]
        cells = []
        for n in names:
            v = out[n]["per_node"].get(node, {})  # type: ignore[index]
            cells.append(f"{v.get('spread_sd_min', '-')!s:>6} / {v.get('inside_tolerance', '-')!s:<6}")
        print(f"  {node:<14} " + "   ".join(cells))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
