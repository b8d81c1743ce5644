"""The router's settings for simulated days: cost and CPU of each, on the days a simulation plans.

    .venv/bin/python bench/sim_settings_bench.py                                  # baseline, 60 days
    .venv/bin/python bench/sim_settings_bench.py --scenario demand-2030 --days 40 --variants plan,shipped,quick

Simulates the scenario with its shipped settings and keeps every routing problem the days
hand the engine (the real demand model, network and fleet: what ``bookvan scenario run``
solves), then solves each again under every variant of the router's settings. Prints, per
variant, the CPU and wall seconds of all solves, the sum of their objectives (NT$, bookvan's
own objective: routes, hours out, vans, early-delivery preference, drops) against the
``plan`` variant (``bookvan plan``'s defaults), and on how many days it was dearer or cheaper.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from dataclasses import replace

import bookvan.routing.engine as engine
from bookvan.routing.engine import SolveParams
from bookvan.routing.engine.problem import RoutingProblem
from bookvan.scenarios.catalog import resolve_scenario_file
from bookvan.scenarios.simulate import base_demand, simulate
from bookvan.scenarios.spec import QUICK_SWEEP, load_scenario

#: name → changes to the simulation's settings (``plan``: the deterministic plan's portfolio)
VARIANTS: dict[str, dict[str, object]] = {
    "plan": {"warm_start": "auto", "vroom_level": None, "warm_iterations": None, "solution_limit": 5},
    "shipped": {"warm_start": "vroom", "vroom_level": None, "solution_limit": 5},
    "vroom3": {"warm_start": "vroom", "vroom_level": 3, "solution_limit": 5},
    "vroom3-3steps": {"warm_start": "vroom", "vroom_level": 3, "solution_limit": 3},
    "vroom1-3steps": {"warm_start": "vroom", "vroom_level": 1, "solution_limit": 3},
    "pyvrp": {"warm_start": "pyvrp", "solution_limit": 5},
    # a solution limit of 1 is the start itself; 2 is one search step after it
    "vroom3-limit1": {"warm_start": "vroom", "vroom_level": 3, "solution_limit": 1},
    "vroom3-limit2": {"warm_start": "vroom", "vroom_level": 3, "solution_limit": 2},
    "vroom5-limit1": {"warm_start": "vroom", "vroom_level": 5, "solution_limit": 1},
    "quick": dict(QUICK_SWEEP),
}


def day_problems(scenario: str, days: int) -> list[tuple[RoutingProblem, SolveParams]]:
    """The routing problems a simulation of ``days`` days hands the engine, with their settings."""
    scn = load_scenario(resolve_scenario_file(scenario))
    kept: list[tuple[RoutingProblem, SolveParams]] = []
    real = engine.solve

    def keep(problem: RoutingProblem, params: SolveParams | None = None):
        kept.append((problem, params or SolveParams()))
        return real(problem, params)

    engine.solve = keep  # plan_day imports the engine's solve when it runs
    try:
        dates = [scn.sim.start + dt.timedelta(days=k) for k in range(days)]
        simulate(scn, 0, days=days, demand=base_demand(scn, 0, dates))
    finally:
        engine.solve = real
    return kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    problems = day_problems(args.scenario, args.days)
    visits = sum(len(p.visits) for p, _ in problems) / max(1, len(problems))
    print(f"{args.scenario}: {args.days} days, {len(problems)} day plans, {visits:.1f} visits a plan; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    base: list[int] | None = None
    for name in args.variants.split(","):
        objectives = []
        c0, t0 = time.process_time(), time.perf_counter()
        for problem, params in problems:
            objectives.append(engine.solve(problem, replace(params, **VARIANTS[name])).objective)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        base = base or objectives
        dearer = sum(o > b for o, b in zip(objectives, base, strict=True))
        cheaper = sum(o < b for o, b in zip(objectives, base, strict=True))
        print(f"{name:>14}: {cpu:6.2f} s CPU {wall:6.2f} s wall ({1000 * cpu / len(problems):4.0f} ms CPU a plan)  "
              f"objective {100 * (sum(objectives) / sum(base) - 1):+6.3f} % against {args.variants.split(',')[0]}, "
              f"dearer on {dearer}, cheaper on {cheaper}", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
