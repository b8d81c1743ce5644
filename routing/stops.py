"""Read the solver's routes back as the plan folder's stops table: runs, stops, loads.

Consecutive visits at one place are one stop. A van back at its depot mid-day ends a run
(``trip``) and starts the next: that stop is written twice, once as the last row of the
run (what it unloads) and once as row 0 of the next (what it loads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from bookvan.routing.day_adapter import DayProblem
from bookvan.routing.engine.result import RouteResult, SolveResult

__all__ = ["routes_to_stops"]


@dataclass
class _Row:
    node_id: str
    arrival: int
    start: int
    departure: int
    pickups: list[str] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    pick_crates: int = 0
    drop_crates: int = 0
    break_s: int = 0
    break_start: int | None = None


def _groups(dp: DayProblem, route: RouteResult, depot: int) -> list[tuple[int, list[int], int | None]]:
    """Runs of positions in ``route.visits`` at one location, with reloads as depot groups.

    Each group is (location, positions, reload index or None). A reload while the van is
    already at its depot merges into that depot group, so a run always leaves the depot.
    """
    reload_at = {pos: k for k, pos in enumerate(getattr(route, "reload_after", ()) or ())}
    groups: list[tuple[int, list[int], int | None]] = []
    for pos, vi in enumerate(route.visits):
        loc = dp.problem.visits[vi].location
        if groups and groups[-1][0] == loc:
            groups[-1][1].append(pos)
        else:
            groups.append((loc, [pos], None))
        if pos in reload_at and loc != depot:
            groups.append((depot, [], reload_at[pos]))
    return groups


def _route_rows(dp: DayProblem, route: RouteResult) -> list[list[_Row]]:
    p = dp.problem
    van = p.vans[route.van]
    depot = dp.locations[van.start]
    trips: list[list[_Row]] = [[_Row(depot, route.depart_s, route.depart_s, route.depart_s)]]
    visits = route.visits

    def end_of(pos: int) -> int:
        v = p.visits[visits[pos]]
        return route.starts_s[pos] + v.service_s

    groups = _groups(dp, route, van.start)
    for gi, (loc, positions, reload_k) in enumerate(groups):
        if loc == van.start:
            # At the depot: unloading closes the current run, loading opens the next one. The
            # loading row's service starts when the last crate to load is ready (hub sorting).
            cur = trips[-1]
            picks = [q for q in positions if dp.visit_info[visits[q]].role == "pickup"]
            drops = [q for q in positions if dp.visit_info[visits[q]].role == "delivery"]
            if gi == 0 and len(cur) == 1:
                row0 = cur[0]
                for q in positions:
                    _apply(dp, row0, visits[q])
                if picks:
                    row0.start = max(route.starts_s[q] for q in picks)
                row0.departure = max(end_of(q) for q in positions)
                continue
            if not positions:
                reload_s = getattr(route, "reload_s", ()) or ()
                if reload_k is not None and reload_k < len(reload_s):
                    arrive, leave = reload_s[reload_k]
                else:
                    prev_loc = p.visits[visits[groups[gi - 1][1][-1]]].location
                    arrive = cur[-1].departure + int(p.duration[prev_loc, van.start])
                    leave = arrive
                nxt = next((g for g in groups[gi + 1:] if g[1]), None)
                if nxt is not None:
                    first = nxt[1][0]
                    leave = max(leave, min(route.arrivals_s[first]
                                           - int(p.duration[van.start, p.visits[visits[first]].location]),
                                           route.arrivals_s[first]))
                closing = _Row(depot, arrive, arrive, arrive)
                opening = _Row(depot, arrive, arrive, max(arrive, leave))
            else:
                arrive = route.arrivals_s[positions[0]]
                unloaded = max((end_of(q) for q in drops), default=arrive)
                closing = _Row(depot, arrive, min((route.starts_s[q] for q in drops), default=arrive), unloaded)
                ready = max((route.starts_s[q] for q in picks), default=unloaded)
                opening = _Row(depot, unloaded, max(ready, unloaded), max(end_of(q) for q in positions))
                for q in positions:
                    _apply(dp, closing if q in drops else opening, visits[q])
            cur.append(closing)
            trips.append([opening])
            continue
        trips[-1] += _place_rows(dp, route, loc, positions, end_of)
    # back home at the end of the day
    last = trips[-1]
    if len(last) == 1 and len(trips) > 1 and not last[0].pickups:
        trips.pop()  # the van ended the day at the depot after a run: no empty extra run
        trips[-1][-1].departure = max(trips[-1][-1].departure, route.return_s)
    else:
        prev = last[-1]
        last_loc = dp.problem.visits[visits[-1]].location if visits else van.start
        arrive = prev.departure + int(p.duration[last_loc, van.end]) if visits else route.return_s
        arrive = min(arrive, route.return_s)
        last.append(_Row(dp.locations[van.end], arrive, arrive, route.return_s))
    _place_breaks(trips, route)
    return trips


def _place_rows(
    dp: DayProblem, route: RouteResult, loc: int, positions: list[int], end_of: Callable[[int], int]
) -> list[_Row]:
    """The stop rows of consecutive visits at one place (not the depot): one row, or more when the van waits.

    A row has one service start for all its transfers (the checker's time for releases), so a
    visit that may not start before a later time than the row's start (a pickup released while
    the van is there: a relayed crate, a hub leg) opens a new row at the same node, starting
    when the engine starts it. The place's fixed stop time is charged once, on the last row.
    """
    p = dp.problem
    node = dp.locations[loc]
    first = positions[0]
    rows = [_Row(node, route.arrivals_s[first], route.starts_s[first], end_of(first))]
    for pos in positions:
        row = rows[-1]
        if pos != first and p.visits[route.visits[pos]].window[0] > row.start:
            row = _Row(node, row.departure, route.starts_s[pos], end_of(pos))
            rows.append(row)
        row.departure = max(row.departure, end_of(pos))
        _apply(dp, row, route.visits[pos])
    rows[-1].departure += p.stop_service_s[loc]
    return rows


def _apply(dp: DayProblem, row: _Row, vi: int) -> None:
    inf = dp.visit_info[vi]
    if inf.role == "pickup":
        row.pickups.append(inf.transfer_id)
        row.pick_crates += inf.crates
    else:
        row.deliveries.append(inf.transfer_id)
        row.drop_crates += inf.crates


def _place_breaks(trips: list[list[_Row]], route: RouteResult) -> None:
    rows = [r for t in trips for r in t]
    for start, dur in route.breaks:
        if dur <= 0:
            continue
        host = rows[0]
        for r in rows:
            if r.arrival <= start:
                host = r
        host.break_s += dur
        host.break_start = start if host.break_start is None else min(host.break_start, start)


_STOP_COLUMNS = ["vehicle_id", "trip", "seq", "node_id", "arrival", "departure", "load_after",
                 "pickup_ids", "delivery_ids", "service_start", "break_s", "break_start"]  # fmt: skip


def routes_to_stops(dp: DayProblem, result: SolveResult, vehicle_ids: list[str]) -> pd.DataFrame:
    """The stops table (contract columns plus ``service_start`` and ``break_s``).

    Rows go to pandas as tuples in column order (it reads them faster than dicts, same table).
    """
    recs = []
    for route in result.routes:
        if not route.visits:
            continue
        load = 0
        for t, rows in enumerate(_route_rows(dp, route), start=1):
            for seq, r in enumerate(rows):
                load += r.pick_crates - r.drop_crates
                recs.append((
                    vehicle_ids[route.van], t, seq, r.node_id, dp.at(r.arrival), dp.at(r.departure),
                    load, r.pickups, r.deliveries, dp.at(r.start), r.break_s,
                    dp.at(r.break_start) if r.break_start is not None else None,
                ))  # fmt: skip
    return pd.DataFrame.from_records(recs, columns=_STOP_COLUMNS)
