"""Seeded large instances in the Solomon and Li & Lim file formats, for checks beyond 100 tasks.

The shared sets stop at 100 customers / 100 pairs; public sets of 200–1,000 (Gehring &
Homberger, Li & Lim 200–1000) are not on this machine. These stand-ins have the same
format and kind of structure (random points on a 200 × 200 square, windows of 20–120 time
units, capacity 200, a fleet of n/4) and no best-known value: ``run_instances.py`` then
compares engines side by side only. Every window is reachable from the depot and back, so
every instance is feasible with enough vans.

    .venv/bin/python bench/make_large.py --out /tmp/large --customers 400 --pairs 200
    .venv/bin/python bench/run_instances.py /tmp/large --time-limit 60 --engines bookvan,pyvrp
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HORIZON_VRPTW, HORIZON_PDPTW, SIDE = 1000, 1500, 200


def solomon_text(n: int, rng: np.random.Generator, name: str) -> str:
    """A VRPTW instance: ``n`` customers, demand 1–40, service 10, windows around a random time."""
    xy = rng.integers(0, SIDE, size=(n + 1, 2))
    xy[0] = (SIDE // 2, SIDE // 2)
    d0 = np.hypot(*(xy - xy[0]).T)
    lines = [
        name.upper(), "", "VEHICLE", "NUMBER     CAPACITY", f"  {max(1, n // 4)}         200", "", "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME", " ",
        f"    0 {xy[0, 0]:6d} {xy[0, 1]:6d}      0      0 {HORIZON_VRPTW:6d}      0",
    ]
    for i in range(1, n + 1):
        lo, hi = int(np.ceil(d0[i])), int(HORIZON_VRPTW - np.ceil(d0[i]) - 10)
        centre, half = int(rng.integers(lo, hi)), int(rng.integers(10, 60))
        ready, due = max(lo, centre - half), min(hi, centre + half)
        lines.append(f"{i:5d} {xy[i, 0]:6d} {xy[i, 1]:6d} {int(rng.integers(1, 41)):6d} {ready:6d} {due:6d}     10")
    return "\n".join(lines) + "\n"


def lilim_text(pairs: int, rng: np.random.Generator) -> str:
    """A PDPTW instance: ``pairs`` pickup-delivery pairs, load 10–40, delivery window after pickup."""
    xy = rng.integers(0, SIDE, size=(2 * pairs + 1, 2))
    xy[0] = (SIDE // 2, SIDE // 2)
    rows = [(0, *xy[0], 0, 0, HORIZON_PDPTW, 0, 0, 0)]
    for k in range(pairs):
        p, q = 2 * k + 1, 2 * k + 2
        load, width = int(rng.integers(10, 41)), int(rng.integers(60, 200))
        d0p, dpq, dq0 = (float(np.hypot(*(a - b))) for a, b in ((xy[p], xy[0]), (xy[p], xy[q]), (xy[q], xy[0])))
        ready_p = int(rng.integers(int(np.ceil(d0p)), HORIZON_PDPTW // 2))
        ready_q = int(np.ceil(ready_p + dpq + 10 + rng.integers(0, 200)))
        ready_q = min(ready_q, int(HORIZON_PDPTW - width - 10 - dq0))
        rows.append((p, *xy[p], load, ready_p, ready_p + width, 10, 0, q))
        rows.append((q, *xy[q], -load, ready_q, ready_q + width, 10, p, 0))
    head = f"{max(1, pairs // 2)}\t200\t1"
    return "\n".join([head] + ["\t".join(str(int(v)) for v in r) for r in rows]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--customers", type=int, default=400, help="VRPTW customers (0: none)")
    ap.add_argument("--pairs", type=int, default=200, help="PDPTW pairs (0: none)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.customers:
        name = f"r{args.customers}s{args.seed}"
        (args.out / f"{name}.txt").write_text(solomon_text(args.customers, rng, name))
    if args.pairs:
        (args.out / f"lr{2 * args.pairs}s{args.seed}.txt").write_text(lilim_text(args.pairs, rng))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
