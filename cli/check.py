"""``bookvan check DIR``: prove a plan folder feasible (exit 0) or list its violations (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import EXIT_NO, err_console, input_errors_exit_2
from bookvan.cli.main import app


@app.command("check")
@input_errors_exit_2
def check(
    plan_dir: Annotated[
        Path, typer.Argument(metavar="DIR", help="A plan folder written by 'bookvan plan'.")
    ],
) -> None:
    """Check a plan folder on its own (no network files, no solver): exit 0 if feasible.

    Otherwise one line per violation and exit 1; exit 2 if a file is missing or unreadable.

    Example: bookvan check out/2026-12-01
    """
    from bookvan.routing.check import check_plan_dir, read_plan_dir, summarise  # pandas: only when checking

    violations = check_plan_dir(plan_dir)
    if violations:
        for v in violations:
            typer.echo(str(v))
        err_console.print(
            f"{len(violations)} violation(s) in {plan_dir}", highlight=False, markup=False
        )
        raise typer.Exit(EXIT_NO)
    plan, tables = read_plan_dir(plan_dir)
    date = plan.get("date", "?")
    typer.echo(
        f"OK: the plan for {date} in {plan_dir} is feasible: {summarise(plan, tables['stops'])}"
    )
