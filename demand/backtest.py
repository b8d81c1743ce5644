"""Rolling-origin backtest: MASE against seasonal naive, 80 % coverage per step, pinball loss.

For each of ``n_windows`` origins (step = horizon) the procedure that ``forecast run`` uses
is replayed on the data before the origin: models are picked and intervals calibrated on the
``n_select`` windows just before it, totals reconciled, then scored on the next ``horizon``
periods. MASE divides each series' mean absolute error by its in-sample seasonal-naive error
(lag = season, observed points before the first origin). Aggregates over series are geometric
means, so ``relative_mase = mase_model / mase_seasonal_naive`` is also the geometric mean of
the per-series ratios. Totals per measure (all branches summed) are scored the same way.
Coverage is the share of observed values inside p10–p90, overall and per horizon step; the
*pinball loss* averages the quantile loss of p10, p50 and p90 (a proper scoring rule: it
rewards narrow intervals only when they still hold), divided by the series' seasonal-naive
scale and averaged over series. Series too short for the windows, or constant before the
first origin (scale 0), are counted and left out: the numbers stay honest rather than complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError
from bookvan.demand.calibrate import pinball
from bookvan.demand.forecast import (
    DEFAULT_HORIZON,
    MAX_HORIZON,
    N_SELECT,
    SEASON,
    _cv,
    _per_class,
    attach_quantiles,
    calibration,
    demand_classes,
    make_panel,
    needed_length,
    residuals,
    scale_at,
    split_id,
)
from bookvan.demand.history import History, to_freq

__all__ = ["BacktestReport", "backtest", "insample_scale"]

PINBALL = (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))


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
    coverage_80_by_step: list[float] = field(default_factory=list)
    below_p10: float = float("nan")
    above_p90: float = float("nan")
    pinball_loss: float = float("nan")
    pinball_loss_by_step: list[float] = field(default_factory=list)
    intermittent: dict[str, object] = field(default_factory=dict)
    reconciliation: dict[str, object] = field(default_factory=dict)

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
            "coverage_80_by_step": [num(x) for x in self.coverage_80_by_step],
            "below_p10": num(self.below_p10), "above_p90": num(self.above_p90),
            "pinball_loss": num(self.pinball_loss),
            "pinball_loss_by_step": [num(x) for x in self.pinball_loss_by_step],
            "intermittent": {k: (num(v) if isinstance(v, float) else v)
                             for k, v in self.intermittent.items()},
            "reconciliation": {k: (num(v) if isinstance(v, float) else v)
                               for k, v in self.reconciliation.items()},
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


def _window_plan(history: History, h: History, horizon: int | None, n_windows: int,
                 n_select: int) -> tuple[pd.DataFrame, pd.Series, int, int, list[str]]:
    """(panel, series lengths, horizon, periods each series needs, the series long enough)."""
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
    return panel, lengths, hz, need, ids


@dataclass
class _Windows:
    """What the rolling origins produced: scored forecasts and the reconciliation's account."""

    scored: pd.DataFrame
    cutoffs: list[pd.Timestamp]
    used: set[str] = field(default_factory=set)  # hierarchy groups the reconciliation used
    bottom_up: dict[str, int] = field(default_factory=dict)  # measure → origins that fell back


def _score_windows(p: pd.DataFrame, cv: pd.DataFrame, names: list[str], classes: pd.Series, freq: str,
                   hz: int, n_select: int, n_windows: int, tree: dict) -> _Windows:
    """At each origin: calibrate on the ``n_select`` windows before it, reconcile, attach actuals and the baseline."""
    from bookvan.demand.hierarchy import reconcile_forecasts, used_groups

    cutoffs = sorted(cv["cutoff"].unique())
    out = _Windows(pd.DataFrame(), cutoffs)
    scored = []
    for k in range(n_windows):
        sel_cut = cutoffs[k:k + n_select]
        eval_cut = cutoffs[k + n_select]
        cal = calibration(p, cv[cv["cutoff"].isin(sel_cut)], names, classes, freq, hz)
        ev = cv[cv["cutoff"] == eval_cut].sort_values(["unique_id", "ds"], kind="stable")
        q = attach_quantiles(ev[["unique_id", "ds", *names, "closed"]], cal, scale_at(p, eval_cut, freq))
        q["p50_base"] = q["p50"].to_numpy()
        if tree:
            resid = residuals(cv[cv["cutoff"].isin(sel_cut)], names, cal.model)
            q = reconcile_forecasts(q, tree, resid)
            for meas in q.attrs.get("bottom_up", []):
                out.bottom_up[meas] = out.bottom_up.get(meas, 0) + 1
            out.used |= {k for g in tree.values() for k in used_groups(g, resid)}
        q["y"] = ev["y_obs"].to_numpy()
        q["snaive"] = seasonal_naive(p, ev[["unique_id", "ds"]], eval_cut, SEASON[freq]).to_numpy()
        q["cutoff"] = eval_cut
        scored.append(q)
    out.scored = pd.concat(scored, ignore_index=True)
    return out


def _point_errors(s: pd.DataFrame) -> pd.DataFrame:
    """The observed points with their absolute errors, interval hits and pinball loss."""
    ok = s[s["y"].notna()].copy()
    ok["err_m"] = (ok["y"] - ok["p50"]).abs()
    ok["err_s"] = (ok["y"] - ok["snaive"]).abs()
    ok["err_b"] = (ok["y"] - ok["p50_base"]).abs()
    ok["below"] = ok["y"] < ok["p10"] - 1e-9
    ok["above"] = ok["y"] > ok["p90"] + 1e-9
    ok["cov"] = ~ok["below"] & ~ok["above"]
    y = ok["y"].to_numpy()
    ok["pinball"] = sum(pinball(y, ok[c].to_numpy(), t) for c, t in PINBALL) / len(PINBALL)
    return ok


def _per_series(ok: pd.DataFrame, scale: pd.Series, classes: pd.Series) -> pd.DataFrame:
    """Per series: mean errors, coverage, and MASE of the model, the baseline and before reconciling."""
    per = ok.groupby("unique_id").agg(mae_model=("err_m", "mean"), mae_snaive=("err_s", "mean"),
                                      coverage_80=("cov", "mean"), points=("y", "size"),
                                      pinball=("pinball", "mean"),
                                      mae_unreconciled=("err_b", "mean"))
    per["scale"] = scale.reindex(per.index).astype(float)
    per = per.astype(float)
    per["scaled_pinball"] = per["pinball"] / per["scale"]
    per["intermittent"] = classes.reindex(per.index).fillna(False).astype(bool)
    per["mase_model"] = per["mae_model"] / per["scale"]
    per["mase_seasonal_naive"] = per["mae_snaive"] / per["scale"]
    per["mase_unreconciled"] = per["mae_unreconciled"] / per["scale"]
    with np.errstate(divide="ignore", invalid="ignore"):
        per["relative_mase"] = per["mase_model"] / per["mase_seasonal_naive"]
    return per


def _reconciliation(w: _Windows, good: pd.DataFrame, mm: float, ms: float) -> dict[str, object]:
    """What MinT reconciliation did to the branches' MASE, which levels it used, where it fell back."""
    base = _gmean(good["mase_unreconciled"]) / ms if ms else float("nan")
    return {"method": "MinT-shrink", "relative_mase_branches": mm / ms if ms else float("nan"),
            "relative_mase_branches_unreconciled": base,
            "levels": sorted({"city" if u.startswith("(city)") else "district" for u in w.used}),
            "bottom_up_origins": dict(sorted(w.bottom_up.items()))}


def _intermittent(ok: pd.DataFrame, s: pd.DataFrame, good: pd.DataFrame) -> dict[str, object]:
    """The scores of the intermittent series alone, and the models chosen for them."""
    inter = good[good["intermittent"]]
    return {"series": len(inter), "relative_mase": _gmean(inter["relative_mase"]),
            "coverage_80": float(ok[ok["unique_id"].isin(inter.index)]["cov"].mean())
            if len(inter) else float("nan"),
            "models_chosen": {str(k): int(v) for k, v in s[s["unique_id"].isin(
                inter.index)].drop_duplicates(["unique_id", "cutoff"])["model"]
                .value_counts().items()}}


def backtest(
    history: History, *, freq: str | None = None, horizon: int | None = None,
    n_windows: int = 3, n_select: int | None = None, with_ets: bool | None = None,
    intermittent: bool = True, reconcile: bool = True, districts: dict[str, str] | None = None,
) -> BacktestReport:
    """Replay forecasting at ``n_windows`` rolling origins and score it (see module doc).

    ``intermittent=False`` and ``reconcile=False`` switch off the intermittent model family
    and the MinT reconciliation, to measure what each brings.
    """
    from bookvan.demand.hierarchy import add_totals, is_total

    h = to_freq(history, freq or history.freq)
    n_select = n_select or N_SELECT[h.freq]
    m = SEASON[h.freq]
    panel, lengths, hz, need, ids = _window_plan(history, h, horizon, n_windows, n_select)
    p = panel[panel["unique_id"].isin(ids)]
    tree: dict = {}
    if reconcile:
        p, tree = add_totals(p, districts)
    ets = (h.freq != "D") if with_ets is None else with_ets
    n_min = int(lengths[ids].min()) - hz * (n_select + n_windows)
    all_ds = np.sort(p["ds"].unique())
    cut0 = pd.Timestamp(all_ds[-(hz * (n_select + n_windows)) - 1])
    classes = demand_classes(p, cut0, h.freq)
    if not intermittent:
        classes[:] = False
    cv, names = _per_class(p, classes, h.freq, n_min, ets,
                           lambda d, ms: _cv(d, hz, n_select + n_windows, h.freq, ms))
    w = _score_windows(p, cv, names, classes, h.freq, hz, n_select, n_windows, tree)
    s = w.scored[~w.scored["unique_id"].map(is_total)]
    p = p[~p["unique_id"].map(is_total)]
    train = p[p["ds"] <= w.cutoffs[n_select]]
    scale = train.groupby("unique_id")["y_obs"].apply(lambda y: insample_scale(y.to_numpy(), m))
    ok = _point_errors(s)
    per = _per_series(ok, scale, classes)
    flat = ~(per["scale"] > 0)
    good = per[~flat & (per["mase_model"] > 0) & (per["mase_seasonal_naive"] > 0)]
    mm, ms = _gmean(good["mase_model"]), _gmean(good["mase_seasonal_naive"])
    chosen = s.drop_duplicates(["unique_id", "cutoff"])["model"].value_counts().to_dict()
    ok["sp"] = ok["pinball"] / ok["unique_id"].map(per["scale"])
    by_step = ok[ok["unique_id"].isin(good.index)].groupby("step")
    return BacktestReport(
        series=len(good), mase_model=mm, mase_seasonal_naive=ms,
        relative_mase=mm / ms if ms and np.isfinite(ms) else float("nan"),
        coverage_80=float(ok["cov"].mean()) if len(ok) else float("nan"),
        freq=h.freq, horizon=hz, windows=n_windows,
        skipped_short=int((lengths < need).sum()), skipped_flat=int(flat.sum()),
        skipped_exact=int((~flat & ~per.index.isin(good.index)).sum()),
        models_chosen={str(k): int(v) for k, v in chosen.items()},
        totals=_totals(ok, train, m), per_series=per.reset_index(), points=len(ok),
        coverage_80_by_step=[float(x) for x in ok.groupby("step")["cov"].mean()],
        below_p10=float(ok["below"].mean()), above_p90=float(ok["above"].mean()),
        pinball_loss=float(good["scaled_pinball"].mean()),
        pinball_loss_by_step=[float(x) for x in by_step["sp"].mean()],
        intermittent=_intermittent(ok, s, good),
        reconciliation=_reconciliation(w, good, mm, ms) if tree else {},
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
