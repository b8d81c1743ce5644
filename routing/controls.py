"""Apply route controls (:class:`~bookvan.data.controls.RouteControls`) to a day's routing problem.

Pure: a :class:`~bookvan.routing.day_adapter.DayProblem` in, the same problem with pinned
requests, van limits and the balance cost set. A transfer whose two ends are pinned to
different vans rides the van its pickup is pinned to.
"""

from __future__ import annotations

from dataclasses import replace

from bookvan.data.controls import RouteControls
from bookvan.routing.day_adapter import COST_SCALE, DayProblem

__all__ = ["apply_controls"]

#: NT$ per hour of the day's span, first van out to last van back (``balance = "duration"``, OR-Tools'
#: global span cost): dearer than a van-day (NT$ 904) over a few hours, so sharing a long day
#: between two vans wins over one van driving it alone.
BALANCE_NTD_PER_HOUR = 2000.0


def apply_controls(dp: DayProblem, controls: RouteControls, vehicle_ids: list[str]) -> DayProblem:
    """``dp`` with ``controls`` applied (vans in the order of ``vehicle_ids``)."""
    if controls.empty:
        return dp
    p = dp.problem
    van_of = {v: k for k, v in enumerate(vehicle_ids)}
    vans = []
    for k, van in enumerate(p.vans):
        vid = vehicle_ids[k]
        hours = controls.max_hours.get(vid)
        runs = controls.max_runs.get(vid)
        vans.append(replace(
            van,
            max_span_s=None if hours is None else int(hours * 3600),
            max_trips=van.max_trips if runs is None else min(van.max_trips, runs),
            max_stops=controls.max_stops_per_run,
        ))
    requests = list(p.requests)
    for i, r in enumerate(requests):
        # the pickup's pin wins when the two ends are pinned to different vans: the crates ride one van
        ends = [dp.visit_info[r.pickup].node_id] + ([] if r.delivery is None else [dp.visit_info[r.delivery].node_id])
        pinned = [controls.pins[n] for n in ends if controls.pins.get(n) in van_of]
        if pinned:
            requests[i] = replace(r, vehicle=van_of[pinned[0]])
    balance = round(BALANCE_NTD_PER_HOUR * COST_SCALE / 3600) if controls.balance == "duration" else 0
    problem = replace(p, vans=tuple(vans), requests=tuple(requests), cost_global_span=balance)
    return replace(dp, problem=problem)
