"""``bookvan bench solve``: solve a standard instance with the daily plan's engine, write JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import EXIT_BAD_INPUT, console, err_console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.cli.options import MAX_SEED, positive_seconds

bench_app = typer.Typer(
    help="Standard routing benchmarks (Solomon VRPTW, Li & Lim PDPTW, CVRPLIB).",
    no_args_is_help=True,
)
app.add_typer(bench_app, name="bench")


@bench_app.command("solve")
@input_errors_exit_2
def solve_cmd(
    instance: Annotated[Path, typer.Argument(help="Instance file: Solomon .txt, Li & Lim .txt or CVRPLIB .vrp.")],
    out: Annotated[Path, typer.Option("--out", help="Solution JSON to write (contracts.md).")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Search time in seconds.", min=0.1, callback=positive_seconds)
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the search.", min=0, max=MAX_SEED)] = 0,
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="hierarchical (fewest vehicles, then distance, as the BKS tables rank) or distance.",
        ),
    ] = "hierarchical",
) -> None:
    """Solve one instance and write its solution JSON (customer ids as in the file).

    Example: bookvan bench solve ../shared/bench/lilim100/lc101.txt --time-limit 30 --out lc101.json
    """
    from bookvan.data.atomic import atomic_file
    from bookvan.routing.bench.instances import read_instance
    from bookvan.routing.bench.solve import solution_json, solve_instance

    if objective not in ("hierarchical", "distance"):
        err_console.print(f"[bold red]error:[/] --objective: {objective!r} is not hierarchical or distance")
        raise typer.Exit(EXIT_BAD_INPUT)
    inst = read_instance(instance)
    with console.status(f"solving {inst.name} ({inst.num_customers} customers, {time_limit:g} s)"):
        sol = solve_instance(inst, time_limit_s=time_limit, seed=seed, objective=objective)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(out) as fh:
        fh.write(_dumps(solution_json(sol)))
    v = sol.verdict
    verdict = "feasible" if v.feasible else "INFEASIBLE: " + "; ".join(v.violations[:3])
    console.print(f"{inst.name}: {v.vehicles} vehicles, distance {v.distance:.2f}, {verdict} → {out}")


def _dumps(obj: dict) -> str:
    """JSON with one route per line: readable and still one ``json.load`` away."""
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items() if k != "routes"]
    routes = ",\n  ".join(json.dumps(r) for r in obj["routes"])
    lines.insert(1, f' "routes": [\n  {routes}\n ]')
    return "{\n" + ",\n".join(lines) + "\n}\n"
