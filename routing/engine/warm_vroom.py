"""Warm start from VROOM: routes of the relaxation it models, in a few milliseconds.

VROOM (``pyvroom``, BSD) models shipments (pickup-delivery pairs), time windows, capacity,
driver breaks with their windows, a fixed stop time per location (charged when the van
arrives from elsewhere, as bookvan's ``stop_service_s``; given in the duration matrix, see
:func:`_with_stop_times`) and vehicle costs (per van, per km, per hour). It does not model
multiple runs a day, hub precedences, the span cost (it prices driving hours, not hours out)
or the early-delivery preference: OR-Tools reads its routes and finishes under every
constraint. Its search has no random choices and, without a timeout, its work is set by the
exploration level alone; among equally cheap answers it keeps whichever finished first, so
the arc costs carry a fixed tie-breaker (:func:`_arc_costs`). With both, the same input gave
the same routes in every repeat tried (``tests/test_engine_warm_vroom.py``).
"""

from __future__ import annotations

import numpy as np

from bookvan.routing.engine.problem import RoutingProblem, request_kind

__all__ = ["vroom_local_search", "vroom_routes"]


def _cost_unit(per_km: float, per_hour: float, fixed: float) -> float:
    """Divide the problem's cost units by this so VROOM's integers neither overflow nor vanish."""
    biggest = max(per_km, per_hour, fixed, 1.0)
    return max(1.0, biggest / 1_000_000)


THREADS = 2  # the machines have 2 cores; VROOM's answer is the same on 1, 2 or 4 threads


TIE_BREAK = 64  # each arc's cost gets a fixed pseudo-random 0..63 (costs are scaled to millions)
_COST_BOUND = 2**31  # VROOM refuses a day whose costs, summed over every row's largest, reach 2**32


def _arc_costs(
    dist: np.ndarray, dur: np.ndarray, per_km: float, per_hour: float, top_fixed: float, vans: int
) -> tuple[np.ndarray, float]:
    """VROOM's cost per arc (driving per km and per hour) with a fixed tie-breaker, and the scale used.

    VROOM keeps the first of its equally cheap answers to finish, and which one that is varied
    from run to run (a simulated day gave three route sets of one cost in 15 runs). Costs are
    scaled to the largest integers VROOM accepts (it checks that the sum of every row's
    largest cost fits in 32 bits) and each arc gets a seeded pseudo-random 0..63 on top: a
    whole answer's noise is then a few thousandths of a per cent of its cost, and equal costs
    all but never tie again. Multiply fixed costs by the returned scale.
    """
    cost = dist * (per_km / 1000) + dur * (per_hour / 3600)
    per_row = _COST_BOUND / (cost.shape[0] + 3 * max(1, vans))  # VROOM's overflow check, with room
    top = max(float(cost.max(initial=0)), top_fixed, 1.0)
    scale = (per_row - TIE_BREAK) / top
    noise = np.random.default_rng(0).integers(0, TIE_BREAK, size=cost.shape)
    return (np.rint(cost * scale) + noise).astype(np.uint32), scale


def vroom_routes(
    p: RoutingProblem,
    *,
    exploration_level: int = 5,
    timeout_s: float | None = None,
    threads: int = THREADS,
    group: bool = False,
) -> tuple[list[list[int]] | None, bool]:
    """Routes per van (visit indices, one run each) from VROOM (``None``: it serves nothing), and capped.

    The exploration level (1–5) alone decides the work: VROOM runs a fixed list of start
    heuristics, each with its local search, shares the list among its ``threads`` and keeps
    the best, so the answer does not depend on the threads (1, 2 and 4 give one answer on the
    test days, ``tests/test_engine_warm_vroom.py``) and two threads halve the wall time.
    ``timeout_s`` is a safety cap, and ``capped`` is True when it, not the level, ended the
    search. Requests VROOM leaves out are left for OR-Tools to insert. ``group`` hands VROOM
    alike requests as one task (:func:`_groups`).
    """
    import vroom

    built = _vroom_input(vroom, p, group=group)
    if built is None:
        return None, False
    inp, task = built
    return _solved(p, task, timeout_s, lambda timeout: inp.solve(
        exploration_level=int(exploration_level), nb_threads=max(1, int(threads)), timeout=timeout))


def vroom_local_search(
    p: RoutingProblem, routes: list[list[int]], *, depth: int, timeout_s: float | None = None, group: bool = True
) -> tuple[list[list[int]] | None, bool]:
    """``routes`` after VROOM's local search from them (``None``: VROOM cannot take them), and capped.

    One search on one thread: every search of VROOM's list would start from these routes and
    end alike. ``depth`` is VROOM's search depth (its exploration level sets it equal to the
    level): the number of jobs it lifts out of each route per round before searching again.
    Alike requests go as one task only when one route carries them all. Routes VROOM finds
    infeasible (its relaxation differs from PyVRP's in places) give ``None``.
    """
    import vroom
    from vroom.solution.solution import Solution

    built = _vroom_input(vroom, p, group=group, initial=routes)
    if built is None:
        return None, False
    inp, task = built
    try:
        return _solved(p, task, timeout_s, lambda timeout: Solution(inp._solve(1, int(depth), 1, timeout)))
    except vroom._vroom.VroomInputException:
        return None, False


def _vroom_input(vroom, p: RoutingProblem, *, group: bool, initial: list[list[int]] | None = None):
    """VROOM's input for ``p`` (and its vans' starting routes), and its task map; ``None`` if it cannot take it."""
    if not p.visits or not p.vans:
        return None
    dur = np.asarray(p.duration, dtype=np.int64)
    dist = np.asarray(p.distance, dtype=np.int64)
    if dur.max(initial=0) >= 2**32 or dist.max(initial=0) >= 2**32:
        return None
    per_km = float(p.cost_per_distance) * 1000
    per_hour = float(p.cost_per_second + p.cost_per_span_second) * 3600
    fixed = float(max((v.fixed_cost for v in p.vans), default=0))
    unit = _cost_unit(per_km, per_hour, fixed)

    inp = vroom.Input()
    # One matrix row per visit (and per van end), so the tie-breaker also tells apart jobs at
    # one place: which of two calls at a branch serves a crate is otherwise a tie (a test day
    # gave two answers in 15 runs).
    ends = sorted({v.start for v in p.vans} | {v.end for v in p.vans})
    place = np.asarray([v.location for v in p.visits] + ends, dtype=np.int64)
    row_of_end = {loc: len(p.visits) + i for i, loc in enumerate(ends)}
    pdur, pdist = dur[np.ix_(place, place)], dist[np.ix_(place, place)]
    inp.set_durations_matrix("car", _with_stop_times(p, pdur, place).astype(np.uint32))
    inp.set_distances_matrix("car", pdist.astype(np.uint32))
    arc_cost, cost_scale = _arc_costs(pdist, pdur, per_km / unit, per_hour / unit, fixed / unit, len(p.vans))
    inp.set_costs_matrix("car", arc_cost)
    van_of = None if initial is None else {v: k for k, r in enumerate(initial) for v in r}
    task = _add_tasks(vroom, inp, p, group=group, van_of=van_of)
    steps = None if initial is None else _initial_steps(vroom, inp, initial, task)
    _add_vans(vroom, inp, p, row_of_end, cost_scale / unit, steps)
    return inp, task


def _solved(p: RoutingProblem, task: dict, timeout_s: float | None, solve) -> tuple[list[list[int]] | None, bool]:
    """Run ``solve(timeout)``; VROOM's routes per van (``None`` if it serves nothing) and whether the cap ended it."""
    import datetime as dt
    import time

    timeout = None if timeout_s is None else dt.timedelta(seconds=max(0.001, timeout_s))
    t0 = time.perf_counter()
    solution = solve(timeout)
    capped = timeout_s is not None and time.perf_counter() - t0 >= 0.98 * timeout_s
    routes = _routes_of(p, np.asarray(solution._routes_numpy()), task)
    if not any(routes):
        return None, capped
    return routes, capped


def _add_vans(vroom, inp, p: RoutingProblem, row_of_end: dict[int, int], fixed_scale: float,
              steps: list[list] | None = None) -> None:
    """One VROOM vehicle per van: its ends, capacity, shift, breaks, fixed cost and starting route."""
    for k, v in enumerate(p.vans):
        breaks = [
            vroom.Break(j + 1, time_windows=[vroom.TimeWindow(b.earliest_s, b.latest_s)], service=b.duration_s)
            for j, b in enumerate(v.breaks)
        ]
        inp.add_vehicle(
            vroom.Vehicle(
                k + 1,
                start=row_of_end[v.start],
                end=row_of_end[v.end],
                capacity=[int(v.capacity)],
                time_window=vroom.TimeWindow(int(v.shift[0]), int(v.shift[1])),
                breaks=breaks,
                costs=vroom.VehicleCosts(fixed=round(v.fixed_cost * fixed_scale)),
                steps=steps[k] if steps else (),
            )
        )


Task = tuple[int | None, int, int | None]  # (visit at the depot before the run, the visit, after it)


def _add_tasks(vroom, inp, p: RoutingProblem, *, group: bool = False,
               van_of: dict[int, int] | None = None) -> dict[int, list[Task]]:
    """VROOM jobs and shipments for the requests; VROOM task id → its visits (:data:`Task` each).

    With ``group``, alike requests (:func:`_groups`) become one VROOM task carrying all their
    crates, so VROOM searches over stops rather than crates.
    """
    depots = p.depot_places

    def tw(window: tuple[int, int]) -> list:
        return [vroom.TimeWindow(int(window[0]), int(window[1]))]

    task: dict[int, list[Task]] = {}
    for members in _groups(p, depots, group, van_of):
        r = members[0]
        pv = p.visits[r.pickup]
        dv = p.visits[r.delivery] if r.delivery is not None else None
        kind = request_kind(p, r, depots)
        load = sum(abs(int(p.visits[m.pickup].load)) for m in members)
        if kind != "pair":
            # One stop out: a crate loaded at the depot when the run starts (a *delivery* to
            # VROOM) or unloaded there when it ends (a *pickup*), so VROOM never carries a crate
            # through the depot mid-route, which bookvan's one-run-per-crate rule forbids.
            if kind == "single":
                out, tid = pv, r.pickup + 1
                task[tid] = [(None, m.pickup, None) for m in members]
            elif kind == "from":
                out, tid = dv, r.delivery + 1
                task[tid] = [(m.pickup, m.delivery, None) for m in members]
            else:
                out, tid = pv, r.pickup + 1
                task[tid] = [(None, m.pickup, m.delivery) for m in members]
            inp.add_job(
                vroom.Job(
                    tid,
                    location=r.delivery if out is dv else r.pickup,
                    default_service=sum(_service(p, m) for m in members),
                    delivery=[load] if kind in ("single", "from") else [0],
                    pickup=[load] if kind == "to" else [0],
                    time_windows=tw(out.window),
                )
            )
            continue
        task[r.pickup + 1] = [(None, m.pickup, None) for m in members]
        task[r.delivery + 1] = [(None, m.delivery, None) for m in members]
        inp.add_shipment(
            vroom.ShipmentStep(
                r.pickup + 1,
                location=r.pickup,
                default_service=sum(int(p.visits[m.pickup].service_s) for m in members),
                time_windows=tw(pv.window),
            ),
            vroom.ShipmentStep(
                r.delivery + 1,
                location=r.delivery,
                default_service=sum(int(p.visits[m.delivery].service_s) for m in members),
                time_windows=tw(dv.window),
            ),
            amount=vroom.Amount([load]),
        )
    return task


def _service(p: RoutingProblem, r) -> int:
    """A one-stop job's handling: its own visit's, plus its depot half's when it has one."""
    return sum(int(p.visits[v].service_s) for v in (r.pickup, r.delivery) if v is not None)


def _groups(p: RoutingProblem, depots: frozenset[int], group: bool, van_of: dict[int, int] | None = None) -> list[list]:
    """The requests as VROOM tasks: one each, or with ``group`` alike ones together.

    Alike: the same places and windows where the van calls (a one-stop job's outside visit, a
    pair's both), of one kind (from the depot, to it, single, pair) and for the same van,
    up to the smallest van's capacity; with ``van_of`` (visit → route of a starting solution)
    also on the same starting route. A simulated hub day holds 84 visits at 15 places;
    VROOM's time grows with its tasks, not the crates they carry.
    """
    if not group:
        return [[r] for r in p.requests]
    cap = max(1, min(int(v.capacity) for v in p.vans))
    keyed: dict[tuple, list[list]] = {}
    for r in p.requests:
        pv = p.visits[r.pickup]
        kind = request_kind(p, r, depots)
        if kind == "pair":
            dv = p.visits[r.delivery]
            key: tuple = (kind, pv.location, pv.window, dv.location, dv.window)
        else:  # the visit out of the depot
            out = p.visits[r.delivery] if kind == "from" else pv
            key = (kind, out.location, out.window)
        route = None if van_of is None else van_of.get(r.pickup)
        chunks = keyed.setdefault((*key, r.vehicle, route), [[]])
        size = abs(int(pv.load))
        if chunks[-1] and sum(abs(int(p.visits[m.pickup].load)) for m in chunks[-1]) + size > cap:
            chunks.append([])
        chunks[-1].append(r)
    return [c for chunks in keyed.values() for c in chunks]


def _initial_steps(vroom, inp, routes: list[list[int]], task: dict[int, list[Task]]) -> list[list]:
    """VROOM steps per van for ``routes``: each task once, where the first of its visits is.

    A task is a shipment's pickup or delivery step when ``inp`` holds it as one, else a job.
    """
    task_of = {mid: tid for tid, members in task.items() for _, mid, _ in members}
    step = dict.fromkeys(task, vroom.VehicleStepSingle)
    step.update(dict.fromkeys(inp.pickup_id_to_rank, vroom.VehicleStepPickup))
    step.update(dict.fromkeys(inp.delivery_id_to_rank, vroom.VehicleStepDelivery))
    out = []
    for route in routes:
        tasks = dict.fromkeys(task_of[v] for v in route if v in task_of)  # in order, each once
        out.append([step[t](t) for t in tasks])
    return out


def _routes_of(p: RoutingProblem, steps: np.ndarray, task: dict[int, list[Task]]):
    """Each van's visits from VROOM's steps, with the depot halves before and after its run."""
    before: list[list[int]] = [[] for _ in p.vans]
    run: list[list[int]] = [[] for _ in p.vans]
    after: list[list[int]] = [[] for _ in p.vans]
    kinds = steps["type"].astype("U9") if len(steps) else []
    for step, kind in zip(steps, kinds, strict=True):
        if kind in ("job", "pickup", "delivery"):
            k = int(step["vehicle_id"]) - 1
            for pre, mid, post in task[int(step["id"])]:
                run[k].append(mid)
                if pre is not None:
                    before[k].append(pre)
                if post is not None:
                    after[k].append(post)
    return [_canonical(p, before[k] + run[k] + after[k]) for k in range(len(p.vans))]


def _with_stop_times(p: RoutingProblem, dur: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Driving times with the stop time of the place left added, as bookvan's model times a leg.

    Given in the matrix rather than as VROOM's *setup*: VROOM 1.15 with setups, breaks and
    fixed costs together returned answers of different cost from run to run on one thread
    (2 in 16 runs on a test day, 1 of 8 seeded days), and none did with the stop times in the
    matrix. Charged on leaving, not arriving (a setup's place), VROOM's timeline is bookvan's:
    charged on arriving, a van's last leg home looked a stop time shorter than it is, and
    2 of 282 transfers of the 300-stop day were cut when its routes were read.
    """
    n = p.num_locations
    stop = np.asarray(p.stop_service_s if p.stop_service_s else [0] * n, dtype=np.int64)
    same = place[:, None] == place[None, :]
    return dur + np.where(same, 0, stop[place][:, None])


def _canonical(p: RoutingProblem, route: list[int]) -> list[int]:
    """``route`` with each stop's visits in one fixed order: drops first, then pickups, by index.

    VROOM's answer repeats up to the order of visits at one stop, which costs the same but
    varies from process to process; this order makes the plan repeat byte for byte (and
    unloading before loading never needs more room in the van). A stop holding both halves
    of a pair keeps VROOM's order.
    """
    partner = {r.pickup: r.delivery for r in p.requests if r.delivery is not None}
    out: list[int] = []
    i = 0
    while i < len(route):
        j = i
        while j < len(route) and p.visits[route[j]].location == p.visits[route[i]].location:
            j += 1
        block = route[i:j]
        if not any(partner.get(v) in block for v in block):
            block = sorted(block, key=lambda v: (p.visits[v].load >= 0, v))
        out += block
        i = j
    return out
