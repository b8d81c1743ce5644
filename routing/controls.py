"""Apply route controls (:class:`~bookvan.data.controls.RouteControls`) to a day's routing problem.

Pure: a :class:`~bookvan.routing.day_adapter.DayProblem` in, the same problem with pinned
requests, van limits, the balance cost and the order of stops set. A transfer whose two ends
are pinned to different vans rides the van its pickup is pinned to.

Stops first or in order become the engine's precedences (service at a later node starts no
earlier than at an earlier one: ``cumul(later) >= cumul(earlier)`` on the time dimension). A
transfer picked up at a later node of a chain and delivered at an earlier one cannot keep the
order (its crates are picked up first), so its two visits are not bound.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from bookvan.data.controls import RouteControls
from bookvan.routing.day_adapter import COST_SCALE, DayProblem
from bookvan.routing.engine.problem import Precedence

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
    precedences = (*p.precedences, *order_precedences(dp, controls))
    problem = replace(p, vans=tuple(vans), requests=tuple(requests), cost_global_span=balance,
                      precedences=precedences)
    return replace(dp, problem=problem)


def order_precedences(dp: DayProblem, controls: RouteControls) -> list[Precedence]:
    """Precedences for ``controls.first`` and ``controls.order`` between the problem's visits.

    ``first`` is one chain: its nodes in turn, then every other node that is not a depot.
    Consecutive nodes of a chain with visits today are bound (nodes without any are skipped).
    """
    depots = {dp.locations[d] for d in dp.problem.depot_locations}
    at: dict[str, list[int]] = {}
    for i, inf in enumerate(dp.visit_info):
        if inf.transfer_id:  # a re-plan's anchor of a van where it stands has none
            at.setdefault(inf.node_id, []).append(i)
    ends: dict[str, dict[str, str]] = {}
    for inf in dp.visit_info:
        ends.setdefault(inf.transfer_id, {})[inf.role] = inf.node_id
    chains: list[list[set[str]]] = [[{n} for n in c] for c in controls.order]
    if controls.first:
        rest = set(at) - depots - set(controls.first)
        chains.append([*({n} for n in controls.first), rest])
    out: list[Precedence] = []
    for chain in chains:
        rank = {n: k for k, group in enumerate(chain) for n in group}

        def bound(i: int, rank: dict[str, int] = rank) -> bool:
            e = ends[dp.visit_info[i].transfer_id]
            up, down = rank.get(e.get("pickup", "")), rank.get(e.get("delivery", ""))
            return up is None or down is None or up <= down

        groups = [[i for n in sorted(g) for i in at.get(n, []) if bound(i)] for g in chain]
        groups = [g for g in groups if g]
        for before, after in itertools.pairwise(groups):
            out += [Precedence(i, j, 0) for i in before for j in after]
    return out
