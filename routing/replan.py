"""Re-plan the rest of a day from where the vans are: keep what was driven, re-route the rest.

Pure: a loaded plan folder (:class:`~bookvan.routing.manifest.plan.Plan`), the time, and what
went wrong in, a :class:`~bookvan.routing.daily.DayPlan` out. A stop is *driven* when the van
arrived there by ``at``, is already on its way to it, or a scan says it was there. Each van
goes on from its last driven stop at the time it leaves it, with the crates still on board
pinned to it (a pickup where it stands, so the engine counts them against capacity), its
remaining runs, and its break if not yet taken. The same engine (:func:`bookvan.routing.engine.solve`)
routes the rest.

A van that breaks down keeps its driven stops and stops where it stands; each transfer on
board becomes two legs (``leg_of``, as in hub mode): leg 1 ends at the breakdown node (done),
leg 2 starts there and is routed like any other transfer or left waiting with a reason. A crate
on board whose destination can no longer receive it today goes back to the depot the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from bookvan.data.controls import RouteControls
from bookvan.data.fleet import Costs, RoutingSettings
from bookvan.data.hours import DAY_S
from bookvan.routing.controls import apply_controls
from bookvan.routing.daily import DayPlan, _leg_totals
from bookvan.routing.day_adapter import COST_SCALE, DayProblem, VisitInfo, build_day_problem, seconds_of_day
from bookvan.routing.engine import SolveParams, SolveResult
from bookvan.routing.engine.problem import Break, Request, Visit
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.reasons import explain_dropped
from bookvan.routing.stops import routes_to_stops
from bookvan.routing.timetext import day_time_text

__all__ = ["Closure", "VanNow", "driven_counts", "replan"]



@dataclass(frozen=True)
class Closure:
    """A node that closes early: at ``at`` (None: at the re-plan time)."""

    node_id: str
    at: dt.time | None = None


@dataclass
class VanNow:
    """Where one van stands at the re-plan time and what it still may do."""

    vehicle_id: str
    rows: list[dict]  # driven stops, in order
    node_id: str
    free_s: int  # seconds of the day it may leave ``node_id``
    mid_run: bool  # out on a run (not at the depot between runs)
    trips_used: int
    on_board: list[str] = field(default_factory=list)
    break_taken: bool = False


def _ids(x: object) -> list[str]:
    return [] if x is None or (isinstance(x, float) and pd.isna(x)) else [str(t) for t in list(x)]


def driven_counts(plan: Plan, at: pd.Timestamp, scanned: dict[str, int] | None = None) -> dict[str, int]:
    """Per van, how many of its stops (all runs in order) are driven by ``at``.

    A stop is driven when the van arrived by ``at`` or had left the previous stop of the same
    run by then (it is on its way), or when scans show the van at or past it (``scanned``:
    stops done per van, as :class:`~bookvan.routing.scan.VanState` counts them).
    """
    out: dict[str, int] = {}
    for van, g in plan.stops.groupby("vehicle_id", sort=False):
        rows = g.sort_values(["trip", "seq"]).to_dict("records")
        n = 0
        for i, r in enumerate(rows):
            en_route = i > 0 and rows[i - 1]["trip"] == r["trip"] and rows[i - 1]["departure"] <= at
            if r["arrival"] <= at or en_route:
                n = i + 1
        out[str(van)] = max(n, (scanned or {}).get(str(van), 0))
    return out


def _vans_now(plan: Plan, at: pd.Timestamp, counts: dict[str, int], midnight: pd.Timestamp) -> dict[str, VanNow]:
    out = {}
    at_s = seconds_of_day(at, midnight)
    for v in plan.vehicles.itertuples(index=False):
        g = plan.stops[plan.stops["vehicle_id"] == v.vehicle_id].sort_values(["trip", "seq"])
        rows = g.to_dict("records")
        done = rows[: counts.get(str(v.vehicle_id), 0)]
        shift_s = seconds_of_day(v.shift_start, midnight)
        if not done:
            out[v.vehicle_id] = VanNow(v.vehicle_id, [], v.depot_id, max(at_s, shift_s), False, 0)
            continue
        last = done[-1]
        trip_len = int((g["trip"] == last["trip"]).sum())
        mid = int(last["seq"]) < trip_len - 1
        board: list[str] = []
        for r in done:
            board += _ids(r["pickup_ids"])
            gone = set(_ids(r["delivery_ids"]))
            board = [t for t in board if t not in gone]
        taken = any(int(r.get("break_s") or 0) > 0 for r in done)
        free = max(at_s, seconds_of_day(last["departure"], midnight))
        out[v.vehicle_id] = VanNow(v.vehicle_id, done, str(last["node_id"]), free, mid, int(last["trip"]), board, taken)
    return out


def _close_nodes(
    nodes: pd.DataFrame, closures: list[Closure], at: pd.Timestamp, vans: dict[str, VanNow]
) -> pd.DataFrame:
    """Nodes with early closings applied; a node is never closed before a stop already driven there."""
    nodes = nodes.copy()
    for c in closures:
        if c.node_id not in set(nodes["node_id"]):
            from bookvan.data.errors import InputError

            raise InputError.single("--close", f"unknown node '{c.node_id}'", field="node")
        when = at if c.at is None else pd.Timestamp(dt.datetime.combine(at.date(), c.at), tz=at.tz)
        driven = [r["service_start"] if not pd.isna(r.get("service_start")) else r["arrival"]
                  for v in vans.values() for r in v.rows if r["node_id"] == c.node_id]
        when = max([when, *driven])
        i = nodes.index[nodes["node_id"] == c.node_id][0]
        opens, closes = nodes.at[i, "opens"], nodes.at[i, "closes"]
        if pd.isna(closes) or closes <= when:
            continue
        if when <= opens:
            nodes.at[i, "opens"] = pd.NaT
            nodes.at[i, "closes"] = pd.NaT
            nodes.at[i, "closed_reason"] = f"{c.node_id} closed for the day (re-plan at {at:%H:%M})"
        else:
            nodes.at[i, "closes"] = when
            nodes.at[i, "closed_reason"] = f"{c.node_id} closes early at {when:%H:%M}"
    return nodes


def _relay(transfers: pd.DataFrame, tid: str, node: str, ready: pd.Timestamp) -> tuple[dict, dict]:
    """Split transfer ``tid`` at ``node``: leg 1 (done there) and leg 2 (from there, after ``ready``)."""
    r = transfers.loc[transfers["transfer_id"] == tid].iloc[0].to_dict()
    a = {**r, "transfer_id": f"{tid}~1", "destination_id": node, "leg_of": tid, "leg": 1.0, "due": pd.NaT}
    b = {**r, "transfer_id": f"{tid}~2", "origin_id": node, "leg_of": tid, "leg": 2.0, "release": ready}
    return a, b


def _window(nodes: pd.DataFrame, node_id: str, svc: int, midnight: pd.Timestamp, after: int) -> tuple[int, int] | None:
    n = nodes.set_index("node_id").loc[node_id]
    if pd.isna(n["opens"]):
        return None
    fixed = 0 if n["kind"] == "depot" else int(n["service_s"])
    lo = max(seconds_of_day(n["opens"], midnight), after)
    hi = seconds_of_day(n["closes"], midnight) - svc - fixed
    return (lo, hi) if lo <= hi else None


def replan(
    plan: Plan,
    at: dt.time,
    *,
    costs: Costs,
    settings: RoutingSettings,
    params: SolveParams,
    scanned: dict[str, int] | None = None,
    vans_down: tuple[str, ...] = (),
    closures: tuple[Closure, ...] = (),
    added: pd.DataFrame | None = None,
    matrix: pd.DataFrame | None = None,
    controls: RouteControls | None = None,
) -> DayPlan:
    """Re-plan ``plan`` from ``at``: driven stops kept, the rest routed again by the engine.

    Parameters
    ----------
    scanned
        Stops done per van according to scans (``bookvan scan``'s state); may move a van ahead.
    vans_down
        Vans that broke down at ``at``; their crates are collected from where they stand.
    closures
        Nodes closing early; what is not yet picked up or delivered there is re-routed or waits.
    added
        Urgent transfers (the transfers table's columns) to insert.
    matrix
        Travel matrix covering every node (default: the plan's, enough unless ``added`` brings new nodes).
    controls
        Route controls, as for :func:`~bookvan.routing.daily.plan_day`, on the rest of the day (see
        :func:`_controls_now` for how a van's driven part counts).
    """
    from bookvan.routing.engine import solve

    date = plan.date
    midnight = pd.Timestamp(dt.datetime.combine(date, dt.time()), tz=plan.nodes["opens"].dt.tz)
    at_ts = pd.Timestamp(dt.datetime.combine(date, at), tz=midnight.tz)
    van_ids = [str(v) for v in plan.vehicles["vehicle_id"]]
    _check_vans_down(vans_down, van_ids)
    matrix = plan.matrix if matrix is None else matrix
    vans = _vans_now(plan, at_ts, driven_counts(plan, at_ts, scanned), midnight)
    nodes = _close_nodes(plan.nodes.reset_index(drop=True), list(closures), at_ts, vans)
    transfers = _with_added(plan.transfers.reset_index(drop=True).copy(), added)
    depot_of = dict(zip(plan.vehicles["vehicle_id"], plan.vehicles["depot_id"], strict=True))
    node_tab = nodes.set_index("node_id")

    relays = _Relays()
    _relay_vans_down(relays, vans, vans_down, transfers, depot_of, at_ts)
    active = [vid for vid in van_ids if vid not in vans_down]
    crates_of = dict(zip(transfers["transfer_id"], transfers["crates"], strict=True))
    per_crate = node_tab["service_per_crate_s"].to_dict()
    _send_on_board(relays, vans, active, transfers, nodes, matrix, (midnight, at_ts), depot_of, crates_of, per_crate)
    transfers = _split_relayed(transfers, relays.rows)
    _mark_driven(vans, relays.renamed)

    todo = _still_to_do(transfers, vans, relays.board_dest, at_ts)
    live = _live_vans(plan.vehicles, active, vans, controls)
    live_ids = list(live["vehicle_id"])
    extra = tuple(dict.fromkeys([vans[v].node_id for v in live["vehicle_id"]]
                                + [d for _, d in relays.board_dest.values()]))
    dp = build_day_problem(date=date, nodes=nodes, vehicles=live, transfers=todo, matrix=matrix, costs=costs,
                           settings=settings, extra_nodes=extra)
    if controls is not None and not controls.empty:
        dp = apply_controls(dp, controls, live_ids)
    dp, pseudo = _pin_vans(dp, live, vans, relays.board_dest, crates_of, per_crate, node_tab, costs)
    cold = replace(params, warm_start="none")  # the warm start knows no pinned requests
    dp, result, notes = _solve_rest(dp, pseudo, cold, controls, live_ids, vans, relays.board_dest, depot_of)
    real = len(dp.request_transfer) - pseudo
    new_stops = _splice(dp, result, live_ids, vans, set(relays.board_dest))
    unassigned = [{"transfer_id": t, "reason": r} for t, r in dp.screened]
    unassigned += explain_dropped(dp, [i for i in result.dropped if i < real], lambda prob: solve(prob, cold))
    _explain_waits(unassigned, relays, closures, node_tab, transfers)
    day = _day_plan(plan, at_ts, nodes, transfers, matrix, new_stops, unassigned, result, params,
                    vans_down, vans, closures, added, relays.back_home)
    day.summary.pop("controls", None)  # the old plan's: this re-plan's own, if any, replace them
    if controls is not None and not controls.empty:
        day.summary["controls"] = asdict(controls)
    if notes:
        day.summary["warnings"] = [*(day.summary.get("warnings") or []), *notes]
    return day


def _check_vans_down(vans_down: tuple[str, ...], van_ids: list[str]) -> None:
    from bookvan.data.errors import InputError

    for v in vans_down:
        if v not in van_ids:
            raise InputError.single("--van-down", f"unknown van '{v}' (this plan has {', '.join(van_ids)})")


def _with_added(transfers: pd.DataFrame, added: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's transfers and the urgent ones; an input error if an id is already in the plan."""
    from bookvan.data.errors import InputError

    if added is not None and len(added):
        clash = sorted(set(added["transfer_id"]) & set(transfers["transfer_id"]))
        if clash:
            raise InputError.single("--add-transfers", f"transfer id(s) already in the plan: {', '.join(clash[:5])}",
                                    field="transfer_id")
        transfers = pd.concat([transfers, added.reindex(columns=transfers.columns)], ignore_index=True)
    return transfers


@dataclass
class _Relays:
    """Transfers split where a crate leaves its van early: the legs, old → leg-1 ids, and why leg 2 waits."""

    rows: list[dict] = field(default_factory=list)  # leg rows replacing the split transfers
    renamed: dict[str, str] = field(default_factory=dict)  # transfer id → its leg 1
    notes: dict[str, str] = field(default_factory=dict)  # leg 2 id → where its crates are and why
    board_dest: dict[str, tuple[str, str]] = field(default_factory=dict)  # on board → (van, node delivered to)
    back_home: list[str] = field(default_factory=list)  # leg 1 ids of crates going back to the depot

    def split(self, transfers: pd.DataFrame, tid: str, node: str, ready: pd.Timestamp) -> tuple[dict, dict]:
        """Split ``tid`` at ``node`` (:func:`_relay`) and record both legs."""
        a, b = _relay(transfers, tid, node, ready)
        self.rows += [a, b]
        self.renamed[tid] = a["transfer_id"]
        return a, b


def _relay_vans_down(
    relays: _Relays,
    vans: dict[str, VanNow],
    vans_down: tuple[str, ...],
    transfers: pd.DataFrame,
    depot_of: dict[str, str],
    at_ts: pd.Timestamp,
) -> None:
    """Crates on a broken-down van wait where it stands for another van (each becomes two legs)."""
    for vid in vans_down:
        v = vans[vid]
        if v.mid_run and v.rows and int(v.rows[-1]["seq"]) == 0:
            v.rows.pop()  # still loading at the depot: the crates stay there
            v.on_board, v.mid_run = [], False
            v.node_id = depot_of[vid]
        if v.rows:  # crates loaded at the stop where it breaks down stay at that stop
            here = set(_ids(v.rows[-1]["pickup_ids"]))
            v.rows[-1] = {**v.rows[-1], "pickup_ids": []}
            v.on_board = [t for t in v.on_board if t not in here]
        # the crates wait there from when the van stands there (it may still be driving at ``at``)
        ready = at_ts
        if v.rows:  # leg 1 is delivered there when the van's service starts (the checker's time)
            last = v.rows[-1]
            start = last.get("service_start")
            ready = max(at_ts, pd.Timestamp(last["arrival"] if start is None or pd.isna(start) else start))
        for tid in v.on_board:
            _, b = relays.split(transfers, tid, v.node_id, ready)
            relays.notes[b["transfer_id"]] = f"on {vid}, broken down at {v.node_id} at {at_ts:%H:%M}"
        if v.rows:
            v.rows[-1] = {**v.rows[-1], "delivery_ids": [*_ids(v.rows[-1]["delivery_ids"]),
                                                         *(relays.renamed[t] for t in v.on_board)]}
        v.on_board = []


def _send_on_board(
    relays: _Relays,
    vans: dict[str, VanNow],
    active: list[str],
    transfers: pd.DataFrame,
    nodes: pd.DataFrame,
    matrix: pd.DataFrame,
    times: tuple[pd.Timestamp, pd.Timestamp],
    depot_of: dict[str, str],
    crates_of: dict[str, int],
    per_crate: dict[str, int],
) -> None:
    """Where each crate on board an active van is delivered: its destination, or the depot when it cannot get there.

    ``times`` is (midnight, the re-plan time). A crate going back to the depot is split there:
    leg 2 waits at the depot until the van is back (released at day end, so never today).
    """
    midnight, at_ts = times
    for vid in active:
        v = vans[vid]
        for tid in v.on_board:
            dest = str(transfers.loc[transfers["transfer_id"] == tid, "destination_id"].iloc[0])
            svc = int(per_crate[dest]) * int(crates_of[tid])
            w = _window(nodes, dest, svc, midnight, v.free_s)
            reach = v.free_s + int(_dur(matrix, v.node_id, dest))
            if w is None or reach > w[1]:
                a, b = relays.split(transfers, tid, depot_of[vid], at_ts)
                relays.board_dest[a["transfer_id"]] = (vid, depot_of[vid])
                relays.back_home.append(a["transfer_id"])
                relays.notes[b["transfer_id"]] = (
                    f"on {vid}, back to the depot: {dest} can no longer receive it today")
                # leg 2 waits at the depot until the van is back: released at day end, so never today
                b["release"] = midnight + pd.Timedelta(seconds=DAY_S - 1)
            else:
                relays.board_dest[tid] = (vid, dest)
        v.on_board = [relays.renamed.get(t, t) for t in v.on_board]
        for r in v.rows:  # driven pickups of a split transfer are its leg 1
            r["pickup_ids"] = [relays.renamed.get(t, t) for t in _ids(r["pickup_ids"])]


def _split_relayed(transfers: pd.DataFrame, relay_rows: list[dict]) -> pd.DataFrame:
    """The transfers with each split one replaced by its two legs."""
    if relay_rows:
        split = {r["leg_of"] for r in relay_rows}
        transfers = pd.concat([transfers[~transfers["transfer_id"].isin(split)], pd.DataFrame(relay_rows)],
                              ignore_index=True)
    return transfers


def _mark_driven(vans: dict[str, VanNow], renamed: dict[str, str]) -> None:
    """Driven stops name the legs of split transfers (a leg 1 stays as it is) and say they are driven."""
    for v in vans.values():
        for r in v.rows:
            r["pickup_ids"] = [renamed.get(t, t) for t in _ids(r["pickup_ids"])]
            r["delivery_ids"] = [t if t.endswith("~1") else renamed.get(t, t) for t in _ids(r["delivery_ids"])]
            r["driven"] = True


def _still_to_do(
    transfers: pd.DataFrame, vans: dict[str, VanNow], board_dest: dict[str, tuple[str, str]], at_ts: pd.Timestamp
) -> pd.DataFrame:
    """Transfers neither picked up on a driven stop nor on board; none released before the re-plan time."""
    picked = {t for v in vans.values() for r in v.rows for t in r["pickup_ids"]}
    todo = transfers[~transfers["transfer_id"].isin(picked | set(board_dest))].copy()
    # nothing not yet picked up can be picked up before the re-plan time
    todo["release"] = [at_ts if pd.isna(r) or r < at_ts else r for r in todo["release"]]
    return todo


def _live_vans(
    vehicles: pd.DataFrame, active: list[str], vans: dict[str, VanNow], controls: RouteControls | None
) -> pd.DataFrame:
    """The vehicles that still drive: not down, with at least one run left (route control ``max_runs`` applied)."""
    live = vehicles[vehicles["vehicle_id"].isin(active)].reset_index(drop=True)
    if controls is not None and controls.max_runs:  # route control: runs a day, the driven ones included
        live["max_trips"] = [min(int(n), controls.max_runs.get(v, int(n)))
                             for v, n in zip(live["vehicle_id"], live["max_trips"], strict=True)]
    runs_left = {vid: int(live.set_index("vehicle_id").at[vid, "max_trips"]) - vans[vid].trips_used
                 + int(vans[vid].mid_run) for vid in active}
    return live[[runs_left[v] >= 1 for v in live["vehicle_id"]]].reset_index(drop=True)


def _solve_rest(
    dp: DayProblem,
    pseudo: int,
    cold: SolveParams,
    controls: RouteControls | None,
    van_ids: list[str],
    vans: dict[str, VanNow],
    board_dest: dict[str, tuple[str, str]],
    depot_of: dict[str, str],
) -> tuple[DayProblem, SolveResult, list[str]]:
    """Solve the rest of the day under the route controls; if they leave crates on board no way off, without.

    The last ``pseudo`` requests are the crates on board; losing one is an error. Returns the
    problem solved, the result and warnings for plan.json.
    """
    from bookvan.routing.engine import solve

    unlimited = dp
    if controls is not None and not controls.empty:
        dp = _controls_now(dp, controls, van_ids, vans, board_dest, depot_of)
    result = solve(dp.problem, cold)
    lost = [dp.request_transfer[i] for i in result.dropped if i >= len(dp.request_transfer) - pseudo]
    notes: list[str] = []
    if lost and dp is not unlimited:
        # crates on board must get off the van: a van limit that leaves them no way is waived
        notes.append(f"route controls max_hours / max_stops_per_run waived: with them the crates on board "
                     f"({', '.join(lost)}) could not be delivered")
        free = tuple(replace(v, max_span_s=None, max_stops=None) for v in unlimited.problem.vans)
        dp = replace(dp, problem=replace(dp.problem, vans=free))
        result = solve(dp.problem, cold)
        lost = [dp.request_transfer[i] for i in result.dropped if i >= len(dp.request_transfer) - pseudo]
    if lost:
        raise RuntimeError(f"re-plan lost track of crates on board: {', '.join(lost)}")
    return dp, result, notes


def _explain_waits(
    unassigned: list[dict],
    relays: _Relays,
    closures: tuple[Closure, ...],
    node_tab: pd.DataFrame,
    transfers: pd.DataFrame,
) -> None:
    """Each waiting transfer's reason says where its crates are (a relay leg) and which closing stopped it."""
    shut = {c.node_id: str(node_tab.at[c.node_id, "closed_reason"]) for c in closures
            if not pd.isna(node_tab.at[c.node_id, "closed_reason"])}
    ends = transfers.set_index("transfer_id")[["origin_id", "destination_id"]]
    for u in unassigned:
        if u["transfer_id"] in relays.notes:
            home = u["transfer_id"].removesuffix("~2") + "~1" in relays.back_home
            rest = "it waits at the depot for a later day" if home else u["reason"]
            u["reason"] = f"{relays.notes[u['transfer_id']]}; {rest}"
        why = [shut[n] for n in ends.loc[u["transfer_id"]] if n in shut]
        if why and why[0] not in u["reason"]:
            u["reason"] = f"{why[0]}; {u['reason']}"


def _controls_now(
    dp: DayProblem,
    controls: RouteControls,
    van_ids: list[str],
    vans: dict[str, VanNow],
    board_dest: dict[str, tuple[str, str]],
    depot_of: dict[str, str],
) -> DayProblem:
    """Van limits for the rest of the day: what each van already drove counts against them.

    ``max_runs``: runs begun count (a run under way is the first of the rest; the vans' runs are
    limited before the problem is built). ``max_hours``: a van that has left its depot is back
    by then plus the hours (its shift ends there; never before it can drive home). ``max_stops_per_run``:
    a run under way keeps the stops it drove; as the engine has one limit per van for all its
    runs, that van's limit is lowered for the rest of the day (never below the places its crates
    on board go).
    """
    p = dp.problem
    out = []
    for van, vid in zip(p.vans, van_ids, strict=True):
        now = vans[vid]
        span, shift = van.max_span_s, van.shift
        if span is not None and now.rows:
            left = seconds_of_day(now.rows[0]["departure"], dp.midnight) or 0
            home = shift[0] + int(p.duration[van.start, van.home])
            shift = (shift[0], min(shift[1], max(left + span, home)))
            span = None
        stops = van.max_stops
        if stops is not None and now.mid_run:
            trip = now.rows[-1]["trip"]
            driven = sum(1 for r in now.rows if r["trip"] == trip and r["node_id"] != depot_of[vid])
            # the stop where it stands is counted in ``driven``; the engine does not count its start
            dests = {d for t, (v, d) in board_dest.items() if v == vid and d != depot_of[vid]}
            stops = max(stops - driven, len(dests), 1)
        out.append(replace(van, shift=shift, max_span_s=span, max_stops=stops))
    return replace(dp, problem=replace(dp.problem, vans=tuple(out)))


def _dur(matrix: pd.DataFrame, a: str, b: str) -> float:
    if a == b:
        return 0.0
    m = matrix[(matrix["from_id"] == a) & (matrix["to_id"] == b)]
    return float(m["duration_s"].iloc[0]) if len(m) else 0.0


def _pin_vans(
    dp: DayProblem,
    live: pd.DataFrame,
    vans: dict[str, VanNow],
    board_dest: dict[str, tuple[str, str]],
    crates_of: dict[str, int],
    per_crate: dict[str, int],
    node_tab: pd.DataFrame,
    costs: Costs,
) -> tuple[DayProblem, int]:
    """Vans start where they stand, when they may leave; on-board crates are pinned requests.

    Each van out on a run gets an anchor visit where it stands at the time it leaves, so its
    route begins there; crates on board are picked up by that anchor's van at that moment.
    Returns the new day problem and how many requests were appended.
    """
    p = dp.problem
    loc = {n: i for i, n in enumerate(dp.locations)}
    visits, info, requests, req_tid = list(p.visits), list(dp.visit_info), list(p.requests), list(dp.request_transfer)
    new_vans = []
    n0 = len(requests)
    for k, (van, v) in enumerate(zip(p.vans, live.itertuples(index=False), strict=True)):
        now = vans[v.vehicle_id]
        start = loc[now.node_id]
        breaks = ()
        if van.breaks and not now.break_taken:
            b = van.breaks[0]
            if b.latest_s >= now.free_s:
                breaks = (Break(max(b.earliest_s, now.free_s), b.latest_s, b.duration_s),)
        shift = (max(van.shift[0], now.free_s), van.shift[1])
        runs = int(v.max_trips) - now.trips_used + int(now.mid_run)
        fixed = 0 if now.rows else int(costs.per_van_day * COST_SCALE)
        new_vans.append(replace(van, start=start, depot=van.start, shift=shift, breaks=breaks, max_trips=runs,
                                fixed_cost=fixed))
        if not now.mid_run:
            continue
        mine = [t for t, (vid, _) in board_dest.items() if vid == v.vehicle_id]
        if not mine:  # an empty van mid-run: anchor its route where it stands
            visits.append(Visit(start, (now.free_s, now.free_s), 0, 0, f"{v.vehicle_id}:here"))
            info.append(VisitInfo("", "pickup", now.node_id, 0))
            requests.append(Request(len(visits) - 1, None, None, f"{v.vehicle_id}:here", vehicle=k))
            req_tid.append("")
        for tid in mine:
            dest = board_dest[tid][1]
            n = int(crates_of[tid]) if tid in crates_of else int(crates_of[tid.removesuffix("~1")])
            svc = int(per_crate[dest]) * n
            fixed_s = 0 if node_tab.at[dest, "kind"] == "depot" else int(node_tab.at[dest, "service_s"])
            hi = (seconds_of_day(node_tab.at[dest, "closes"], dp.midnight) or DAY_S) - svc - fixed_s
            if dest == dp.locations[van.start]:
                hi = DAY_S
            visits.append(Visit(start, (now.free_s, now.free_s), 0, n, f"{tid}:on board"))
            info.append(VisitInfo(tid, "pickup", now.node_id, n))
            visits.append(Visit(loc[dest], (now.free_s, max(now.free_s, hi)), svc, -n, f"{tid}:delivery"))
            info.append(VisitInfo(tid, "delivery", dest, n))
            requests.append(Request(len(visits) - 2, len(visits) - 1, None, tid, vehicle=k))
            req_tid.append(tid)
    problem = replace(p, visits=tuple(visits), requests=tuple(requests), vans=tuple(new_vans))
    return replace(dp, problem=problem, visit_info=tuple(info), request_transfer=tuple(req_tid)), len(requests) - n0


def _splice(dp: DayProblem, result, van_ids: list[str], vans: dict[str, VanNow], on_board: set[str]) -> pd.DataFrame:
    """Driven stops, then the new routes: a van out on a run continues that run."""
    home = replace(dp.problem, vans=tuple(replace(v, start=v.home, depot=None) for v in dp.problem.vans))
    fresh = routes_to_stops(replace(dp, problem=home), result, van_ids)
    recs: list[dict] = []
    for vid, now in vans.items():
        rows = [dict(r) for r in now.rows]
        mine = fresh[fresh["vehicle_id"] == vid].to_dict("records")
        if mine and now.mid_run:
            # row 0 is the depot the solver's copy started from; row 1 is where the van stands
            first_trip = [r for r in mine if r["trip"] == 1]
            # at the depot (loading) the solver's start row is where the van stands
            k = 0 if len(first_trip) < 2 or first_trip[1]["node_id"] != now.node_id else 1
            here = first_trip[k]
            last = rows[-1]
            seq = int(last["seq"])
            picks = [t for t in here["pickup_ids"] if t and t not in on_board]
            if k == 1 and (picks or here["delivery_ids"]):
                # new work where the van stands (a branch) is a stop of its own: the driven stop stays as
                # driven; at the depot, still loading, it joins the run's first row
                seq += 1
                rows.append({**here, "trip": int(last["trip"]), "seq": seq, "pickup_ids": picks,
                             "arrival": max(here["arrival"], last["departure"])})
            else:
                last["pickup_ids"] = [*last["pickup_ids"], *picks]
                last["delivery_ids"] = [*last["delivery_ids"], *here["delivery_ids"]]
                last["departure"] = max(last["departure"], here["departure"])
                if here.get("break_s"):
                    last["break_s"], last["break_start"] = here["break_s"], here["break_start"]
            for r in first_trip[k + 1:]:
                seq += 1
                rows.append({**r, "trip": int(last["trip"]), "seq": seq})
            offset = int(last["trip"]) - 1
            mine = [r for r in mine if r["trip"] > 1]
        else:
            offset = now.trips_used
        for r in mine:
            rows.append({**r, "trip": int(r["trip"]) + offset})
        recs += rows
    cols = ["vehicle_id", "trip", "seq", "node_id", "arrival", "departure", "load_after", "pickup_ids",
            "delivery_ids", "service_start", "break_s", "break_start", "driven"]
    out = pd.DataFrame.from_records(recs, columns=cols)
    out["driven"] = out["driven"].eq(True)
    return out


def _reload(stops: pd.DataFrame, transfers: pd.DataFrame) -> pd.DataFrame:
    crates = dict(zip(transfers["transfer_id"], transfers["crates"], strict=True))
    stops = stops.sort_values(["vehicle_id", "trip", "seq"], kind="stable").reset_index(drop=True)
    loads = []
    for _, g in stops.groupby("vehicle_id", sort=False):
        load = 0
        for r in g.itertuples(index=False):
            load += sum(int(crates[t]) for t in r.pickup_ids) - sum(int(crates[t]) for t in r.delivery_ids)
            loads.append(load)
    stops["load_after"] = loads
    return stops


def _day_plan(plan, at_ts, nodes, transfers, matrix, stops, unassigned, result, params, vans_down, vans,
              closures, added, back_home) -> DayPlan:
    stops = _reload(stops, transfers)
    used = set(stops["node_id"]) | set(transfers["origin_id"]) | set(transfers["destination_id"])
    used_matrix = matrix[matrix["from_id"].isin(used) & matrix["to_id"].isin(used)].reset_index(drop=True)
    dist, drive = _leg_totals(stops, used_matrix)
    span = stops.groupby("vehicle_id").agg(first=("departure", "min"), last=("departure", "max"))
    waiting = {u["transfer_id"] for u in unassigned}
    summary = {k: v for k, v in plan.info.items() if k not in ("date", "unassigned")}
    summary.update({
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "total_distance_m": round(dist, 1),
        "total_duration_s": round(float((span["last"] - span["first"]).dt.total_seconds().sum()), 1),
        "total_driving_s": round(drive, 1),
        "vehicles_used": int(stops["vehicle_id"].nunique()),
        "transfers_planned": int((~transfers["transfer_id"].isin(waiting)).sum()),
        "transfers_total": len(transfers),
        "crates_planned": int(transfers.loc[~transfers["transfer_id"].isin(waiting), "crates"].sum()),
        "cost_ntd": None,
        "solver": {"name": result.solver, "version": result.solver_version, "status": result.status,
                   "wall_s": round(result.wall_s, 3), "objective": result.objective},
        "replan": {
            "at": at_ts.isoformat(),
            "based_on": plan.plan_id,
            "based_on_folder": str(plan.folder),
            "driven_stops": int(stops["driven"].sum()),
            "vans_down": [{"vehicle_id": v, "node_id": vans[v].node_id,
                           "since": day_time_text(vans[v].free_s, at_ts.normalize())} for v in vans_down],
            "closed": [{"node_id": c.node_id, "at": (c.at or at_ts.time()).strftime("%H:%M")} for c in closures],
            "added": [] if added is None else [str(t) for t in added["transfer_id"]],
            "back_to_depot": back_home,
        },
    })
    sch = summary.get("schedule")
    if isinstance(sch, dict) and sch.get("honoured"):
        summary["schedule"] = _soft_schedule(sch, stops, nodes, plan.date, at_ts)
    return DayPlan(plan.date, nodes, plan.vehicles, transfers, used_matrix, stops, unassigned, summary)


def _soft_schedule(sch: dict, stops: pd.DataFrame, nodes: pd.DataFrame, date: dt.date, at_ts: pd.Timestamp) -> dict:
    """After a disruption the timetable is a wish: list each visit that misses it, and why."""
    from bookvan.data.schedule import parse_visit_days

    sch = {**sch, "windows": "soft"}
    depots = set(nodes.loc[nodes["kind"] == "depot", "node_id"])
    why = f"re-plan at {at_ts:%H:%M} after a disruption"
    unsched = list(sch.get("unscheduled_visits") or [])
    missed = list(sch.get("missed_window") or [])
    listed = {str(u.get("node_id")) for u in unsched}
    pats = sch.get("nodes") or {}
    when = stops["service_start"].fillna(stops["arrival"])
    for (_, s), t in zip(stops.iterrows(), when, strict=True):
        n = str(s["node_id"])
        if n in depots:
            continue
        if n in pats and not parse_visit_days(pats[n]["days"]).includes(date):
            if n not in listed:
                unsched.append({"node_id": n, "reason": why})
                listed.add(n)
            continue
        target = (pats.get(n) or {}).get("target_arrival")
        if not target:
            continue
        h, m = target.split(":")
        tol = int(pats[n].get("tolerance_min") or 0) * 60
        sec = t.hour * 3600 + t.minute * 60 + t.second
        off = max(int(h) * 3600 + int(m) * 60 - tol - sec, sec - int(h) * 3600 - int(m) * 60 - tol, 0)
        if off:
            missed.append({"node_id": n, "vehicle_id": str(s["vehicle_id"]), "arrival": t.isoformat()[:19],
                           "off_min": off // 60, "reason": why})
    sch["unscheduled_visits"] = unsched
    sch["missed_window"] = missed
    return sch
