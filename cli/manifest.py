"""``bookvan manifest``: driver manifests, crate labels, GPX/GeoJSON, loading lists, overview."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import EXIT_NO, Force, check_out_early, console, err_console, input_errors_exit_2, report_aside
from bookvan.cli.main import app


@app.command("manifest")
@input_errors_exit_2
def manifest(
    plan_dir: Annotated[
        Path, typer.Argument(help="Plan folder written by `bookvan plan --out DIR`.")
    ],
    lang: Annotated[
        str, typer.Option("--lang", help="zh-TW, en, or both (Chinese with English beneath).")
    ] = "zh-TW",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder; default: DIR/manifests.")
    ] = None,
    ignore_check: Annotated[
        bool,
        typer.Option(
            "--ignore-check",
            help="Print even when 'bookvan check' finds violations (the sheets then say what the "
            "plan says, not what a van can do).",
        ),
    ] = False,
    whole_day: Annotated[
        bool,
        typer.Option("--whole-day", help="A re-plan folder: print every run of the day, the driven stops "
                     "too (default: only what is still to do)."),
    ] = False,
    force: Force = False,
) -> None:
    """Print a plan: a PDF manifest per van per trip, crate labels, GPX/GeoJSON per run, CSV
    loading lists per node and a self-contained HTML day overview.

    Writes overview.html, labels.pdf (A4, 2 × 7 labels of 99.1 × 38.1 mm), runs/VAN_tripN.pdf,
    .gpx and .geojson, loading/NODE.csv, receiving/NODE.csv+.html (what arrives there, when),
    packing/NODE.csv+.html (what to have packed by the van) and index.json. Crate ids: TRANSFER-C01, TRANSFER-C02, …


    A re-plan folder (`bookvan replan`) prints the rest of the day: runs already driven are left
    out, a run under way starts where the van stood at the re-plan time, and each sheet says
    "Re-plan from HH:MM" (--whole-day prints everything).

    Example: bookvan manifest out/2026-12-01 --lang both
    """
    # imported here: reportlab and friends load only when a manifest is printed, not for every
    # other bookvan command
    from bookvan.routing.check import check_plan_dir
    from bookvan.routing.manifest import write_manifests
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.manifest.write import manifests_out

    # drivers follow these sheets: a plan the independent checker rejects is not printed
    load_plan(plan_dir)  # the manifest's own reading first, for its messages on a broken folder
    violations = check_plan_dir(plan_dir)
    if violations and not ignore_check:
        for v in violations:
            typer.echo(str(v))
        err_console.print(
            f"{len(violations)} violation(s) in {plan_dir}: not printing manifests for a plan that "
            "'bookvan check' rejects (--ignore-check prints them anyway)",
            highlight=False, markup=False, soft_wrap=True,
        )
        raise typer.Exit(EXIT_NO)
    if violations:
        err_console.print(
            f"warning: printing despite {len(violations)} violation(s) in {plan_dir} (--ignore-check)",
            highlight=False, markup=False, soft_wrap=True,
        )

    target = check_out_early(manifests_out(plan_dir, out), "manifests", force)
    res = write_manifests(
        plan_dir, out, lang, progress=lambda msg: err_console.print(f"[dim]… {msg}[/]"), force=force,
        whole_day=whole_day,
    )
    report_aside(target)
    console.print(
        f"{res.runs} run(s), {res.crates} crate label(s), {res.files} files → {res.out_dir} "
        f"(plan {res.plan_id}); open {res.out_dir / 'overview.html'}",
        highlight=False,
        soft_wrap=True,
    )
