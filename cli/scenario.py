"""``bookvan scenario``: simulate planners' scenarios, compare them, optimise the network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bookvan.cli.common import (
    EXIT_NO,
    Force,
    check_out_early,
    console,
    err_console,
    input_errors_exit_2,
    report_aside,
)
from bookvan.cli.main import app
from bookvan.cli.options import MAX_DAYS, MAX_REPLICATIONS
from bookvan.data.errors import InputError

if TYPE_CHECKING:
    from bookvan.scenarios.runner import RunProgress, RunSet
    from bookvan.scenarios.spec import Scenario

scenario_app = typer.Typer(
    help="Simulate scenarios (new branches, closures, fleet, visit days, demand) and compare them.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("run")
@input_errors_exit_2
def run(
    files: Annotated[
        list[Path],
        typer.Argument(help="Scenario file(s) (TOML); shipped ones: bookvan scenario list."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Run folder: kpis.parquet, transit.parquet, summary.csv, run.json."
        ),
    ],
    days: Annotated[
        int | None,
        typer.Option(help="Days to simulate (overrides the file's simulation.days).", min=1, max=MAX_DAYS),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="First simulated day YYYY-MM-DD (overrides the file's simulation.start)."),
    ] = None,
    replications: Annotated[
        int | None, typer.Option(help="Replications (overrides the file's).", min=1, max=MAX_REPLICATIONS)
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes of the local cluster.", min=1, max=64)] = 2,
    costs: Annotated[
        Path | None,
        typer.Option(
            help="TOML of cost numbers by name (per_km, per_driver_hour, per_van_day, "
            "co2_kg_per_km) overriding every scenario's (default: the fleet file's [costs])."
        ),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="A quick sweep: each day is VROOM's first level's routes, timed under every "
            "constraint, with no search step after them (days 2-4.5 %% dearer, 7-13 times "
            "faster; recorded in run.json). Confirm the finalists without it.",
        ),
    ] = False,
    force: Force = False,
) -> None:
    """Simulate scenarios day by day with the real router; scenario × replication runs on Dask.

    Example: bookvan scenario run fleet-plus-one --days 30 --replications 2 --out out/scn/plus1
    """
    from bookvan.scenarios.runner import run_scenarios, write_run_folder
    from bookvan.scenarios.simulate import SimulationError
    from bookvan.scenarios.spec import QUICK_SWEEP

    target = check_out_early(out, "scenario-run", force)
    paths, scns = _load_scenarios(files, costs, start)
    if quick:
        scns = [s.with_sim(**QUICK_SWEEP) for s in scns]
    try:
        with _ProgressBars() as bars:
            runs = run_scenarios(
                scns,
                days=days,
                replications=replications,
                scheduler=scheduler,
                n_workers=workers,
                on_update=bars.update,
            )
    except SimulationError as e:
        err_console.print(f"[bold red]run failed:[/] {e}", highlight=False)
        raise typer.Exit(EXIT_NO) from None
    except OSError as e:
        if scheduler is not None:
            raise InputError.single(
                "--scheduler", f"cannot reach the Dask scheduler {scheduler}: {e}"
            ) from None
        raise
    write_run_folder(out, runs, source_files=paths, force=force)
    report_aside(target)
    _print_run_summary(runs)
    console.print(f"wrote {out}/kpis.parquet")


def _load_scenarios(files: list[Path], costs: Path | None, start: str | None) -> tuple[list[Path], list[Scenario]]:
    """The scenario files found by path or name, their scenarios with ``--costs`` and ``--start`` applied.

    Raises
    ------
    InputError
        ``--start`` is not a date, or two scenarios share a name.
    """
    from dataclasses import replace

    from bookvan.scenarios.catalog import resolve_scenario_file
    from bookvan.scenarios.spec import load_scenarios

    paths = [resolve_scenario_file(f) for f in files]
    scns = [s for p in paths for s in load_scenarios(p)]
    if costs is not None:
        over = _read_cost_overrides(costs)
        scns = [replace(s, costs={**s.costs, **over}) for s in scns]
    if start is not None:
        import datetime as dt

        try:
            first = dt.date.fromisoformat(start)
        except ValueError:
            raise InputError.single("--start", f"'{start}' is not a date like 2027-03-01") from None
        scns = [s.with_sim(start=first) for s in scns]
    names = [s.name for s in scns]
    if len(set(names)) != len(names):
        raise InputError.single(
            ", ".join(map(str, paths)), "two scenarios share a name", field="name"
        )
    return paths, scns


def _print_run_summary(runs: RunSet) -> None:
    """The yearly KPIs per scenario (mean over replications), and a warning for capped days."""
    summary = runs.summary()
    s = summary.groupby("scenario", sort=False).mean(numeric_only=True)
    from rich.table import Table

    t = Table(title=f"{len(runs.results)} run(s) in {runs.wall_s:.1f} s on {runs.where} (per year)")
    for c in (
        "scenario",
        "van-km",
        "van-hours",
        "cost NT$",
        "CO2 t",
        "hold days p95",
        "backlog items",
    ):
        t.add_column(c, justify="left" if c == "scenario" else "right")
    for name, r in s.iterrows():
        t.add_row(
            str(name),
            f"{r['van_km']:,.0f}",
            f"{r['van_hours']:,.0f}",
            f"{r['cost_ntd']:,.0f}",
            f"{r['co2_kg'] / 1000:,.1f}",
            f"{r['hold_days_p95']:.2f}",
            f"{r['backlog_items']:.0f}",
        )
    console.print(t)
    capped = int(summary["days_capped"].sum())
    if capped:
        err_console.print(
            f"[bold yellow]warning:[/] on {capped} simulated day(s) the search ran into the safety cap "
            "(simulation.time_limit_s) before its solution_limit steps: those days (column search_capped "
            "in kpis.parquet) may plan differently on a faster or slower machine. Raise time_limit_s "
            "to make the run repeatable.",
            highlight=False,
        )


def _read_cost_overrides(path: Path) -> dict[str, float]:
    """``--costs FILE``: cost numbers by name, each checked (unknown keys, negatives → exit 2)."""
    from bookvan.data.costs import COST_KEYS, read_costs
    from bookvan.data.settings import read_settings

    table = read_settings(path, COST_KEYS, what="cost file")
    over = read_costs(table)
    table.col.raise_if_any()
    return over


class _ProgressBars:
    """Two bars on stderr, days simulated and runs finished, fed by the runner's callback."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        )
        self.tasks: tuple[object, object] | None = None

    def __enter__(self) -> _ProgressBars:
        self.p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.p.__exit__(*exc)

    def update(self, state: RunProgress) -> None:
        if self.tasks is None:
            self.tasks = (
                self.p.add_task(f"days simulated ({state.where})", total=state.days_total),
                self.p.add_task("runs finished", total=state.runs_total),
            )
        days, runs = self.tasks
        self.p.update(days, completed=state.days_done)  # type: ignore[arg-type]
        self.p.update(runs, completed=state.runs_done)  # type: ignore[arg-type]


@scenario_app.command("compare")
@input_errors_exit_2
def compare(
    dirs: Annotated[
        list[Path], typer.Argument(help="Run folders written by 'bookvan scenario run'.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for compare.parquet/.csv, PNG charts and report.html."),
    ],
    baseline: Annotated[
        str | None,
        typer.Option(help="Scenario to compare against (default: the one named baseline)."),
    ] = None,
    force: Force = False,
) -> None:
    """Put scenarios side by side against the baseline: table, charts and one HTML report.

    Example: bookvan scenario compare out/scn/baseline out/scn/fleet-plus-one --out out/scn/compare
    """
    from bookvan.scenarios.compare import compare_runs

    target = check_out_early(out, "compare", force)
    with console.status("Comparing runs and drawing charts…"):
        files = compare_runs(dirs, out, baseline=baseline, force=force)
    report_aside(target)
    for f in files.values():
        console.print(f"wrote {f}")


@scenario_app.command("optimize")
@input_errors_exit_2
def optimize(
    file: Annotated[
        Path,
        typer.Argument(
            help="Optimiser settings TOML (candidates, service level), or a shipped one by "
            "name: optimize-keelung."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write the chosen scenario (default: beside FILE, *-optimized.toml).",
        ),
    ] = None,
) -> None:
    """Choose fleet size, visit days per node and the hub (pulp + CBC) at least yearly cost.

    Route costs come from the routing engine; the choice is written as a scenario file that
    'bookvan scenario run' simulates.

    Example: bookvan scenario optimize optimize-keelung --out out/optimized.toml
    """
    from bookvan.scenarios.catalog import resolve_settings_file
    from bookvan.scenarios.optimize import load_optimize_settings, optimise, write_choice

    path = resolve_settings_file(file)
    settings = load_optimize_settings(path)
    with console.status("Estimating route costs with the routing engine and solving the MIP…"):
        choice = optimise(settings)
    target = out or path.with_name(path.stem + "-optimized.toml")
    write_choice(choice, settings, target)
    console.print(choice.report(), highlight=False)
    console.print(f"wrote {target} — simulate it with: bookvan scenario run {target} --out DIR")
    if not choice.feasible:
        raise typer.Exit(EXIT_NO)


@scenario_app.command("list")
@input_errors_exit_2
def list_library() -> None:
    """List the shipped scenario files.

    Example: bookvan scenario list
    """
    from bookvan.data.settings import read_toml_input
    from bookvan.scenarios.catalog import library_files

    for p in library_files():
        raw = read_toml_input(p, what="scenario file")
        variants = [v.get("name", "") for v in raw.get("variant", [])]
        more = f"  (variants: {', '.join(variants)})" if variants else ""
        console.print(f"[bold]{p.stem}[/]  {raw.get('description', '')}{more}", highlight=False)
