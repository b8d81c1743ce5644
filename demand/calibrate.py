"""Conformal p10/p90 per horizon step and series family, and the scores that judge them.

Why: p90 sizes vans and schedules, so it must hold out of sample. A series' own handful of
selection-window errors is too few to place a 10 % tail (monthly data: 12 errors), and
errors grow with the horizon. So errors are *normalised* by each series' noise scale (its
recent seasonal-naive mean absolute difference) and pooled over the series of one *family*
(same measure, same demand class: smooth or intermittent) and neighbouring horizon steps;
the interval at step ``k`` is ``point + scale × quantile of the pooled scores`` (split
conformal prediction, Vovk et al. 2005; per-step pooling as in Stankeviciute et al. 2021).

The errors come from the model each series would have picked *without* the window they
fall in (leave-one-window-out choice), so picking the best model on the same windows does
not make the intervals look narrower than they will be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Calibration", "calibrate", "pinball", "series_scale"]

QUANTILES = (0.1, 0.5, 0.9)
MIN_POOL = 40  # fewest scores behind one (family, step) quantile before pooling wider
MIN_MEDIAN = 8  # fewest scores behind a family's own median when its tails are pooled


def series_scale(train: pd.DataFrame, m: int, periods: int) -> pd.Series:
    """Noise scale per series: mean |y_t − y_{t−m}| over its last ``periods`` observed pairs.

    Falls back to the mean absolute value, then to 1, so every series has a positive scale.
    """
    out = {}
    for uid, g in train.groupby("unique_id", sort=False):
        y = g["y_obs"].to_numpy(float)[-(periods + m):]
        d = np.abs(y[m:] - y[:-m]) if len(y) > m else np.zeros(0)
        d = d[np.isfinite(d)]
        s = float(d.mean()) if len(d) else float("nan")
        if not s > 0:
            v = np.abs(y[np.isfinite(y)])
            s = float(v.mean()) if len(v) else float("nan")
        out[uid] = s if s > 0 else 1.0
    return pd.Series(out, dtype=float)


@dataclass
class Calibration:
    """Per-series model and scale, and normalised score quantiles per (family, step)."""

    model: pd.Series  # unique_id → model name (chosen on all calibration windows)
    family: pd.Series  # unique_id → family key
    q: dict[str, np.ndarray]  # family → (steps × 3) quantiles of normalised errors
    q_all: np.ndarray  # every family pooled, same shape
    tail: float = 0.1  # the tail level the leave-one-window-out check settled on

    def offsets(self, uid: pd.Series, step: np.ndarray, scale: pd.Series) -> np.ndarray:
        """(rows × 3) additive offsets for p10/p50/p90 at 1-based ``step``.

        ``scale`` is each series' noise scale at the forecast origin (:func:`series_scale`).
        """
        n = self.q_all.shape[0]
        k = np.clip(step, 1, n) - 1
        fam = uid.map(self.family).to_numpy()
        sc = uid.map(scale).fillna(1.0).to_numpy(float)
        out = self.q_all[k].copy()
        for f, qf in self.q.items():
            sel = fam == f
            out[sel] = qf[k[sel]]
        return out * sc[:, None]


def _choose(cv: pd.DataFrame, names: list[str], squared: set[str] | frozenset = frozenset()
            ) -> pd.Series:
    """Each series' model by mean absolute error; for the intermittent ``squared`` ids, by the
    absolute error of the p50 each model would issue (:func:`_p50_error`).

    Why not the raw absolute error there: it rewards forecasting zero (the median of a
    mostly-zero series) and so picks against the demand-rate models, whose mean is the rate
    while their p50 is the rate moved by the median error (Kourentzes 2014). (The name
    ``squared`` is kept from when these series were scored by squared error.)
    """
    ok = cv[cv["y_obs"].notna()]
    sq = ok["unique_id"].isin(squared).to_numpy()
    err = pd.DataFrame({n: np.where(sq, _p50_error(ok, n), (ok[n] - ok["y_obs"]).abs())
                        for n in names}, index=ok.index)
    err["unique_id"] = ok["unique_id"].to_numpy()
    score = err.groupby("unique_id")[names].mean()
    return score.idxmin(axis=1, skipna=True).dropna()


def _p50_error(ok: pd.DataFrame, name: str) -> np.ndarray:
    """Absolute error of the p50 an intermittent series would get from model ``name``.

    Why: the backtest (and the planner) judge p50, which for a demand-rate model is the rate
    plus the median error (often zero), not the rate; scoring every candidate by the error
    of that p50 lets a smooth model win where it is the better median (a weekly aggregate
    just past the ADI cut-off), and a rate model where it is. Seasonal models keep their own
    shape (see ``forecast.attach_quantiles``).
    """
    pred = ok[name].to_numpy(float)
    y = ok["y_obs"].to_numpy(float)
    if name not in SEASONAL_MODELS:
        med = pd.Series(y - pred).groupby(ok["unique_id"].to_numpy()).transform("median")
        pred = np.clip(pred + med.to_numpy(float), 0, None)
    return np.abs(y - pred)


SEASONAL_MODELS = ("SeasonalNaive", "SWA4", "SWA8")


def _levels(n: int, tail: float) -> tuple[float, float, float]:
    """Finite-sample conformal levels for n scores, each tail at most ``tail``."""
    lo = np.floor(tail * (n + 1)) / n if n else tail
    hi = np.ceil((1 - tail) * (n + 1)) / n if n else 1 - tail
    return float(np.clip(lo, 0, tail)), 0.5, float(np.clip(hi, 1 - tail, 1))


def _band_quantiles(step: np.ndarray, r: np.ndarray, h: int, tail: float) -> np.ndarray:
    """(h × 3) quantiles of ``r`` per step, widening the step band until MIN_POOL scores."""
    out = np.zeros((h, 3))
    by_step = {int(k): r[step == k] for k in np.unique(step)}
    for k in range(1, h + 1):
        w = 0
        while True:
            parts = [by_step[j] for j in range(k - w, k + w + 1) if j in by_step]
            x = np.concatenate(parts) if parts else np.zeros(0)
            if len(x) >= MIN_POOL or w >= h:
                break
            w += 1
        if len(x):
            out[k - 1] = np.quantile(x, _levels(len(x), tail))
    return out


def _fit(scores: pd.DataFrame, h: int, tail: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    step = scores["step"].to_numpy(int)
    r = scores["r"].to_numpy(float)
    fam = scores["family"].to_numpy(object)
    q_all = _band_quantiles(step, r, h, tail)
    q = {}
    for f in pd.unique(fam):
        sel = fam == f
        if sel.sum() >= MIN_POOL:
            q[str(f)] = _band_quantiles(step[sel], r[sel], h, tail)
        elif sel.sum() >= MIN_MEDIAN:
            # too few for a family's own tails, enough for its median: an intermittent
            # family's p50 is its median error (often below the rate), not every family's
            q[str(f)] = q_all.copy()
            q[str(f)][:, 1] = np.median(r[sel])
    return q, q_all


def _covered(q: dict[str, np.ndarray], q_all: np.ndarray, scores: pd.DataFrame) -> np.ndarray:
    k = np.clip(scores["step"].to_numpy(int), 1, q_all.shape[0]) - 1
    lo, hi = q_all[k, 0], q_all[k, 2]
    fam = scores["family"].to_numpy()
    for f, qf in q.items():
        sel = fam == f
        lo[sel], hi[sel] = qf[k[sel], 0], qf[k[sel], 2]
    r = scores["r"].to_numpy(float)
    return (r >= lo - 1e-12) & (r <= hi + 1e-12)


TAILS = (0.1, 0.08, 0.065, 0.05, 0.04, 0.03, 0.02, 0.01)


def _tail(scores: pd.DataFrame, h: int) -> float:
    """The largest tail whose leave-one-window-out coverage reaches 80 %.

    Why: the series of one city share shocks (a holiday week, a summer peak), so the scores
    of one window are not independent draws; quantiles learnt on the other windows and
    checked on the one left out show how much wider the interval has to be to hold.
    """
    wins = scores["window"].unique()
    if len(wins) < 2:
        return TAILS[0]
    for tail in TAILS:
        hits = []
        for wdw in wins:
            q, q_all = _fit(scores[scores["window"] != wdw], h, tail)
            hits.append(_covered(q, q_all, scores[scores["window"] == wdw]))
        if np.concatenate(hits).mean() >= 0.8:
            return tail
    return TAILS[-1]


def calibrate(cv: pd.DataFrame, names: list[str], scale, family: pd.Series,
              h: int) -> Calibration:
    """Choose each series' model on all windows of ``cv``; pool its honest errors by family.

    ``cv`` has ``unique_id, ds, cutoff, y_obs, closed`` and one column per model (NaN where a
    model was not run for that series). Closed rows (forecast exactly zero) are not scored.
    ``scale(cutoff)`` gives the series' noise scales at a window's origin: a growing series'
    errors grow with it, so each window is normalised by the scale of its own time.
    """
    squared = set(family.index[family.astype(str).str.endswith("|intermittent")])
    best = _choose(cv, names, squared)
    cuts = sorted(cv["cutoff"].unique())
    parts = []
    for c in cuts:
        win = cv[cv["cutoff"] == c].sort_values(["unique_id", "ds"])
        win = win.assign(step=win.groupby("unique_id").cumcount().to_numpy() + 1)
        others = cv[cv["cutoff"] != c]
        pick = _choose(others, names, squared) if len(cuts) > 1 else best
        pick = pick.reindex(best.index).fillna(best)
        w = win[win["y_obs"].notna() & ~win["closed"] & win["unique_id"].isin(pick.index)]
        vals = w[names].to_numpy()
        col = pd.Index(names).get_indexer(w["unique_id"].map(pick))
        pred = vals[np.arange(len(w)), col]
        step = w["step"].to_numpy()
        r = (w["y_obs"].to_numpy() - np.clip(pred, 0, None)) / w["unique_id"].map(
            scale(c)).fillna(1.0).to_numpy()
        parts.append(pd.DataFrame({"unique_id": w["unique_id"].to_numpy(), "step": step,
                                   "r": r, "family": w["unique_id"].map(family).to_numpy(),
                                   "window": c}))
    scores = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["unique_id", "step", "r", "family", "window"])
    scores = scores[np.isfinite(scores["r"].astype(float))]
    tail = _tail(scores, h)
    q, q_all = _fit(scores, h, tail)
    return Calibration(best, family.reindex(best.index), q, q_all, tail)


def pinball(y: np.ndarray, q: np.ndarray, tau: float) -> np.ndarray:
    """Pinball (quantile) loss of quantile forecast ``q`` at level ``tau``: a proper score."""
    d = y - q
    return np.maximum(tau * d, (tau - 1) * d)
