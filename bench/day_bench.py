"""Library days side by side: bookvan's default engine against VROOM, PyVRP and plain OR-Tools.

    .venv/bin/python bench/day_bench.py                                   # bundled days + 100/300 stops
    .venv/bin/python bench/day_bench.py --scale 100,300,1000 --e2e        # + 1,000 stops, + `bookvan plan`

Days: the bundled Keelung network on 2026-12-01, -02 and -05 (forecast transfers, default
fleet, estimate travel times: the inputs ``bookvan plan`` uses) and ``bench/scale.py``'s
synthetic days. Every engine gets the same routing problem (``build_day_problem``); every
answer goes through the same path as a plan (``routing.daily.package_plan``: stops, times,
breaks, reloads) and bookvan's own checker (``check_plan_tables``). Cost is counted the same
way for all, from the checked plan: per km + per hour out (first departure to return, per
van) + per van-day, with the fleet's costs.

Engines:

- ``bookvan``: :func:`bookvan.routing.engine.solve` with ``bookvan plan``'s defaults
  (deterministic, ``--search-steps``, the time limit a safety cap).
- ``vroom-N``: VROOM (pyvroom) alone at exploration level N, one thread (bookvan's own VROOM
  phase runs on two: the same routes in half the wall time; one run per van:
  VROOM has no multiple trips); its routes are read into bookvan's model for the times.
- ``pyvrp``: PyVRP alone on the relaxation it models, ``--pyvrp-s`` seconds.
- ``ortools``: plain OR-Tools (first solution + guided local search, no warm start),
  ``--ortools-s`` seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bookvan.data.fleet import Costs, RoutingSettings
from bookvan.routing.check import check_plan_tables
from bookvan.routing.day_adapter import DayProblem, build_day_problem
from bookvan.routing.engine import RoutingProblem, SolveParams, SolveResult, solve, solve_plain
from bookvan.routing.engine.extract import result_from_assignment
from bookvan.routing.engine.model import build_model
from bookvan.routing.engine.search import search_parameters
from bookvan.routing.engine.warm_pyvrp import pyvrp_routes
from bookvan.routing.engine.warm_start import assignment_from_visit_routes
from bookvan.routing.engine.warm_vroom import vroom_routes

BUNDLED = ("2026-12-01", "2026-12-02", "2026-12-05")
PLAN_STEPS = 5  # ``bookvan plan --search-steps`` default
PLAN_LIMIT = 20.0  # ``bookvan plan --time-limit`` default


def bundled_day(date: dt.date):
    """The bundled network's day as ``bookvan plan`` builds it: tables and costs."""
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.travel import build_matrix
    from bookvan.demand import daily_transfers
    from bookvan.routing.day_input import day_nodes, day_vehicles, split_oversize

    net = load_network(None)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))
    todo = daily_transfers(net, date, seed=0, items_per_crate=fl.items_per_crate, quantile=0.5)
    todo = split_oversize(todo, max(v.capacity_crates for v in fl.vehicles))
    return day_nodes(net, date), day_vehicles(fl, date), todo, build_matrix(net.nodes), fl.costs, fl.routing


def scale_day(stops: int, date: dt.date):
    from scale import synthetic_day

    nodes, vehicles, transfers, matrix = synthetic_day(stops, 1, date)
    return nodes, vehicles, transfers, matrix, Costs(), RoutingSettings()


def _read_routes(p: RoutingProblem, routes: list[list[int]] | None, t0: float) -> SolveResult:
    """Another solver's routes, timed by bookvan's model (no search).

    The read's safety cap is 2 % of the time limit: reading the 1,000-stop day's 1,894
    visits takes about 5 CPU s, so a 60 s limit (1.2 s cap) could end it with no plan.
    """
    params = SolveParams(deterministic=True, solution_limit=1, time_limit_s=1200)
    m = build_model(p)
    a = None if routes is None else assignment_from_visit_routes(m, routes, search_parameters(p, params))
    return result_from_assignment(m, a, params, t0)


def engines(args: argparse.Namespace) -> dict:
    def bookvan(p: RoutingProblem) -> SolveResult:
        # the bundled days with plan's default cap; scale days with --scale-limit (a planner
        # routing hundreds of stops raises --time-limit the same way)
        limit = PLAN_LIMIT if len(p.visits) <= 100 else args.scale_limit
        return solve(p, SolveParams(time_limit_s=limit, deterministic=True, solution_limit=args.steps))

    def vroom(p: RoutingProblem, level: int) -> SolveResult:
        t0 = time.perf_counter()
        routes, _ = vroom_routes(p, exploration_level=level, threads=1)  # the anchor: one thread
        res = _read_routes(p, routes, t0)
        return res

    def pyvrp(p: RoutingProblem) -> SolveResult:
        t0 = time.perf_counter()
        van_cost = [v.fixed_cost for v in p.vans]
        return _read_routes(p, pyvrp_routes(p, time_limit_s=args.pyvrp_s, seed=0, van_cost=van_cost), t0)

    def ortools(p: RoutingProblem) -> SolveResult:
        return solve_plain(p, SolveParams(time_limit_s=args.ortools_s))

    out = {"bookvan": bookvan}
    for level in args.vroom_levels:
        out[f"vroom-{level}"] = lambda p, level=level: vroom(p, level)
    out["pyvrp"] = pyvrp
    out["ortools"] = ortools
    return out


def measure(name: str, dp: DayProblem, tables, engine, date: dt.date) -> dict:
    from bookvan.routing.daily import package_plan

    nodes, vehicles, todo, matrix, costs, _ = tables
    t0, c0 = time.perf_counter(), time.process_time()
    res = engine(dp.problem)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    plan = package_plan(date, dp, res, nodes, vehicles, todo, matrix, SolveParams(), "direct")
    bad = check_plan_tables(plan.plan_json(), plan.nodes, plan.vehicles, plan.transfers, plan.matrix, plan.stops)
    s = plan.summary
    km = float(s["total_distance_m"]) / 1000
    hours = float(s["total_duration_s"]) / 3600
    vans = int(s["vehicles_used"])
    cost = costs.per_km * km + costs.per_driver_hour * hours + costs.per_van_day * vans
    return {
        "engine": name,
        "wall_s": wall,
        "cpu_s": cpu,
        "status": res.status,
        "served": len(dp.problem.requests) - len(res.dropped),
        "servable": len(dp.problem.requests),
        "vans": vans,
        "km": km,
        "hours": hours,
        "cost": cost,
        "violations": len(bad),
        "capped": res.stats.get("search_capped", 0.0),
    }


def plan_end_to_end(date: str) -> tuple[float, float]:
    """``bookvan plan`` on the bundled day in a fresh process: wall and CPU seconds."""
    exe = Path(sys.executable).with_name("bookvan")
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([str(exe), "plan", "--date", date, "--out", f"{tmp}/p"], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", default=",".join(BUNDLED), help="bundled dates (empty: none)")
    ap.add_argument("--scale", default="100,300", help="scale.py day sizes in stops (empty: none)")
    ap.add_argument("--steps", type=int, default=PLAN_STEPS, help="bookvan's search steps")
    ap.add_argument("--scale-limit", type=float, default=600.0, help="bookvan's safety cap on scale days, s")
    ap.add_argument("--vroom-levels", default="5", type=lambda s: [int(x) for x in s.split(",")])
    ap.add_argument("--pyvrp-s", type=float, default=2.0)
    ap.add_argument("--ortools-s", type=float, default=2.0)
    ap.add_argument("--engines", default="", help="only these engines (comma-separated)")
    ap.add_argument("--e2e", action="store_true", help="also time `bookvan plan` end to end on the bundled days")
    args = ap.parse_args()
    chosen = engines(args)
    if args.engines:
        chosen = {k: v for k, v in chosen.items() if k in args.engines.split(",")}
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}", flush=True)
    days = [(d, lambda d=d: bundled_day(dt.date.fromisoformat(d))) for d in args.days.split(",") if d]
    days += [(f"{n} stops", lambda n=int(n): scale_day(n, dt.date(2026, 12, 1))) for n in args.scale.split(",") if n]
    print(f"{'day':>12} {'engine':>9} {'wall s':>7} {'CPU s':>6} {'served':>9} {'vans':>4} ", end="")
    print(f"{'km':>7} {'h out':>6} {'cost NT$':>9} {'bad':>3}")
    for label, make in days:
        tables = make()
        nodes, vehicles, todo, matrix, costs, settings = tables
        date = dt.date.fromisoformat(label) if "-" in label else dt.date(2026, 12, 1)
        dp = build_day_problem(
            date=date, nodes=nodes, vehicles=vehicles, transfers=todo, matrix=matrix, costs=costs, settings=settings
        )
        for name, engine in chosen.items():
            r = measure(name, dp, tables, engine, date)
            cap = " capped" if r["capped"] and name == "bookvan" else ""
            if r["status"] == "no_solution":
                print(f"{label:>12} {name:>9} {r['wall_s']:7.2f} {r['cpu_s']:6.2f} no solution in its time", flush=True)
                continue
            print(
                f"{label:>12} {name:>9} {r['wall_s']:7.2f} {r['cpu_s']:6.2f} {r['served']:>4}/{r['servable']:<4} "
                f"{r['vans']:>4} {r['km']:7.1f} {r['hours']:6.2f} {r['cost']:9,.0f} {r['violations']:>3}{cap}",
                flush=True,
            )
        if args.e2e and "-" in label:
            wall, cpu = plan_end_to_end(label)
            print(f"{label:>12} `bookvan plan` end to end, fresh process: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")


if __name__ == "__main__":
    main()
