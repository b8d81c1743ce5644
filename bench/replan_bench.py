"""Re-planning the bundled day at 11:00 (VAN-1 down), end to end.

Run: .venv/bin/python bench/replan_bench.py [--repeat 3] [--steps 50] [--at 11:00] [--van-down VAN-1]

Plans 2026-12-01 of the bundled Keelung network once (not timed), then times
``bookvan replan PLAN --at 11:00 --van-down VAN-1 --out DIR`` in a fresh process (imports, reading
the plan, solving, writing the folder and the diff), ``--repeat`` times, and the re-plan alone
in process. Checks every output with ``bookvan check``. Goal (issue 15): under 5 s end to end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("bookvan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20, help="search steps of the re-plan (deterministic)")
    ap.add_argument("--at", default="11:00")
    ap.add_argument("--van-down", default="VAN-1")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="replan-bench-"))
    base = work / "base"
    subprocess.run([str(BIN), "plan", "--date", "2026-12-01", "--time-limit", "30", "--out", str(base)],
                   check=True, capture_output=True)
    walls, cpus = [], []
    for i in range(a.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = work / f"re{i}"
        t = time.perf_counter()
        subprocess.run([str(BIN), "replan", str(base), "--at", a.at, "--van-down", a.van_down,
                        "--search-steps", str(a.steps), "--time-limit", "30", "--out", str(out)],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        subprocess.run([str(BIN), "check", str(out)], check=True, capture_output=True)

    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import bundled_network_dir, load_network
    from bookvan.routing.engine import SolveParams
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.replan import replan

    net = load_network()
    fl = load_fleet(bundled_network_dir() / "fleet.toml", set(net.node_ids))
    plan = load_plan(base)
    t = time.perf_counter()
    day = replan(plan, dt.time.fromisoformat(a.at), costs=fl.costs, settings=fl.routing,
                 params=SolveParams(time_limit_s=30, deterministic=True, solution_limit=a.steps),
                 vans_down=(a.van_down,))
    inproc = time.perf_counter() - t
    print(f"re-plan at {a.at}, {a.van_down} down: {int(day.stops['driven'].sum())} driven stops kept, "
          f"{day.summary['transfers_planned']}/{day.summary['transfers_total']} transfers planned")
    print(f"end to end (fresh process), median of {a.repeat}: {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); CPU {statistics.median(cpus):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"re-plan alone, in process: {inproc:.2f} s (solver {day.summary['solver']['wall_s']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
