"""``bookvan plan``: the day's van runs, written as a plan folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bookvan.cli.common import console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.errors import InputError

__all__ = ["plan"]


def parse_date(text: str, option: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError.single(option, f"'{text}' is not a date like 2026-12-01") from None


@app.command("plan")
@input_errors_exit_2
def plan(
    date: Annotated[str, typer.Option(help="The day to plan, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option(help="Plan folder to write (replaced only when the new plan is complete).")],
    network: Annotated[
        Path | None, typer.Option(help="Network folder (nodes.csv, fleet.toml); default: bundled Keelung.")
    ] = None,
    transfers: Annotated[
        Path | None,
        typer.Option(
            help="Transfers CSV/Parquet (origin, destination, items, kind[, release, due]); "
            "default: from the demand forecast."
        ),
    ] = None,
    fleet: Annotated[Path | None, typer.Option(help="Fleet file; default: fleet.toml of the network.")] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Wall-clock cap for the whole solve, seconds (in deterministic mode a safety cap: the plan is "
            "reproducible when the search steps finish first; a plan the cap ended says so).",
        ),
    ] = 20.0,
    seed: Annotated[int, typer.Option(help="Random seed (recorded in plan.json).")] = 0,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic/--anytime",
            help="Stop after a fixed number of search steps (same input and seed → same plan) "
            "or use the whole time limit.",
        ),
    ] = True,
    search_steps: Annotated[
        int,
        typer.Option(
            "--search-steps",
            min=1,
            help="Deterministic mode: improving solutions to search after the first plan "
            "(more: better routes, slower).",
        ),
    ] = 5,
    mode: Annotated[
        str | None,
        typer.Option(help="'direct' (branch to branch) or 'hub' (via the depot's sorting); default: fleet file."),
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option(help="OpenStreetMap extract (.osm.pbf/.osm) for road travel times; default: estimate model."),
    ] = None,
    without: Annotated[
        list[str] | None, typer.Option("--without", help="Leave this van out (breakdown re-plan); repeatable.")
    ] = None,
    quantile: Annotated[
        float, typer.Option(help="Demand quantile when transfers come from the forecast (0.9 for fleet sizing).")
    ] = 0.5,
) -> None:
    """Plan the day's van runs and write the plan folder.

    Example: bookvan plan --date 2026-12-01 --out out/2026-12-01
    """
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.transfers import read_transfers
    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.planfolder import write_plan

    day = parse_date(date)
    with console.status("Loading the network…"):
        net = load_network(network)
        fleet_path = fleet or (net.source_dir / "fleet.toml")  # type: ignore[operator]
        fl = load_fleet(fleet_path, set(net.node_ids))
        if mode is not None:
            if mode not in ("direct", "hub"):
                raise InputError.single("--mode", f"'{mode}' must be 'direct' or 'hub'")
            fl = fl.replace(routing=type(fl.routing)(**{**fl.routing.__dict__, "mode": mode}))
        if without:
            unknown = [v for v in without if v not in {x.vehicle_id for x in fl.vehicles}]
            if unknown:
                raise InputError.single("--without", f"unknown van(s): {', '.join(unknown)}")
            fl = fl.replace(vehicles=tuple(v for v in fl.vehicles if v.vehicle_id not in without))
            if not fl.vehicles:
                raise InputError.single("--without", "no van left to plan with")
    with console.status("Reading the day's transfers…"):
        if transfers is not None:
            todo = read_transfers(transfers, node_ids=set(net.node_ids), date=day, items_per_crate=fl.items_per_crate)
        else:
            from bookvan.demand import daily_transfers

            todo = daily_transfers(net, day, seed=seed, items_per_crate=fl.items_per_crate, quantile=quantile)
    with console.status("Travel times…"):
        matrix = build_matrix(net.nodes, roads=roads)
    params = SolveParams(time_limit_s=time_limit, seed=seed, deterministic=deterministic, solution_limit=search_steps)
    with console.status(f"Routing {len(todo)} transfers with {len(fl.vehicles)} vans…"):
        day_plan = plan_day(net, fl, todo, day, matrix, params)
    write_plan(day_plan, out)
    _print_summary(day_plan, out)


def _print_summary(day_plan: object, out: Path) -> None:
    s = day_plan.summary  # type: ignore[attr-defined]
    stops = day_plan.stops  # type: ignore[attr-defined]
    t = Table(title=f"Van plan {day_plan.date} → {out}")  # type: ignore[attr-defined]
    for c in ("van", "run", "leaves", "back", "stops", "crates picked up"):
        t.add_column(c)
    crates = dict(zip(day_plan.transfers["transfer_id"], day_plan.transfers["crates"], strict=True))  # type: ignore[attr-defined]
    for (van, trip), g in stops.groupby(["vehicle_id", "trip"], sort=True):
        picked = sum(crates[t] for ids in g["pickup_ids"] for t in ids)
        t.add_row(
            van, str(trip), f"{g['departure'].min():%H:%M}", f"{g['arrival'].max():%H:%M}", str(len(g) - 2), str(picked)
        )
    console.print(t)
    console.print(
        f"{s['transfers_planned']} of {s['transfers_total']} transfers planned, {s['vehicles_used']} vans, "
        f"{s['total_distance_m'] / 1000:.1f} km, solver {s['solver']['status']} in {s['solver']['wall_s']:.1f} s"
    )
    if s.get("deterministic") and not s.get("reproducible"):
        console.print(
            f"[bold yellow]The {s['time_limit_s']:g} s time limit ended the search before its steps: "
            "this plan may differ on another run or machine.[/]"
        )
    un = day_plan.unassigned  # type: ignore[attr-defined]
    if un:
        console.print(f"[bold red]{len(un)} transfers left for another day:[/]")
        for u in un[:20]:
            console.print(f"  {u['transfer_id']}: {u['reason']}", highlight=False)
        if len(un) > 20:
            console.print(f"  … and {len(un) - 20} more (plan.json)")
