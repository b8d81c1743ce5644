"""Does filling holds by the exported van costs matter? Nearest copy vs the cost matrix, a year of holds.

Run: .venv/bin/python bench/holdfill_bench.py [--start 2025-01-01] [--days 365] [--copies 3] [--seed 1]
     [--out bench/results/holdfill_bench.json]

Holds: every hold item of the bundled synthetic history's origin-destination flows in the
period (``demand/data``; destination = the pickup branch, placed on the flow's date). Each title
has ``--copies`` holding branches: the branch the history sent it from plus others drawn at
random (seeded) among the open branches. Two rules choose the copy that fills the hold:

- **nearest**: the holding branch with the shortest road distance to the pickup branch
  (Evergreen's default proximity, Koha without ``UseTransportCostMatrix``);
- **costs**: the lowest ``cost`` of ``bookvan export costs`` (Koha ``transport_cost``: NT$ per
  crate + NT$ 100 × expected days in transit by the standing schedule).

A copy at the pickup branch itself fills the hold in both rules (no transit). Then, by the
bundled standing schedule and opening hours, the item leaves on the first day on or after the
hold its branch is visited and is delivered on the first day on or after that its pickup branch
is visited: **hold-to-shelf days** = delivery date − hold date. **Van-km** is a proxy, not the
router: each day, a tour from the depot through every branch where a hold item is picked up or
delivered that day (nearest neighbour, back to the depot) on the travel matrix; the branches a
day's holds add to the vans' tours are what the choice of copy changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path


def _tour_km(nodes: set[str], depot: str, km: dict[tuple[str, str], float]) -> float:
    left, here, total = set(nodes) - {depot}, depot, 0.0
    while left:
        nxt = min(left, key=lambda n: (km[(here, n)], n))
        total += km[(here, nxt)]
        left.discard(nxt)
        here = nxt
    return total + (km[(here, depot)] if here != depot else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="bench/results/holdfill_bench.json")
    a = ap.parse_args()
    t0 = time.process_time()

    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.schedule import load_schedule
    from bookvan.data.travel import build_matrix
    from bookvan.demand.synthetic import bundled_od_flows
    from bookvan.routing.cost_export import lane_costs

    net = load_network()
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))
    sched = load_schedule(net.source_dir, node_ids=set(net.node_ids))
    matrix = build_matrix(net.nodes)
    cap = max(v.capacity_crates for v in fl.vehicles)
    start = dt.date.fromisoformat(a.start)
    monday = start - dt.timedelta(days=start.weekday())
    lanes = lane_costs(net, matrix, fl.costs, cap, sched, monday)
    cost = {(r.from_id, r.to_id): (9e9 if r.disabled else r.cost) for r in lanes.itertuples()}
    km = {(r.from_id, r.to_id): r.distance_m / 1000 for r in matrix.itertuples()}
    depot = net.depot_ids[0]
    end = start + dt.timedelta(days=a.days)
    open_memo: dict[tuple[str, dt.date], bool] = {}

    def visited(n: str, d: dt.date) -> bool:
        if (n, d) not in open_memo:
            open_memo[(n, d)] = net.hours_on(n, d).is_open and (sched is None or sched.visits_on(n, d))
        return open_memo[(n, d)]

    def next_visit(n: str, d: dt.date) -> dt.date:
        for k in range(60):
            if visited(n, d + dt.timedelta(days=k)):
                return d + dt.timedelta(days=k)
        raise RuntimeError(f"{n} is not visited within 60 days of {d}")

    flows = bundled_od_flows()
    flows = flows[(flows["kind"] == "hold") & (flows["date"] >= str(start)) & (flows["date"] < str(end))]
    branches = [n for n in net.node_ids if n != depot]
    rng = random.Random(a.seed)
    holds = []
    for r in flows.itertuples(index=False):
        for _ in range(int(r.items)):
            others = rng.sample([b for b in branches if b != r.origin], a.copies - 1)
            holds.append((r.date.date(), r.destination, [r.origin, *others]))
    result = {}
    for rule in ("nearest", "costs"):
        days_total, moved = 0, 0
        touched: dict[dt.date, set[str]] = {}
        for placed, pickup, holders in holds:
            if pickup in holders:
                continue  # filled on the spot by both rules
            table = km if rule == "nearest" else cost
            src = min(holders, key=lambda h, p=pickup, t=table: (t[(h, p)], h))
            leave = next_visit(src, placed)
            arrive = next_visit(pickup, leave)
            touched.setdefault(leave, set()).add(src)
            touched.setdefault(arrive, set()).add(pickup)
            days_total += (arrive - placed).days
            moved += 1
        van_km = sum(_tour_km(ns, depot, km) for ns in touched.values())
        result[rule] = {"holds_moved": moved, "hold_to_shelf_days_mean": round(days_total / max(moved, 1), 3),
                        "van_km_proxy": round(van_km, 1), "days_with_runs": len(touched)}
    result["period"] = [str(start), str(end - dt.timedelta(days=1))]
    result["holds"] = len(holds)
    result["copies"] = a.copies
    result["seed"] = a.seed
    result["cpu_s"] = round(time.process_time() - t0, 1)
    print(f"{len(holds)} hold items {start}..{end - dt.timedelta(days=1)}, {a.copies} copies each, seed {a.seed}")
    print(f"{'rule':<8} {'moved':>7} {'hold→shelf days':>16} {'van-km (proxy)':>15} {'run days':>9}")
    for rule in ("nearest", "costs"):
        r = result[rule]
        print(f"{rule:<8} {r['holds_moved']:>7} {r['hold_to_shelf_days_mean']:>16.2f} {r['van_km_proxy']:>15.0f} "
              f"{r['days_with_runs']:>9}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"cpu {result['cpu_s']} s → {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
