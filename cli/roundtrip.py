"""The round trip with the library system: ``bookvan arrived`` and ``bookvan export costs``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bookvan.cli.common import console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.errors import InputError

export_app = typer.Typer(help="Tables for the library system (ILS).", no_args_is_help=True)
app.add_typer(export_app, name="export")


@app.command("arrived")
@input_errors_exit_2
def arrived(
    plan_dir: Annotated[Path, typer.Argument(help="Plan folder written by `bookvan plan --out DIR`.")],
    events: Annotated[
        Path, typer.Argument(help="The day's scan events, CSV or Parquet (as `bookvan scan` reads).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Report folder: arrived.csv, arrived.html, carry_over.csv.")],
    checkins: Annotated[
        Path | None, typer.Option(help="The ILS's per-item check-in export (item_id/barcode, branch, time).")
    ] = None,
    checkins_map: Annotated[
        Path | None, typer.Option(help="Column-mapping TOML for the check-in export ([columns]).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Move a folder bookvan did not write aside.")] = False,
) -> None:
    """What arrived, per item: arrived / in transit (on which van, at which node) / missing / waiting.

    arrived.csv (item_id, status, node_id, time, …) loads back into the library system;
    arrived.html is the coordinator's page; carry_over.csv holds what did not arrive (missing
    items excepted) as tomorrow's transfers for `bookvan plan --transfers`.

    Example: bookvan arrived out/2026-12-01 scans.csv --out out/2026-12-01-arrived
    """
    from bookvan.data.outdir import check_out, output_folder
    from bookvan.routing.arrived import load_and_report, write_arrival_report

    check_out(out, "arrived", force=force)
    plan, report = load_and_report(plan_dir, events, checkins, checkins_map)
    with output_folder(out, "arrived", force=force) as tmp:
        write_arrival_report(plan, report, tmp)
    counts = report.counts()
    what = "item(s)" if report.carry_over_items else "crate(s)"
    console.print(f"{what}: " + ", ".join(f"{n} {s}" for s, n in counts.items()), highlight=False)
    console.print(f"{len(report.carry_over)} row(s) carried over to tomorrow → {out}/carry_over.csv", highlight=False)


@export_app.command("costs")
@input_errors_exit_2
def export_costs(
    out: Annotated[Path, typer.Option("--out", help="Folder: transport_cost.csv, proximity_adjustment.csv, …")],
    network: Annotated[Path | None, typer.Option(help="Network folder; default: bundled Keelung.")] = None,
    week: Annotated[str, typer.Option(help="Monday of the reference week for visit days, YYYY-MM-DD.")] = "2026-11-30",
    day_value: Annotated[
        float, typer.Option(min=0.0, max=1000.0, help="NT$ a day of waiting is worth per crate.")
    ] = 100.0,
    force: Annotated[bool, typer.Option(help="Move a folder bookvan did not write aside.")] = False,
) -> None:
    """Lane costs for the library system: Koha transport cost matrix, Evergreen proximity table, plain CSV.

    cost (NT$) = NT$ per crate of a full van on the lane + day_value × expected days in transit
    (from the schedule's visit days); a lane no van drives is disabled. See the README.

    Example: bookvan export costs --out out/costs
    """
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.outdir import check_out, output_folder
    from bookvan.data.schedule import load_schedule
    from bookvan.data.travel import build_matrix
    from bookvan.routing.cost_export import lane_costs, write_cost_tables

    try:
        monday = dt.date.fromisoformat(week)
    except ValueError:
        raise InputError.single("--week", f"'{week}' is not a date like 2026-11-30") from None
    if monday.weekday() != 0:
        raise InputError.single("--week", f"{week} is not a Monday")
    check_out(out, "costs", force=force)
    net = load_network(network)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))  # type: ignore[operator]
    sched = load_schedule(net.source_dir, node_ids=set(net.node_ids), vehicle_ids={v.vehicle_id for v in fl.vehicles})
    cap = max(v.capacity_crates for v in fl.vehicles)
    lanes = lane_costs(net, build_matrix(net.nodes), fl.costs, cap, sched, monday, day_value)
    info = {"network": str(net.source_dir), "week_start": monday.isoformat(), "capacity_crates": cap,
            "costs": fl.costs.as_dict(), "schedule": None if sched is None else sched.source}
    with output_folder(out, "costs", force=force) as tmp:
        write_cost_tables(lanes, tmp, day_value, info)
    on = lanes[lanes["disabled"] == 0]
    console.print(f"{len(lanes)} lanes ({int(lanes['disabled'].sum())} disabled) → {out}/transport_cost.csv, "
                  f"proximity_adjustment.csv, lane_costs.csv", highlight=False)
    if len(on):
        console.print(f"NT$ per crate {on['ntd_per_crate'].min():.0f}–{on['ntd_per_crate'].max():.0f}, "
                      f"days in transit {on['days_in_transit'].min():.1f}–{on['days_in_transit'].max():.1f}",
                      highlight=False)


@app.command("bulk")
@input_errors_exit_2
def bulk(
    moves: Annotated[Path, typer.Argument(help="Bulk moves CSV, or with --rota-items the rota's stages CSV.")],
    out: Annotated[Path, typer.Option("--out", help="Folder: bulk_moves.csv, bulk.json, days/<date>.csv.")],
    rota_items: Annotated[
        Path | None, typer.Option(help="Items on the rota: item_id, rota_id, position, arrived.")
    ] = None,
    slack_days: Annotated[int, typer.Option(min=0, max=60, help="Days a rota move may wait after its stage ends.")] = 6,
    network: Annotated[Path | None, typer.Option(help="Network folder; default: bundled Keelung.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the forecast demand the room is left from.")] = 0,
    runs_per_van: Annotated[
        int | None, typer.Option(min=1, help="Full runs a van makes a day for room; default: 1 (up to its max_trips).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Move a folder bookvan did not write aside.")] = False,
) -> None:
    """Place flexible bulk moves (a stock-rotation rota, or moves with a window) on days with spare van room.

    A day's room is the fleet's crates a day (each van's capacity × --runs-per-van) less that
    day's forecast crates (median day); a move goes only
    on days both its libraries are visited, is split across days when too big, and never goes
    after its window (what does not fit is listed as unplaced).

    Example: bookvan bulk stages.csv --rota-items rota_items.csv --out out/bulk
    """
    import json

    from bookvan.data.csv_safe import write_csv_rows
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.outdir import check_out, output_folder
    from bookvan.data.schedule import load_schedule
    from bookvan.demand import daily_transfers
    from bookvan.routing.bulk import moves_from_rota, place_moves, placement_rows, read_moves, read_rota

    check_out(out, "bulk", force=force)
    net = load_network(network)
    ids = set(net.node_ids)
    fl = load_fleet(net.source_dir / "fleet.toml", ids)  # type: ignore[operator]
    sched = load_schedule(net.source_dir, node_ids=ids, vehicle_ids={v.vehicle_id for v in fl.vehicles})
    if rota_items is not None:
        rotas, items = read_rota(moves, rota_items, ids)
        todo = moves_from_rota(rotas, items, slack_days)
    else:
        todo = read_moves(moves, ids)
    if not todo:
        raise InputError.single(moves, "no moves to place")
    first, last = min(m.window_start for m in todo), max(m.window_end for m in todo)
    per_day = sum(v.capacity_crates * min(v.max_trips, runs_per_van or 1) for v in fl.vehicles)
    room: dict[dt.date, int] = {}
    forecast: dict[str, int] = {}
    day = first
    with console.status("Forecast crates per day…"):
        while day <= last:
            t = daily_transfers(net, day, seed=seed, items_per_crate=fl.items_per_crate, sample=False)
            busy = int(t["crates"].sum())
            forecast[day.isoformat()] = busy
            room[day] = max(0, per_day - busy)
            day += dt.timedelta(days=1)

    def can_visit(node: str, d: dt.date) -> bool:
        return net.hours_on(node, d).is_open and (sched is None or sched.visits_on(node, d))

    placed = place_moves(todo, room, fl.items_per_crate, can_visit)
    rows = placement_rows(placed, fl.items_per_crate)
    cols = ("date", "move_id", "origin_id", "destination_id", "kind", "items", "crates", "part", "parts",
            "window_start", "window_end", "item_ids")
    info = {"fleet_crates_per_day": per_day, "forecast_crates": forecast,
            "room": {d.isoformat(): n for d, n in room.items()},
            "placed_crates": {d.isoformat(): placed.crates_on(d) for d in sorted(placed.parts)},
            "unplaced": [{"move_id": m.move_id, "items": n, "reason": why} for m, n, why in placed.unplaced]}
    with output_folder(out, "bulk", force=force) as tmp:
        write_csv_rows(tmp / "bulk_moves.csv", cols, rows)
        (tmp / "days").mkdir()
        for d in sorted(placed.parts):
            write_csv_rows(tmp / "days" / f"{d.isoformat()}.csv", ("transfer_id", "origin_id", "destination_id",
                                                                   "items", "kind"),
                           [{"transfer_id": f"B{k:04d}", "origin_id": m.origin_id, "destination_id": m.destination_id,
                             "items": n, "kind": m.kind} for k, (m, _, n) in enumerate(placed.parts[d], start=1)])
        (tmp / "bulk.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"{len(todo)} move(s), {sum(m.items for m in todo)} items: {len(rows)} part(s) on "
                  f"{len(placed.parts)} day(s); {len(placed.unplaced)} move(s) not placed → {out}", highlight=False)
    for m, _n, why in placed.unplaced:
        console.print(f"[yellow]unplaced[/] {m.move_id}: {why}", highlight=False)
