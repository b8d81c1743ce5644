"""What the desk's buttons do: plan a date, re-plan after a van breaks down, print manifests.

Each action calls the same engine as the CLI and writes the same plan folders; the store only
records them. A re-plan is a :class:`Replanner`: :func:`midday_replan` (the desk's default, as
``bookvan replan``: what was driven is kept, the rest re-routed from where the vans are) or
:func:`whole_day_replan` (``bookvan plan --without VAN``, the whole day again from the shift start).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bookvan.data.errors import InputError

__all__ = [
    "PlanRequest",
    "Replanner",
    "midday_replan",
    "plan_into",
    "print_manifests",
    "replan_with",
    "validate_transfers_file",
    "whole_day_replan",
]


@dataclass(frozen=True)
class PlanRequest:
    """Everything that decides a plan, so a re-plan can start from the same inputs."""

    date: str  # YYYY-MM-DD
    network_dir: str | None = None
    transfers_file: str | None = None  # None: the demand forecast, as `bookvan plan` without --transfers
    without: tuple[str, ...] = ()
    seed: int = 0
    time_limit_s: float = 8.0
    search_steps: int = 50

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PlanRequest:
        d = json.loads(text)
        d["without"] = tuple(d.get("without") or ())
        return cls(**{k: v for k, v in d.items() if k in {f.name for f in dataclasses.fields(cls)}})


def _inputs(req: PlanRequest) -> tuple:
    """(network, fleet) of the request."""
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network

    net = load_network(req.network_dir)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))  # type: ignore[operator]
    return net, fl


def validate_transfers_file(req: PlanRequest, path: Path) -> None:
    """Read an uploaded transfers file as `bookvan plan --transfers` would; InputError if bad."""
    from bookvan.data.transfers import read_transfers

    net, fl = _inputs(req)
    read_transfers(path, node_ids=set(net.node_ids), date=dt.date.fromisoformat(req.date),
                   items_per_crate=fl.items_per_crate)


def plan_into(req: PlanRequest, out: Path) -> Path:
    """Plan ``req.date`` into the plan folder ``out`` (the same steps as ``bookvan plan``)."""
    from bookvan.data.transfers import read_transfers
    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.planfolder import write_plan

    day = dt.date.fromisoformat(req.date)
    net, fl = _inputs(req)
    if req.without:
        unknown = [v for v in req.without if v not in {x.vehicle_id for x in fl.vehicles}]
        if unknown:
            raise InputError.single("van down", f"unknown van(s): {', '.join(unknown)}")
        fl = fl.replace(vehicles=tuple(v for v in fl.vehicles if v.vehicle_id not in req.without))
        if not fl.vehicles:
            raise InputError.single("van down", "no van left to plan with")
    if req.transfers_file:
        todo = read_transfers(Path(req.transfers_file), node_ids=set(net.node_ids), date=day,
                              items_per_crate=fl.items_per_crate)
    else:
        from bookvan.demand import daily_transfers

        todo = daily_transfers(net, day, seed=req.seed, items_per_crate=fl.items_per_crate)
    matrix = build_matrix(net.nodes)
    params = SolveParams(time_limit_s=req.time_limit_s, seed=req.seed, deterministic=True,
                         solution_limit=req.search_steps)
    return write_plan(plan_day(net, fl, todo, day, matrix, params), out)


class Replanner(Protocol):
    """Re-plan the day of ``base`` (made from ``base_req``) with ``vans_down`` out, from ``at`` on."""

    def __call__(
        self, base: Path, base_req: PlanRequest, vans_down: tuple[str, ...], at: dt.time | None, out: Path
    ) -> PlanRequest: ...


def whole_day_replan(
    base: Path, base_req: PlanRequest, vans_down: tuple[str, ...], at: dt.time | None, out: Path
) -> PlanRequest:
    """The whole day again without the broken-down vans (``at`` is not used yet: see module doc)."""
    if not vans_down:
        raise InputError.single("van down", "tick the van that is down")
    req = dataclasses.replace(base_req, without=tuple(sorted({*base_req.without, *vans_down})))
    plan_into(req, out)
    return req


def print_manifests(folder: Path, lang: str = "both") -> Path:
    """Manifests, labels, loading lists and overview into ``folder/manifests`` (as `bookvan manifest`)."""
    from bookvan.routing.manifest import write_manifests

    return write_manifests(folder, None, lang).out_dir


def midday_replan(
    base: Path, base_req: PlanRequest, vans_down: tuple[str, ...], at: dt.time | None, out: Path
) -> PlanRequest:
    """Re-plan from ``at`` (None: now, when the plan is today's) keeping what was driven (``bookvan replan``).

    A plan for another day is not under way yet: it is planned again whole, as before.
    """
    from zoneinfo import ZoneInfo

    if not vans_down:
        raise InputError.single("van down", "tick the van that is down")
    now = dt.datetime.now(ZoneInfo("Asia/Taipei"))
    if at is None:
        if now.date().isoformat() != base_req.date:
            return whole_day_replan(base, base_req, vans_down, at, out)
        at = now.time().replace(second=0, microsecond=0)
    return replan_with(base, base_req, at, out, vans_down=vans_down)


def replan_with(
    base: Path,
    base_req: PlanRequest,
    at: dt.time,
    out: Path,
    *,
    vans_down: tuple[str, ...] = (),
    closures: tuple[tuple[str, dt.time | None], ...] = (),
    added_file: Path | None = None,
) -> PlanRequest:
    """Re-plan the rest of the day from ``at`` with :func:`bookvan.routing.replan.replan` (``bookvan replan``).

    One function for every desk re-plan (van down, a branch closing early, urgent holds), so the
    desk and the CLI keep what was driven and re-route the rest the same way. ``closures`` are
    ``(node, closing time)`` (None: at ``at``); ``added_file`` a transfers file read as
    ``--add-transfers`` reads it (an :class:`InputError` with file/row/field when bad).
    """
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.planfolder import write_plan
    from bookvan.routing.replan import Closure, replan

    net, fl = _inputs(base_req)
    old = load_plan(base)
    added, matrix = None, None
    if added_file is not None:
        from bookvan.data.transfers import read_transfers
        from bookvan.data.travel import build_matrix

        added = read_transfers(added_file, node_ids=set(net.node_ids), date=old.date,
                               items_per_crate=fl.items_per_crate)
        matrix = build_matrix(net.nodes)  # new transfers may bring nodes the plan's matrix lacks
    params = SolveParams(time_limit_s=base_req.time_limit_s, seed=base_req.seed, deterministic=True,
                         solution_limit=base_req.search_steps)
    day = replan(old, at, costs=fl.costs, settings=fl.routing, params=params, vans_down=vans_down,
                 closures=tuple(Closure(n, t) for n, t in closures), added=added, matrix=matrix)
    write_plan(day, out)
    return dataclasses.replace(base_req, without=tuple(sorted({*base_req.without, *vans_down})))
