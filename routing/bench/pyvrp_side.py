"""PyVRP on the same instance and integer scaling, for side-by-side runs and warm starts.

PyVRP (a dependency of bookvan) is imported inside the functions, so commands that do not
solve never load it. Li & Lim pairs become PyVRP ``Shipment`` s.
"""

from __future__ import annotations

import time

import numpy as np

from bookvan.routing.bench.adapter import SCALE, fleet_size
from bookvan.routing.bench.instances import BenchInstance, edge_lengths
from bookvan.routing.engine.stop_watch import WatchedStop

__all__ = ["pyvrp_available", "solve_pyvrp"]


def pyvrp_available() -> bool:
    """True when ``pyvrp`` can be imported (a broken environment is reported, not a traceback)."""
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


def van_cost(inst: BenchInstance) -> int:
    """A fixed cost per vehicle that outweighs any distance saving (hierarchical objective)."""
    d = edge_lengths(inst) * (1 if inst.kind == "cvrplib" else SCALE)
    return int(2 * d[0, 1:].sum()) + 1


def solve_pyvrp(
    inst: BenchInstance, *, time_limit_s: float, seed: int = 0, hierarchical: bool = True
) -> tuple[list[list[int]], float]:
    """Solve with PyVRP's iterated local search; return routes of node indices and wall time."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.perf_counter()
    scale = 1 if inst.kind == "cvrplib" else SCALE
    d = edge_lengths(inst)
    dist = np.rint(d * scale).astype(np.int64)
    dur = np.ceil(d * scale - 1e-6).astype(np.int64)
    n = len(inst.coords)
    m = pyvrp.Model()
    locs = [m.add_location(float(x), float(y)) for x, y in inst.coords]
    timed = inst.kind != "cvrplib"

    def tw(i: int) -> dict[str, int]:
        return {"tw_early": round(inst.ready[i] * scale), "tw_late": round(inst.due[i] * scale)}

    depot = m.add_depot(locs[0], **(tw(0) if timed else {}))
    vt_kw = {"tw_early": tw(0)["tw_early"], "tw_late": tw(0)["tw_late"]} if timed else {}
    m.add_vehicle_type(
        num_available=fleet_size(inst),
        capacity=[inst.capacity],
        start_depot=depot,
        end_depot=depot,
        fixed_cost=van_cost(inst) if hierarchical else 0,
        **vt_kw,
    )
    owner: dict[tuple[str, int], int] = {}
    if inst.kind == "lilim":
        for k, (p, q) in enumerate(inst.pairs):
            m.add_shipment(
                locs[p],
                locs[q],
                pickup_tw_early=tw(p)["tw_early"],
                pickup_tw_late=tw(p)["tw_late"],
                pickup_service_duration=round(inst.service[p] * scale),
                delivery_tw_early=tw(q)["tw_early"],
                delivery_tw_late=tw(q)["tw_late"],
                delivery_service_duration=round(inst.service[q] * scale),
                amount=[int(inst.demand[p])],
            )
            owner[("p", k)], owner[("d", k)] = p, q
    else:
        for i in range(1, n):
            m.add_client(
                locs[i],
                delivery=[int(inst.demand[i])],
                service_duration=round(inst.service[i] * scale),
                **(tw(i) if timed else {}),
            )
    for i in range(n):
        for j in range(n):
            if i != j:
                m.add_edge(locs[i], locs[j], int(dist[i, j]), int(dur[i, j]))
    res = m.solve(stop=WatchedStop(MaxRuntime(time_limit_s)), seed=seed, display=False)
    routes = []
    for route in res.best.routes():
        nodes = []
        for act in route.schedule():
            kind = act.type.name
            if kind == "CLIENT":
                nodes.append(int(act.idx) + 1)  # clients are numbered 0… in the order added
            elif kind == "PICKUP":
                nodes.append(owner[("p", int(act.idx))])
            elif kind == "DELIVERY":
                nodes.append(owner[("d", int(act.idx))])
        if nodes:
            routes.append(nodes)
    return routes, time.perf_counter() - t0
