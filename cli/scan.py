"""``bookvan scan``: check crate scans against a plan and write the day's state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bookvan.cli.common import EXIT_NO, console, input_errors_exit_2
from bookvan.cli.main import app

__all__ = ["scan"]


@app.command("scan")
@input_errors_exit_2
def scan(
    plan_dir: Annotated[Path, typer.Argument(help="Plan folder written by `bookvan plan --out DIR`.")],
    events: Annotated[
        Path,
        typer.Argument(help="Scan events, CSV or Parquet: time, vehicle_id, node_id, crate_id, event[, note]."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="State folder to write; default: PLAN_DIR/state.")
    ] = None,
) -> None:
    """Check crate scans against the plan and write where vans, crates and stops stand.

    Writes state.json (everything) and vans/stops/crates/findings.parquet. Exit 0 when every scan
    agrees with the plan, 1 when some contradict it (one line each; the state is still written),
    2 on a bad plan folder or scan file.

    Example: bookvan scan out/2026-12-01 scans.csv
    """
    from bookvan.data.outdir import output_folder
    from bookvan.data.scans import read_scans
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.scan import check_scans

    plan = load_plan(plan_dir)
    table = read_scans(events)
    state = check_scans(plan, table)
    target = out or (plan_dir / "state")
    with output_folder(target, "scan-state") as tmp:
        (tmp / "state.json").write_text(
            json.dumps(state.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        for name in ("vans", "stops", "crates", "findings"):
            state.table(name).to_parquet(tmp / f"{name}.parquet", index=False)
    t = Table(title=f"Plan {plan.plan_id} {state.date}: {state.events} scan(s)")
    for c in ("van", "at", "last scan", "stops done", "on board", "next"):
        t.add_column(c)
    for v in state.vans:
        t.add_row(
            v.vehicle_id,
            v.node_id + (" (off plan)" if v.off_plan else ""),
            "–" if v.last_scan is None else f"{v.last_scan:%H:%M}",
            f"{v.stops_done}/{v.stops_total}",
            str(len(v.on_board)),
            v.next_node_id or "–",
        )
    console.print(t)
    counts: dict[str, int] = {}
    for c in state.crates:
        counts[c.status] = counts.get(c.status, 0) + 1
    console.print("crates: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())), highlight=False)
    for f in state.findings:
        console.print(f"[yellow]{f.kind}[/]: {f.message}", highlight=False, soft_wrap=True)
    console.print(f"state → {target}", highlight=False)
    if state.findings:
        raise typer.Exit(EXIT_NO)
