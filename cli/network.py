"""``bookvan network``: look at the bundled (or any) network and its travel times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bookvan.cli.common import console, input_errors_exit_2
from bookvan.cli.main import app

if TYPE_CHECKING:
    import pandas as pd

    from bookvan.data.network import Network

network_app = typer.Typer(help="Inspect the network: nodes, hours, travel times.", no_args_is_help=True)
app.add_typer(network_app, name="network")

NetworkOpt = Annotated[
    Path | None,
    typer.Option("--network", help="Network folder (nodes.csv, fleet.toml); default: bundled Keelung."),
]


@network_app.command("show")
@input_errors_exit_2
def show(
    network: NetworkOpt = None,
    date: Annotated[str | None, typer.Option(help="Show the hours of this date (YYYY-MM-DD).")] = None,
) -> None:
    """Table of nodes with kind, coordinates and hours.

    Example: bookvan network show --date 2026-12-01
    """
    from bookvan.data.network import load_network  # pandas: only when a command runs

    net = load_network(network)
    day = dt.date.fromisoformat(date) if date else None
    t = Table(title=f"{len(net.nodes)} nodes" + (f" on {day}" if day else ""))
    for c in ("code", "名稱", "name", "kind", "lat, lon", "hours"):
        t.add_column(c)
    for _, r in net.nodes.iterrows():
        approx = " ≈" if r["coord_approx"] else ""
        if day:
            h = net.hours_on(r["node_id"], day)
            hours = f"{h.opens:%H:%M}–{h.closes:%H:%M}" if h.is_open else f"[red]{h.closed_reason}[/]"
        else:
            hours = " ".join(f"{d[:2]} {r[d]}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        t.add_row(r["node_id"], r["name_zh"], r["name_en"], r["kind"], f"{r['lat']:.4f}, {r['lon']:.4f}{approx}", hours)
    console.print(t)
    console.print("≈ approximate coordinates (district reference points, not the library's door)")


@network_app.command("matrix")
@input_errors_exit_2
def matrix(
    network: NetworkOpt = None,
    roads: Annotated[
        Path | None,
        typer.Option(
            "--roads",
            help="OpenStreetMap extract (.osm.pbf, .osm, .osm.gz, .osm.bz2); without it the "
            "documented estimate model (great-circle × circuity, banded speeds) is used.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the matrix here as Parquet (from_id, to_id, …)."),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Road graph and matrix cache (default ~/.cache/bookvan)."),
    ] = None,
) -> None:
    """Import or estimate travel times between every pair of nodes, cached by content hash.

    Example: bookvan network matrix --roads keelung.osm.pbf --out out/matrix.parquet
    """
    from bookvan.data.network import load_network  # pandas: only when a command runs
    from bookvan.data.tables import MATRIX_SCHEMA, write_table

    net = load_network(network)
    m = _matrix_with_progress(net, roads, cache_dir)
    if out is not None:
        write_table(m, MATRIX_SCHEMA, out)
    _print_matrix_summary(m, net, roads)
    _print_depot_legs(m, net, roads)
    if out is not None:
        console.print(f"wrote {out}")


def _matrix_with_progress(net: Network, roads: Path | None, cache_dir: Path | None) -> pd.DataFrame:
    """Build the matrix behind a progress bar, then print the warnings it raised."""
    import warnings

    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from bookvan.data.travel import build_matrix

    with (
        warnings.catch_warnings(record=True) as caught,
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        ) as progress,
    ):  # fmt: skip
        warnings.simplefilter("always")
        task = progress.add_task("travel times", total=None, count="")

        def on_progress(step: str, done: int, total: int) -> None:
            progress.update(
                task, description=step, completed=done, total=total or None,
                count=f"{done}/{total}" if total else "",
            )  # fmt: skip

        m = build_matrix(net.nodes, roads=roads, cache_dir=cache_dir, on_progress=on_progress)
    for w in caught:
        console.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    return m


def _print_matrix_summary(m: pd.DataFrame, net: Network, roads: Path | None) -> None:
    """Where the times come from (cache, road graph or estimate parameters) and their range."""
    source = str(m["source"].iloc[0])
    off = m[m["from_id"] != m["to_id"]]
    cached = {"hit": " (from the cache)", "miss": " (computed, now cached)"}
    console.print(
        f"{len(net.nodes)} nodes, {len(m)} ordered pairs, source [bold]{source}[/]"
        + cached.get(str(m.attrs.get("cache")), "")
    )
    if roads and "graph" in m.attrs:
        g = m.attrs["graph"]
        console.print(f"road graph: {g['vertices']:,} vertices, {g['edges']:,} edges from {roads}")
    if not roads:
        p = m.attrs.get("estimate_params", {})
        console.print(
            f"estimate: circuity {p.get('circuity')}, speeds {p.get('speed_kmh')} km/h by band "
            f"{p.get('band_km')} km, +{p.get('overhead_s')} s per leg, "
            f"min leg {p.get('min_leg_m')} m / {p.get('min_leg_s')} s"
        )
    console.print(
        f"legs: {off['distance_m'].min() / 1000:.1f}–{off['distance_m'].max() / 1000:.1f} km, "
        f"{off['duration_s'].min() / 60:.0f}–{off['duration_s'].max() / 60:.0f} min "
        f"(median {off['duration_s'].median() / 60:.0f} min)"
    )


def _print_depot_legs(m: pd.DataFrame, net: Network, roads: Path | None) -> None:
    """A table of every node's legs out of and back to the first depot (and its snap distance)."""
    depot = net.depot_ids[0] if net.depot_ids else None
    if depot:
        t = Table(title=f"from / to {depot}")
        for c in ("code", "km out", "min out", "min back") + (("snap m",) if roads else ()):
            t.add_column(c, justify="right" if c != "code" else "left")
        by = m.set_index(["from_id", "to_id"])
        snap = m.attrs.get("snap_m", {})
        for nid in net.node_ids:
            if nid == depot:
                continue
            there, back = by.loc[(depot, nid)], by.loc[(nid, depot)]
            row = [nid, f"{there['distance_m'] / 1000:.1f}", f"{there['duration_s'] / 60:.0f}",
                   f"{back['duration_s'] / 60:.0f}"]  # fmt: skip
            if roads:
                row.append(f"{snap.get(nid, float('nan')):.0f}")
            t.add_row(*row)
        console.print(t)
