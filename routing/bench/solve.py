"""Solve one benchmark instance with a named engine and package the contract's solution JSON.

Engines: ``bookvan`` (the daily plan's engine, :func:`bookvan.routing.engine.solve` with its
improvement phases), ``ortools-default`` (the same model with plain OR-Tools settings:
path-cheapest-arc + guided local search, no extra phases) and ``pyvrp``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bookvan.routing.bench.adapter import to_problem, visit_nodes
from bookvan.routing.bench.instances import BenchInstance
from bookvan.routing.bench.verify import Verdict, verify
from bookvan.routing.engine.params import SolveParams

__all__ = ["ENGINES", "BenchSolution", "solution_json", "solve_instance"]

ENGINES = ("bookvan", "ortools-default", "pyvrp")


@dataclass(frozen=True)
class BenchSolution:
    """Routes as file ids, the verifier's verdict, and how the run went."""

    instance: str
    engine: str
    routes: list[list[int]]
    verdict: Verdict
    time_limit_s: float
    wall_s: float
    seed: int
    objective: str
    status: str = ""


def solve_instance(
    inst: BenchInstance,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    objective: str = "hierarchical",
    engine: str = "bookvan",
) -> BenchSolution:
    """Solve ``inst``; the returned routes are verified in the set's own convention."""
    if objective not in ("hierarchical", "distance"):
        raise ValueError(f"objective must be 'hierarchical' or 'distance', not {objective!r}")
    hier = objective == "hierarchical"
    t0 = time.perf_counter()
    status = ""
    if engine == "pyvrp":
        from bookvan.routing.bench.pyvrp_side import solve_pyvrp

        nodes, _ = solve_pyvrp(inst, time_limit_s=time_limit_s, seed=seed, hierarchical=hier)
        status = "feasible"
    elif engine in ("bookvan", "ortools-default"):
        problem = to_problem(inst)
        if engine == "bookvan":
            from bookvan.routing.engine import solve

            params = SolveParams(time_limit_s=time_limit_s, seed=seed, minimise_vans_first=hier)
        else:
            from bookvan.routing.engine import solve_plain as solve

            params = SolveParams(
                time_limit_s=time_limit_s,
                seed=seed,
                minimise_vans_first=hier,
                first_solution="path_cheapest_arc",
            )
        res = solve(problem, params)
        nodes = visit_nodes([r.visits for r in res.routes if r.visits])
        status = res.status
    else:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    wall = time.perf_counter() - t0
    routes = [[int(inst.ids[i]) for i in r] for r in nodes]
    return BenchSolution(
        instance=inst.name,
        engine=engine,
        routes=routes,
        verdict=verify(inst, routes),
        time_limit_s=float(time_limit_s),
        wall_s=wall,
        seed=seed,
        objective=objective,
        status=status,
    )


def solution_json(sol: BenchSolution) -> dict:
    """The contract's solution object (plus a few optional keys: engine, seed, feasibility)."""
    return {
        "instance": sol.instance,
        "routes": sol.routes,
        "distance": round(sol.verdict.distance, 6),
        "vehicles": sol.verdict.vehicles,
        "time_limit_s": sol.time_limit_s,
        "wall_s": round(sol.wall_s, 3),
        "engine": sol.engine,
        "objective": sol.objective,
        "seed": sol.seed,
        "status": sol.status,
        "feasible": sol.verdict.feasible,
        "violations": list(sol.verdict.violations),
    }
