"""Why a transfer was left for another day, in words a coordinator understands.

The solver only says *that* it dropped a request. Here each dropped transfer is tested
alone against every van (can a van reach the origin and the destination within their hours
and be back within its shift?) and the day as a whole (are there more crates than runs can
carry?), and the first failing reason is given.
"""

from __future__ import annotations

from bookvan.routing.day_adapter import DayProblem
from bookvan.routing.timetext import day_time_text

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


def explain_dropped(dp: DayProblem, dropped: list[int]) -> list[dict[str, str]]:
    """One ``{transfer_id, reason}`` per dropped request."""
    p = dp.problem
    crates_total = sum(p.visits[r.pickup].load for r in p.requests)
    room = sum(v.capacity * v.max_trips for v in p.vans)
    dropped_crates = sum(p.visits[p.requests[i].pickup].load for i in dropped)
    out = []
    for i in dropped:
        ok, why = _alone_feasible(dp, i)
        if not ok:
            reason = why
        elif crates_total > room:
            reason = (f"no van has room: {crates_total - room} crates over what the vans can carry today "
                      f"({room} crates in all runs)")
        else:
            reason = (f"the vans' shifts are full: {len(dropped)} transfers ({dropped_crates} crates) "
                      f"did not fit in today's driving time; holds went first")
        out.append({"transfer_id": dp.request_transfer[i], "reason": reason})
    return out
