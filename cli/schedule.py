"""``bookvan schedule``: build the standing weekly schedule and the branch timetables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.errors import InputError

schedule_app = typer.Typer(help="The standing weekly schedule: visit days and arrival times.", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("build")
@input_errors_exit_2
def build(
    out: Annotated[Path, typer.Option(help="Folder: schedule.csv, timetable.csv/.html, templates/, build.json.")],
    network: Annotated[Path | None, typer.Option(help="Network folder; default: bundled Keelung.")] = None,
    start: Annotated[str, typer.Option(help="Monday the sampled forecast weeks start on, YYYY-MM-DD.")] = "2026-11-30",
    weeks: Annotated[int, typer.Option(min=2, help="Weeks of forecast demand sampled.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the forecast draws.")] = 0,
    within_days: Annotated[int, typer.Option(min=0, help="A hold waits at most this many days for its van…")] = 2,
    share: Annotated[float, typer.Option(min=0.0, max=1.0, help="…for at least this share of hold items.")] = 0.95,
    tolerance_min: Annotated[int, typer.Option(min=0, max=720, help="Arrival tolerance, ± minutes.")] = 30,
    search_steps: Annotated[int, typer.Option(min=1, help="Search steps per template day.")] = 20,
    time_limit: Annotated[float, typer.Option(help="Safety cap per template day, seconds.")] = 30.0,
) -> None:
    """Choose visit days, plan a typical week, write the schedule and branch timetables.

    Example: bookvan schedule build --out out/schedule
    """
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.travel import build_matrix
    from bookvan.demand import daily_transfers
    from bookvan.routing.engine.params import SolveParams
    from bookvan.scenarios.schedule_build import BuildSettings, build_schedule
    from bookvan.scenarios.schedule_write import write_built_schedule

    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        raise InputError.single("--start", f"'{start}' is not a date like 2026-11-30") from None
    net = load_network(network)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))  # type: ignore[operator]
    params = SolveParams(time_limit_s=time_limit, seed=seed, deterministic=True, solution_limit=search_steps)
    settings = BuildSettings(first, weeks, seed, within_days, share, tolerance_min, params=params)
    matrix = build_matrix(net.nodes)

    def demand(n: object, d: dt.date, q: float) -> object:
        return daily_transfers(n, d, seed=seed, items_per_crate=fl.items_per_crate, quantile=q)  # type: ignore[arg-type]

    with console.status("Building the schedule…") as status:
        built = build_schedule(net, fl, matrix, demand, settings, progress=lambda m: status.update(m))  # type: ignore[arg-type]
    write_built_schedule(built, net, settings, out)
    console.print(f"Schedule for {len(built.schedule.nodes)} nodes → {out}/schedule.csv; timetables in {out}/")
    console.print(f"holds leaving within {within_days} days (forecast p50): {100 * built.service_share:.1f} %")
    for n, ns in built.schedule.nodes.items():
        console.print(f"  {n:<14} {ns.days.text:<12} {ns.target_text or '--:--'} ± {ns.tolerance_s // 60} min "
                      f"{ns.vehicle_id or ''}", highlight=False)
    for note in built.notes:
        console.print(f"[yellow]note:[/] {note}")
