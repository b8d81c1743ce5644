"""Per-branch forecasts with quantiles (p10/p50/p90), models picked by rolling-origin backtest.

Each series (branch × measure) is first classed as smooth or intermittent
(:mod:`bookvan.demand.intermittent`: average interval between demands over 1.32 periods).
Each class has its own statsforecast candidates; the one with the lowest mean absolute
error on the *selection* windows (the most recent ``h`` periods, rolled back ``n_select``
times) wins for that series. The same windows calibrate the intervals
(:mod:`bookvan.demand.calibrate`: conformal quantiles per horizon step and family, errors
normalised by each series' noise scale). City (and district) totals are forecast as series
of their own and reconciled with the branches by MinT-shrink (:mod:`bookvan.demand.hierarchy`;
bottom-up for a measure where MinT does not beat it out of sample), so the branches' ``mean``
and ``p50`` add up to the totals. Weekdays on which a daily series
was zero for the last eight weeks (a closed day) are forecast as exactly zero.

Candidate models, chosen for speed on two cores (AutoETS on 70 daily series × 5 windows took
two minutes here, so it only runs for weekly/monthly data or when asked). Smooth:
``SeasonalNaive`` (the baseline), ``SeasonalWindowAverage`` over the last 4 and 8 seasons
(robust level plus weekday/month pattern), ``HistoricAverage`` (flat), ``CrostonOptimized``
and ``ADIDA`` (simple exponential smoothing of a level). Intermittent: the same plus
``CrostonClassic``, ``CrostonSBA``, ``TSB``, ``IMAPA`` (a candidate family, not a forced one);
they are picked by squared error (the demand rate is a mean), and unless a seasonal model
wins, p50 is the calibrated median (often zero), ``mean`` the demand rate.

Series with too little history for the windows (a branch that just opened) get a cold-start
forecast: their own level, shaped by the average seasonal profile of the other branches'
series of the same measure (:func:`cold_start`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.errors import InputError
from bookvan.demand.history import History

__all__ = [
    "DEFAULT_HORIZON",
    "MAX_HORIZON",
    "SEASON",
    "Panel",
    "cache_dir",
    "cold_start",
    "forecast_history",
    "make_panel",
    "offset",
]

SEASON = {"D": 7, "W": 52, "M": 12}
DEFAULT_HORIZON = {"D": 28, "W": 8, "M": 6}
MAX_HORIZON = {"D": 366, "W": 53, "M": 12}
# selection/calibration windows: four for daily data (cheap models; two left the 10 % tails
# to too few days), two for weekly/monthly (AutoETS per window, and short histories)
N_SELECT = {"D": 4, "W": 2, "M": 2}
QUANTILES = (0.1, 0.5, 0.9)
CLOSURE_ZERO_MIN = 5.0
MIN_OWN_ERRORS = 20
N_DONORS = 5


def cache_dir() -> Path:
    """Where fitted forecasts and numba's compiled code are cached (``BOOKVAN_CACHE_DIR``)."""
    base = os.environ.get("BOOKVAN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "bookvan")
    return Path(base)


def _statsforecast():
    """Import statsforecast with numba's compile cache on disk (compile time counts).

    statsforecast caches its jitted kernels only when ``NIXTLA_NUMBA_CACHE`` is set; numba
    writes them under ``NUMBA_CACHE_DIR``.
    """
    if "NUMBA_CACHE_DIR" not in os.environ:
        target = cache_dir() / "numba"
        try:
            target.mkdir(parents=True, exist_ok=True)
            probe = target / ".write-test"
            probe.touch()
            probe.unlink()
            os.environ["NUMBA_CACHE_DIR"] = str(target)
        except OSError:  # read-only home: compile every time rather than fail
            pass
    if "NUMBA_CACHE_DIR" in os.environ:
        os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    import statsforecast
    from statsforecast import models

    return statsforecast, models


def offset(freq: str) -> pd.DateOffset:
    return {"D": pd.offsets.Day(1), "W": pd.offsets.Week(1), "M": pd.offsets.MonthBegin(1)}[freq]


def _pd_freq(freq: str) -> str:
    return {"D": "D", "W": "W-MON", "M": "MS"}[freq]


@dataclass
class Panel:
    """Regular series for statsforecast: ``y`` (filled) and ``observed`` (False where filled).

    ``frame`` columns: ``unique_id, ds, y, y_obs`` (``y_obs`` NaN where missing); series run from
    their first observation to the panel's last date.
    """

    frame: pd.DataFrame
    freq: str

    @property
    def ids(self) -> list[str]:
        return list(self.frame["unique_id"].unique())

    def lengths(self) -> pd.Series:
        return self.frame.groupby("unique_id")["y_obs"].count()


def series_id(branch: str, measure: str) -> str:
    return f"{branch}|{measure}"


def split_id(uid: str) -> tuple[str, str]:
    b, _, m = uid.rpartition("|")
    return b, m


def make_panel(history: History) -> Panel:
    """Regularise a history: one row per period from each series' first observation to the end.

    ``y`` (what models fit) fills missing values by interpolation and also replaces
    *closure zeros*, a zero where the same weekday (or neighbouring months) usually has at
    least ``CLOSURE_ZERO_MIN`` items: a holiday or a closure, not demand. ``y_obs`` keeps the
    data as read, for scoring.
    """
    f = history.frame.dropna(subset=["value"])
    if f.empty:
        raise InputError.single(history.source, "no observed values to forecast from")
    end = f["date"].max()
    parts = []
    freq = _pd_freq(history.freq)
    period = SEASON[history.freq] if history.freq == "D" else 1
    for (b, m), g in f.groupby(["branch", "measure"], sort=True):
        idx = pd.date_range(g["date"].min(), end, freq=freq)
        s = g.set_index("date")["value"].reindex(idx)
        fit = s.copy()
        if len(s) > 4 * period:
            typical = pd.concat([
                s.iloc[k::period].rolling(9, center=True, min_periods=3).median()
                for k in range(period)
            ]).reindex(idx)
            fit[(s == 0) & (typical >= CLOSURE_ZERO_MIN)] = np.nan
        if fit.notna().sum() > 1:
            fit = fit.interpolate(limit_direction="both")
        else:
            fit = fit.fillna(float(s.dropna().iloc[0]))
        parts.append(pd.DataFrame({
            "unique_id": series_id(str(b), str(m)), "ds": idx, "y": fit.to_numpy(float),
            "y_obs": s.to_numpy(float),
        }))
    return Panel(pd.concat(parts, ignore_index=True), history.freq)


def _models(freq: str, n_min: int, with_ets: bool, intermittent: bool = False):
    """Candidate models of one demand class (see :mod:`bookvan.demand.intermittent`)."""
    _, M = _statsforecast()
    m = SEASON[freq]
    out = [M.SeasonalNaive(season_length=m), M.HistoricAverage()]
    for k in (4, 8):
        if n_min >= k * m:
            out.append(M.SeasonalWindowAverage(window_size=k, season_length=m, alias=f"SWA{k}"))
    out += [M.CrostonOptimized(), M.ADIDA()]
    if with_ets:
        out.append(M.AutoETS(season_length=m if m <= 24 else 1))
    if intermittent:
        # the demand-rate estimators join the smooth candidates rather than replace them:
        # a series just past the ADI cut-off (a weekly aggregate of a small station) is
        # often still best served by AutoETS or a seasonal average, and the windows decide
        # by the error of the p50 each would issue (the plain historic average gives way to
        # the rate estimators, which it equals on a stationary series)
        out = [x for x in out if str(x) != "HistoricAverage"]
        out += [M.CrostonClassic(), M.CrostonSBA(), M.TSB(alpha_d=0.1, alpha_p=0.1), M.IMAPA()]
    return out


def _holiday_dates(years: range) -> set[pd.Timestamp]:
    return set(_holidays_cached(years.start, years.stop))


@functools.lru_cache(maxsize=8)
def _holidays_cached(start: int, stop: int) -> frozenset[pd.Timestamp]:
    from bookvan.data.hours import tw_holidays

    return frozenset(pd.Timestamp(d) for y in range(start, stop) for d in tw_holidays(y))


def closed_mask(train: pd.DataFrame, future: pd.DataFrame, freq: str) -> pd.Series:
    """True for future daily rows the series is closed on, so forecast exactly zero.

    Closed: a weekday that was zero (observed) in each of the last 8 weeks, or a Taiwan public
    holiday (``holidays`` package) when the series was zero on at least three quarters of the
    past holidays it had data for (at least three of them).
    """
    if freq != "D" or future.empty:
        return pd.Series(False, index=future.index)
    last = train.groupby("unique_id")["ds"].transform("max")
    recent = train[train["ds"] > last - pd.Timedelta(days=56)].copy()
    recent["wd"] = recent["ds"].dt.day_of_week
    g = recent.groupby(["unique_id", "wd"])["y_obs"]
    zero = (g.max() == 0) & (g.count() >= 4)
    key = pd.MultiIndex.from_arrays([future["unique_id"], future["ds"].dt.day_of_week])
    weekday_closed = zero.reindex(key, fill_value=False).to_numpy()
    years = range(int(train["ds"].dt.year.min()), int(future["ds"].dt.year.max()) + 1)
    hol = _holiday_dates(years)
    past = train[train["ds"].isin(hol) & train["y_obs"].notna()]
    share = (past["y_obs"] == 0).groupby(past["unique_id"]).agg(["mean", "size"])
    closes = set(share.index[(share["mean"] >= 0.75) & (share["size"] >= 3)])
    holiday_closed = (future["ds"].isin(hol) & future["unique_id"].isin(closes)).to_numpy()
    return pd.Series(weekday_closed | holiday_closed, index=future.index)


def _fit_predict(train: pd.DataFrame, h: int, freq: str, models: list) -> pd.DataFrame:
    sf_mod, _ = _statsforecast()
    sf = sf_mod.StatsForecast(models=models, freq=_pd_freq(freq), n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fc = sf.forecast(df=train[["unique_id", "ds", "y"]], h=h)
    return fc.reset_index() if "unique_id" not in fc.columns else fc


def _cv(panel: pd.DataFrame, h: int, n_windows: int, freq: str, models: list) -> pd.DataFrame:
    sf_mod, _ = _statsforecast()
    sf = sf_mod.StatsForecast(models=models, freq=_pd_freq(freq), n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cv = sf.cross_validation(df=panel[["unique_id", "ds", "y"]], h=h, step_size=h,
                                 n_windows=n_windows)
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    cv = cv.merge(panel[["unique_id", "ds", "y_obs"]], on=["unique_id", "ds"], how="left")
    mask = pd.Series(False, index=cv.index)
    for cutoff, g in cv.groupby("cutoff"):
        train = panel[panel["ds"] <= cutoff]
        mask.loc[g.index] = closed_mask(train, g, freq).to_numpy()
    names = [c for c in cv.columns if c not in {"unique_id", "ds", "cutoff", "y", "y_obs"}]
    cv.loc[mask, names] = 0.0
    cv[names] = cv[names].clip(lower=0.0)
    cv["closed"] = mask.to_numpy()
    return cv


def model_names(models: list) -> list[str]:
    return [str(m) for m in models]


def demand_classes(frame: pd.DataFrame, cutoff: pd.Timestamp, freq: str) -> pd.Series:
    """unique_id → True for intermittent series, judged on the data up to ``cutoff``."""
    from bookvan.demand.intermittent import closed_weekdays, demand_class

    train = frame[frame["ds"] <= cutoff]
    recent = {"D": 182, "W": 52, "M": 24}[freq]
    dc = demand_class(train, closed_weekdays(train, freq), periods=recent)
    return dc["intermittent"].reindex(frame["unique_id"].unique(), fill_value=False)


def _per_class(frame: pd.DataFrame, classes: pd.Series, freq: str, n_min: int,
               with_ets: bool, run) -> tuple[pd.DataFrame, list[str]]:
    """Run ``run(sub_frame, models)`` for each demand class; one frame, all model columns."""
    out, names = [], []
    for flag in (False, True):
        ids = classes.index[classes == flag]
        sub = frame[frame["unique_id"].isin(ids)]
        if sub.empty:
            continue
        models = _models(freq, n_min, with_ets, intermittent=flag)
        out.append(run(sub, models))
        names += [n for n in model_names(models) if n not in names]
    return pd.concat(out, ignore_index=True), names


def family_of(classes: pd.Series) -> pd.Series:
    """Family key per series: measure and demand class (intervals are pooled within one)."""
    return pd.Series({u: f"{split_id(u)[1]}|{'intermittent' if c else 'smooth'}"
                      for u, c in classes.items()}, dtype=object)


def attach_quantiles(fc: pd.DataFrame, cal, scale: pd.Series) -> pd.DataFrame:
    """Pick each series' model column into ``mean``; p10/p50/p90 from the calibration.

    ``fc`` rows are one series' consecutive periods from step 1; ``cal`` is a
    :class:`~bookvan.demand.calibrate.Calibration`. Closed rows are exactly zero.
    """
    fc = fc.sort_values(["unique_id", "ds"], kind="stable")
    out = fc[["unique_id", "ds"]].copy()
    model = fc["unique_id"].map(cal.model)
    vals = fc.drop(columns=["unique_id", "ds", "closed", "cutoff", "y", "y_obs"],
                   errors="ignore")
    col_idx = vals.columns.get_indexer(model.fillna(vals.columns[0]))
    mean = np.clip(vals.to_numpy(float)[np.arange(len(vals)), col_idx], 0, None)
    mean = np.nan_to_num(mean)
    step = fc.groupby("unique_id").cumcount().to_numpy() + 1
    off = cal.offsets(fc["unique_id"], step, scale)
    closed = fc["closed"].to_numpy() if "closed" in fc.columns else np.zeros(len(fc), bool)
    out["model"] = model.to_numpy()
    out["mean"] = mean
    # an intermittent series forecast at a flat demand rate: p50 is the calibrated median
    # (often 0), not the rate; a seasonal pattern (a van's weekdays) keeps its own shape
    inter = (fc["unique_id"].map(cal.family).fillna("").str.endswith("|intermittent")
             & ~model.isin(SEASONAL_MODELS)).to_numpy()
    out["p50"] = np.clip(mean + np.where(inter, off[:, 1], 0.0), 0, None)
    out["p10"] = np.minimum(np.clip(mean + off[:, 0], 0, None), out["p50"])
    out["p90"] = np.maximum(np.clip(mean + off[:, 2], 0, None), out["p50"])
    for c in ("mean", "p10", "p50", "p90"):
        out.loc[closed, c] = 0.0
    out["step"] = step
    return out[["unique_id", "ds", "model", "mean", "p10", "p50", "p90", "step"]]


SEASONAL_MODELS = ("SeasonalNaive", "SWA4", "SWA8")
SCALE_PERIODS = {"D": 182, "W": 52, "M": 24}


def calibration(frame: pd.DataFrame, cv: pd.DataFrame, names: list[str], classes: pd.Series,
                freq: str, h: int):
    """Model choice and conformal quantiles from the windows in ``cv``."""
    from bookvan.demand.calibrate import calibrate

    return calibrate(cv, names, lambda c: scale_at(frame, c, freq), family_of(classes), h)


def scale_at(frame: pd.DataFrame, cutoff: pd.Timestamp, freq: str) -> pd.Series:
    """Each series' noise scale from the data up to ``cutoff`` (see ``calibrate``)."""
    from bookvan.demand.calibrate import series_scale

    return series_scale(frame[frame["ds"] <= cutoff], SEASON[freq], SCALE_PERIODS[freq])


def residuals(cv: pd.DataFrame, names: list[str], model: pd.Series) -> pd.DataFrame:
    """Errors of each series' chosen model on the windows of ``cv``: (cutoff, ds) × series."""
    cv = cv[cv["unique_id"].isin(model.index)]
    col = pd.Index(names).get_indexer(cv["unique_id"].map(model))
    pred = np.clip(cv[names].to_numpy(float)[np.arange(len(cv)), col], 0, None)
    e = cv[["unique_id", "ds", "cutoff"]].assign(e=cv["y"].to_numpy(float) - pred)
    return e.pivot_table(index=["cutoff", "ds"], columns="unique_id", values="e")


def cold_start(panel: Panel, short_ids: list[str], future: pd.DataFrame,
               donors_fc: pd.DataFrame) -> pd.DataFrame:
    """Forecasts for short series: own level × the seasonal profile of same-measure donors.

    The profile is the donors' mean forecast per future period divided by their own mean
    level over the last season of history (so it carries weekday/month shape and trend);
    the level is the short series' observed mean (its profile-adjusted mean when the donors'
    history covers its dates). Donors are the ``N_DONORS`` series of the same measure whose
    volume over the short series' dates is closest to its own (similar branches), all of them
    when the dates do not overlap. Intervals take the donors' median relative width.
    """
    from bookvan.demand.hierarchy import is_total

    f = panel.frame
    m = SEASON[panel.freq]
    rows = []
    for uid in short_ids:
        measure = split_id(uid)[1]
        own = f[(f["unique_id"] == uid) & f["y_obs"].notna()]
        fut = future[future["unique_id"] == uid]
        donors = [d for d in donors_fc["unique_id"].unique()
                  if split_id(d)[1] == measure and not is_total(d)]
        if own.empty or fut.empty:
            continue
        donors = _similar(f, own, donors)
        if donors:
            dfc = donors_fc[donors_fc["unique_id"].isin(donors)]
            hist = f[f["unique_id"].isin(donors)]
            last = hist["ds"].max()
            recent = hist[hist["ds"] > last - m * offset(panel.freq)]
            dlevel = recent.groupby("unique_id")["y"].mean().replace(0, np.nan)
            rel = dfc.assign(lv=dfc["unique_id"].map(dlevel))
            rel = rel.assign(r=rel["p50"] / rel["lv"], w10=rel["p10"] / rel["p50"].where(
                rel["p50"] > 0), w90=rel["p90"] / rel["p50"].where(rel["p50"] > 0))
            prof = rel.groupby("ds")["r"].mean()
            w10 = float(np.nanmedian(rel["w10"])) if rel["w10"].notna().any() else 0.7
            w90 = float(np.nanmedian(rel["w90"])) if rel["w90"].notna().any() else 1.3
            # own level relative to donors over the same dates
            same = hist[hist["ds"].isin(own["ds"])]
            dmean = same.groupby("ds")["y"].mean()
            ratio = own.set_index("ds")["y_obs"].sum() / max(
                dmean.reindex(own["ds"]).fillna(0).sum(), 1e-9)
            dmean_level = float(dlevel.mean()) if dlevel.notna().any() else 0.0
            level = ratio * dmean_level if dmean.reindex(own["ds"]).notna().any() \
                else float(own["y_obs"].mean())
            shape = fut["ds"].map(prof).fillna(1.0).to_numpy()
        else:
            level, shape, w10, w90 = float(own["y_obs"].mean()), np.ones(len(fut)), 0.7, 1.3
        p50 = np.clip(level * shape, 0, None)
        rows.append(pd.DataFrame({
            "unique_id": uid, "ds": fut["ds"].to_numpy(), "model": "ColdStart",
            "mean": p50, "p10": p50 * min(w10, 1.0), "p50": p50, "p90": p50 * max(w90, 1.0),
        }))
    cols = ["unique_id", "ds", "model", "mean", "p10", "p50", "p90"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


def _similar(f: pd.DataFrame, own: pd.DataFrame, donors: list[str]) -> list[str]:
    """The donors closest in volume to ``own`` over its dates (log ratio of sums)."""
    if len(donors) <= N_DONORS:
        return donors
    same = f[f["unique_id"].isin(donors) & f["ds"].isin(own["ds"])]
    if same.empty:
        return donors
    tot = same.groupby("unique_id")["y"].sum()
    target = max(float(own["y_obs"].sum()), 1e-9)
    dist = (np.log(tot.clip(lower=1e-9)) - np.log(target)).abs().sort_values()
    return list(dist.index[:N_DONORS])


def _future_frame(panel: Panel, ids: list[str], h: int) -> pd.DataFrame:
    end = panel.frame["ds"].max()
    ds = pd.date_range(end + offset(panel.freq), periods=h, freq=_pd_freq(panel.freq))
    return pd.DataFrame({"unique_id": np.repeat(ids, h), "ds": np.tile(ds, len(ids))})


def needed_length(freq: str, h_sel: int, n_select: int) -> int:
    """Periods a series needs for the model route: a season plus two (so the seasonal-naive
    scale exists) before the selection windows; shorter series get a cold start."""
    return SEASON[freq] + 2 + h_sel * n_select


def forecast_history(
    history: History, horizon: int, *, freq: str | None = None, with_ets: bool | None = None,
    n_select: int | None = None, reconcile: bool = True,
    districts: dict[str, str] | None = None, with_totals: bool = False,
) -> pd.DataFrame:
    """Forecast every series ``horizon`` periods ahead.

    Returns ``branch, measure, date, model, mean, p10, p50, p90`` (non-negative,
    p10 ≤ p50 ≤ p90). Model choice and interval calibration use the last
    ``n_select`` windows (default ``N_SELECT``) of ``min(horizon, DEFAULT_HORIZON)`` periods.
    With ``reconcile``
    the branches' ``mean`` and ``p50`` add up to the city total (and to each district's,
    ``districts`` mapping branch → district); ``with_totals`` also returns those totals as
    rows whose branch is ``(city)`` or ``(district) NAME``.
    """
    from bookvan.demand.hierarchy import add_totals, is_total, reconcile_forecasts
    from bookvan.demand.history import to_freq

    h = to_freq(history, freq or history.freq)
    n_select = n_select or N_SELECT[h.freq]
    if not 1 <= horizon <= MAX_HORIZON[h.freq]:
        raise InputError.single(history.source, f"horizon {horizon} is outside "
                                f"1..{MAX_HORIZON[h.freq]} for frequency {h.freq}")
    panel = make_panel(h)
    tree: dict = {}
    if reconcile:
        frame, tree = add_totals(panel.frame, districts)
        panel = Panel(frame, panel.freq)
    h_sel = min(horizon, DEFAULT_HORIZON[h.freq])
    lengths = panel.frame.groupby("unique_id").size()
    need = needed_length(h.freq, h_sel, n_select)
    long_ids = sorted(lengths[lengths >= need].index)
    short_ids = sorted(lengths[lengths < need].index)
    ets = (h.freq != "D") if with_ets is None else with_ets
    pieces, resid = [], pd.DataFrame()
    if long_ids:
        lp = panel.frame[panel.frame["unique_id"].isin(long_ids)]
        n_min = int(lengths[long_ids].min()) - h_sel * n_select
        all_ds = np.sort(lp["ds"].unique())
        cut0 = pd.Timestamp(all_ds[-(h_sel * n_select) - 1])
        classes = demand_classes(lp, cut0, h.freq)
        cv, names = _per_class(lp, classes, h.freq, n_min, ets,
                               lambda d, ms: _cv(d, h_sel, n_select, h.freq, ms))
        cal = calibration(lp, cv, names, classes, h.freq, h_sel)
        fc, _ = _per_class(lp, classes, h.freq, n_min, ets,
                           lambda d, ms: _fit_predict(d, horizon, h.freq, ms))
        fc["closed"] = closed_mask(lp, fc, h.freq).to_numpy()
        scale = scale_at(lp, lp["ds"].max(), h.freq)
        pieces.append(attach_quantiles(fc, cal, scale).drop(columns="step"))
        resid = residuals(cv, names, cal.model)
    donors = pieces[0] if pieces else pd.DataFrame(
        columns=["unique_id", "ds", "p10", "p50", "p90"])
    if short_ids:
        future = _future_frame(panel, short_ids, horizon)
        pieces.append(cold_start(panel, short_ids, future, donors))
    out = pd.concat(pieces, ignore_index=True)
    if tree:
        out = reconcile_forecasts(out, tree, resid)
    if not with_totals:
        out = out[~out["unique_id"].map(is_total)]
    bm = out["unique_id"].map(split_id)
    out.insert(0, "branch", [b for b, _ in bm])
    out.insert(1, "measure", [m for _, m in bm])
    out = out.drop(columns=["unique_id"]).rename(columns={"ds": "date"})
    return out.sort_values(["branch", "measure", "date"], ignore_index=True)


def history_hash(history: History, *extra: object) -> str:
    """Content hash of a history (and settings) for the on-disk forecast cache."""
    hsh = hashlib.sha256()
    f = history.frame
    hsh.update(pd.util.hash_pandas_object(f, index=False).to_numpy().tobytes())
    hsh.update(repr((history.freq, *extra)).encode())
    return hsh.hexdigest()[:20]
