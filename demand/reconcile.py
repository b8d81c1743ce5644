"""Make branch forecasts add up to the district and city totals (MinT with shrinkage).

Why: a planner reads the city total and the branch figures side by side; forecast
separately they need not agree. MinT (Wickramasuriya, Athanasopoulos & Hyndman 2019) maps the
base forecasts of every level (city, districts, branches) to branch forecasts whose sums are
the totals, weighting each base forecast by how well it did: ``ỹ_b = G ŷ``,
``G = (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹``, where ``S`` sums branches into totals and ``W`` is the error
covariance of the base forecasts, shrunk toward its diagonal (Schäfer & Strimmer 2005) as
``hierarchicalforecast``'s ``MinTrace(method="mint_shrink")`` does. Written here (30 lines of
numpy) rather than added as a dependency: one small matrix formula per measure, and the
package would bring its own solver stack for the same arithmetic.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mint_weights", "shrunk_covariance", "summing_matrix"]


def summing_matrix(bottom: list[str], groups: dict[str, list[str]]) -> np.ndarray:
    """``S``: one row per total (in ``groups`` order, members by id), then the identity."""
    pos = {b: i for i, b in enumerate(bottom)}
    rows = []
    for members in groups.values():
        r = np.zeros(len(bottom))
        r[[pos[m] for m in members if m in pos]] = 1.0
        rows.append(r)
    return np.vstack([*rows, np.eye(len(bottom))]) if rows else np.eye(len(bottom))


def shrunk_covariance(resid: np.ndarray, floor: float = 1e-8) -> np.ndarray:
    """Covariance of ``resid`` (periods × series), off-diagonal shrunk by Schäfer–Strimmer λ.

    Series with no spread get ``floor`` on the diagonal so ``W`` stays invertible.
    """
    e = resid - resid.mean(axis=0)
    t = e.shape[0]
    w = e.T @ e / max(t - 1, 1)
    sd = np.sqrt(np.clip(np.diag(w), floor, None))
    x = e / sd
    corr = x.T @ x / max(t - 1, 1)
    # variance of each sample correlation (Schäfer & Strimmer 2005, eq. on Var(r_ij))
    prod = np.einsum("ti,tj->tij", x, x)
    var_r = t / max((t - 1) ** 3, 1) * ((prod - prod.mean(axis=0)) ** 2).sum(axis=0)
    off = ~np.eye(w.shape[0], dtype=bool)
    denom = float((corr[off] ** 2).sum())
    lam = float(np.clip(var_r[off].sum() / denom, 0.0, 1.0)) if denom > 0 else 1.0
    shrunk = (1 - lam) * w
    shrunk[np.diag_indices_from(shrunk)] = np.clip(np.diag(w), floor, None)
    return shrunk


def mint_weights(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``G`` (bottom × all) with ``S G`` the MinT projection for error covariance ``w``."""
    w_inv_s = np.linalg.solve(w, s)
    return np.linalg.solve(s.T @ w_inv_s, w_inv_s.T)
