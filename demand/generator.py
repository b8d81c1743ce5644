"""A seeded generator of one day's transfers, proportional to population served and weekday.

It is the fallback (``method="generator"``) behind :func:`bookvan.demand.daily_transfers` and
the rate model the synthetic history (:mod:`bookvan.demand.synthetic`) shares, so the forecast
path and the generator agree on scale. Every number below is an estimate, not a measurement:

* **Loans.** Keelung has about 361,519 residents (``reference/keelung/facts.md``). No
  Keelung loan figure was found, so we assume about 1 loan per resident per year in 2024,
  growing linearly to the 2030 target of 3 (``mission.md``, strategic plan).
* **Transfers per loan.** A loan causes a van transfer when a hold is filled from another
  branch (``HOLD_SHARE`` = 8 %) or an item is returned away from its home branch
  (``RETURN_SHARE`` = 7 %). Together 15 %: an estimate inside the 10-20 % range that
  ``return anywhere`` systems report loosely; no Keelung figure exists.
* **Where.** A hold moves from the branch holding the copy (weight of the origin: the
  node's ``weight`` column, population served) to the pickup branch (weight of the
  destination); a return moves from where it was returned to the owning branch. Both fall
  off with distance (``DECAY_M``), since people use the nearest other branch. Taipei's main
  library exchanges holds only: Taipei is excluded from cross-city returns
  (``facts.md`` §3, clps.kl.edu.tw/news/734).
* **When.** Items come in on the origin's open days, more on weekends (``ACTIVITY``), and
  ship on the next day both ends are open, so the backlog of a closed Monday rides on
  Tuesday; ``logistics-anchors.md`` §2 (Rhode Island OLIS count week) has the courier peak
  on the first service day after the weekend.

Counts per (origin, destination, kind) are Poisson with the expected value the model gives,
seeded by ``(seed, date)``: the same seed and date give the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd

from bookvan.data.costs import DAYS_PER_YEAR
from bookvan.data.crates import crates_for
from bookvan.data.hours import day_hours
from bookvan.data.network import Network
from bookvan.data.tables import TZ

__all__ = [
    "ACTIVITY",
    "HOLD_SHARE",
    "RETURN_SHARE",
    "daily_rates",
    "generate_transfers",
    "loans_per_resident",
    "od_weights",
    "open_days",
    "shipped_items",
    "simulate_shipments",
    "transfers_frame",
]

HOLD_SHARE = 0.08
RETURN_SHARE = 0.07
DECAY_M = 6000.0
# Relative circulation by weekday (Mon..Sun), mean 1 over open days: weekends busier.
ACTIVITY = (0.85, 0.9, 0.9, 0.95, 1.0, 1.25, 1.15)
HOLDS_ONLY = frozenset({"TPML-MAIN"})
BACKLOG_DAYS = 21
MIN_FILL = 10
MAX_WAIT_DAYS = 7
DAY_CV = 0.2
_JULIAN_YEAR_DAYS = 365.25  # the trend counts years of 365.25 days since 2024-01-01
_TRANSFER_COLUMNS = (
    "transfer_id", "origin_id", "destination_id", "items", "crates", "kind",
    "release", "due", "leg_of", "leg", "part_of",
)


def loans_per_resident(date: dt.date) -> float:
    """Yearly loans per resident: 1.0 in 2024 (estimate) rising linearly to 3.0 in 2030 (target)."""
    t = (date - dt.date(2024, 1, 1)).days / _JULIAN_YEAR_DAYS
    return float(min(3.0, max(0.8, 1.0 + t * 2.0 / 6.0)))


def _haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    r = 6_371_000.0
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def od_weights(nodes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Share of each kind's items per (origin, destination): gravity on ``weight``, distance decay.

    Returns ``{"hold": P, "return": P}``, each a square frame over ``node_id`` summing to 1
    (diagonal zero). Nodes without weight take no part.
    """
    ids = list(nodes["node_id"])
    w = nodes["weight"].astype(float).clip(lower=0).to_numpy()
    lat = nodes["lat"].astype(float).to_numpy()
    lon = nodes["lon"].astype(float).to_numpy()
    d = _haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    g = np.outer(w, w) * np.exp(-d / DECAY_M)
    np.fill_diagonal(g, 0.0)
    out = {}
    for kind in ("hold", "return"):
        m = g.copy()
        if kind == "return":
            for i, nid in enumerate(ids):
                if nid in HOLDS_ONLY:
                    m[i, :] = 0.0
                    m[:, i] = 0.0
        total = m.sum()
        out[kind] = pd.DataFrame(m / total if total > 0 else m, index=ids, columns=ids)
    return out


def open_days(network: Network, node_id: str, date: dt.date, _memo: dict | None = None) -> bool:
    """Whether ``node_id`` is open on ``date``; ``_memo`` caches answers within one call.

    Same rules as ``Network.hours_on`` (closures, holidays, monthly rule, weekday hours),
    with the node's row looked up once per call instead of once per date.
    """
    memo = {} if _memo is None else _memo
    key = (node_id, date)
    if key not in memo and type(network).hours_on is not Network.hours_on:
        memo[key] = network.hours_on(node_id, date).is_open  # a subclass with its own rules
    if key not in memo:
        rows = memo.setdefault("_rows", {})
        if node_id not in rows:
            r = network.nodes.loc[network.nodes["node_id"] == node_id].iloc[0]
            rows[node_id] = (
                str(r["name_en"]), str(r.get("closure_rule", "") or ""),
                bool(r.get("closed_on_holidays", False)),
                tuple(c for c in network.closures if c.node_id == node_id),
            )
        name, rule, hol, closures = rows[node_id]
        memo[key] = day_hours(
            name=name, weekly=network.weekly[node_id], date=date, closure_rule=rule,
            closed_on_holidays=hol, closures=closures,
        ).is_open
    return memo[key]


def city_population(nodes: pd.DataFrame) -> float:
    """Residents served: the summed ``weight`` of Keelung branches (≈361,500 bundled)."""
    return float(nodes.loc[nodes["kind"] == "branch", "weight"].astype(float).sum())


def daily_rates(
    network: Network, date: dt.date, _memo: dict | None = None
) -> dict[str, pd.DataFrame]:
    """Expected items per (origin, destination) for each kind produced on ``date`` (origin open).

    The activity of one open day at the origin; nothing is produced on a closed day.
    """
    memo = {} if _memo is None else _memo
    if "_od" not in memo:
        memo["_od"] = od_weights(network.nodes)
        memo["_pop"] = city_population(network.nodes)
    loans_day = memo["_pop"] * loans_per_resident(date) / DAYS_PER_YEAR
    act = ACTIVITY[date.weekday()]
    shares = {"hold": HOLD_SHARE, "return": RETURN_SHARE}
    ids = list(network.nodes["node_id"])
    is_open = np.array([open_days(network, nid, date, memo) for nid in ids])
    return {
        kind: p * (loans_day * act * shares[kind]) * is_open[:, None]
        for kind, p in memo["_od"].items()
    }


def poisson_quantile(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Smallest k with P(X ≤ k) ≥ u for X ~ Poisson(lam), elementwise (inverse CDF).

    Walks the CDF upward (λ here is at most a few hundred); numpy only, so importing the
    generator stays cheap (scipy.stats costs seconds).
    """
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    k = np.zeros(u.shape, dtype=np.int64)
    logp = -lam  # log P(X = 0)
    cdf = np.exp(logp)
    active = u > cdf
    step = 0
    limit = int(lam.max() + 12 * np.sqrt(lam.max()) + 20) if lam.size else 0
    while active.any() and step < limit:
        step += 1
        logp = logp + np.log(np.maximum(lam, 1e-300)) - np.log(step)
        cdf = cdf + np.exp(logp)
        k[active] += 1
        active &= u > cdf
    return k


def _arrivals(
    network: Network, day: dt.date, seed: int, scale: float, memo: dict
) -> dict[str, np.ndarray]:
    """Items taken in on ``day`` per (origin, destination): Poisson counts seeded by (seed, day).

    Counts come from the inverse CDF of fixed uniforms, so a larger ``scale`` never gives a
    pair fewer items (quantile days are monotone).
    """
    rates = daily_rates(network, day, memo)
    rng = np.random.default_rng([int(seed), day.toordinal()])
    out = {}
    for kind in ("hold", "return"):
        lam = rates[kind].to_numpy() * scale
        u = rng.random(lam.shape)
        counts = np.zeros(lam.shape, dtype=np.int64)
        pos = lam > 0
        counts[pos] = poisson_quantile(u[pos], lam[pos])
        out[kind] = counts
    return out


def simulate_shipments(
    network: Network, start: dt.date, end: dt.date, *, seed: int = 0, scale: float = 1.0,
    min_fill: int = MIN_FILL, max_wait: int = MAX_WAIT_DAYS,
) -> Iterator[tuple[dt.date, dict[str, np.ndarray]]]:
    """Yield ``(day, {kind: items shipped per (origin, destination)})`` for ``start..end``.

    Items taken in on day s-1 join the origin's backlog on day s. A pair ships its backlog on
    a day both ends are open once it holds ``min_fill`` items or its oldest item has waited
    ``max_wait`` days (couriers serve low-volume stops a few days a week,
    ``logistics-anchors.md`` §2; holds take 10-15 work days in Keelung, ``facts.md`` §3, so
    a few days' wait is within today's service). The backlog starts empty at ``start``.
    Matrices are indexed like ``network.nodes``.
    """
    ids = list(network.nodes["node_id"])
    n = len(ids)
    memo: dict = {}
    backlog = {k: np.zeros((n, n), dtype=np.int64) for k in ("hold", "return")}
    age = {k: np.zeros((n, n), dtype=np.int64) for k in ("hold", "return")}
    day = start
    while day <= end:
        is_open = np.array([open_days(network, x, day, memo) for x in ids])
        both = np.outer(is_open, is_open)
        arrivals = _arrivals(network, day - dt.timedelta(days=1), seed, scale, memo)
        shipped = {}
        for k in backlog:
            backlog[k] += arrivals[k]
            age[k] = np.where(backlog[k] > 0, age[k] + 1, 0)
            go = both & (backlog[k] > 0) & ((backlog[k] >= min_fill) | (age[k] >= max_wait))
            shipped[k] = np.where(go, backlog[k], 0)
            backlog[k] = np.where(go, 0, backlog[k])
            age[k] = np.where(go, 0, age[k])
        yield day, shipped
        day += dt.timedelta(days=1)


def shipped_items(
    network: Network, date: dt.date, *, seed: int = 0, scale: float = 1.0,
    min_fill: int = MIN_FILL, max_wait: int = MAX_WAIT_DAYS,
) -> dict[str, pd.DataFrame]:
    """Items per (origin, destination) that leave on ``date`` (see :func:`simulate_shipments`).

    The backlog is simulated from ``BACKLOG_DAYS`` before ``date`` with an empty start.
    """
    ids = list(network.nodes["node_id"])
    last: dict[str, np.ndarray] = {}
    for _, shipped in simulate_shipments(
        network, date - dt.timedelta(days=BACKLOG_DAYS), date, seed=seed, scale=scale,
        min_fill=min_fill, max_wait=max_wait,
    ):
        last = shipped
    return {k: pd.DataFrame(v, index=ids, columns=ids) for k, v in last.items()}


def transfers_frame(
    rows: list[tuple[str, str, str, int]], date: dt.date, items_per_crate: int
) -> pd.DataFrame:
    """(origin, destination, kind, items) rows → a TRANSFERS_SCHEMA-shaped frame, holds first."""
    if items_per_crate < 1:
        raise ValueError("items_per_crate must be at least 1")
    rows = sorted((r for r in rows if r[3] > 0), key=lambda r: (r[2] != "hold", r[0], r[1]))
    nat = pd.Series(pd.NaT, index=range(len(rows)), dtype=f"datetime64[s, {TZ}]")
    df = pd.DataFrame({
        "transfer_id": [f"{date:%Y%m%d}-{'H' if k == 'hold' else 'R'}{i + 1:03d}"
                        for i, (_, _, k, _) in enumerate(rows)],
        "origin_id": [r[0] for r in rows],
        "destination_id": [r[1] for r in rows],
        "items": np.array([r[3] for r in rows], dtype="int64"),
        "crates": crates_for(np.array([r[3] for r in rows], dtype="int64"), items_per_crate),
        "kind": [r[2] for r in rows],
        "release": nat,
        "due": nat.copy(),
        "leg_of": pd.Series([None] * len(rows), dtype=object),
        "leg": pd.array([pd.NA] * len(rows), dtype="Int64"),
        "part_of": pd.Series([None] * len(rows), dtype=object),
    })
    return df[list(_TRANSFER_COLUMNS)]


def generate_transfers(
    network: Network, date: dt.date, *, seed: int = 0, items_per_crate: int = 30,
    quantile: float = 0.5,
) -> pd.DataFrame:
    """One day's transfers drawn from the rate model (see module docstring).

    ``quantile`` other than 0.5 scales every rate by ``1 + z(q) * DAY_CV`` (a common
    day-to-day shock, estimated), so 0.9 gives a busy day for fleet sizing.
    """
    scale = max(0.05, 1.0 + _normal_ppf(quantile) * DAY_CV)
    shipped = shipped_items(
        network, date, seed=seed, scale=scale, min_fill=max(1, items_per_crate // 2)
    )
    rows = []
    for kind, m in shipped.items():
        for o in m.index:
            for d in m.columns:
                if m.at[o, d] > 0:
                    rows.append((o, d, kind, int(m.at[o, d])))
    return transfers_frame(rows, date, items_per_crate)


def _normal_ppf(q: float) -> float:
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile must be strictly between 0 and 1, not {q}")
    from statistics import NormalDist

    return NormalDist().inv_cdf(q)
