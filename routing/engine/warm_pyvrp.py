"""Warm start from PyVRP: solve the relaxation it can model, hand the routes to OR-Tools.

PyVRP's iterated local search is the strongest open solver on the VRPTW/PDPTW benchmarks,
but it does not know driver breaks, hub precedences or the trip count of a run through a
depot visit. It does know capacity, windows, service times, pickup-delivery pairs
(``Shipment``), optional jobs with prizes, fixed van costs, span (duration) cost and
multiple trips (reload depots). We give it that relaxation; OR-Tools then reads its routes
(``ReadAssignmentFromRoutes``) and finishes under the full constraints. If the relaxed
routes break a constraint PyVRP did not see, OR-Tools starts from its own first solution.

PyVRP is a dependency of bookvan; it is imported on first use only (it is not needed to
read or check a plan).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from bookvan.routing.engine.problem import RoutingProblem, request_kind
from bookvan.routing.engine.stop_watch import WatchedStop

__all__ = ["RELOAD", "pyvrp_polish", "pyvrp_routes"]

RELOAD = -1  # marker in a route: the van goes back to its depot and out again


def _van_types(p: RoutingProblem, van_cost: list[int]) -> list[tuple[tuple, list[int]]]:
    groups: dict[tuple, list[int]] = {}
    for k, v in enumerate(p.vans):
        key = (v.start, v.end, v.capacity, v.shift, v.max_trips, van_cost[k], sum(b.duration_s for b in v.breaks))
        groups.setdefault(key, []).append(k)
    return list(groups.items())


def _late(p: RoutingProblem, window: tuple[int, int]) -> int:
    """Latest service start for PyVRP: early enough that a driver break still fits before it.

    PyVRP knows no breaks. A window that closes after breaks may begin is shortened by the
    longest break, so OR-Tools can insert the break anywhere and push later stops back.
    """
    brks = [b for v in p.vans for b in v.breaks]
    if not brks:
        return window[1]
    earliest = min(b.earliest_s for b in brks)
    pause = max(b.duration_s for b in brks)
    if window[1] <= earliest:
        return window[1]
    return max(window[0], window[1] - pause)


def _add_job(pyvrp, p, r, nd, clients, client_visit, shipments, ship_visits, depots) -> None:
    """Request ``r`` as a PyVRP client or shipment; raises ValueError if PyVRP refuses it.

    A pair loaded at the depot is a client with a *delivery* (PyVRP loads it when the run
    starts), a pair unloaded at the depot a client with a *pickup* (unloaded when the run
    ends): exactly the full model's on-board load, and the crate stays in one run.
    ``client_visit`` records (visit at the depot before the run or ``None``, the client's
    visit, visit at the depot after the run or ``None``).
    """
    required = r.penalty is None
    prize = 0 if required else int(r.penalty)
    pv = p.visits[r.pickup]
    kind = request_kind(p, r, depots)
    if kind in ("from", "to"):
        dv = p.visits[r.delivery]
        from_depot = kind == "from"
        out, depot_side = (dv, pv) if from_depot else (pv, dv)
        clients.append(
            pyvrp.Client(
                nd + (r.delivery if from_depot else r.pickup),
                delivery=[pv.load] if from_depot else [],
                pickup=[] if from_depot else [pv.load],
                service_duration=out.service_s + depot_side.service_s,
                tw_early=out.window[0],
                tw_late=_late(p, out.window),
                prize=prize,
                required=required,
            )
        )
        if from_depot:
            client_visit.append((r.pickup, r.delivery, None))
        else:
            client_visit.append((None, r.pickup, r.delivery))
        return
    if kind == "single":
        clients.append(
            pyvrp.Client(
                nd + r.pickup,
                delivery=[abs(pv.load)],
                service_duration=pv.service_s,
                tw_early=pv.window[0],
                tw_late=_late(p, pv.window),
                prize=prize,
                required=required,
            )
        )
        client_visit.append((None, r.pickup, None))
    else:
        dv = p.visits[r.delivery]
        shipments.append(
            pyvrp.Shipment(
                nd + r.pickup,
                nd + r.delivery,
                pickup_tw_early=pv.window[0],
                pickup_tw_late=_late(p, pv.window),
                pickup_service_duration=pv.service_s,
                delivery_tw_early=dv.window[0],
                delivery_tw_late=_late(p, dv.window),
                delivery_service_duration=dv.service_s,
                amount=[pv.load],
                prize=prize,
                required=required,
            )
        )
        ship_visits.append((r.pickup, r.delivery))


def _fewest_vans(pyvrp, data, limit: float, seed: int, *, whole_fleet: bool):
    """Fewest vans, then cost, in ``limit`` seconds: PyVRP's best feasible solution or ``None``.

    For a quarter of the time the fleet shrinks one van at a time, each size searched only
    until its first feasible solution. The rest of the time polishes the last feasible
    solution, held to that fleet, or with ``whole_fleet`` with every van on offer: the fixed
    van cost outweighs any distance, so that polish never ends with more vans, but it may
    pass through extra routes on the way. Measured at 60 s / 20 s: on 400 customers the
    whole fleet gave 12,922 where the held fleet gave 13,364 (42 vans each; the held fleet
    also ended one van over on 200 pairs); on 100-customer Solomon instances the held fleet
    was better (0.13 % vs 0.63 % mean gap on 11 instances, all at BKS vans).
    """
    from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

    t0 = time.perf_counter()
    vt = data.vehicle_type(0)
    shrink_until = t0 + limit / 4
    best, size, bound = None, vt.num_available, _fleet_bound(data)
    while time.perf_counter() < shrink_until:
        trial = data.replace(vehicle_types=[vt.replace(num_available=size)])
        stop = MultipleCriteria([FirstFeasible(), MaxRuntime(max(0.01, shrink_until - time.perf_counter()))])
        found = pyvrp.solve(trial, stop=WatchedStop(stop), seed=seed, display=False, collect_stats=False).best
        if not found.is_feasible():
            break
        best = found
        if found.num_routes() <= bound:
            break
        size = found.num_routes() - 1
    if best is None:
        return None
    left = t0 + limit - time.perf_counter()
    if left <= 0.05:
        return best
    start, polish_data = best, data.replace(vehicle_types=[vt.replace(num_available=best.num_routes())])
    if whole_fleet:
        try:  # restate the routes on the whole fleet's data
            acts = [[pyvrp.Activity(a.type, a.idx) for a in r.schedule()[1:-1]] for r in best.routes()]
            start, polish_data = pyvrp.Solution(data, [pyvrp.Route(data, a, 0) for a in acts]), data
        except (ValueError, RuntimeError, TypeError):
            pass
    polished = pyvrp.solve(
        polish_data, stop=WatchedStop(MaxRuntime(left)), seed=seed, display=False, collect_stats=False,
        initial_solution=start,
    ).best
    if polished.is_feasible() and polished.num_routes() <= best.num_routes():
        return polished
    return best


def _fleet_bound(data) -> int:
    """Fewest vans the clients' loads allow (capacity × trips); shipments share space over time."""
    vt = data.vehicle_type(0)
    bound = 1
    for dim in range(data.num_load_dimensions):
        demand = max(sum(c.delivery[dim] for c in data.clients()), sum(c.pickup[dim] for c in data.clients()))
        bound = max(bound, -(-demand // max(1, vt.capacity[dim] * vt.max_trips)))
    return bound


def pyvrp_routes(
    p: RoutingProblem,
    *,
    time_limit_s: float | None,
    seed: int,
    van_cost: list[int],
    iterations: int | None = None,
    minimise_vans: bool = False,
    whole_fleet_polish: bool = False,
    break_safe_return: bool = True,
) -> list[list[int]] | None:
    """Routes per van (visit indices, :data:`RELOAD` between runs) from PyVRP, or ``None`` if none is feasible.

    ``van_cost`` is the fixed cost per van (including any hierarchical weight). Stops on
    ``iterations`` when given (deterministic), else on ``time_limit_s``. With
    ``minimise_vans`` (one kind of van, every job required) a quarter of the time shrinks
    the fleet first, the rest polishes the smallest fleet's routes (:func:`_fewest_vans`;
    ``whole_fleet_polish`` offers every van during the polish). ``break_safe_return`` brings
    vans home by shift end minus the break: a break that must fall inside a route (its
    latest start before the return) would otherwise push the return past the shift, and
    OR-Tools cannot read that route.
    """
    import pyvrp

    relaxed = _relaxation(pyvrp, p, van_cost, break_safe_return=break_safe_return)
    if relaxed is None:
        return None
    data, client_visit, ship_visits, types = relaxed
    vehicle_types = data.vehicle_types()
    fleet_first = (
        minimise_vans
        and iterations is None
        and len(vehicle_types) == 1
        and vehicle_types[0].num_available > 1
        and all(r.penalty is None for r in p.requests)
    )
    best = _solve(pyvrp, data, time_limit_s, seed, iterations, fleet_first=fleet_first, whole_fleet=whole_fleet_polish)
    if not best.is_feasible():
        return None
    return _routes_per_van(p, best, client_visit, ship_visits, types)


def pyvrp_polish(
    p: RoutingProblem, routes: list[list[int]], *, van_cost: list[int], iterations: int, seed: int
) -> list[list[int]] | None:
    """``routes`` (visit indices, one run each) after ``iterations`` of PyVRP's search from them, or ``None``.

    Starts from routes another solver made in pieces (:mod:`~bookvan.routing.engine.warm_parts`):
    PyVRP's local search mends them where the pieces meet (on the 1,000-stop day, 1.4 % in
    30 iterations, then no more in 700). ``None`` when PyVRP cannot restate the routes (a run
    through the depot, a job it does not model) or ends without a feasible answer.
    """
    import pyvrp
    from pyvrp.stop import MaxIterations

    relaxed = _relaxation(pyvrp, p, van_cost, break_safe_return=True)
    if relaxed is None or any(RELOAD in r for r in routes):
        return None
    data, client_visit, ship_visits, types = relaxed
    step: dict[int, object] = {}  # visit → PyVRP activity; a client's depot visits come with it
    for i, (_, mid, _) in enumerate(client_visit):
        step[mid] = pyvrp.Activity(pyvrp.ActivityType.CLIENT, i)
    for i, (a, b) in enumerate(ship_visits):
        step[a], step[b] = pyvrp.Activity(pyvrp.ActivityType.PICKUP, i), pyvrp.Activity(pyvrp.ActivityType.DELIVERY, i)
    type_of = {van: t for t, (_, vans) in enumerate(types) for van in vans}
    try:
        start = pyvrp.Solution(data, [pyvrp.Route(data, [step[v] for v in r if v in step], type_of[k])
                                      for k, r in enumerate(routes) if r])
    except (ValueError, RuntimeError, TypeError, KeyError):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = pyvrp.solve(data, stop=WatchedStop(MaxIterations(iterations)), seed=seed, display=False,
                           collect_stats=False, initial_solution=start, params=_van_priced_penalties(pyvrp, data)).best
    return _routes_per_van(p, best, client_visit, ship_visits, types) if best.is_feasible() else None


def _relaxation(pyvrp, p: RoutingProblem, van_cost: list[int], *, break_safe_return: bool):
    """PyVRP's data for the relaxation of ``p``, the job maps and van types; ``None`` if PyVRP cannot take it."""
    if not p.visits or not p.vans:
        return None
    depot_locs = sorted({v.start for v in p.vans} | {v.end for v in p.vans})
    cost, travel = _pyvrp_matrices(p, depot_locs)
    nd = len(depot_locs)
    depot_of = {loc: i for i, loc in enumerate(depot_locs)}
    locations = [pyvrp.Location(0, 0) for _ in range(len(cost))]
    depots = [pyvrp.Depot(i) for i in range(nd)]
    jobs = _pyvrp_jobs(pyvrp, p, nd, p.depot_places)
    if jobs is None:
        return None  # a mandatory job PyVRP cannot model: OR-Tools starts alone
    clients, client_visit, shipments, ship_visits = jobs
    types = _van_types(p, van_cost)
    vehicle_types = _vehicle_types(pyvrp, p, types, depot_of, break_safe_return=break_safe_return)
    try:
        data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, [cost], [travel], shipments=shipments)
    except ValueError:
        return None
    return data, client_visit, ship_visits, types


def _routes_per_van(p: RoutingProblem, best, client_visit, ship_visits, types) -> list[list[int]]:
    """PyVRP's routes as visit indices per van, the vans of each type in order."""
    routes: list[list[int]] = [[] for _ in p.vans]
    free = [list(vans) for _, vans in types]
    for route in best.routes():
        van = free[route.vehicle_type()].pop(0)
        routes[van] = _visit_sequence(route, client_visit, ship_visits)
    return routes


def _pyvrp_matrices(p: RoutingProblem, depot_locs: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Cost and travel-time matrices over PyVRP's locations: the depots first, then one per visit.

    Visits may share a place; travel between two places includes the fixed stop time of the
    one left, and nothing between visits at one place.
    """
    n_loc = p.num_locations
    dist = np.asarray(p.distance, dtype=np.int64)
    dur = np.asarray(p.duration, dtype=np.int64)
    stop = np.asarray(p.stop_service_s or [0] * n_loc, dtype=np.int64)
    src = np.asarray(depot_locs + [v.location for v in p.visits], dtype=np.int64)
    a, b = src[:, None], src[None, :]
    same = a == b
    cost = p.cost_per_distance * dist[a, b] + p.cost_per_second * dur[a, b]
    travel = np.where(same, 0, stop[src][:, None]) + dur[a, b]
    np.fill_diagonal(cost, 0)
    np.fill_diagonal(travel, 0)
    return cost, travel


def _pyvrp_jobs(pyvrp, p: RoutingProblem, nd: int, depot_set: frozenset[int]) -> tuple[list, list, list, list] | None:
    """Clients, their visits, shipments and theirs (:func:`_add_job`); ``None`` if a mandatory job is refused.

    An optional job PyVRP refuses (a delivery window before the pickup's) is left out.
    """
    clients, client_visit, shipments, ship_visits = [], [], [], []
    for r in p.requests:
        try:  # PyVRP refuses impossible jobs (a delivery window before the pickup's)
            _add_job(pyvrp, p, r, nd, clients, client_visit, shipments, ship_visits, depot_set)
        except ValueError:
            if r.penalty is None:
                return None
    return clients, client_visit, shipments, ship_visits


def _vehicle_types(
    pyvrp, p: RoutingProblem, types: list[tuple[tuple, list[int]]], depot_of: dict[int, int], *, break_safe_return: bool
) -> list:
    """One PyVRP vehicle type per group of alike vans (:func:`_van_types`)."""
    vehicle_types = []
    for (start, end, cap, shift, trips, fixed, brk), vans in types:
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(vans),
                capacity=[cap],
                start_depot=depot_of[start],
                end_depot=depot_of[end],
                fixed_cost=int(fixed),
                tw_early=shift[0],
                # with ``break_safe_return``: home early enough that a break inside the route fits
                tw_late=_late(p, shift) if break_safe_return else shift[1],
                # breaks are not in PyVRP: keep their time free within the shift
                shift_duration=shift[1] - shift[0] - brk,
                unit_distance_cost=1,
                unit_duration_cost=int(p.cost_per_span_second),
                reload_depots=[depot_of[start]] if trips > 1 else [],
                max_reloads=trips - 1,
            )
        )
    return vehicle_types


def _solve(pyvrp, data, time_limit_s: float | None, seed: int, iterations: int | None, *, fleet_first: bool,
           whole_fleet: bool):
    """PyVRP's best solution: fewest vans first when ``fleet_first``, else (or if that fails) one search."""
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    limit = max(0.05, time_limit_s or 0.0)
    with warnings.catch_warnings():
        # PyVRP warns when it finds no feasible solution; we then fall back to OR-Tools anyway.
        warnings.simplefilter("ignore")
        best, t0 = None, time.perf_counter()
        if fleet_first:
            best = _fewest_vans(pyvrp, data, limit, seed, whole_fleet=whole_fleet)
        if best is None:
            left = max(0.05, limit - (time.perf_counter() - t0))
            stop_rule = MaxRuntime(left)
            if iterations is not None:  # the iterations decide; a given time limit is a safety cap
                stop_rule = (
                    MaxIterations(iterations)
                    if time_limit_s is None
                    else MultipleCriteria([MaxIterations(iterations), MaxRuntime(left)])
                )
            params = pyvrp.SolveParams() if iterations is None else _van_priced_penalties(pyvrp, data)
            best = pyvrp.solve(data, stop=WatchedStop(stop_rule), seed=seed, display=False, collect_stats=False,
                               params=params).best
    return best


def _van_priced_penalties(pyvrp, data):
    """Search settings whose penalties can outweigh a van's fixed cost.

    PyVRP prices a second late or a crate over capacity at most ``max_penalty`` (100,000 by
    default). A library van's day costs far more in bookvan's units, so on the 1,000-stop
    day the search left the feasible region after 31 iterations for good: cheaper routes
    that are a few seconds late everywhere, one van fewer each. Its best stayed the first
    feasible solution whatever the iterations (54 vans after 100 or 1,000). With the cap at a
    van's fixed cost it returns: 45 vans after 300 iterations (bench/README.md, "Library
    days"). Deterministic (iterations) mode only: the benchmark path keeps PyVRP's defaults.
    """
    fixed = max((vt.fixed_cost for vt in data.vehicle_types()), default=0)
    cap = max(pyvrp.PenaltyParams.max_penalty, float(fixed))
    return pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=cap))


def _visit_sequence(route, client_visit: list[tuple[int | None, int, int | None]],
                    ship_visits: list[tuple[int, int]]) -> list[int]:
    """One PyVRP route as visit indices, :data:`RELOAD` between runs.

    A client served from or to the depot brings its depot visit along: before the run's
    visits (loaded at the depot) or after them (unloaded there).
    """
    runs: list[list[int]] = [[]]
    before: list[list[int]] = [[]]
    after: list[list[int]] = [[]]
    sched = route.schedule()
    for pos, act in enumerate(sched):
        kind = act.type.name
        if kind == "CLIENT":
            pre, mid, post = client_visit[act.idx]
            runs[-1].append(mid)
            if pre is not None:
                before[-1].append(pre)
            if post is not None:
                after[-1].append(post)
        elif kind == "PICKUP":
            runs[-1].append(ship_visits[act.idx][0])
        elif kind == "DELIVERY":
            runs[-1].append(ship_visits[act.idx][1])
        elif kind == "DEPOT" and 0 < pos < len(sched) - 1:
            runs.append([])
            before.append([])
            after.append([])
    seq: list[int] = []
    for k, run in enumerate(runs):
        if k:
            seq.append(RELOAD)
        seq += before[k] + run + after[k]
    return seq
