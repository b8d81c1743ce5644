"""Scale check of the routing engine on a synthetic northern-Taiwan day in the daily-plan format.

Generates (with a seed) a network of N stops clustered around Keelung and partner cities
(Taipei, New Taipei, Xizhi, Ruifang, Tamsui, Taoyuan, Yilan), one depot (the Keelung main
library), opening hours, a fleet with shifts, a lunch break and two runs a day, and about one
transfer per stop; builds the daily plan's routing problem with
:func:`bookvan.routing.day_adapter.build_day_problem` (the same path ``bookvan plan`` takes)
and solves it with :func:`bookvan.routing.engine.solve`. Prints wall time, peak memory,
served transfers, vans and cost; ``--compare S`` also runs S seconds for the gap to a longer
run.

Examples::

    .venv/bin/python bench/scale.py --stops 300 --time-limit 60 --compare 600
    .venv/bin/python bench/scale.py --stops 1000 --time-limit 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import resource
import time

import numpy as np
import pandas as pd

from bookvan.data.fleet import Costs, RoutingSettings
from bookvan.routing.day_adapter import COST_SCALE, build_day_problem
from bookvan.routing.engine import solve
from bookvan.routing.engine.params import SolveParams

TZ = "Asia/Taipei"
DEPOT = (25.1283, 121.7419)  # Keelung City main library (approximate)
CITIES = {  # centre (lat, lon), share of stops, spread in km
    "KL": ((25.128, 121.742), 0.30, 3.0),
    "XZ": ((25.063, 121.641), 0.10, 2.0),
    "RF": ((25.109, 121.810), 0.07, 2.0),
    "TP": ((25.047, 121.517), 0.20, 4.0),
    "NTPC": ((25.014, 121.467), 0.15, 4.0),
    "TS": ((25.168, 121.445), 0.06, 2.0),
    "TY": ((24.994, 121.301), 0.07, 4.0),
    "YL": ((24.757, 121.753), 0.05, 3.0),
}


def _haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def synthetic_day(stops: int, seed: int, date: dt.date):
    """Nodes, vehicles, transfers and matrix frames for one synthetic day."""
    rng = np.random.default_rng(seed)
    codes = list(CITIES)
    shares = np.array([CITIES[c][1] for c in codes])
    city = rng.choice(len(codes), size=stops, p=shares / shares.sum())
    lat, lon = [DEPOT[0]], [DEPOT[1]]
    ids = ["KL-MAIN"]
    for i, c in enumerate(city):
        (clat, clon), _, spread = CITIES[codes[c]]
        lat.append(clat + rng.normal(0, spread) / 111.0)
        lon.append(clon + rng.normal(0, spread) / (111.0 * math.cos(math.radians(clat))))
        ids.append(f"{codes[c]}-{i:04d}")
    lat_a, lon_a = np.array(lat), np.array(lon)
    km = _haversine_km(lat_a, lon_a) * 1.3  # road circuity
    speed = np.where(km < 2, 20.0, np.where(km < 10, 30.0, 50.0))  # km/h by distance band
    dur_s = np.where(km > 0, km / speed * 3600 + 60, 0.0)
    n = len(ids)
    fi, ti = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    matrix = pd.DataFrame(
        {
            "from_id": np.array(ids)[fi.ravel()],
            "to_id": np.array(ids)[ti.ravel()],
            "distance_m": (km * 1000).ravel(),
            "duration_s": dur_s.ravel(),
        }
    )
    midnight = pd.Timestamp(dt.datetime.combine(date, dt.time()), tz=TZ)
    opens_h = rng.choice([8.5, 9.0, 10.0], size=n)
    closes_h = opens_h + rng.choice([8.0, 9.0, 11.0], size=n)
    closed = rng.random(n) < 0.04
    closed[0] = False
    opens_h[0], closes_h[0] = 7.0, 20.0
    nodes = pd.DataFrame(
        {
            "node_id": ids,
            "name_en": ids,
            "kind": ["depot"] + ["branch"] * stops,
            "service_s": [0] + [300] * stops,
            "service_per_crate_s": [20] * n,
            "opens": [pd.NaT if c else midnight + pd.Timedelta(hours=h) for c, h in zip(closed, opens_h, strict=True)],
            "closes": [
                pd.NaT if c else midnight + pd.Timedelta(hours=h) for c, h in zip(closed, closes_h, strict=True)
            ],
            "closed_reason": ["closed today (synthetic)" if c else "" for c in closed],
        }
    )
    nodes["opens"] = pd.to_datetime(nodes["opens"]).dt.tz_convert(TZ)
    nodes["closes"] = pd.to_datetime(nodes["closes"]).dt.tz_convert(TZ)
    # About one transfer per stop; a third to or from the depot, the rest within or near a city.
    transfers = []
    for t in range(stops):
        a = int(rng.integers(1, n))
        if rng.random() < 0.33:
            o, d = (0, a) if rng.random() < 0.5 else (a, 0)
        else:
            same = np.flatnonzero(city == city[a - 1]) + 1
            b = int(rng.choice(same)) if rng.random() < 0.7 else int(rng.integers(1, n))
            o, d = a, b if b != a else 0
        transfers.append(
            {
                "transfer_id": f"T{t:05d}",
                "origin_id": ids[o],
                "destination_id": ids[d],
                "crates": int(rng.integers(1, 5)),
                "kind": "hold" if rng.random() < 0.4 else "return",
                "release": pd.NaT,
                "due": pd.NaT,
            }
        )
    transfers = pd.DataFrame(transfers)
    for col in ("release", "due"):
        transfers[col] = pd.to_datetime(transfers[col]).dt.tz_localize(TZ)
    vans = max(2, math.ceil(stops / 12))
    vehicles = pd.DataFrame(
        {
            "vehicle_id": [f"VAN-{k + 1:03d}" for k in range(vans)],
            "depot_id": ["KL-MAIN"] * vans,
            "capacity_crates": [40] * vans,
            "shift_start": [midnight + pd.Timedelta(hours=8)] * vans,
            "shift_end": [midnight + pd.Timedelta(hours=18)] * vans,
            "break_s": [2700] * vans,
            "break_earliest": [midnight + pd.Timedelta(hours=12)] * vans,
            "break_latest": [midnight + pd.Timedelta(hours=13, minutes=30)] * vans,
            "max_trips": [2] * vans,
        }
    )
    return nodes, vehicles, transfers, matrix


# the prices the recorded results (bench/README.md) were run with, before bookvan's one cost
# model moved to the itemised fleet.toml figures: kept so the figures stay comparable
_COSTS = Costs(per_km=6.0, per_driver_hour=300.0, per_van_day=1500.0, co2_kg_per_km=0.25)


def run(stops: int, seed: int, limit: float, date: dt.date, warm: str) -> dict:
    t0 = time.perf_counter()
    nodes, vehicles, transfers, matrix = synthetic_day(stops, seed, date)
    dp = build_day_problem(
        date=date,
        nodes=nodes,
        vehicles=vehicles,
        transfers=transfers,
        matrix=matrix,
        costs=_COSTS,
        settings=RoutingSettings(),
    )
    built = time.perf_counter() - t0
    res = solve(dp.problem, SolveParams(time_limit_s=limit, seed=seed, warm_start=warm))
    wall = time.perf_counter() - t0
    penalty = sum(dp.problem.requests[i].penalty or 0 for i in res.dropped)
    return {
        "stops": stops,
        "visits": len(dp.problem.visits),
        "transfers": len(transfers),
        "screened": len(dp.screened),
        "vans_offered": len(dp.problem.vans),
        "time_limit_s": limit,
        "build_s": round(built, 1),
        "wall_s": round(wall, 1),
        "status": res.status,
        "served": len(dp.problem.requests) - len(res.dropped),
        "dropped": len(res.dropped),
        "vans_used": res.vans_used,
        "km": round(res.stats.get("distance", 0) / 1000, 1),
        "cost_ntd_routes": round((res.objective - penalty) / COST_SCALE, 1),
        "objective_ntd": round(res.objective / COST_SCALE, 1),
        "warm_start": bool(res.stats.get("warm_start")),
        "warm_s": res.stats.get("warm_s"),
        "solve_wall_s": round(res.wall_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stops", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--compare", type=float, default=0.0, help="also run this many seconds, report the gap")
    ap.add_argument("--warm-start", default="auto", choices=("auto", "none"))
    ap.add_argument("--date", default="2026-12-01")
    args = ap.parse_args()
    date = dt.date.fromisoformat(args.date)
    short = run(args.stops, args.seed, args.time_limit, date, args.warm_start)
    print(short, flush=True)
    if args.compare:
        long = run(args.stops, args.seed, args.compare, date, args.warm_start)
        print(long)
        gap = 100 * (short["objective_ntd"] - long["objective_ntd"]) / long["objective_ntd"]
        print(f"objective gap of the {args.time_limit:g} s run to the {args.compare:g} s run: {gap:.2f} %")


if __name__ == "__main__":
    main()
