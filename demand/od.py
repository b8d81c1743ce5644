"""Forecast volumes × origin-destination shares → the day's transfers (items conserved exactly).

* **Volumes.** Each origin's ``transfers_out`` forecast for the date (p10/p50/p90, a
  quantile in between by linear interpolation), rounded to whole items. For a date inside
  the history the observed flows of that day are used as they are.
* **Shares.** Per origin, the share of its items going to each (destination, kind), counted
  from the origin-destination flows of the last year of history and smoothed toward the
  gravity prior of :func:`bookvan.demand.generator.od_weights` with ``PRIOR_ITEMS``
  pseudo-items, so a pair never seen in history keeps a small non-zero share.
* **Split.** Only destinations open on the date take part (shares renormalised); integer
  items are allocated by largest remainder, so the transfers' items add up to the origin's
  forecast exactly. An origin closed on the date, or with no open destination, sends
  nothing (its forecast is zero on closed days anyway).

Forecasts of the bundled history are precomputed and shipped (``demand/data/``, keyed by the
history's content hash) so that ``bookvan plan`` stays fast; other histories are fitted
once and cached under :func:`bookvan.demand.forecast.cache_dir`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.atomic import atomic_file
from bookvan.data.costs import DAYS_PER_YEAR
from bookvan.data.network import Network
from bookvan.demand.generator import loans_per_resident, od_weights, open_days, transfers_frame
from bookvan.demand.history import History

__all__ = [
    "PRIOR_ITEMS",
    "allocate",
    "forecast_transfers",
    "od_shares",
    "origin_volumes",
    "quantile_value",
    "split_volumes",
]

PRIOR_ITEMS = 20.0
SHARE_DAYS = DAYS_PER_YEAR  # the last year of flows sets the origin-destination shares
FORECAST_FILE = "keelung_forecast_transfers.parquet"
FORECAST_HORIZON = 366


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` whole items over ``weights`` by largest remainder (sums exactly)."""
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    out = np.zeros(len(w), dtype=np.int64)
    if total <= 0 or len(w) == 0:
        return out
    if w.sum() <= 0:
        w = np.ones(len(w))
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    rest = int(total - out.sum())
    if rest > 0:
        order = np.lexsort((np.arange(len(w)), -(exact - out)))
        out[order[:rest]] += 1
    return out


def od_shares(flows: pd.DataFrame, network: Network, *, days: int = SHARE_DAYS,
              prior_items: float = PRIOR_ITEMS) -> pd.DataFrame:
    """Smoothed P(destination, kind | origin) from ``flows`` (date, origin, destination, kind,
    items).

    Returns ``origin, destination, kind, share`` over every eligible pair of the network's
    nodes (shares sum to 1 per origin).
    """
    prior = od_weights(network.nodes)
    rows = []
    for kind, p in prior.items():
        s = p.stack()
        rows.append(pd.DataFrame({"origin": s.index.get_level_values(0),
                                  "destination": s.index.get_level_values(1),
                                  "kind": kind, "prior": s.to_numpy()}))
    pr = pd.concat(rows, ignore_index=True)
    pr = pr[(pr["origin"] != pr["destination"]) & (pr["prior"] > 0)]
    pr["prior"] = pr["prior"] / pr.groupby("origin")["prior"].transform("sum")
    f = flows
    if len(f):
        end = pd.Timestamp(f["date"].max())
        f = f[pd.to_datetime(f["date"]) > end - pd.Timedelta(days=days)]
    counts = f.groupby(["origin", "destination", "kind"])["items"].sum().rename("n")
    m = pr.merge(counts.reset_index(), on=["origin", "destination", "kind"], how="left")
    m["n"] = m["n"].fillna(0.0)
    tot = m.groupby("origin")["n"].transform("sum")
    m["share"] = (m["n"] + prior_items * m["prior"]) / (tot + prior_items)
    return m[["origin", "destination", "kind", "share"]].reset_index(drop=True)


def quantile_value(p10: float, p50: float, p90: float, q: float) -> float:
    """Linear interpolation through (0.1, p10), (0.5, p50), (0.9, p90); flat outside."""
    return float(np.interp(q, [0.1, 0.5, 0.9], [p10, p50, p90]))


def split_volumes(
    volumes: dict[str, int], shares: pd.DataFrame, is_open: dict[str, bool], *,
    min_items: int = 1, rng: np.random.Generator | None = None,
) -> list[tuple[str, str, str, int]]:
    """Origin totals → (origin, destination, kind, items) rows; items conserved per origin
    whenever the origin is open and has an open destination.

    With ``min_items`` > 1 an origin ships to about ``total / min_items`` pairs only, drawn
    with probability ∝ share (weighted sampling without replacement with ``rng``), as
    batched shipments do in the history: every pair gets its turn over the days, and a day
    has a few full crates instead of one book in each of fifty.
    """
    rows = []
    by_origin = _shares_by_origin(shares)
    for origin, total in volumes.items():
        if total <= 0 or not is_open.get(origin, False) or origin not in by_origin:
            continue
        dest, kind, w = by_origin[origin]
        keep = np.fromiter((is_open.get(d, False) for d in dest), dtype=bool, count=len(dest))
        if not keep.any():
            continue
        dest, kind, w = dest[keep], kind[keep], w[keep]
        k = max(1, min(len(dest), int(total // max(1, min_items))))
        if k < len(dest):
            gen = rng if rng is not None else np.random.default_rng(0)
            keys = np.log(gen.random(len(dest))) / np.maximum(w, 1e-12)
            pick = np.sort(np.argsort(-keys)[:k])
            dest, kind, w = dest[pick], kind[pick], w[pick]
        items = allocate(int(total), w)
        rows += [(origin, d, kd, int(n)) for d, kd, n in zip(dest, kind, items, strict=True) if n > 0]
    return rows


def _shares_by_origin(shares: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per origin, its destinations, kinds and shares in table order, as arrays.

    A simulated year splits 365 days' volumes: filtering the table per origin and day with
    pandas took most of the demand draw (bench/README.md, "Scenario simulation").
    """
    dest = shares["destination"].to_numpy(dtype=object)
    kind = shares["kind"].to_numpy(dtype=object)
    share = shares["share"].to_numpy(dtype=float)
    rows: dict[str, list[int]] = {}
    for i, origin in enumerate(shares["origin"].to_numpy(dtype=object)):
        rows.setdefault(origin, []).append(i)
    out = {}
    for origin, r in rows.items():
        ix = np.asarray(r)
        out[origin] = (dest[ix], kind[ix], share[ix])
    return out


def _shipped_forecast_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("bookvan.demand") / "data" / FORECAST_FILE))


def transfers_forecast(history_path: Path | None = None) -> pd.DataFrame:
    """Daily ``transfers_out`` forecast per origin (branch, date, p10, p50, p90), cached.

    For the bundled history the shipped copy is used when its hash matches; otherwise the
    forecast is fitted once (statsforecast) and kept under ``cache_dir()/forecasts``.
    """
    from bookvan.demand.forecast import history_hash
    from bookvan.demand.history import read_history
    from bookvan.demand.synthetic import bundled_history_path

    path = history_path or bundled_history_path()
    st = path.stat()
    fast_key = (str(path), st.st_mtime_ns, st.st_size)
    if fast_key in _MEMO_BY_FILE:
        return _MEMO_BY_FILE[fast_key]
    h = read_history(path)
    h.frame = h.frame[h.frame["measure"] == "transfers_out"].reset_index(drop=True)
    key = history_hash(h, "transfers_out", FORECAST_HORIZON)
    if key not in _MEMO:
        _MEMO[key] = _cached_forecast(key, h)
    _MEMO_BY_FILE[fast_key] = _MEMO[key]
    return _MEMO[key]


_MEMO: dict[str, pd.DataFrame] = {}
_MEMO_BY_FILE: dict[tuple, pd.DataFrame] = {}


def _cached_forecast(key: str, h: History) -> pd.DataFrame:
    from bookvan.demand.forecast import cache_dir, forecast_history

    shipped = _shipped_forecast_path()
    if shipped.exists():
        import pyarrow.parquet as pq

        meta = pq.read_schema(shipped).metadata or {}
        if meta.get(b"history_hash", b"").decode() == key:
            return pd.read_parquet(shipped)
    cached = cache_dir() / "forecasts" / f"{key}.parquet"
    if cached.exists():
        return pd.read_parquet(cached)
    fc = forecast_history(h, FORECAST_HORIZON)
    fc = fc[fc["measure"] == "transfers_out"][["branch", "date", "p10", "p50", "p90"]]
    with contextlib.suppress(OSError):  # a read-only cache costs a refit next time, no more
        _write_with_key(fc.reset_index(drop=True), cached, key)
    return fc.reset_index(drop=True)


def _write_with_key(fc: pd.DataFrame, path: Path, key: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(fc, preserve_index=False)
    table = table.replace_schema_metadata({
        **(table.schema.metadata or {}), b"history_hash": key.encode(),
        b"source": json.dumps({"made_by": "bookvan.demand.od.write_shipped_forecast"}).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")


def write_shipped_forecast() -> Path:
    """Refit the bundled history's transfer forecast and write the package-data copy."""
    from bookvan.demand.forecast import forecast_history, history_hash
    from bookvan.demand.history import read_history
    from bookvan.demand.synthetic import bundled_history_path

    h = read_history(bundled_history_path())
    h.frame = h.frame[h.frame["measure"] == "transfers_out"].reset_index(drop=True)
    key = history_hash(h, "transfers_out", FORECAST_HORIZON)
    fc = forecast_history(h, FORECAST_HORIZON)
    fc = fc[fc["measure"] == "transfers_out"][["branch", "date", "p10", "p50", "p90"]]
    _write_with_key(fc.reset_index(drop=True), _shipped_forecast_path(), key)
    return _shipped_forecast_path()


def origin_volumes(
    fc: pd.DataFrame, date: dt.date, quantile: float, draws: dict[str, float] | None = None
) -> dict[str, int]:
    """Whole items each origin sends on ``date`` at ``quantile`` (or at its own ``draws[o]``).

    A date past the forecast horizon maps to the latest forecast date on the same weekday
    (52-week steps back), scaled by the growth in loans per resident between the two dates.
    """
    ts = pd.Timestamp(date)
    last = fc["date"].max()
    first = fc["date"].min()
    scale = 1.0
    if ts > last:
        weeks = int(np.ceil((ts - last).days / 364.0))
        mapped = ts - pd.Timedelta(days=364 * weeks)
        scale = loans_per_resident(date) / loans_per_resident(mapped.date())
        ts = mapped
    if ts < first:
        return {}
    day = fc[fc["date"] == ts]
    q = draws or {}
    return {
        str(r.branch): round(scale * quantile_value(r.p10, r.p50, r.p90,
                                                    q.get(str(r.branch), quantile)))
        for r in day.itertuples()
    }


def forecast_transfers(
    network: Network, date: dt.date, *, seed: int = 0, items_per_crate: int = 30,
    quantile: float = 0.5, history: Path | None = None, sample: bool | None = None,
) -> pd.DataFrame:
    """The day's transfers from the forecast (see module docstring).

    With ``sample`` (the default when ``quantile`` is 0.5) each origin's volume is a seeded
    draw from its forecast distribution (a uniform level read through p10/p50/p90), so
    simulated days and replications vary like real ones; otherwise every origin sends its
    ``quantile`` (0.9: the busy day for fleet sizing; ``sample=False``: the median day).
    ``seed`` also drives which pairs ship (see :func:`split_volumes`). Dates inside the
    history use its observed flows. Origins the history does not know (a new branch in a
    scenario) take the generator's expected daily intake (:func:`fallback_volume`), so they
    are not silently empty.
    """
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be strictly between 0 and 1, not {quantile}")
    model = _model(history)
    flows = model.flows
    ids = list(network.nodes["node_id"])
    idset = set(ids)
    ts = pd.Timestamp(date)
    if len(flows) and ts <= flows["date"].max() and ts >= flows["date"].min():
        # the day's observed flows, between nodes this network has open that day
        memo: dict = {}
        is_open = {n: open_days(network, n, date, memo) for n in ids}
        day = flows[(flows["date"] == ts) & flows["origin"].map(lambda n: is_open.get(n, False))
                    & flows["destination"].map(lambda n: is_open.get(n, False))]
        rows = [(r.origin, r.destination, r.kind, int(r.items)) for r in day.itertuples()]
        return transfers_frame(rows, date, items_per_crate)
    memo = {}
    is_open = {n: open_days(network, n, date, memo) for n in ids}
    fc = transfers_forecast(history)
    known = set(fc["branch"].unique())  # unique first: iterating the whole column took 5 ms a day
    draws = None
    if sample if sample is not None else quantile == 0.5:
        urng = np.random.default_rng([int(seed), date.toordinal(), 11])
        draws = {o: float(u) for o, u in zip(ids, urng.random(len(ids)), strict=True)}
    volumes = {o: v for o, v in origin_volumes(fc, date, quantile, draws).items() if o in idset}
    for o in ids:
        if o not in known and is_open[o]:
            volumes[o] = fallback_volume(network, o, date, quantile, memo)
    shares = model.shares(network)
    rng = np.random.default_rng([int(seed), date.toordinal(), 7])
    rows = split_volumes(volumes, shares, is_open, min_items=max(1, items_per_crate // 2), rng=rng)
    return transfers_frame(rows, date, items_per_crate)


def fallback_volume(network: Network, origin: str, date: dt.date, quantile: float,
                    memo: dict | None = None) -> int:
    """Expected items an origin without history sends: its mean intake per open day over the
    past week under the generator's rate model, at ``quantile`` (common day shock)."""
    from bookvan.demand.generator import DAY_CV, _normal_ppf, daily_rates

    memo = {} if memo is None else memo
    i = list(network.nodes["node_id"]).index(origin)
    total, open_n = 0.0, 0
    for k in range(1, 8):
        s = date - dt.timedelta(days=k)
        r = daily_rates(network, s, memo)
        total += float(sum(m.to_numpy()[i].sum() for m in r.values()))
        open_n += int(open_days(network, origin, s, memo))
    if open_n == 0:
        return 0
    return max(0, round(total / open_n * (1.0 + _normal_ppf(quantile) * DAY_CV)))


class _FlowModel:
    """One history's origin-destination flows and the shares counted from them per network.

    Shares are kept per network *content* (node ids, weights and coordinates), the key that
    decides them, so an edited network never reuses another's shares.
    """

    def __init__(self, flows: pd.DataFrame) -> None:
        self.flows = flows
        self._shares: dict[tuple, pd.DataFrame] = {}

    def shares(self, network: Network) -> pd.DataFrame:
        n = network.nodes
        key = (tuple(n["node_id"]), tuple(n["weight"].astype(float)),
               tuple(n["lat"].astype(float)), tuple(n["lon"].astype(float)))
        if key not in self._shares:
            self._shares[key] = od_shares(self.flows, network)
        return self._shares[key]


_MODELS: dict[str, _FlowModel] = {}  # one per history file (None: the bundled one), per process


def _model(history: Path | None) -> _FlowModel:
    key = "bundled" if history is None else str(Path(history).resolve())
    if key not in _MODELS:
        if history is None:
            from bookvan.demand.synthetic import bundled_od_flows

            f = bundled_od_flows()
        else:
            f = _flows_for(history)
        _MODELS[key] = _FlowModel(f.assign(date=pd.to_datetime(f["date"])))
    return _MODELS[key]


def _flows_for(history: Path) -> pd.DataFrame:
    sibling = history.with_name(history.stem + "_od.parquet")
    if sibling.exists():
        return pd.read_parquet(sibling)
    return pd.DataFrame(columns=["date", "origin", "destination", "kind", "items"])


if __name__ == "__main__":  # pragma: no cover
    print(write_shipped_forecast())
