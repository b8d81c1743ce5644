"""The benchmark verifier: best-known solutions pass with their published distance; every
kind of corruption is caught."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from bookvan.routing.bench.instances import read_instance
from bookvan.routing.bench.verify import verify

DATA = Path(__file__).parent / "data" / "bench"


def _routes(path: Path, offset: int = 0) -> list[list[int]]:
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r"\s*Route\s*#?\s*\d+\s*:\s*(.*)", line)
        if m:
            out.append([int(x) + offset for x in m.group(1).split()])
    return out


@pytest.fixture(scope="module")
def lc101():
    return read_instance(DATA / "lc101.txt"), _routes(DATA / "lc101.sol.txt")


def test_lilim_bks_feasible_with_its_distance(lc101) -> None:
    inst, routes = lc101
    v = verify(inst, routes)
    assert v.feasible, v.violations
    assert (v.vehicles, round(v.distance, 4)) == (10, 828.9369)


def test_cvrplib_bks_feasible_with_its_cost() -> None:
    inst = read_instance(DATA / "X-n101-k25.vrp")
    routes = _routes(DATA / "X-n101-k25.sol", offset=1)  # .sol numbers customers 1…n-1
    v = verify(inst, routes)
    assert v.feasible, v.violations
    assert (v.vehicles, v.distance) == (26, 27591)


def test_missing_customer(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    gone = routes[0].pop()
    v = verify(inst, routes)
    assert not v.feasible and any(f"customer {gone} not served" in s for s in v.violations)


def test_customer_twice(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    routes[1].append(routes[0][0])
    assert any("served twice" in s for s in verify(inst, routes).violations)


def test_unknown_id(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    routes[0].append(999)
    assert any("not a customer id" in s for s in verify(inst, routes).violations)


def test_delivery_before_pickup(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    r = routes[0]
    p = next(x for x in r if inst.demand[x] > 0)
    d = int(inst.partner[p])
    i, j = r.index(p), r.index(d)
    r[i], r[j] = r[j], r[i]
    v = verify(inst, routes)
    assert any(f"delivery {d} before its pickup {p}" in s for s in v.violations)


def test_pair_split_over_routes(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    p = next(x for x in routes[0] if inst.demand[x] > 0)
    d = int(inst.partner[p])
    routes[0].remove(d)
    routes[1].append(d)
    assert any("different routes" in s for s in verify(inst, routes).violations)


def test_window_violation(lc101) -> None:
    inst, routes = copy.deepcopy(lc101)
    routes[0].reverse()
    assert any("after its due time" in s for s in verify(inst, routes).violations)


def test_capacity_violation_solomon() -> None:
    inst = read_instance(DATA / "c101.txt")
    # One route with every customer: 1810 units of demand on a 200-unit van.
    v = verify(inst, [list(range(1, 101))])
    assert any("above capacity" in s for s in v.violations)


def test_fleet_violation() -> None:
    inst = read_instance(DATA / "c101.txt")
    v = verify(inst, [[i] for i in range(1, 101)])  # 100 routes, 25 vehicles
    assert any("vehicles used" in s for s in v.violations)
    assert v.vehicles == 100


def test_onboard_load_violation_lilim(lc101) -> None:
    inst, _ = lc101
    # All pickups first, then all deliveries: 1810… units on board at some point > 200.
    pairs = inst.pairs
    route = [p for p, _ in pairs] + [d for _, d in pairs]
    v = verify(inst, [list(map(int, route))])
    assert any("load" in s and "after customer" in s for s in v.violations)
