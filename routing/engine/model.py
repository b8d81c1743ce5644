"""Build the OR-Tools routing model of a :class:`RoutingProblem` (no search, no I/O).

Node layout (OR-Tools "nodes"): ``0 … V-1`` are the problem's visits, then one start and one
end node per van, then the optional *reload* nodes of multi-trip vans (at the van's start
location, usable by that van only). Transits are registered as matrices/vectors, not Python
callbacks, so a 1,000-stop model evaluates arcs in C++.

Time transit of arc i→j: ``service_s(i) + stop_service_s[loc(i)] (if loc(i) != loc(j)) +
duration[loc(i)][loc(j)]``; the time cumul of a node is the start of its service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp

from bookvan.routing.engine.problem import RoutingProblem
from bookvan.routing.engine.stop_watch import watch_routing

__all__ = ["BuiltModel", "build_model"]

KIND_VISIT, KIND_START, KIND_END, KIND_RELOAD = 0, 1, 2, 3


@dataclass
class BuiltModel:
    """The OR-Tools objects plus the node tables needed to read a solution back."""

    problem: RoutingProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    load: pywrapcp.RoutingDimension
    node_loc: np.ndarray
    node_kind: np.ndarray
    node_van: np.ndarray  # van owning a start/end/reload node, -1 for visits
    node_service: np.ndarray
    time_transit: np.ndarray  # node x node
    reload_nodes: list[list[int]]
    breaks: list[list[pywrapcp.IntervalVar]] = field(default_factory=list)
    van_fixed: list[int] = field(default_factory=list)  # fixed cost per van actually set
    mandatory_penalty: int = 0
    mandatory: list[bool] = field(default_factory=list)  # per request
    closed: bool = False  # set once the search parameters are fixed (OR-Tools closes a model once)
    monitors: list[object] = field(default_factory=list)  # Python objects the search calls back


def _node_tables(p: RoutingProblem) -> tuple[np.ndarray, ...]:
    nv, nvan = len(p.visits), len(p.vans)
    locs = [v.location for v in p.visits]
    kinds = [KIND_VISIT] * nv
    owner = [-1] * nv
    service = [v.service_s for v in p.visits]
    for k, van in enumerate(p.vans):
        locs += [van.start, van.end]
        kinds += [KIND_START, KIND_END]
        owner += [k, k]
        service += [0, 0]
    assert len(locs) == nv + 2 * nvan
    for k, van in enumerate(p.vans):
        extra = van.max_trips - 1
        locs += [van.home] * extra
        kinds += [KIND_RELOAD] * extra
        owner += [k] * extra
        service += [0] * extra
    return (
        np.asarray(locs, dtype=np.int64),
        np.asarray(kinds, dtype=np.int8),
        np.asarray(owner, dtype=np.int64),
        np.asarray(service, dtype=np.int64),
    )


def _arc_bound(cost: np.ndarray) -> int:
    """An upper bound of the arc cost of any solution: every node leaves by its dearest arc."""
    return int(cost.max(axis=1).sum()) + 1


def build_model(p: RoutingProblem, *, minimise_vans_first: bool = False) -> BuiltModel:
    """Translate ``p`` into a RoutingModel with capacity, time, trips and break constraints.

    Requests with ``penalty=None`` get a disjunction with a penalty larger than any possible
    routing cost, so the search always finds *a* solution and an impossible mandatory
    request shows up as dropped (status ``"infeasible"``) instead of a silent failure.
    """
    nv, nvan = len(p.visits), len(p.vans)
    node_loc, node_kind, node_van, node_service = _node_tables(p)
    starts = [nv + 2 * k for k in range(nvan)]
    ends = [nv + 2 * k + 1 for k in range(nvan)]
    manager = pywrapcp.RoutingIndexManager(len(node_loc), nvan, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    watch_routing(routing)  # Ctrl-C ends any search of this model
    arcs = _Arcs(p, node_loc, node_kind, node_service)

    cost_cb = routing.RegisterTransitMatrix(arcs.cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    time_cb = routing.RegisterTransitMatrix(arcs.time.tolist())
    routing.AddDimension(time_cb, arcs.horizon, arcs.horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    load_dim, reload_nodes = _add_load(p, manager, routing, node_kind, node_van)
    depot_locs = set(p.depot_locations) | {v.home for v in p.vans} | {v.end for v in p.vans}
    runs_dim = _add_runs(p, routing, arcs, reload_nodes, depot_locs)
    _reloads_belong_to_their_van(manager, routing, reload_nodes)
    _add_shifts_and_windows(p, manager, routing, time)
    _add_route_controls(p, manager, routing, time, node_loc, node_kind, depot_locs)
    arc_bound = _arc_bound(arcs.cost)
    fixed = _add_van_costs(p, routing, arc_bound, minimise_vans_first)
    max_penalty = max((r.penalty or 0 for r in p.requests), default=0)
    mandatory_penalty = arc_bound + sum(fixed) + max_penalty * len(p.requests) + 1
    mandatory = _add_requests(p, manager, routing, time, arcs.horizon, mandatory_penalty)
    if p.same_run_pairs and runs_dim is not None:
        _one_run_per_pair(p, manager, routing, runs_dim, depot_locs)
    _add_precedences(p, manager, routing, time, arcs.horizon)
    breaks = _add_breaks(p, manager, routing, time, node_service)

    return BuiltModel(
        problem=p,
        manager=manager,
        routing=routing,
        time=time,
        load=load_dim,
        node_loc=node_loc,
        node_kind=node_kind,
        node_van=node_van,
        node_service=node_service,
        time_transit=arcs.time,
        reload_nodes=reload_nodes,
        breaks=breaks,
        van_fixed=[int(f) for f in fixed],
        mandatory_penalty=mandatory_penalty,
        mandatory=mandatory,
    )


class _Arcs:
    """Arc tables over the model's nodes: cost (distance and driving time) and time transit.

    Time transit of arc i→j: service here + the location's stop time when leaving it + driving.
    Arcs into a start node and out of an end node cost nothing and take no time.
    """

    def __init__(self, p: RoutingProblem, node_loc: np.ndarray, node_kind: np.ndarray, node_service: np.ndarray):
        dist = np.asarray(p.distance, dtype=np.int64)
        dur = np.asarray(p.duration, dtype=np.int64)
        stop = np.asarray(p.stop_service_s or [0] * p.num_locations, dtype=np.int64)
        li, lj = node_loc[:, None], node_loc[None, :]
        self.node_loc = node_loc
        self.into_start = node_kind == KIND_START
        self.from_end = node_kind == KIND_END
        self.cost = p.cost_per_distance * dist[li, lj] + p.cost_per_second * dur[li, lj]
        self.cost[:, self.into_start] = 0
        self.cost[self.from_end, :] = 0
        self.time = node_service[:, None] + np.where(li == lj, 0, stop[node_loc][:, None]) + dur[li, lj]
        self.time[:, self.into_start] = 0
        self.time[self.from_end, :] = 0
        shifts = [v.shift[1] for v in p.vans] + [v.window[1] for v in p.visits] + [0]
        self.horizon = max(shifts) + int(self.time.max(initial=0)) + 1


def _add_load(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    node_kind: np.ndarray,
    node_van: np.ndarray,
) -> tuple[pywrapcp.RoutingDimension, list[list[int]]]:
    """The load dimension (pickups positive, deliveries negative; single visits count like
    VRPTW demand) and each van's reload nodes, which empty the van (and with same-run pairs
    are reached empty)."""
    nvan = len(p.vans)
    n_nodes = len(node_kind)
    single = {r.pickup for r in p.requests if r.delivery is None}
    load = np.zeros(n_nodes, dtype=np.int64)
    for i, v in enumerate(p.visits):
        load[i] = abs(v.load) if i in single else v.load
    reload_nodes: list[list[int]] = [[] for _ in range(nvan)]
    for node in np.flatnonzero(node_kind == KIND_RELOAD):
        k = int(node_van[node])
        reload_nodes[k].append(int(node))
        load[node] = -p.vans[k].capacity
    caps = [van.capacity for van in p.vans]
    has_reload = any(reload_nodes)
    load_cb = routing.RegisterUnaryTransitVector(load.tolist())
    routing.AddDimensionWithVehicleCapacity(load_cb, max(caps, default=0) if has_reload else 0, caps, True, "load")
    load_dim = routing.GetDimensionOrDie("load")
    if has_reload:
        # Slack lets a reload empty the van (to any level); nowhere else may load vanish.
        for node in range(n_nodes):
            if node_kind[node] in (KIND_VISIT, KIND_START):
                for idx in _indices(manager, node):
                    load_dim.SlackVar(idx).SetValue(0)
    if p.same_run_pairs:
        # Every crate of a run is dropped within it, so a van reloads empty. The runs dimension
        # alone let "load at the depot, reload there, load more" count as one run, and the
        # slack then emptied the first crates from the load: a 7-crate van left with 9 on board
        # (tests/test_daily.py, a hypothesis example in hub mode).
        for nodes in reload_nodes:
            for node in nodes:
                load_dim.CumulVar(manager.NodeToIndex(node)).SetValue(0)
    return load_dim, reload_nodes


def _add_runs(
    p: RoutingProblem, routing: pywrapcp.RoutingModel, arcs: _Arcs, reload_nodes: list[list[int]], depot_locs: set[int]
) -> pywrapcp.RoutingDimension | None:
    """Runs: +1 each time a van arrives at a depot location from elsewhere (``None``: not needed)."""
    if not (any(reload_nodes) or p.depot_locations or any(v.depot is not None for v in p.vans)):
        return None
    is_depot = np.isin(arcs.node_loc, sorted(depot_locs))
    trips = (~is_depot[:, None] & is_depot[None, :]).astype(np.int64)
    trips[:, arcs.into_start] = 0
    trips[arcs.from_end, :] = 0
    trips_cb = routing.RegisterTransitMatrix(trips.tolist())
    routing.AddDimensionWithVehicleCapacity(trips_cb, 0, [van.max_trips for van in p.vans], True, "trips")
    return routing.GetDimensionOrDie("trips")


def _reloads_belong_to_their_van(
    manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel, reload_nodes: list[list[int]]
) -> None:
    for k, node_list in enumerate(reload_nodes):
        for node in node_list:
            idx = manager.NodeToIndex(node)
            # SetAllowedVehiclesForIndex rejects Python lists in OR-Tools 9.15's bindings;
            # restricting the vehicle variable is equivalent (-1 = left out).
            routing.VehicleVar(idx).SetValues([-1, k])
            routing.AddDisjunction([idx], 0)


def _add_shifts_and_windows(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    time: pywrapcp.RoutingDimension,
) -> None:
    for k, van in enumerate(p.vans):
        for idx in (routing.Start(k), routing.End(k)):
            time.CumulVar(idx).SetRange(van.shift[0], van.shift[1])
    # Compact days: come home as early as possible, then leave as late as that allows.
    for k in range(len(p.vans)):
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(k)))
    for k in range(len(p.vans)):
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(k)))
        if p.cost_per_span_second:
            time.SetSpanCostCoefficientForVehicle(p.cost_per_span_second, k)
    for i, v in enumerate(p.visits):
        time.CumulVar(manager.NodeToIndex(i)).SetRange(v.window[0], v.window[1])
        if p.cost_per_second_delivered_late and v.load < 0:
            time.SetCumulVarSoftUpperBound(manager.NodeToIndex(i), v.window[0], p.cost_per_second_delivered_late)


def _add_route_controls(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    time: pywrapcp.RoutingDimension,
    node_loc: np.ndarray,
    node_kind: np.ndarray,
    depot_locs: set[int],
) -> None:
    """A longest day per van, balanced days, most stops per run."""
    for k, van in enumerate(p.vans):
        if van.max_span_s is not None:
            time.SetSpanUpperBoundForVehicle(int(van.max_span_s), k)
    if p.cost_global_span:
        time.SetGlobalSpanCostCoefficient(int(p.cost_global_span))
    if any(v.max_stops is not None for v in p.vans):
        _add_stop_count(p, manager, routing, node_loc, node_kind, depot_locs)


def _add_van_costs(p: RoutingProblem, routing: pywrapcp.RoutingModel, arc_bound: int, vans_first: bool) -> list[int]:
    """Each van's fixed cost as set (plus the arc-cost bound when vans are minimised first)."""
    fixed = [van.fixed_cost for van in p.vans]
    if vans_first:
        fixed = [f + arc_bound for f in fixed]
    for k, f in enumerate(fixed):
        routing.SetFixedCostOfVehicle(int(f), k)
    return fixed


def _add_requests(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    time: pywrapcp.RoutingDimension,
    horizon: int,
    mandatory_penalty: int,
) -> list[bool]:
    """Pairs on one van, pickup first; optional ones may be dropped at a penalty. Which are mandatory."""
    solver = routing.solver()
    mandatory = []
    for r in p.requests:
        pen = mandatory_penalty if r.penalty is None else int(r.penalty)
        mandatory.append(r.penalty is None)
        pi = manager.NodeToIndex(r.pickup)
        if r.vehicle is not None:  # pinned: this van or left out (same idiom as reloads)
            routing.VehicleVar(pi).SetValues([-1, r.vehicle])
            if r.delivery is not None:
                routing.VehicleVar(manager.NodeToIndex(r.delivery)).SetValues([-1, r.vehicle])
        if r.delivery is None:
            routing.AddDisjunction([pi], pen)
            continue
        di = manager.NodeToIndex(r.delivery)
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
        # only binding when served: a left-out pair may have windows no van could meet
        solver.Add(time.CumulVar(pi) <= time.CumulVar(di) + horizon * (1 - routing.ActiveVar(pi)))
        routing.AddDisjunction([pi], pen - pen // 2)
        routing.AddDisjunction([di], pen // 2)
    return mandatory


def _one_run_per_pair(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    runs: pywrapcp.RoutingDimension,
    depot_locs: set[int],
) -> None:
    """Arriving at a depot adds a run, so a drop at the depot is one more."""
    solver = routing.solver()
    for r in p.requests:
        if r.delivery is None:
            continue
        pi, di = manager.NodeToIndex(r.pickup), manager.NodeToIndex(r.delivery)
        into_depot = int(p.visits[r.delivery].location in depot_locs)
        solver.Add(runs.CumulVar(di) == runs.CumulVar(pi) + into_depot)


def _add_precedences(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    time: pywrapcp.RoutingDimension,
    horizon: int,
) -> None:
    solver = routing.solver()
    for pr in p.precedences:
        fi, si = manager.NodeToIndex(pr.first), manager.NodeToIndex(pr.second)
        solver.Add(routing.ActiveVar(si) <= routing.ActiveVar(fi))
        # Enforced only when ``second`` is served (then ``first`` is too).
        act = routing.ActiveVar(si)
        solver.Add(time.CumulVar(si) >= time.CumulVar(fi) + int(pr.gap_s) - horizon * (1 - act))


def _add_breaks(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    time: pywrapcp.RoutingDimension,
    node_service: np.ndarray,
) -> list[list[pywrapcp.IntervalVar]]:
    """The driver pauses between services (visit transits = service times)."""
    solver = routing.solver()
    visit_transit = [0] * routing.Size()
    for idx in range(routing.Size()):
        visit_transit[idx] = int(node_service[manager.IndexToNode(idx)])
    breaks: list[list[pywrapcp.IntervalVar]] = []
    for k, van in enumerate(p.vans):
        ivs = [
            solver.FixedDurationIntervalVar(b.earliest_s, b.latest_s, b.duration_s, False, f"break {k} {j}")
            for j, b in enumerate(van.breaks)
        ]
        if ivs:
            time.SetBreakIntervalsOfVehicle(ivs, k, visit_transit)
        breaks.append(ivs)
    return breaks


def _indices(manager: pywrapcp.RoutingIndexManager, node: int) -> list[int]:
    """Routing indices of a node (a start node maps to its van's start index)."""
    idx = manager.NodeToIndex(node)
    return [idx] if idx >= 0 else []


def _add_stop_count(
    p: RoutingProblem,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    node_loc: np.ndarray,
    node_kind: np.ndarray,
    depot_locs: set[int],
) -> None:
    """A "stops" dimension: +1 on arriving at a new non-depot location; a reload starts a new run at 0.

    Like the load dimension's reloads: leaving a reload node subtracts the van's limit and the
    reload's slack absorbs what is left, so the count restarts; nowhere else may it vanish.
    """
    n = len(node_loc)
    big = max((v.max_stops for v in p.vans if v.max_stops is not None), default=0) + len(p.visits) + 1
    is_stop = (node_kind == KIND_VISIT) & ~np.isin(node_loc, sorted(depot_locs))
    step = (is_stop[None, :] & (node_loc[:, None] != node_loc[None, :])).astype(np.int64)
    step[node_kind == KIND_RELOAD, :] -= big
    step[:, node_kind == KIND_START] = 0
    step[node_kind == KIND_END, :] = 0
    cb = routing.RegisterTransitMatrix(step.tolist())
    caps = [big if v.max_stops is None else int(v.max_stops) for v in p.vans]
    routing.AddDimensionWithVehicleCapacity(cb, big, caps, True, "stops")
    dim = routing.GetDimensionOrDie("stops")
    solver = routing.solver()
    for node in range(n):
        if node_kind[node] in (KIND_VISIT, KIND_START):
            for idx in _indices(manager, node):
                dim.SlackVar(idx).SetValue(0)
        elif node_kind[node] == KIND_RELOAD:
            # leaving a reload, the count is exactly 0: a free slack could restart it lower
            # and give every later run one stop more than the limit
            for idx in _indices(manager, node):
                solver.Add(dim.CumulVar(idx) + dim.SlackVar(idx) == big)
