"""City and district totals as series of their own, and coherent forecasts across them.

The totals are forecast like any branch (their own models and intervals), then every level
is reconciled by MinT-shrink (:mod:`bookvan.demand.reconcile`): the branch forecasts move by
what the totals' forecasts and the error covariance say, and each total becomes the sum of
its branches' reconciled ``mean`` and ``p50``. A total keeps the width of its own calibrated
interval around that sum (quantiles of a sum are not sums of quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bookvan.demand.reconcile import mint_weights, shrunk_covariance, summing_matrix

__all__ = ["CITY", "DISTRICT", "Tree", "add_totals", "is_total", "reconcile_forecasts",
           "used_groups"]

CITY = "(city)"
DISTRICT = "(district) "

Tree = dict[str, dict[str, list[str]]]  # measure → total id → bottom ids


def is_total(uid: str) -> bool:
    b = uid.rpartition("|")[0]
    return b == CITY or b.startswith(DISTRICT)


def add_totals(frame: pd.DataFrame, districts: dict[str, str] | None = None
               ) -> tuple[pd.DataFrame, Tree]:
    """Append the city total (and district totals) per measure to a panel frame.

    A total's ``y`` sums its branches' fitted values; its ``y_obs`` is observed only on
    periods where every branch with data then was observed.
    """
    tree: Tree = {}
    parts = [frame]
    uid = frame["unique_id"]
    branch = uid.str.rpartition("|")[0]
    measure = uid.str.rpartition("|")[2]
    for meas in sorted(measure.unique()):
        ids = sorted(uid[measure == meas].unique())
        if len(ids) < 2:
            continue
        groups = {f"{CITY}|{meas}": ids}
        if districts:
            by: dict[str, list[str]] = {}
            for i in ids:
                d = districts.get(i.rpartition("|")[0])
                if d:
                    by.setdefault(d, []).append(i)
            if len(by) > 1:
                groups |= {f"{DISTRICT}{d}|{meas}": m for d, m in sorted(by.items())
                           if len(m) > 1}
        tree[meas] = groups
        for tid, members in groups.items():
            g = frame[uid.isin(members)]
            by_ds = g.groupby("ds")
            n, cnt = by_ds.size(), by_ds["y_obs"].count()
            obs = by_ds["y_obs"].sum().where(cnt == n)
            parts.append(pd.DataFrame({"unique_id": tid, "ds": n.index, "y": by_ds["y"].sum(),
                                       "y_obs": obs.to_numpy()}).reset_index(drop=True))
    del branch
    return pd.concat(parts, ignore_index=True), tree


def reconcile_forecasts(out: pd.DataFrame, tree: Tree, resid: pd.DataFrame) -> pd.DataFrame:
    """Reconcile ``out`` (``unique_id, ds, mean, p10, p50, p90``, every level) by MinT-shrink.

    ``resid`` has one column per series id (base-forecast errors on the calibration windows,
    rows aligned across series). Forecasts fixed at zero (closed days) stay zero. Measures
    where MinT does not beat bottom-up out of sample (:func:`mint_helps`) are reconciled
    bottom-up; they are listed in ``out.attrs["bottom_up"]``.
    """
    out = out.copy()
    bottom_up: list[str] = []
    for meas, all_groups in tree.items():
        bottom = sorted({b for m in all_groups.values() for b in m})
        groups = used_groups(all_groups, resid)
        totals = list(groups)
        ids = totals + bottom
        sub = out[out["unique_id"].isin(ids)]
        mean = sub.pivot(index="unique_id", columns="ds", values="mean").reindex(ids)
        if mean.isna().any().any():
            continue
        s = summing_matrix(bottom, groups)
        base_b = mean.loc[bottom].to_numpy()
        if mint_helps(resid, ids, bottom, s, sub):
            g = mint_weights(s, _covariance(resid, ids, sub))
            new = g @ mean.to_numpy()
        else:  # bottom-up: the branches stay, the totals become their sums
            new = base_b
            bottom_up.append(meas)
        fixed = sub.pivot(index="unique_id", columns="ds", values="p90").reindex(bottom) <= 0
        delta = np.where(fixed.to_numpy(), 0.0, new - base_b)
        key = pd.MultiIndex.from_frame(out[["unique_id", "ds"]])
        d = pd.DataFrame(delta, index=bottom, columns=mean.columns).stack()
        add = d.reindex(key).fillna(0.0).to_numpy()
        is_b = out["unique_id"].isin(bottom).to_numpy()
        p10_zero = (out["p10"] <= 0).to_numpy() & is_b
        for c in ("mean", "p10", "p50", "p90"):
            out.loc[is_b, c] = np.clip(out.loc[is_b, c].to_numpy() + add[is_b], 0, None)
        # a p10 at zero (zero is a likely outcome: a small station) stays at zero
        out.loc[p10_zero, "p10"] = 0.0
        out.loc[is_b, "p10"] = np.minimum(out.loc[is_b, "p10"], out.loc[is_b, "p50"])
        out.loc[is_b, "p90"] = np.maximum(out.loc[is_b, "p90"], out.loc[is_b, "p50"])
        bsub = out[out["unique_id"].isin(bottom)]
        bmean = bsub.pivot(index="unique_id", columns="ds", values="mean").reindex(bottom)
        bp50 = bsub.pivot(index="unique_id", columns="ds", values="p50").reindex(bottom)
        for tid, members in all_groups.items():
            t = out["unique_id"] == tid
            ds = out.loc[t, "ds"]
            tm = bmean.loc[members].sum().reindex(ds).to_numpy()
            tp = bp50.loc[members].sum().reindex(ds).to_numpy()
            lo = (out.loc[t, "p50"] - out.loc[t, "p10"]).to_numpy()
            hi = (out.loc[t, "p90"] - out.loc[t, "p50"]).to_numpy()
            out.loc[t, "mean"] = tm
            out.loc[t, "p50"] = tp
            out.loc[t, "p10"] = np.clip(tp - lo, 0, None)
            out.loc[t, "p90"] = tp + hi
    out.attrs["bottom_up"] = bottom_up
    return out


def mint_helps(resid: pd.DataFrame, ids: list[str], bottom: list[str], s: np.ndarray,
               sub: pd.DataFrame) -> bool:
    """Whether MinT beats bottom-up on the branches, judged window by window out of sample.

    Why: with few error vectors (weekly/monthly windows) the covariance is mostly shrinkage
    and MinT can move good branch forecasts toward a worse total. The totals' ``y`` are the
    branches' sums, so a branch's reconciled error is ``G e`` (``e`` the base errors of every
    level); ``G`` is learnt on the other windows and applied to the one left out. MinT is
    kept when the branches' mean absolute error, each scaled by its base error, does not
    grow; otherwise the reconciliation is bottom-up (also a coherent method). With fewer
    error vectors than series (monthly windows) there is no evidence either way, and the
    branches are left as they are (bottom-up).
    """
    if not isinstance(resid.index, pd.MultiIndex):
        return True  # errors of one window: none to hold out, MinT as asked
    cuts = resid.index.get_level_values(0).unique() if len(resid) else []
    if len(cuts) < 2:
        return True
    r = resid.reindex(columns=ids)
    if len(r.dropna(how="any")) < len(ids):
        return False  # fewer error vectors than series: W is all shrinkage, no evidence
    nb = len(bottom)
    base, rec = [], []
    for c in cuts:
        held = r.xs(c, level=0, drop_level=False).dropna()
        rest = resid[resid.index.get_level_values(0) != c]
        if held.empty:
            continue
        g = mint_weights(s, _covariance(rest, ids, sub))
        e = held.to_numpy(float)
        base.append(np.abs(e[:, -nb:]))
        rec.append(np.abs(e @ g.T))
    if not base:
        return True
    b, m = np.vstack(base), np.vstack(rec)
    scale = np.where(b.mean(axis=0) > 0, b.mean(axis=0), 1.0)
    return float((m.mean(axis=0) / scale).mean()) <= float((b.mean(axis=0) / scale).mean())


def used_groups(groups: dict[str, list[str]], resid: pd.DataFrame) -> dict[str, list[str]]:
    """The totals MinT uses: all of them, or the city alone when there are fewer error
    vectors than series (weekly/monthly windows: the covariance is then mostly shrinkage and
    district totals add noise); districts left out are the sums of their reconciled branches.
    """
    bottom = {b for m in groups.values() for b in m}
    rows = len(resid.dropna(how="any")) if len(resid) else 0
    if rows < len(groups) + len(bottom):
        return {k: v for k, v in groups.items() if k.startswith(CITY)}
    return groups


def _covariance(resid: pd.DataFrame, ids: list[str], sub: pd.DataFrame) -> np.ndarray:
    """Shrunk error covariance of ``ids``; a series without errors (cold start) gets a
    variance from its interval width and no covariance."""
    r = resid.reindex(columns=ids)
    have = [c for c in ids if r[c].notna().any()]
    rr = r[have].dropna()
    w = np.zeros((len(ids), len(ids)))
    pos = [ids.index(c) for c in have]
    if len(rr) > 2 and have:
        w[np.ix_(pos, pos)] = shrunk_covariance(rr.to_numpy(float))
    width = (sub.groupby("unique_id")["p90"].mean() - sub.groupby("unique_id")["p10"].mean())
    for i, c in enumerate(ids):
        if c not in have or len(rr) <= 2:
            w[i, i] = max(float((width.get(c, 1.0) / 2.563) ** 2), 1e-6)
    return w
