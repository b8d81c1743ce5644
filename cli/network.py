"""``bookvan network``: look at the bundled (or any) network and its travel times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bookvan.cli.common import console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.network import load_network

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
