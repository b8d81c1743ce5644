"""Rolling-origin backtest: MASE of the selected model and of seasonal naive, 80 % coverage.

For each of ``n_windows`` origins (step = horizon) the procedure that ``forecast run`` uses
is replayed on the data before the origin: models are picked and intervals calibrated on the
``n_select`` windows just before it, then scored on the next ``horizon`` periods. MASE divides
each series' mean absolute error by its in-sample seasonal-naive error (lag = season, observed
points before the first origin). Aggregates over series are geometric means, so
``relative_mase = mase_model / mase_seasonal_naive`` is also the geometric mean of the
per-series ratios. Totals per measure (all branches summed) are scored the same way.
Series too short for the windows, or constant before the first origin (scale 0), are counted
and left out: the numbers stay honest rather than complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError
from bookvan.demand.forecast import (
    DEFAULT_HORIZON,
    MAX_HORIZON,
    SEASON,
    _cv,
    _models,
    attach_quantiles,
    make_panel,
    model_names,
    needed_length,
    select_models,
    split_id,
)
from bookvan.demand.history import History, to_freq

__all__ = ["BacktestReport", "backtest", "insample_scale"]


@dataclass
class BacktestReport:
    """Aggregate and per-series results; ``as_json()`` is what ``--json`` prints."""

    series: int
    mase_model: float
    mase_seasonal_naive: float
    relative_mase: float
    coverage_80: float
    freq: str
    horizon: int
    windows: int
    skipped_short: int
    skipped_flat: int
    skipped_exact: int
    models_chosen: dict[str, int]
    totals: dict[str, dict[str, float]]
    per_series: pd.DataFrame = field(repr=False)
    points: int = 0

    def as_json(self) -> dict[str, object]:
        def num(x: float) -> float | None:
            return None if x is None or not np.isfinite(x) else round(float(x), 4)

        return {
            "series": self.series, "mase_model": num(self.mase_model),
            "mase_seasonal_naive": num(self.mase_seasonal_naive),
            "relative_mase": num(self.relative_mase), "coverage_80": num(self.coverage_80),
            "freq": self.freq, "horizon": self.horizon, "windows": self.windows,
            "points": self.points, "skipped_short": self.skipped_short,
            "skipped_flat": self.skipped_flat, "skipped_exact": self.skipped_exact,
            "models_chosen": self.models_chosen,
            "totals": {k: {a: num(b) for a, b in v.items()} for k, v in self.totals.items()},
        }


def insample_scale(y: np.ndarray, m: int) -> float:
    """Mean |y_t - y_{t-m}| over observed pairs (NaN = missing); NaN if none."""
    if len(y) <= m:
        return float("nan")
    d = np.abs(y[m:] - y[:-m])
    d = d[np.isfinite(d)]
    return float(d.mean()) if len(d) else float("nan")


def seasonal_naive(
    panel: pd.DataFrame, rows: pd.DataFrame, cutoff: pd.Timestamp, m: int
) -> pd.Series:
    """The baseline on the data as read: the value one season before, from the last season
    before ``cutoff`` (``y_obs``; the interpolated ``y`` only where that value is missing)."""
    train = panel[panel["ds"] <= cutoff]
    out = []
    for uid, g in rows.groupby("unique_id", sort=False):
        t = train[train["unique_id"] == uid].tail(m)
        last = np.where(t["y_obs"].notna(), t["y_obs"], t["y"])
        k = np.arange(len(g))
        vals = last[k % m] if len(last) == m else np.full(len(g), np.nan)
        out.append(pd.Series(vals, index=g.index))
    return pd.concat(out).reindex(rows.index)


def _gmean(x: pd.Series) -> float:
    x = x[(x > 0) & np.isfinite(x)]
    return float(np.exp(np.log(x).mean())) if len(x) else float("nan")


def backtest(
    history: History, *, freq: str | None = None, horizon: int | None = None,
    n_windows: int = 3, n_select: int = 2, with_ets: bool | None = None,
) -> BacktestReport:
    """Replay forecasting at ``n_windows`` rolling origins and score it (see module doc)."""
    h = to_freq(history, freq or history.freq)
    m = SEASON[h.freq]
    panel = make_panel(h).frame
    lengths = panel.groupby("unique_id").size()
    hz = horizon or DEFAULT_HORIZON[h.freq]
    if horizon is None:  # the default shrinks until the longest series fits
        while hz > 1 and needed_length(h.freq, hz, n_select) + hz * n_windows > lengths.max():
            hz -= 1
    if not 1 <= hz <= MAX_HORIZON[h.freq]:
        raise InputError.single(history.source, f"horizon {hz} is outside 1..{MAX_HORIZON[h.freq]}")
    need = needed_length(h.freq, hz, n_select) + hz * n_windows
    ids = sorted(lengths[lengths >= need].index)
    if not ids:
        raise InputError.single(
            history.source, f"no series is long enough for a backtest of {n_windows} windows of "
            f"{hz} (each needs {need} {h.freq} periods; the longest has {int(lengths.max())}); "
            "try a shorter --horizon")
    p = panel[panel["unique_id"].isin(ids)]
    ets = (h.freq != "D") if with_ets is None else with_ets
    models = _models(h.freq, int(lengths[ids].min()) - hz * (n_select + n_windows), ets)
    names = model_names(models)
    cv = _cv(p, hz, n_select + n_windows, h.freq, models)
    cutoffs = sorted(cv["cutoff"].unique())
    scored = []
    for k in range(n_windows):
        sel_cut = cutoffs[k:k + n_select]
        eval_cut = cutoffs[k + n_select]
        sel = select_models(cv[cv["cutoff"].isin(sel_cut)], names)
        ev = cv[cv["cutoff"] == eval_cut]
        q = attach_quantiles(ev[["unique_id", "ds", *names, "closed"]], sel)
        q["y"] = ev["y_obs"].to_numpy()
        q["snaive"] = seasonal_naive(p, ev[["unique_id", "ds"]], eval_cut, m).to_numpy()
        q["cutoff"] = eval_cut
        scored.append(q)
    s = pd.concat(scored, ignore_index=True)
    first_cut = cutoffs[n_select]
    train = p[p["ds"] <= first_cut]
    scale = train.groupby("unique_id")["y_obs"].apply(lambda y: insample_scale(y.to_numpy(), m))
    ok = s[s["y"].notna()].copy()
    ok["err_m"] = (ok["y"] - ok["p50"]).abs()
    ok["err_s"] = (ok["y"] - ok["snaive"]).abs()
    ok["cov"] = (ok["y"] >= ok["p10"] - 1e-9) & (ok["y"] <= ok["p90"] + 1e-9)
    per = ok.groupby("unique_id").agg(mae_model=("err_m", "mean"), mae_snaive=("err_s", "mean"),
                                      coverage_80=("cov", "mean"), points=("y", "size"))
    per["scale"] = scale.reindex(per.index).astype(float)
    per = per.astype(float)
    flat = ~(per["scale"] > 0)
    per["mase_model"] = per["mae_model"] / per["scale"]
    per["mase_seasonal_naive"] = per["mae_snaive"] / per["scale"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per["relative_mase"] = per["mase_model"] / per["mase_seasonal_naive"]
    good = per[~flat & (per["mase_model"] > 0) & (per["mase_seasonal_naive"] > 0)]
    mm, ms = _gmean(good["mase_model"]), _gmean(good["mase_seasonal_naive"])
    chosen = s.drop_duplicates(["unique_id", "cutoff"])["model"].value_counts().to_dict()
    return BacktestReport(
        series=len(good), mase_model=mm, mase_seasonal_naive=ms,
        relative_mase=mm / ms if ms and np.isfinite(ms) else float("nan"),
        coverage_80=float(ok["cov"].mean()) if len(ok) else float("nan"),
        freq=h.freq, horizon=hz, windows=n_windows,
        skipped_short=int((lengths < need).sum()), skipped_flat=int(flat.sum()),
        skipped_exact=int((~flat & ~per.index.isin(good.index)).sum()),
        models_chosen={str(k): int(v) for k, v in chosen.items()},
        totals=_totals(ok, train, m), per_series=per.reset_index(), points=len(ok),
    )


def _totals(ok: pd.DataFrame, train: pd.DataFrame, m: int) -> dict[str, dict[str, float]]:
    """MASE of each measure summed over branches (the city total)."""
    out = {}
    ok = ok.assign(measure=ok["unique_id"].map(lambda u: split_id(u)[1]))
    tr = train.assign(measure=train["unique_id"].map(lambda u: split_id(u)[1]))
    for meas, g in ok.groupby("measure"):
        agg = g.groupby("ds")[["y", "p50", "snaive"]].sum()
        tot = tr[tr["measure"] == meas].groupby("ds")["y_obs"].sum(min_count=1)
        sc = insample_scale(tot.to_numpy(), m)
        if not sc > 0:
            continue
        mm = float((agg["y"] - agg["p50"]).abs().mean() / sc)
        ms = float((agg["y"] - agg["snaive"]).abs().mean() / sc)
        out[str(meas)] = {"mase_model": mm, "mase_seasonal_naive": ms,
                          "relative_mase": mm / ms if ms > 0 else float("nan")}
    return out
