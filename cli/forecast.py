"""``bookvan forecast``: per-branch forecasts with quantiles, and their rolling-origin backtest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bookvan.cli.common import EXIT_BAD_INPUT, console, err_console, input_errors_exit_2
from bookvan.cli.main import app
from bookvan.data.atomic import atomic_file
from bookvan.data.errors import InputError

forecast_app = typer.Typer(
    help="Forecast circulation per branch (p10/p50/p90) and backtest the forecasts.",
    no_args_is_help=True,
)
app.add_typer(forecast_app, name="forecast")

HistoryOpt = Annotated[
    list[Path] | None,
    typer.Option("--history", help="Circulation history (CSV/Parquet, contract schema, long "
                 "or wide: a column per measure or per branch); repeat it for one file per "
                 "measure (named after it, e.g. checkouts.csv). Default: the bundled synthetic "
                 "Keelung history."),
]
FreqOpt = Annotated[
    str | None, typer.Option("--freq", help="D, W or M (default: the history's own).")
]
ColumnsOpt = Annotated[
    Path | None,
    typer.Option("--columns", help="TOML column mapping: \\[columns] \"their name\" = \"our name\"."),
]
EventsOpt = Annotated[
    Path | None,
    typer.Option("--events", help="Item-level circulation events (Koha `statistics`-like) "
                 "instead of --history."),
]
NetworkOpt = Annotated[
    Path | None,
    typer.Option("--network", help="Network folder whose nodes.csv 'district' column groups "
                 "branches into district totals (default: the bundled network when the history "
                 "is the bundled one; otherwise only the city total)."),
]
TransferLogOpt = Annotated[
    Path | None,
    typer.Option("--transfer-log", help="Branch-transfer log (Koha `branchtransfers`-like), "
                 "with or without --events."),
]


def _load(history: list[Path] | None, columns: Path | None, events: Path | None,
          transfer_log: Path | None):
    from bookvan.demand.history import read_histories

    if events is not None or transfer_log is not None:
        if history:
            msg = "give either --history or --events/--transfer-log"
            raise InputError.single(str(history[0]), msg)
        from bookvan.demand.ils import history_from_exports

        h = history_from_exports(events=events, transfer_log=transfer_log, column_map=columns)
    else:
        if not history:
            from bookvan.demand.synthetic import bundled_history_path

            history = [bundled_history_path()]
        h = read_histories(list(history), columns)
    if h.problems:
        err_console.print(f"[yellow]warning:[/] {len({p.row for p in h.problems})} bad row(s) "
                          "left out:", highlight=False)
        for p in h.problems[:10]:
            err_console.print(f"  {p}", highlight=False, markup=False)
        if len(h.problems) > 10:
            err_console.print(f"  ... and {len(h.problems) - 10} more", highlight=False)
    values = h.frame["value"]
    if len(values) and not (values.fillna(0) != 0).any():  # a forecast of zeros, silently
        err_console.print(f"[yellow]warning:[/] every value in {h.source or history} is zero (or blank): "
                          "the forecasts will be zero", highlight=False, soft_wrap=True)
    return h


def _districts(network: Path | None, bundled_history: bool) -> dict[str, str] | None:
    """Branch → district from a network's nodes (for district totals), or None."""
    if network is None and not bundled_history:
        return None
    from bookvan.data.network import load_network

    nodes = load_network(network).nodes
    if "district" not in nodes.columns:
        return None
    return {str(n): str(d) for n, d in zip(nodes["node_id"], nodes["district"], strict=True)
            if isinstance(d, str) and d.strip()}


def _freq(freq: str | None) -> str | None:
    if freq is None:
        return None
    f = freq.strip().upper()
    if f not in {"D", "W", "M"}:
        err_console.print(f"[bold red]error:[/] --freq '{freq}' is not one of D, W, M")
        raise typer.Exit(EXIT_BAD_INPUT)
    return f


@forecast_app.command("run")
@input_errors_exit_2
def run(
    out: Annotated[Path, typer.Option("--out", help="Forecasts table (.parquet or .csv).")],
    horizon: Annotated[int, typer.Option("--horizon", help="Periods ahead (daily: up to 366).")],
    history: HistoryOpt = None,
    freq: FreqOpt = None,
    columns: ColumnsOpt = None,
    events: EventsOpt = None,
    transfer_log: TransferLogOpt = None,
    network: NetworkOpt = None,
    totals: Annotated[bool, typer.Option("--totals", help="Also write the city (and district) "
                                         "totals, as rows whose branch is '(city)' or "
                                         "'(district) NAME'.")] = False,
) -> None:
    """Forecast every branch × measure with p10/p50/p90; models picked by backtest.

    Writes columns branch, measure, date, model, mean, p10, p50, p90. Branch means and
    medians add up to the city total (MinT reconciliation).

    Example: bookvan forecast run --history history.csv --freq M --horizon 12 --out fc.parquet
    """
    from bookvan.demand.forecast import forecast_history

    f = _freq(freq)
    h = _load(history, columns, events, transfer_log)
    districts = _districts(network, not history and events is None and transfer_log is None)
    with console.status(f"forecasting {len(h.series_ids)} series…"):
        fc = forecast_history(h, horizon, freq=f, districts=districts, with_totals=True)
    is_total = fc["branch"].str.startswith("(")
    _write_forecasts(fc if totals else fc[~is_total].reset_index(drop=True), out)
    branches = fc[~is_total]
    t = Table(title=f"{branches[['branch', 'measure']].drop_duplicates().shape[0]} series, "
              f"{horizon} periods → {out}")
    for c in ("measure", "city, first period p10", "p50", "p90", "horizon p50", "models"):
        t.add_column(c)
    for meas, g in branches.groupby("measure"):
        models = ", ".join(f"{k}×{v}" for k, v in g.drop_duplicates(
            "branch")["model"].value_counts().items())
        city = fc[(fc["branch"] == "(city)") & (fc["measure"] == meas)]
        first = city.iloc[0] if len(city) else g.groupby("date")[["p10", "p50", "p90"]].sum().iloc[0]
        t.add_row(str(meas), f"{first['p10']:.0f}", f"{first['p50']:.0f}", f"{first['p90']:.0f}",
                  f"{g['p50'].sum():.0f}", models)
    console.print(t)


def _write_forecasts(fc, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if out.suffix.lower() == ".csv":
        from bookvan.data.csv_safe import write_frame_csv

        write_frame_csv(fc.assign(date=fc["date"].dt.strftime("%Y-%m-%d")), out)  # formula-safe
    else:
        table = pa.Table.from_pandas(fc, preserve_index=False)
        with atomic_file(out, "wb") as fh:
            pq.write_table(table, fh)


@forecast_app.command("backtest")
@input_errors_exit_2
def backtest_cmd(
    history: HistoryOpt = None,
    freq: FreqOpt = None,
    horizon: Annotated[int | None, typer.Option("--horizon", help="Periods per window "
                                                "(default D 28, W 8, M 6).")] = None,
    windows: Annotated[int, typer.Option("--windows", min=1, max=24,
                                         help="Rolling origins scored.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    columns: ColumnsOpt = None,
    events: EventsOpt = None,
    transfer_log: TransferLogOpt = None,
    network: NetworkOpt = None,
) -> None:
    """Rolling-origin backtest: MASE against seasonal naive, 80 % coverage, pinball loss.

    Coverage is reported per horizon step too; the pinball loss (p10/p50/p90, scaled by each
    series' seasonal-naive error) judges width and coverage together.

    Example: bookvan forecast backtest --history history.csv --freq M --horizon 3 --json
    """
    from bookvan.demand.backtest import backtest

    f = _freq(freq)
    h = _load(history, columns, events, transfer_log)
    districts = _districts(network, not history and events is None and transfer_log is None)
    if as_json:
        rep = backtest(h, freq=f, horizon=horizon, n_windows=windows, districts=districts)
        print(json.dumps(rep.as_json()))
        return
    with console.status(f"backtesting {len(h.series_ids)} series…"):
        rep = backtest(h, freq=f, horizon=horizon, n_windows=windows, districts=districts)
    j = rep.as_json()
    t = Table(title=f"Backtest: {rep.windows} origins × {rep.horizon} {rep.freq}, "
              f"{rep.series} series ({rep.skipped_short} too short, {rep.skipped_flat} flat)")
    for c in ("", "MASE model", "MASE seasonal naive", "relative MASE"):
        t.add_column(c)
    t.add_row("all series (geometric mean)", f"{j['mase_model']}", f"{j['mase_seasonal_naive']}",
              f"{j['relative_mase']}")
    for meas, v in rep.totals.items():
        t.add_row(f"total {meas}", f"{v['mase_model']:.3f}", f"{v['mase_seasonal_naive']:.3f}",
                  f"{v['relative_mase']:.3f}")
    console.print(t)
    console.print(f"80 % interval coverage (p10–p90): {j['coverage_80']} (below p10 "
                  f"{j['below_p10']}, above p90 {j['above_p90']}); scaled pinball loss "
                  f"{j['pinball_loss']}")
    console.print("coverage per step: " + " ".join(f"{c:.2f}" for c in rep.coverage_80_by_step))
    inter = rep.intermittent
    if inter.get("series"):
        console.print(f"intermittent series: {inter['series']}, relative MASE "
                      f"{j['intermittent']['relative_mase']}")
    rec = j["reconciliation"]
    if rec:
        console.print(f"reconciled ({rec['method']}, {', '.join(rec['levels'])}): branch "
                      f"relative MASE {rec['relative_mase_branches']} (unreconciled "
                      f"{rec['relative_mase_branches_unreconciled']})")
    console.print("models chosen: " + ", ".join(f"{k}×{v}" for k, v in rep.models_chosen.items()))
