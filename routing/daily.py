"""Plan one day of van runs: network, fleet and transfers in, a :class:`DayPlan` out.

The pipeline is pure (no file I/O): day tables → routing problem → solver → stops and
unassigned transfers with reasons. Writing the plan folder is :mod:`bookvan.routing.planfolder`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from bookvan.data.controls import RouteControls
from bookvan.data.fleet import Fleet
from bookvan.data.hours import DAY_S
from bookvan.data.network import Network
from bookvan.routing.controls import apply_controls
from bookvan.routing.day_adapter import COST_SCALE, DayBuilder, DayProblem
from bookvan.routing.day_input import day_nodes, day_vehicles, legged_transfers, split_oversize
from bookvan.routing.engine import SolveParams, SolveResult
from bookvan.routing.engine.problem import RoutingProblem, VanSpec
from bookvan.routing.reasons import explain_dropped
from bookvan.routing.stops import routes_to_stops

__all__ = ["DayPlan", "package_plan", "plan_day"]

#: Hub mode: passes that move the leg 2 of an unserved leg 1 to tomorrow; the last moves every such leg 2.
_ORPHAN_PASSES = 4
#: A release at midnight after the day: the leg rides tomorrow, not today.
_TOMORROW_S = DAY_S


@dataclass(frozen=True)
class DayPlan:
    """A day's plan: exactly the plan folder's tables, plus the summary for plan.json."""

    date: dt.date
    nodes: pd.DataFrame
    vehicles: pd.DataFrame
    transfers: pd.DataFrame
    matrix: pd.DataFrame
    stops: pd.DataFrame
    unassigned: list[dict[str, str]]
    summary: dict[str, object] = field(default_factory=dict)

    def plan_json(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), **self.summary, "unassigned": self.unassigned}


def _leg_totals(stops: pd.DataFrame, matrix: pd.DataFrame) -> tuple[float, float]:
    """Total distance and driving time over the driven legs (same-node stays excluded).

    Summed leg by leg, runs in order of first appearance and stops by ``seq``, from plain
    dicts: a pandas lookup per leg cost more than the rest of packaging a plan.
    """
    if stops.empty:
        return 0.0, 0.0
    ends = zip(*(matrix[c].tolist() for c in ("from_id", "to_id", "distance_m", "duration_s")), strict=True)
    legs = {(a, b): (float(d), float(s)) for a, b, d, s in ends}
    dist = dur = 0.0
    for nodes in _run_nodes(stops):
        for a, b in itertools.pairwise(nodes):
            if a != b:
                d, s = legs[(a, b)]
                dist += d
                dur += s
    return dist, dur


def _run_nodes(stops: pd.DataFrame) -> list[list[str]]:
    """The node ids of each run (vehicle, trip) in ``seq`` order, runs in order of first appearance."""
    runs: dict[tuple[object, object], list[tuple[int, int, str]]] = {}
    cols = (stops[c].tolist() for c in ("vehicle_id", "trip", "seq", "node_id"))
    for row, (van, trip, seq, node) in enumerate(zip(*cols, strict=True)):
        runs.setdefault((van, trip), []).append((seq, row, node))
    return [[node for _, _, node in sorted(run)] for run in runs.values()]


def _day_span_s(stops: pd.DataFrame) -> float:
    """Seconds from each van's first to its last departure, summed over the vans (in id order)."""
    first: dict[str, pd.Timestamp] = {}
    last: dict[str, pd.Timestamp] = {}
    for van, t in zip(stops["vehicle_id"].tolist(), stops["departure"].tolist(), strict=True):
        if pd.isna(t):
            continue
        if van not in first or t < first[van]:
            first[van] = t
        if van not in last or t > last[van]:
            last[van] = t
    return float(sum((last[v] - first[v]).total_seconds() for v in sorted(first)))


def _visit_starts(dp: DayProblem, result: SolveResult) -> dict[tuple[str, str], int]:
    """(transfer_id, role) → service start, for served visits."""
    out = {}
    for route in result.routes:
        for vi, start in zip(route.visits, route.starts_s, strict=True):
            inf = dp.visit_info[vi]
            out[(inf.transfer_id, inf.role)] = start
    return out


def _hub_cutoffs(vans: tuple[VanSpec, ...], sorting_s: int, count: int = 3) -> list[int]:
    """Candidate sorting cut-offs spread over the middle of the vans' day."""
    first = min(v.shift[0] for v in vans) + sorting_s + 3600
    last = max(v.shift[1] for v in vans) - 2 * 3600
    if last <= first:
        return [first]
    step = (last - first) / (count - 1)
    return sorted({int(first + k * step) // 300 * 300 for k in range(count)})


def _solve_hub(
    build: Callable[..., DayProblem],
    pairs: list[tuple[str, str]],
    vans: tuple[VanSpec, ...],
    sorting_s: int,
    params: SolveParams,
    solve: Callable[[RoutingProblem, SolveParams], SolveResult],
) -> tuple[DayProblem, SolveResult]:
    """Hub mode as couriers run it: collect to the hub by a cut-off, sort, then deliver.

    A cross-van precedence (leg 2 after leg 1 + sorting) is hard for the routing search: an
    insertion heuristic sees leg 2 before leg 1 is placed and gives up on both. A sorting
    cut-off T turns it into plain windows: every leg 1 reaches the hub by T − sorting, every
    leg 2 leaves it after T. A few cut-offs are tried and the cheapest plan kept (dropped
    transfers carry their penalty, so serving more wins). A leg 2 whose leg 1 was left out is
    then left out too, in a last pass.
    """
    cutoffs = _hub_cutoffs(vans, sorting_s)
    share = replace(params, time_limit_s=max(0.5, params.time_limit_s / (len(cutoffs) + 1)))
    best: tuple[DayProblem, SolveResult, dict[str, int], dict[str, int]] | None = None
    for cut in cutoffs:
        due = {a: cut - sorting_s for a, _ in pairs}
        release = {b: cut for _, b in pairs}
        dp = build(release, due, hub=True)
        result = solve(dp.problem, share)
        if result.status == "no_solution":
            continue
        if best is None or result.objective < best[1].objective:  # penalties included
            best = (dp, result, release, due)
    if best is None:
        dp = build({b: _TOMORROW_S for _, b in pairs}, None, hub=True)
        return dp, solve(dp.problem, share)
    dp, result, release, due = best
    for attempt in range(_ORPHAN_PASSES):
        starts = _visit_starts(dp, result)
        orphans = [b for a, b in pairs if (b, "pickup") in starts and (a, "delivery") not in starts]
        if not orphans:
            return dp, result
        # their crates never reach the hub today; on the last try no leg 2 of an unserved leg 1 rides
        for a, b in pairs:
            if b in orphans or (attempt == _ORPHAN_PASSES - 1 and (a, "delivery") not in starts):
                release[b] = _TOMORROW_S
        dp = build(release, due, hub=True)
        result = solve(dp.problem, share)
    starts = _visit_starts(dp, result)
    if any((b, "pickup") in starts and (a, "delivery") not in starts for a, b in pairs):
        # still inconsistent: keep every leg 2 for tomorrow rather than break the hub rule
        dp = build({**release, **{b: _TOMORROW_S for _, b in pairs}}, due, hub=True)
        result = solve(dp.problem, share)
    return dp, result


def plan_day(
    network: Network,
    fleet: Fleet,
    transfers: pd.DataFrame,
    date: dt.date,
    matrix: pd.DataFrame,
    params: SolveParams,
    controls: RouteControls | None = None,
) -> DayPlan:
    """Route the day's transfers with the fleet; what cannot go today is listed with a reason.

    ``controls`` (pinned stops, longest days, most stops per run, balance, runs per van) bind
    the routes; none by default.
    """
    from bookvan.routing.engine import solve  # the engine; imported late to keep start-up light

    nodes = day_nodes(network, date)
    vehicles = day_vehicles(fleet, date)
    max_cap = max(v.capacity_crates for v in fleet.vehicles)
    todo = split_oversize(
        transfers, max_cap, sum(v.capacity_crates * v.max_trips for v in fleet.vehicles), fleet.items_per_crate
    )
    if fleet.routing.mode == "hub":
        todo = legged_transfers(todo, fleet.vehicles[0].depot)

    day = DayBuilder(date=date, nodes=nodes, vehicles=vehicles, transfers=todo, matrix=matrix, costs=fleet.costs,
                     settings=fleet.routing)

    def build(
        release: dict[str, int] | None = None, due: dict[str, int] | None = None, hub: bool = False
    ) -> DayProblem:
        dp = day.build(release, due, with_precedences=not hub)
        return dp if controls is None else apply_controls(dp, controls, list(vehicles["vehicle_id"]))

    if fleet.routing.mode == "hub":
        dp, result = _solve_hub(build, day.leg_pairs(), day.vans, fleet.routing.sorting_s, params, solve)
    else:
        dp = build()
        result = solve(dp.problem, params)
    return package_plan(date, dp, result, nodes, vehicles, todo, matrix, params, fleet.routing.mode, controls=controls)


def package_plan(
    date: dt.date,
    dp: DayProblem,
    result: SolveResult,
    nodes: pd.DataFrame,
    vehicles: pd.DataFrame,
    todo: pd.DataFrame,
    matrix: pd.DataFrame,
    params: SolveParams,
    mode: str,
    *,
    controls: RouteControls | None = None,
) -> DayPlan:
    """The engine's answer as the plan folder's tables and summary (also for benchmarks' answers)."""
    from bookvan.routing.engine import solve  # explains what was left out by relaxed re-solves

    stops = routes_to_stops(dp, result, list(vehicles["vehicle_id"]))
    unassigned = [{"transfer_id": t, "reason": r} for t, r in dp.screened]
    # what was left out though feasible alone is explained by short relaxed re-solves (a fifth of the steps)
    brief = replace(params, solution_limit=max(1, params.solution_limit // 5))
    unassigned += explain_dropped(dp, list(result.dropped), lambda prob: solve(prob, brief))
    used_matrix = _used_matrix(matrix, dp.locations)
    dist, drive = _leg_totals(stops, used_matrix)
    duration = _day_span_s(stops) if not stops.empty else 0.0
    summary: dict[str, object] = {
        **({} if controls is None or controls.empty else {"controls": asdict(controls)}),
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "deterministic": params.deterministic,
        "search_steps": params.solution_limit if params.deterministic else None,
        # deterministic mode is reproducible only if the steps, not the safety cap, ended it
        "reproducible": params.deterministic and not result.stats.get("search_capped", 1.0),
        "mode": mode,
        "total_distance_m": round(dist, 1),
        "total_duration_s": round(duration, 1),
        "total_driving_s": round(drive, 1),
        "vehicles_used": int(stops["vehicle_id"].nunique()) if not stops.empty else 0,
        "transfers_planned": len(todo) - len(unassigned),
        "transfers_total": len(todo),
        "crates_planned": _crates_planned(todo, {u["transfer_id"] for u in unassigned}),
        "cost_ntd": round(result.objective / COST_SCALE, 1) if not result.dropped else None,
        "solver": {
            "name": result.solver,
            "version": result.solver_version,
            "status": result.status,
            "wall_s": round(result.wall_s, 3),
            "objective": result.objective,
        },
    }
    return DayPlan(date, nodes, vehicles, todo, used_matrix, stops, unassigned, summary)


def _used_matrix(matrix: pd.DataFrame, locations: tuple[str, ...]) -> pd.DataFrame:
    """The travel rows between the day's locations (the plan folder's matrix table)."""
    used = set(locations)
    ends = zip(matrix["from_id"].tolist(), matrix["to_id"].tolist(), strict=True)
    keep = np.array([a in used and b in used for a, b in ends], dtype=bool)
    return matrix[keep].reset_index(drop=True)


def _crates_planned(todo: pd.DataFrame, left_out: set[str]) -> int:
    """Crates of the transfers not left out."""
    pairs = zip(todo["transfer_id"].tolist(), todo["crates"].tolist(), strict=True)
    return int(sum(int(c) for t, c in pairs if t not in left_out))
