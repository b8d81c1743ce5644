"""``bookvan plan``: the day's van runs, written as a plan folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bookvan.cli.common import Force, check_out_early, console, err_console, input_errors_exit_2, report_aside
from bookvan.cli.main import app
from bookvan.cli.options import MAX_SEED, positive_seconds, quantile_between_0_and_1
from bookvan.data.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from rich.status import Status

    from bookvan.data.fleet import Fleet
    from bookvan.data.network import Network
    from bookvan.data.schedule import Schedule
    from bookvan.data.transfers import TransferList
    from bookvan.routing.daily import DayPlan
    from bookvan.routing.runlines import RunLine

__all__ = ["plan"]


def parse_date(text: str, option: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError.single(option, f"'{text}' is not a date like 2026-12-01") from None


# -- the options (flags and help exactly as `bookvan plan --help` shows them) ------------------
DateOpt = Annotated[str, typer.Option(help="The day to plan, YYYY-MM-DD.")]
OutOpt = Annotated[Path, typer.Option(help="Plan folder to write (replaced only when the new plan is complete).")]
NetworkOpt = Annotated[
    Path | None, typer.Option(help="Network folder (nodes.csv, fleet.toml); default: bundled Keelung.")
]
TransfersOpt = Annotated[
    Path | None,
    typer.Option(
        help="Transfers CSV/Parquet (origin, destination, items, kind[, release, due]), or an item-level "
        "export, one row per item (barcode, title, from, to, reason: a Koha transfers-to-send list or "
        "holds queue), grouped per origin, destination and kind; default: from the demand forecast."
    ),
]
TransfersFormatOpt = Annotated[
    str,
    typer.Option(
        "--transfers-format",
        help="'transfers' (aggregated rows), 'items' (one row per item) or 'auto' (items when there is an "
        "item id / barcode column).",
    ),
]
TransfersMapOpt = Annotated[
    Path | None,
    typer.Option(
        "--transfers-map",
        help="Column-mapping TOML for an item-level export: [columns] \"their column\" = \"item_id\" | "
        "\"title\" | \"origin\" | \"destination\" | \"kind\" | \"reason\" | \"release\" | \"due\"; "
        "[kinds] \"their reason\" = \"hold\"; [defaults] kind = \"hold\".",
    ),
]
FleetOpt = Annotated[Path | None, typer.Option(help="Fleet file; default: fleet.toml of the network.")]
TimeLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        callback=positive_seconds,
        help="Wall-clock cap for the whole solve, seconds (in deterministic mode a safety cap: the plan is "
        "reproducible when the search steps finish first; a plan the cap ended says so).",
    ),
]
SeedOpt = Annotated[int, typer.Option(help="Random seed (recorded in plan.json).", min=0, max=MAX_SEED)]
DeterministicOpt = Annotated[
    bool,
    typer.Option(
        "--deterministic/--anytime",
        help="Stop after a fixed number of search steps (same input and seed → same plan) "
        "or use the whole time limit.",
    ),
]
SearchStepsOpt = Annotated[
    int,
    typer.Option(
        "--search-steps",
        min=1,
        max=1_000_000,
        help="Deterministic mode: plans the search may find, its first plan counted "
        "(1: the first plan as it is; more: better routes, slower).",
    ),
]
ModeOpt = Annotated[
    str | None,
    typer.Option(help="'direct' (branch to branch) or 'hub' (via the depot's sorting); default: fleet file."),
]
RoadsOpt = Annotated[
    Path | None,
    typer.Option(help="OpenStreetMap extract (.osm.pbf/.osm) for road travel times; default: estimate model."),
]
WithoutOpt = Annotated[
    list[str] | None, typer.Option("--without", help="Leave this van out (breakdown re-plan); repeatable.")
]
QuantileOpt = Annotated[
    float,
    typer.Option(
        callback=quantile_between_0_and_1,
        help="Demand quantile when transfers come from the forecast (0.9 for fleet sizing).",
    ),
]
CarryOverOpt = Annotated[
    Path | None,
    typer.Option("--carry-over", help="Previous plan folder: take up the transfers it left waiting."),
]
IgnoreScheduleOpt = Annotated[
    bool, typer.Option("--ignore-schedule", help="Free daily optimisation: ignore the network's schedule.csv.")
]
ScheduleWindowsOpt = Annotated[
    str,
    typer.Option(
        "--schedule-windows",
        help="'hard': arrive within each node's target ± tolerance; 'soft': report the misses only.",
    ),
]
ControlOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--control",
        help="Route control KEY=VALUE, over the network's controls.toml: pin.NODE=VAN, max_hours.VAN=H, "
        "max_runs.VAN=N, max_stops_per_run=N, balance=duration, first=NODE[,NODE…], "
        "order=NODE,NODE[,…] (repeatable).",
    ),
]


@dataclass
class _DayTransfers:
    """The day's transfers, the item list they came from (if any), and warnings for the console."""

    todo: pd.DataFrame
    listed: TransferList | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def items(self) -> pd.DataFrame | None:
        return None if self.listed is None else self.listed.items


@app.command("plan")
@input_errors_exit_2
def plan(
    date: DateOpt,
    out: OutOpt,
    network: NetworkOpt = None,
    transfers: TransfersOpt = None,
    transfers_format: TransfersFormatOpt = "auto",
    transfers_map: TransfersMapOpt = None,
    fleet: FleetOpt = None,
    time_limit: TimeLimitOpt = 20.0,
    seed: SeedOpt = 0,
    deterministic: DeterministicOpt = True,
    search_steps: SearchStepsOpt = 5,
    mode: ModeOpt = None,
    roads: RoadsOpt = None,
    without: WithoutOpt = None,
    quantile: QuantileOpt = 0.5,
    carry_over: CarryOverOpt = None,
    ignore_schedule: IgnoreScheduleOpt = False,
    schedule_windows: ScheduleWindowsOpt = "hard",
    control: ControlOpt = None,
    force: Force = False,
) -> None:
    """Plan the day's van runs and write the plan folder.

    Example: bookvan plan --date 2026-12-01 --out out/2026-12-01

    Item list (one row per item): bookvan plan --date 2026-12-01 --transfers items.csv --out out/d
    """
    from bookvan.data.travel import build_matrix
    from bookvan.routing.engine.params import SolveParams

    day = parse_date(date)
    target = check_out_early(out, "plan", force)
    with console.status("Loading the network…"):
        net, fl, fleet_vans = _network_and_fleet(network, fleet, mode, without)
    with console.status("Reading the day's transfers…") as status:
        if transfers is not None:
            got = _listed_transfers(net, fl, day, transfers, transfers_format, transfers_map, status)
        else:
            got = _forecast_transfers(net, fl, day, seed, quantile)
        if carry_over is not None:
            from bookvan.routing.carry_over import join_carry_over

            got.todo = join_carry_over(got.todo, carry_over, day, set(net.node_ids))
    schedule = None if ignore_schedule else _schedule(net, fleet_vans, schedule_windows)
    with console.status(f"Travel times between {len(net.nodes)} nodes…"):
        matrix = build_matrix(net.nodes, roads=roads)
    params = SolveParams(time_limit_s=time_limit, seed=seed, deterministic=deterministic, solution_limit=search_steps)
    planner = _planner(net, fl, control)
    with console.status(f"Routing {len(got.todo)} transfers with {len(fl.vehicles)} vans…"):
        if schedule is None:
            day_plan = planner(net, fl, got.todo, day, matrix, params)
        else:
            from bookvan.routing.schedule_day import plan_with_schedule

            day_plan = plan_with_schedule(net, fl, got.todo, day, matrix, params, schedule, windows=schedule_windows,
                                          planner=planner)
    if deterministic and not day_plan.summary.get("reproducible", True):
        got.warnings.append(
            f"the search ran into the --time-limit safety cap ({time_limit:g} s) before its {search_steps} "
            "--search-steps: this plan may differ on another run or machine; raise --time-limit "
            "(or lower --search-steps) to make it reproducible"
        )
    runs = _write(day_plan, got, fl.items_per_crate, out, force)
    report_aside(target)
    _print_outcome(day_plan, out, runs, with_schedule=schedule is not None, warnings=got.warnings)


def _network_and_fleet(network: Path | None, fleet: Path | None, mode: str | None,
                       without: list[str] | None) -> tuple[Network, Fleet, set[str]]:
    """The network, its fleet changed by --mode and --without, and every van the fleet file names."""
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network

    net = load_network(network)
    fleet_path = fleet or (net.source_dir / "fleet.toml")  # type: ignore[operator]
    fl = load_fleet(fleet_path, set(net.node_ids))
    fleet_vans = {v.vehicle_id for v in fl.vehicles}  # the schedule names them, even one down today
    for option, change in (("--mode", {"mode": mode}), ("--without", {"without": without or ()})):
        try:
            fl = fl.changed(**change)  # type: ignore[arg-type]
        except ValueError as e:
            raise InputError.single(option, str(e)) from None
    return net, fl, fleet_vans


def _listed_transfers(net: Network, fl: Fleet, day: dt.date, path: Path, fmt: str, column_map: Path | None,
                      status: Status) -> _DayTransfers:
    """--transfers: a transfer list or an item-level export (reported on the console)."""
    from bookvan.data.transfers import read_transfer_list

    listed = read_transfer_list(
        path, node_ids=set(net.node_ids), date=day, items_per_crate=fl.items_per_crate,
        fmt=fmt, column_map=column_map,
        progress=lambda n: status.update(f"Reading the day's transfers… {n:,} rows"),
    )
    if listed.items is None:
        return _DayTransfers(listed.transfers)
    _report_items(listed)
    return _DayTransfers(listed.transfers, listed)


def _forecast_transfers(net: Network, fl: Fleet, day: dt.date, seed: int, quantile: float) -> _DayTransfers:
    """No --transfers: the day's transfers from the demand forecast, with a warning when none cover the date."""
    from bookvan.demand import daily_transfers
    from bookvan.demand.transfers import empty_demand_reason

    todo = daily_transfers(net, day, seed=seed, items_per_crate=fl.items_per_crate, quantile=quantile)
    why = empty_demand_reason(day, todo)
    return _DayTransfers(todo, warnings=[] if why is None else [why])


def _schedule(net: Network, fleet_vans: set[str], windows: str) -> Schedule | None:
    """The network's standing schedule (None when it has none), after checking --schedule-windows."""
    from bookvan.data.schedule import load_schedule

    if windows not in ("hard", "soft"):
        raise InputError.single("--schedule-windows", f"'{windows}' must be 'hard' or 'soft'")
    return load_schedule(net.source_dir, node_ids=set(net.node_ids), vehicle_ids=fleet_vans)


def _planner(net: Network, fl: Fleet, control: list[str] | None) -> Callable[..., DayPlan]:
    """``plan_day`` with the route controls of controls.toml and --control, checked against the network."""
    from bookvan.data.controls import CONTROLS_FILE, parse_control_flags, read_controls
    from bookvan.routing.daily import plan_day

    controls = read_controls(net.source_dir / CONTROLS_FILE).merged(parse_control_flags(control or []))  # type: ignore[operator]
    controls.check(set(net.node_ids), {v.vehicle_id for v in fl.vehicles}, "--control / controls.toml")
    return partial(plan_day, controls=controls)


def _write(day_plan: DayPlan, got: _DayTransfers, items_per_crate: int, out: Path, force: bool) -> list[RunLine]:
    """Write the plan folder (warnings, item account and one line per run kept in plan.json)."""
    from bookvan.routing.manifest.crates import consolidated_crates
    from bookvan.routing.planfolder import write_plan
    from bookvan.routing.runlines import run_lines

    if got.warnings:
        day_plan.summary["warnings"] = got.warnings  # kept in plan.json too
    if got.listed is not None:
        day_plan = replace(day_plan, summary={**day_plan.summary, "items": _items_summary(got.listed)})
    crates = consolidated_crates(day_plan.stops, day_plan.transfers, items_per_crate)
    runs = run_lines(day_plan)
    day_plan.summary["runs"] = [r.to_json() for r in runs]  # one line per run, kept in plan.json
    write_plan(day_plan, out, items=got.items, crates=crates, force=force)
    return runs


def _print_outcome(day_plan: DayPlan, out: Path, runs: list[RunLine], *, with_schedule: bool,
                   warnings: list[str]) -> None:
    """The summary table, one line per run, the schedule's lines and the warnings (on stderr)."""
    _print_summary(day_plan, out)
    for r in runs:
        console.print("  " + r.text, highlight=False, markup=False)
    if with_schedule:
        from bookvan.routing.schedule_day import schedule_lines

        for line in schedule_lines(day_plan):
            console.print(line, highlight=False)
    for w in warnings:
        err_console.print(f"warning: {w}", highlight=False, markup=False, soft_wrap=True)


def _items_summary(listed: TransferList) -> dict[str, object]:
    """plan.json's account of an item-level list: rows, items moved, items listed twice."""
    dups = listed.duplicates
    return {
        "rows": listed.rows,
        "items": len(listed.items if listed.items is not None else ()),
        "transfers": len(listed.transfers),
        "listed_twice": [{"item_id": d.item_id, "rows": list(d.rows), "moved_from_row": d.rows[0]} for d in dups],
    }


def _report_items(listed: TransferList) -> None:
    """One console line for the grouping, and a warning for items listed more than once."""
    console.print(
        f"{len(listed.items if listed.items is not None else ()):,} items in {listed.rows:,} rows grouped into "
        f"{len(listed.transfers):,} transfers (per origin, destination and kind)",
        highlight=False,
    )
    dups = listed.duplicates
    if dups:
        shown = ", ".join(f"{d.item_id} (rows {', '.join(map(str, d.rows))})" for d in dups[:5])
        more = f" and {len(dups) - 5} more (plan.json)" if len(dups) > 5 else ""
        console.print(
            f"[bold yellow]warning:[/] {len(dups)} item(s) listed more than once, moved once from the first "
            f"row: {escape(shown)}{more}",
            highlight=False,
        )


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
