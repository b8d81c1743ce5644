"""Why a transfer was left for another day, in words a coordinator understands.

The solver only says *that* it dropped a request. Here each dropped transfer is tested
alone against every van (can a van reach the origin and the destination within their hours
and be back within its shift?) and the day as a whole (are there more crates than runs can
carry?), and the first failing reason is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bookvan.routing.day_adapter import DayProblem
from bookvan.routing.engine.problem import RoutingProblem
from bookvan.routing.engine.result import SolveResult
from bookvan.routing.timetext import day_time_text

#: Relaxations tried, in order, to find which resource ran out for a transfer feasible alone.
RELAXATIONS = ("capacity", "shift", "window")

__all__ = ["explain_dropped"]


def _alone_feasible(dp: DayProblem, request: int) -> tuple[bool, str]:
    """Can some van serve this request alone (depot → origin → destination → depot)?"""
    p = dp.problem
    req = p.requests[request]
    pv, dv = p.visits[req.pickup], p.visits[req.delivery]  # type: ignore[index]
    best_late = None
    for van in p.vans:
        if pv.load > van.capacity:
            continue
        t = van.shift[0] + p.duration[van.start, pv.location]
        t = max(t, pv.window[0])
        if t > pv.window[1]:
            best_late = best_late or f"no van can reach the pickup before {day_time_text(pv.window[1], dp.midnight)}"
            continue
        t += pv.service_s + p.stop_service_s[pv.location] + p.duration[pv.location, dv.location]
        t = max(t, dv.window[0])
        if t > dv.window[1]:
            best_late = (f"no van can bring it from {dp.visit_info[req.pickup].node_id} to "
                         f"{dp.visit_info[req.delivery].node_id} before {day_time_text(dv.window[1], dp.midnight)}")  # type: ignore[index]
            continue
        t += dv.service_s + p.stop_service_s[dv.location] + p.duration[dv.location, van.end]
        if t > van.shift[1]:
            best_late = f"the round trip does not fit in any driver's shift (back at {day_time_text(t, dp.midnight)})"
            continue
        return True, ""
    if best_late is None:
        return False, f"no van is big enough for {pv.load} crates"
    return False, best_late


def _relaxed(p: RoutingProblem, what: str) -> RoutingProblem:
    """``p`` with one resource made plentiful: van capacity, shift length, or every window."""
    if what == "capacity":
        big = 10 * max(sum(abs(v.load) for v in p.visits), 1)
        return replace(p, vans=tuple(replace(v, capacity=big) for v in p.vans))
    if what == "shift":
        return replace(p, vans=tuple(replace(v, shift=(v.shift[0], v.shift[1] + 8 * 3600)) for v in p.vans))
    late = max([v.window[1] for v in p.visits] + [v.shift[1] for v in p.vans]) + 8 * 3600
    return replace(p, visits=tuple(replace(v, window=(min(v.window[0], min(x.shift[0] for x in p.vans)), late))
                                   for v in p.visits))


def _binding(dp: DayProblem, dropped: list[int], resolve: Callable[[RoutingProblem], SolveResult]) -> dict[int, str]:
    """Request → the first resource whose relaxation gets it served (one solve per relaxation)."""
    out: dict[int, str] = {}
    left = set(dropped)
    for what in RELAXATIONS:
        if not left:
            break
        served = left - set(resolve(_relaxed(dp.problem, what)).dropped)
        for i in served:
            out[i] = what
        left -= served
    return out


def _together(what: str, n: int, crates: int, room: int, total: int) -> str:
    if what == "capacity":
        return (f"feasible alone, but the vans' capacity ran out: {total} crates today against {room} "
                f"crates in all runs, and {n} transfers ({crates} crates) did not fit; holds went first")
    if what == "shift":
        return (f"feasible alone, but the drivers' shift time ran out: {n} transfers ({crates} crates) "
                f"did not fit in today's driving time; holds went first")
    return (f"feasible alone, but opening hours or due times clash with the other stops: {n} transfers "
            f"({crates} crates) could not be fitted into those windows")


def explain_dropped(
    dp: DayProblem, dropped: list[int], resolve: Callable[[RoutingProblem], SolveResult] | None = None
) -> list[dict[str, str]]:
    """One ``{transfer_id, reason}`` per dropped request.

    With ``resolve`` (the engine on another problem), a transfer feasible alone is explained by
    experiment: the day is solved again with van capacity, then shift length, then every window
    relaxed, and the first relaxation that serves it names the resource that ran out.
    """
    p = dp.problem
    crates_total = sum(p.visits[r.pickup].load for r in p.requests)
    room = sum(v.capacity * v.max_trips for v in p.vans)
    dropped_crates = sum(p.visits[p.requests[i].pickup].load for i in dropped)
    out = []
    alone = {i: _alone_feasible(dp, i) for i in dropped}
    tested = _binding(dp, [i for i in dropped if alone[i][0]], resolve) if resolve is not None else {}
    for i in dropped:
        ok, why = alone[i]
        if not ok:
            reason = why
        elif i in tested:
            reason = _together(tested[i], len(dropped), dropped_crates, room, crates_total)
        elif crates_total > room:
            reason = (f"no van has room: {crates_total - room} crates over what the vans can carry today "
                      f"({room} crates in all runs)")
        else:
            reason = (f"the vans' shifts are full: {len(dropped)} transfers ({dropped_crates} crates) "
                      f"did not fit in today's driving time; holds went first")
        out.append({"transfer_id": dp.request_transfer[i], "reason": reason})
    return out
