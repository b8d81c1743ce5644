"""Wall time of the default day's plan on the bundled Keelung network, end to end and by phase.

Run: .venv/bin/python bench/plan_bench.py [--date 2026-12-01] [--repeat 3]
Prints one line per phase and the end-to-end `bookvan plan` time (a fresh process, so imports
and numba/OR-Tools start-up count). Goal (issue 2): a Keelung day in under 10 s end to end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _phases(date: dt.date) -> dict[str, float]:
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.travel import build_matrix
    from bookvan.demand import daily_transfers
    from bookvan.routing.check import check_plan_dir
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.planfolder import write_plan

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    net = load_network()
    fleet = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))
    t["load network + fleet"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    transfers = daily_transfers(net, date, seed=0, items_per_crate=fleet.items_per_crate)
    t[f"transfers ({len(transfers)})"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    matrix = build_matrix(net.nodes)
    t["travel matrix"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = plan_day(
        net,
        fleet,
        transfers,
        date,
        matrix,
        SolveParams(time_limit_s=20.0, seed=0, deterministic=True, solution_limit=5),  # bookvan plan defaults
    )
    t["route (solve)"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        out = write_plan(plan, Path(d) / "plan")
        t["write plan folder"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        bad = check_plan_dir(out)
        t[f"check ({len(bad)} violations)"] = time.perf_counter() - t0
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--date", default="2026-12-01")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    date = dt.date.fromisoformat(args.date)
    for name, secs in _phases(date).items():
        print(f"phase  {name:<28} {secs:7.2f} s")
    exe = Path(sys.executable).with_name("bookvan")
    walls = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            subprocess.run(
                [str(exe), "plan", "--date", args.date, "--out", f"{d}/plan"], check=True, stdout=subprocess.DEVNULL
            )
            walls.append(time.perf_counter() - t0)
    print(
        f"end-to-end `bookvan plan --date {args.date}`: median {statistics.median(walls):.2f} s "
        f"(runs: {', '.join(f'{w:.2f}' for w in walls)}; goal < 10 s)"
    )


if __name__ == "__main__":
    main()
