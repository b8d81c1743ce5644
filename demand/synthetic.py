"""A synthetic Keelung circulation history, 2023-2025 daily, for every bundled node.

**Synthetic, not observed.** No per-branch Keelung circulation series was found in any
stored source (``reference/keelung/facts.md`` §5), so the demo and the tests use this seeded
model, calibrated to the facts we do have:

* *Scale*: each node's ``weight`` in ``nodes.csv`` (population served per district, sources
  in the file; partner stations carry an estimated exchange volume), about 361,500
  residents in all; loans per resident per year from
  :func:`bookvan.demand.generator.loans_per_resident` (≈1 in 2024, rising toward the 2030
  target of 3: ``mission.md``).
* *Calendar*: each node's weekday hours, Taiwan's public holidays (the ``holidays`` package:
  Lunar New Year closures included, as branches close on public holidays) and the dated
  closures in ``closures.csv``; optionally the Baifu seismic-retrofit closure
  (``BAIFU_RETROFIT``, dates assumed). Nothing circulates on a closed day (recorded as 0).
* *Shape*: weekday pattern (``generator.ACTIVITY``: weekends busier), a summer-holiday peak
  (July-August, +20 %, school holidays; estimate) and a smaller winter-break bump; a slow
  AR(1) level per branch (σ≈5 %) and gamma-Poisson day noise (dispersion 40).
* *Returns*: checkouts come back about three weeks later; items dropped in the book return
  while a branch is closed are counted on its next open day.
* *Holds*: holds filled at the pickup branch ≈ 12 % of its checkouts (estimate).
* *Transfers*: ``transfers_out``/``transfers_in`` and the origin-destination flows come from
  :func:`bookvan.demand.generator.simulate_shipments`, the same model the fallback
  generator uses, so history, forecasts and generated days agree in scale.
* The main library (``KL-MAIN``) has been closed to the public since 2021 (reopening
  mid-2026, ``facts.md`` §1): its checkouts, returns and holds are *missing* (blank), while
  it keeps sorting transfers. It is the cold-start case when it reopens.

``bundled_history()`` reads the copy shipped as package data (``demand/data/``), written by
``python -m bookvan.demand.synthetic``; ``synthetic_history()`` regenerates it.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.atomic import atomic_file
from bookvan.data.costs import DAYS_PER_YEAR
from bookvan.data.hours import Closure
from bookvan.data.network import Network, load_network
from bookvan.demand.generator import ACTIVITY, loans_per_resident, open_days, simulate_shipments

__all__ = [
    "BAIFU_RETROFIT",
    "HISTORY_END",
    "HISTORY_START",
    "MEASURES",
    "bundled_history",
    "bundled_history_path",
    "bundled_od_flows",
    "bundled_od_path",
    "synthetic_history",
    "write_bundled",
]

MEASURES = ("checkouts", "returns", "holds", "transfers_in", "transfers_out")
HISTORY_START = dt.date(2023, 1, 1)
HISTORY_END = dt.date(2025, 12, 31)
SEED = 20230101
HISTORY_FILE = "keelung_history_synthetic.parquet"
OD_FILE = "keelung_od_synthetic.parquet"
# Assumed dates: the retrofit was planned but its dates were not found in stored sources.
BAIFU_RETROFIT = Closure("KL-BAIFU", dt.date(2025, 7, 1), dt.date(2025, 9, 30),
                         "seismic retrofit (耐震補強), dates assumed")
HOLD_PER_CHECKOUT = 0.12
RETURN_LAG_DAYS = 21
DISPERSION = 40.0
PUBLIC_CLOSED = frozenset({"KL-MAIN"})
SOURCE_LINE = (
    "synthetic: bookvan.demand.synthetic (seeded model calibrated to population by district, "
    "3 loans/resident/year 2030 target, TW holidays, weekday and summer pattern); not observed"
)


def _season(day: dt.date) -> float:
    doy = day.timetuple().tm_yday
    summer = 0.20 * np.exp(-(((doy - 205) / 25.0) ** 2))
    winter = 0.08 * np.exp(-(((doy - 30) / 10.0) ** 2))
    return float(1.0 + summer + winter)


def synthetic_history(
    network: Network | None = None,
    start: dt.date = HISTORY_START,
    end: dt.date = HISTORY_END,
    *,
    seed: int = SEED,
    baifu_retrofit: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate ``(history, od_flows)``.

    ``history`` is the contract's wide schema: ``date, branch`` and the five measures (float,
    NaN = missing). ``od_flows`` is long: ``date, origin, destination, kind, items`` (non-zero
    rows only), what a branch-transfer log would give.
    """
    net = network if network is not None else load_network()
    if baifu_retrofit and "KL-BAIFU" in set(net.nodes["node_id"]):
        net = net.with_closures((BAIFU_RETROFIT,))
    ids = list(net.nodes["node_id"])
    weight = net.nodes["weight"].astype(float).to_numpy()
    n = len(ids)
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D").date
    memo: dict = {}
    open_m = np.array([[open_days(net, x, d, memo) for x in ids] for d in days])  # (T, n)
    open_share = open_m.mean(axis=0).clip(min=1e-3)
    # slow AR(1) level per node
    level = np.zeros((len(days), n))
    for t in range(1, len(days)):
        level[t] = 0.98 * level[t - 1] + rng.normal(0, 0.01, n)
    base = np.array([
        weight * loans_per_resident(d) / DAYS_PER_YEAR * ACTIVITY[d.weekday()] * _season(d)
        for d in days
    ]) / open_share
    mu = base * np.exp(level) * open_m
    gamma = rng.gamma(DISPERSION, 1.0 / DISPERSION, mu.shape)
    checkouts = rng.poisson(mu * gamma).astype(float)
    # returns: checkouts come back ~3 weeks later (spread over ±1 week); book drop while closed
    lagged = np.zeros_like(mu)
    for k, w in zip(range(-7, 8), np.hanning(17)[1:-1], strict=True):
        shift = RETURN_LAG_DAYS + k
        lagged[shift:] += w * checkouts[:-shift]
    lagged /= np.hanning(17)[1:-1].sum()
    lagged[:RETURN_LAG_DAYS + 7] = mu[:RETURN_LAG_DAYS + 7]
    drop = rng.poisson(lagged * rng.gamma(DISPERSION, 1.0 / DISPERSION, mu.shape)).astype(float)
    returns = np.zeros_like(drop)
    carry = np.zeros(n)
    for t in range(len(days)):
        carry += drop[t]
        returns[t] = np.where(open_m[t], carry, 0.0)
        carry = np.where(open_m[t], 0.0, carry)
    holds = rng.poisson(checkouts * HOLD_PER_CHECKOUT).astype(float)

    t_out = np.zeros((len(days), n))
    t_in = np.zeros((len(days), n))
    od_rows: list[tuple[dt.date, str, str, str, int]] = []
    for t, (day, shipped) in enumerate(
        simulate_shipments(net, start, end, seed=seed)
    ):
        for kind, m in shipped.items():
            t_out[t] += m.sum(axis=1)
            t_in[t] += m.sum(axis=0)
            for i, j in zip(*np.nonzero(m), strict=True):
                od_rows.append((day, ids[i], ids[j], kind, int(m[i, j])))

    public = np.array([x not in PUBLIC_CLOSED for x in ids])
    frames = []
    for i, nid in enumerate(ids):
        cols = {"checkouts": checkouts[:, i], "returns": returns[:, i], "holds": holds[:, i]}
        if not public[i]:
            cols = {k: np.full(len(days), np.nan) for k in cols}
        frames.append(pd.DataFrame({
            "date": pd.to_datetime(days), "branch": nid, **cols,
            "transfers_in": t_in[:, i], "transfers_out": t_out[:, i],
        }))
    history = pd.concat(frames, ignore_index=True)
    od = pd.DataFrame(od_rows, columns=["date", "origin", "destination", "kind", "items"])
    od["date"] = pd.to_datetime(od["date"])
    return history, od


def bundled_history_path() -> Path:
    """The shipped synthetic history (Parquet, contract schema)."""
    return Path(str(resources.files("bookvan.demand") / "data" / HISTORY_FILE))


def bundled_od_path() -> Path:
    """The shipped synthetic origin-destination flows (Parquet)."""
    return Path(str(resources.files("bookvan.demand") / "data" / OD_FILE))


def bundled_history() -> pd.DataFrame:
    return pd.read_parquet(bundled_history_path())


def bundled_od_flows() -> pd.DataFrame:
    return pd.read_parquet(bundled_od_path())


def write_bundled(directory: Path | None = None) -> tuple[Path, Path]:
    """Regenerate the package-data copies (run ``python -m bookvan.demand.synthetic``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    history, od = synthetic_history()
    d = directory or bundled_history_path().parent
    paths = (d / bundled_history_path().name, d / bundled_od_path().name)
    meta = {b"source": SOURCE_LINE.encode()}
    for df, path in zip((history, od), paths, strict=True):
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        with atomic_file(path, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_bundled():
        print(p)
