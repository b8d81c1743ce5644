"""Plan one day of van runs: network, fleet and transfers in, a :class:`DayPlan` out.

The pipeline is pure (no file I/O): day tables → routing problem → solver → stops and
unassigned transfers with reasons. Writing the plan folder is :mod:`bookvan.routing.planfolder`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.network import Network
from bookvan.routing.day_input import day_nodes, day_vehicles, legged_transfers, split_oversize
from bookvan.routing.day_problem import COST_SCALE, build_day_problem
from bookvan.routing.reasons import explain_dropped
from bookvan.routing.solution_types import SolveParams
from bookvan.routing.stops import routes_to_stops

__all__ = ["DayPlan", "plan_day"]


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
    """Total distance and driving time over the driven legs (same-node stays excluded)."""
    if stops.empty:
        return 0.0, 0.0
    m = matrix.set_index(["from_id", "to_id"])
    dist = dur = 0.0
    for _, grp in stops.groupby(["vehicle_id", "trip"], sort=False):
        nodes = grp.sort_values("seq")["node_id"].tolist()
        for a, b in zip(nodes, nodes[1:], strict=False):
            if a != b:
                dist += float(m.at[(a, b), "distance_m"])
                dur += float(m.at[(a, b), "duration_s"])
    return dist, dur


def plan_day(
    network: Network,
    fleet: Fleet,
    transfers: pd.DataFrame,
    date: dt.date,
    matrix: pd.DataFrame,
    params: SolveParams,
) -> DayPlan:
    """Route the day's transfers with the fleet; what cannot go today is listed with a reason."""
    from bookvan.routing.solver import solve  # the engine; imported late to keep start-up light

    nodes = day_nodes(network, date)
    vehicles = day_vehicles(fleet, date)
    max_cap = max(v.capacity_crates for v in fleet.vehicles)
    todo = split_oversize(transfers, max_cap)
    if fleet.routing.mode == "hub":
        todo = legged_transfers(todo, fleet.vehicles[0].depot)
    dp = build_day_problem(
        date=date, nodes=nodes, vehicles=vehicles, transfers=todo, matrix=matrix,
        costs=fleet.costs, settings=fleet.routing,
    )
    result = solve(dp.problem, params)
    stops = routes_to_stops(dp, result, list(vehicles["vehicle_id"]))
    unassigned = [{"transfer_id": t, "reason": r} for t, r in dp.screened]
    unassigned += explain_dropped(dp, list(result.dropped))
    used = set(dp.locations)
    used_matrix = matrix[matrix["from_id"].isin(used) & matrix["to_id"].isin(used)].reset_index(drop=True)
    dist, drive = _leg_totals(stops, used_matrix)
    duration = 0.0
    if not stops.empty:
        span = stops.groupby("vehicle_id").agg(first=("departure", "min"), last=("departure", "max"))
        duration = float((span["last"] - span["first"]).dt.total_seconds().sum())
    summary: dict[str, object] = {
        "seed": params.seed,
        "time_limit_s": params.time_limit_s,
        "deterministic": params.deterministic,
        "mode": fleet.routing.mode,
        "total_distance_m": round(dist, 1),
        "total_duration_s": round(duration, 1),
        "total_driving_s": round(drive, 1),
        "vehicles_used": int(stops["vehicle_id"].nunique()) if not stops.empty else 0,
        "transfers_planned": len(todo) - len(unassigned),
        "transfers_total": len(todo),
        "crates_planned": int(todo.loc[~todo["transfer_id"].isin({u["transfer_id"] for u in unassigned}), "crates"].sum()),
        "cost_ntd": round(result.objective / COST_SCALE, 1) if not result.dropped else None,
        "solver": {"name": result.solver, "version": result.solver_version, "status": result.status,
                   "wall_s": round(result.wall_s, 3), "objective": result.objective},
    }
    return DayPlan(date, nodes, vehicles, todo, used_matrix, stops, unassigned, summary)
