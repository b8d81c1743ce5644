"""``bookvan replan``: re-plan the rest of a day from where the vans are."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bookvan.cli.common import Force, check_out_early, console, input_errors_exit_2, report_aside
from bookvan.cli.main import app
from bookvan.data.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from bookvan.data.fleet import Fleet
    from bookvan.data.network import Network
    from bookvan.routing.daily import DayPlan
    from bookvan.routing.manifest.plan import Plan
    from bookvan.routing.plandiff import PlanDiff
    from bookvan.routing.runlines import RunLine

__all__ = ["replan_cmd"]


def _clock(text: str, option: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InputError.single(option, f"'{text}' is not a time like 11:00") from None


def _closure(text: str):
    from bookvan.routing.replan import Closure

    node, _, when = text.partition("@")
    if not node.strip():
        raise InputError.single("--close", f"'{text}' names no node (NODE or NODE@HH:MM)")
    return Closure(node.strip(), _clock(when, "--close") if when else None)


@app.command("replan")
@input_errors_exit_2
def replan_cmd(
    plan_dir: Annotated[Path, typer.Argument(help="Plan folder written by `bookvan plan --out DIR`.")],
    at: Annotated[str, typer.Option("--at", help="Re-plan time, HH:MM: stops reached by then are kept as driven.")],
    out: Annotated[Path, typer.Option("--out", help="New plan folder (passes `bookvan check`).")],
    events: Annotated[
        Path | None, typer.Option("--events", help="Crate scans (as `bookvan scan`): vans seen further on count.")
    ] = None,
    van_down: Annotated[
        list[str] | None, typer.Option("--van-down", help="A van that broke down at --at (repeatable).")
    ] = None,
    close: Annotated[
        list[str] | None, typer.Option("--close", help="NODE or NODE@HH:MM: a node closing early (repeatable).")
    ] = None,
    add_transfers: Annotated[
        Path | None, typer.Option("--add-transfers", help="Urgent transfers to insert (the transfers file format).")
    ] = None,
    network: Annotated[
        Path | None, typer.Option(help="Network folder for costs, penalties and travel times; default: bundled.")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Safety cap of the search, seconds.")] = 4.0,
    search_steps: Annotated[
        int, typer.Option("--search-steps", help="Search steps (decide the result); the rest of a day needs fewer.")
    ] = 20,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    control: Annotated[
        list[str] | None,
        typer.Option("--control", help="Route control KEY=VALUE over the network's controls.toml, as for "
                     "`bookvan plan` (pin.NODE=VAN, max_runs.VAN=N, order=A,B, …; repeatable)."),
    ] = None,
    force: Force = False,
) -> None:
    """Re-plan the rest of the day: driven stops kept, crates on board stay pinned to their van,
    a broken-down van's crates collected where it stands, early closings and urgent holds taken in.

    Prints and saves (diff.csv in the new folder) what changed for the coordinator.

    Example: bookvan replan out/2026-12-01 --at 11:00 --van-down VAN-1 --out out/2026-12-01-1100
    """
    from bookvan.data.controls import CONTROLS_FILE, parse_control_flags, read_controls
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.routing.engine import SolveParams
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.replan import replan
    from bookvan.routing.runlines import run_lines

    when = _clock(at, "--at")
    closures = tuple(_closure(c) for c in close or ())
    target = check_out_early(out, "plan", force)
    old = load_plan(plan_dir)
    net = load_network(network)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))  # type: ignore[operator]
    controls = read_controls(net.source_dir / CONTROLS_FILE).merged(parse_control_flags(control or []))  # type: ignore[operator]
    controls.check(set(net.node_ids), {str(v) for v in old.vehicles["vehicle_id"]}, "--control / controls.toml")
    scanned = None if events is None else _scanned_stops(old, events)
    added = None if add_transfers is None else _added_transfers(add_transfers, net, old, fl)
    matrix = None
    if added is not None:  # new transfers may bring nodes the plan's matrix lacks
        from bookvan.data.travel import build_matrix

        matrix = build_matrix(net.nodes)
    params = SolveParams(time_limit_s=time_limit, seed=seed, deterministic=True, solution_limit=search_steps)
    with console.status("Re-planning the rest of the day…"):
        day = replan(old, when, costs=fl.costs, settings=fl.routing, params=params, scanned=scanned,
                     vans_down=tuple(van_down or ()), closures=closures, added=added, matrix=matrix,
                     controls=controls)
    lines = run_lines(day)
    day.summary["runs"] = [ln.to_json() for ln in lines]
    diff = _write_replan_folder(out, force, day, old)
    report_aside(target)
    _print_replan(old, when, out, day, lines, diff)


def _scanned_stops(old: Plan, events: Path) -> dict[str, int]:
    """Stops done per van by the scans in ``events``; the scans' findings are printed."""
    from bookvan.data.scans import read_scans
    from bookvan.routing.scan import check_scans

    state = check_scans(old, read_scans(events))
    scanned = {v.vehicle_id: v.stops_done for v in state.vans if v.last_scan is not None}
    for f in state.findings:
        console.print(f"[yellow]{f.kind}[/]: {f.message}", highlight=False, soft_wrap=True)
    return scanned


def _added_transfers(path: Path, net: Network, old: Plan, fl: Fleet) -> pd.DataFrame:
    """The urgent transfers of ``--add-transfers``, read against the network and the plan's date."""
    from bookvan.data.transfers import read_transfers

    return read_transfers(path, node_ids=set(net.node_ids), date=old.date, items_per_crate=fl.items_per_crate)


def _write_replan_folder(out: Path, force: bool, day: DayPlan, old: Plan) -> PlanDiff:
    """Write the new plan folder with diff.csv and diff.json; returns the diff against ``old``."""
    from bookvan.data.csv_safe import write_csv_rows
    from bookvan.data.outdir import output_folder
    from bookvan.data.planfolder import write_plan_folder
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.plandiff import plan_diff

    tables = {"nodes": day.nodes, "vehicles": day.vehicles, "transfers": day.transfers, "matrix": day.matrix,
              "stops": day.stops}
    with output_folder(out, "plan", force=force) as tmp:
        write_plan_folder(tmp, day.plan_json(), tables)
        diff = plan_diff(old, load_plan(tmp))
        rows = [{"transfer_id": c.transfer_id, "change": c.change, "before": c.before, "after": c.after}
                for c in diff.changes]
        write_csv_rows(tmp / "diff.csv", ["transfer_id", "change", "before", "after"], rows)
        (tmp / "diff.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return diff


def _print_replan(old: Plan, when: dt.time, out: Path, day: DayPlan, lines: list[RunLine], diff: PlanDiff) -> None:
    """The summary for the coordinator: totals, run lines, the first changes, what waits."""
    s = day.summary
    console.print(f"Re-plan of {old.date} at {when:%H:%M} → {out}: {s['replan']['driven_stops']} stops already "
                  f"driven kept; {s['transfers_planned']} of {s['transfers_total']} transfers planned, "
                  f"{s['total_distance_m'] / 1000:.1f} km", highlight=False)
    for ln in lines:
        console.print("  " + ln.text, highlight=False)
    console.print(f"Changes for the coordinator ({len(diff.changes)}; diff.csv):", highlight=False)
    for c in diff.changes[:30]:
        console.print(f"  {c.transfer_id} {c.change}: {c.before} ⇒ {c.after}", highlight=False, markup=False)
    if len(diff.changes) > 30:
        console.print(f"  … and {len(diff.changes) - 30} more (diff.csv)", highlight=False)
    for u in day.unassigned:
        console.print(f"  waits: {u['transfer_id']}: {u['reason']}", highlight=False, markup=False)
