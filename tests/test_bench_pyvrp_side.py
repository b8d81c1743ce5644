"""bench.pyvrp_side: PyVRP on a benchmark instance with the engine's scaling, checked by the verifier.

Instances are small: the first twelve customers of Solomon's c101 (tests/data/bench), and a
hand-made Li & Lim instance of two pickup-delivery tasks on a line.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from bookvan.routing.bench.adapter import SCALE
from bookvan.routing.bench.instances import BenchInstance, edge_lengths, read_instance
from bookvan.routing.bench.pyvrp_side import pyvrp_available, solve_pyvrp, van_cost
from bookvan.routing.bench.verify import verify

DATA = Path(__file__).parent / "data" / "bench"


def _c101_head(n: int = 12) -> BenchInstance:
    inst = read_instance(DATA / "c101.txt")
    k = n + 1  # depot and n customers
    arrays = {f: getattr(inst, f)[:k] for f in ("coords", "demand", "ready", "due", "service", "ids", "partner")}
    return dataclasses.replace(inst, name=f"c101-{n}", **arrays)


def _lilim_line() -> BenchInstance:
    """Depot at x=0; task 1 picks up at 10 and delivers at 30, task 2 picks up at 20 and delivers at 40."""
    xs = np.array([0.0, 10.0, 30.0, 20.0, 40.0])
    return BenchInstance(
        name="line", kind="lilim", coords=np.column_stack([xs, np.zeros(5)]),
        demand=np.array([0, 3, -3, 2, -2]), ready=np.zeros(5), due=np.full(5, 1000.0),
        service=np.zeros(5), capacity=5, fleet=2, ids=np.arange(5), partner=np.array([0, 2, 1, 4, 3]),
    )


def test_pyvrp_is_importable() -> None:
    assert pyvrp_available()


def test_van_cost_outweighs_any_distance_saving() -> None:
    inst = _c101_head()
    d = edge_lengths(inst) * SCALE
    # one van per customer, out and back, drives 2 · Σ d(0, i); a van costs more than all of that,
    # so PyVRP never trades a van for distance (fewest vans first, as the benchmarks rank)
    assert van_cost(inst) == int(2 * d[0, 1:].sum()) + 1


def test_solomon_routes_cover_every_customer_and_verify() -> None:
    inst = _c101_head()
    routes, wall = solve_pyvrp(inst, time_limit_s=0.5, seed=1)
    assert sorted(i for r in routes for i in r) == list(range(1, inst.num_customers + 1))
    v = verify(inst, [[int(inst.ids[i]) for i in r] for r in routes])
    assert v.feasible, v.violations
    assert v.vehicles == len(routes) and 0 < wall < 5


def test_li_lim_tasks_are_shipments_picked_up_before_delivery() -> None:
    inst = _lilim_line()
    routes, _ = solve_pyvrp(inst, time_limit_s=0.3)
    v = verify(inst, routes)
    assert v.feasible, v.violations
    # 3 + 2 items fit in one van of 5: it drives 0→10→20→30→40→0, 80 in all
    assert v.vehicles == 1 and v.distance == 80
    (route,) = routes
    assert route.index(1) < route.index(2) and route.index(3) < route.index(4)
