"""Price of consistency: free daily optimisation vs the standing schedule over 4 weeks.

Run: .venv/bin/python bench/schedule_bench.py [--start 2026-12-01] [--days 24] [--seed 7]
     [--steps 5] [--out bench/results/schedule_bench.json]

Both arms plan the same working days (a depot open) of the bundled Keelung network with the
same demand draws (forecast p50, seeded) and carry over what they leave: the free arm what the
vans left out, the schedule arm its ``waits``. The schedule is the bundled one
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
    for arm, sched in (("free", None), ("schedule", schedule)):
        t0 = time.perf_counter()
        res = run_days(net, fleet, matrix, demand, dates, params, sched,
                       progress=lambda d, p, arm=arm: print(f"  {arm} {d}", file=sys.stderr))
        k = consistency_kpis(res, schedule)
        k["wall_s"] = round(time.perf_counter() - t0, 1)
        k["days_capped"] = int(res.days["search_capped"].sum())
        out[arm] = k
    free, sch = out["free"], out["schedule"]  # type: ignore[assignment]
    cols = ["van_km", "cost_ntd", "vans_mean", "vans_max", "unscheduled_visits", "arrival_spread_sd_min_mean",
            "share_inside_tolerance", "hold_wait_days_mean", "hold_wait_days_p95", "items_in", "items_delivered",
            "items_waiting", "days_capped", "wall_s"]
    print(f"{'':32}{'free':>12}{'schedule':>12}{'change':>10}")
    for c in cols:
        f, s = free[c], sch[c]  # type: ignore[index]
        ch = f"{100 * (s - f) / f:+.1f} %" if isinstance(f, (int, float)) and f else ""
        print(f"{c:32}{f!s:>12}{s!s:>12}{ch:>10}")
    print("\nper node: arrival sd (min) free → schedule, share inside tolerance free → schedule")
    for n in sorted(sch["per_node"]):  # type: ignore[index]
        fn, sn = free["per_node"].get(n, {}), sch["per_node"][n]  # type: ignore[index]
        print(f"  {n:<14} {fn.get('spread_sd_min', '-')!s:>6} → {sn['spread_sd_min']!s:<6}"
              f" {fn.get('inside_tolerance', '-')!s:>6} → {sn['inside_tolerance']!s}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
