"""The engine's start on very large days, step by step: areas, PyVRP's mending, VROOM's join.

For each ``bench/scale.py`` day (stops and seed) and each VROOM level for the areas, routes
the day area by area (``warm_parts.area_routes``), mends the routes with PyVRP's 30
iterations, and runs VROOM's local search over the whole day from them at each depth
(``warm_vroom.vroom_local_search``). Every route set is priced by ``day_bench.measure``
(bookvan's model, plan and checker). Prints one line per step: wall seconds of the step, served,
vans and cost.

    .venv/bin/python bench/areas_bench.py --days 1000:1,1000:2,1000:3,800:1 --levels 2,3 --depths 3,5

Results and the engine's choice (level and depth): bench/README.md ("Library days", session 9).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from day_bench import _read_routes, measure
from scale import synthetic_day

from bookvan.data.fleet import Costs, RoutingSettings
from bookvan.routing.day_adapter import build_day_problem
from bookvan.routing.engine.model import build_model
from bookvan.routing.engine.warm_parts import AREAS, area_routes
from bookvan.routing.engine.warm_pyvrp import pyvrp_polish
from bookvan.routing.engine.warm_start import AREA_POLISH_ITERATIONS
from bookvan.routing.engine.warm_vroom import vroom_local_search

DATE = dt.date(2026, 12, 1)


def _row(day: str, step: str, seconds: float, r: dict) -> None:
    print(f"{day:>10} {step:<22} {seconds:7.1f} {r['served']:>4}/{r['servable']:<4} {r['vans']:>4} "
          f"{r['cost']:>10,.0f}", flush=True)


def run(stops: int, seed: int, levels: list[int], depths: list[int]) -> None:
    tables = (*synthetic_day(stops, seed, DATE), Costs(), RoutingSettings())
    nodes, vehicles, todo, matrix, costs, settings = tables
    dp = build_day_problem(date=DATE, nodes=nodes, vehicles=vehicles, transfers=todo, matrix=matrix,
                           costs=costs, settings=settings)
    p = dp.problem
    day = f"{stops}:{seed}"

    def priced(routes):
        return measure("areas", dp, tables, lambda q: _read_routes(q, routes, time.perf_counter()), DATE)

    for level in levels:
        t = time.perf_counter()
        routes, _ = area_routes(p, count=AREAS, level=level)
        _row(day, f"{AREAS} areas, level {level}", time.perf_counter() - t, priced(routes))
        t = time.perf_counter()
        mended = pyvrp_polish(p, routes, van_cost=build_model(p).van_fixed, iterations=AREA_POLISH_ITERATIONS, seed=0)
        _row(day, "  mended", time.perf_counter() - t, priced(mended))
        for depth in depths:
            t = time.perf_counter()
            joined, _ = vroom_local_search(p, mended or routes, depth=depth)
            _row(day, f"  joined, depth {depth}", time.perf_counter() - t, priced(joined))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", default="1000:1", help="stops:seed, comma-separated")
    ap.add_argument("--levels", default="2", help="VROOM levels for the areas, comma-separated")
    ap.add_argument("--depths", default="5", help="depths of the join, comma-separated")
    a = ap.parse_args()
    print(f"{'day':>10} {'step':<22} {'wall s':>7} {'served':>9} {'vans':>4} {'cost NT$':>10}")
    for spec in a.days.split(","):
        stops, seed = (int(x) for x in spec.split(":"))
        run(stops, seed, [int(x) for x in a.levels.split(",")], [int(x) for x in a.depths.split(",")])


if __name__ == "__main__":
    main()
