"""Plan a day from a realistic item-level transfer list (one row per item), and measure it.

Run: .venv/bin/python bench/items_bench.py [--rows 5000 50000] [--date 2026-12-01]

For each size a fresh process writes a Koha-like "transfers to send" export for the bundled
Keelung network (barcode, title, frombranch, tobranch, reason, one row per item; origins,
destinations and kinds drawn from the seeded demand generator's day, scaled to the row
count; 0.5 % of barcodes listed twice), then times reading and grouping it (peak Python
allocation by tracemalloc), routing the grouped transfers, writing the plan folder (with
``items.parquet``), and last the whole ``bookvan plan --transfers FILE`` command in a new
process (wall time and peak resident memory from getrusage). Before grouping, a 5,000-row
list was planned as 5,000 transfers: 7 GB and no end.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

REASON = {"hold": "Reserve", "return": "ReturnToHome", "rotation": "StockrotationAdvance", "balance": "Manual"}


def write_item_list(path: Path, rows: int, date: dt.date, seed: int = 7) -> None:
    """A seeded item-level export of ``rows`` rows (about 0.5 % repeat an earlier barcode)."""
    from bookvan.data.network import load_network
    from bookvan.demand import daily_transfers

    net = load_network()
    day = daily_transfers(net, date, seed=seed, items_per_crate=30, method="generator")
    share = day["items"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(day), size=rows, p=share / share.sum())
    dup = rng.random(rows) < 0.005
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["barcode", "title", "frombranch", "tobranch", "reason"])
        for k, t in enumerate(pick):
            r = day.iloc[int(t)]
            code = f"31{rng.integers(0, k + 1) if dup[k] and k else k:010d}"
            w.writerow([code, f"書名 {k % 997} / Title {k % 997}", r["origin_id"], r["destination_id"],
                        REASON[r["kind"]]])


def one(rows: int, date: dt.date) -> dict[str, object]:
    """Measure one size in this process (called in a fresh child)."""
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.transfers import read_transfer_list
    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.planfolder import write_plan

    res: dict[str, object] = {"rows": rows}
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "items.csv"
        write_item_list(src, rows, date)
        res["file_mb"] = round(src.stat().st_size / 1e6, 2)
        net = load_network()
        fleet = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))
        tracemalloc.start()
        t0 = time.perf_counter()
        listed = read_transfer_list(src, node_ids=set(net.node_ids), date=date, items_per_crate=fleet.items_per_crate)
        res["read_group_s"] = round(time.perf_counter() - t0, 2)
        res["read_group_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        tracemalloc.stop()
        res["transfers"] = len(listed.transfers)
        res["items"] = len(listed.items)
        res["listed_twice"] = len(listed.duplicates)
        matrix = build_matrix(net.nodes)
        t0 = time.perf_counter()
        plan = plan_day(net, fleet, listed.transfers, date, matrix,
                        SolveParams(time_limit_s=8.0, seed=0, deterministic=True, solution_limit=50))
        res["route_s"] = round(time.perf_counter() - t0, 2)
        res["planned"] = f"{plan.summary['transfers_planned']}/{plan.summary['transfers_total']}"
        t0 = time.perf_counter()
        write_plan(plan, Path(d) / "plan", items=listed.items)
        res["write_s"] = round(time.perf_counter() - t0, 2)
        res["in_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        cmd = [str(Path(sys.executable).parent / "bookvan"), "plan", "--date", date.isoformat(),
               "--transfers", str(src), "--out", str(Path(d) / "cli-plan")]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        res["cli_s"] = round(time.perf_counter() - t0, 2)
        res["cli_exit"] = done.returncode
        res["cli_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[5000, 50000])
    ap.add_argument("--date", default="2026-12-01")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    date = dt.date.fromisoformat(a.date)
    if a.one:
        print(json.dumps(one(a.rows[0], date)))
        return
    for n in a.rows:
        out = subprocess.run([sys.executable, __file__, "--one", "--rows", str(n), "--date", a.date],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>7,} rows ({r['file_mb']} MB) → {r['items']:,} items, {r['transfers']} transfers "
              f"({r['listed_twice']} listed twice); read+group {r['read_group_s']} s, peak alloc "
              f"{r['read_group_peak_mb']} MB; route {r['route_s']} s ({r['planned']} planned); write "
              f"{r['write_s']} s; in-process peak RSS {r['in_process_peak_rss_mb']} MB; "
              f"`bookvan plan` {r['cli_s']} s (exit {r['cli_exit']}), peak RSS {r['cli_peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
