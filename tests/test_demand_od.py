"""OD split: items conserved exactly, smoothed shares, forecast-backed transfers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.data.network import load_network
from bookvan.demand.od import (
    allocate,
    forecast_transfers,
    od_shares,
    origin_volumes,
    quantile_value,
    split_volumes,
    transfers_forecast,
)
from bookvan.demand.synthetic import bundled_od_flows


@pytest.fixture(scope="module")
def network():
    return load_network()


@settings(max_examples=80, deadline=None)
@given(total=st.integers(0, 5000), w=st.lists(st.floats(0, 1e6), min_size=1, max_size=40))
def test_allocate_conserves_items(total, w):
    out = allocate(total, np.array(w))
    assert out.sum() == total
    assert (out >= 0).all()


def test_allocate_follows_weights():
    assert list(allocate(10, np.array([1.0, 1.0, 2.0]))) == [2, 3, 5] or \
        list(allocate(10, np.array([1.0, 1.0, 2.0]))) == [3, 2, 5]


def test_shares_sum_to_one_and_unseen_pairs_keep_a_share(network):
    flows = bundled_od_flows()
    s = od_shares(flows, network)
    sums = s.groupby("origin")["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    assert (s["share"] > 0).all()
    # a pair that never appears in the flows still has a (small) share
    seen = set(zip(flows["origin"], flows["destination"], flows["kind"], strict=True))
    unseen = s[[(o, d, k) not in seen for o, d, k in
                zip(s["origin"], s["destination"], s["kind"], strict=True)]]
    assert len(unseen) and (unseen["share"] > 0).all()
    # no Taipei returns
    assert not ((s["kind"] == "return") & ((s["origin"] == "TPML-MAIN")
                                           | (s["destination"] == "TPML-MAIN"))).any()


@settings(max_examples=50, deadline=None)
@given(vol=st.dictionaries(st.sampled_from(["KL-ANLE", "KL-XINYI", "KL-MAIN", "NTPC-XIZHI"]),
                           st.integers(0, 400), min_size=1),
       min_items=st.integers(1, 30), seed=st.integers(0, 1000))
def test_split_conserves_forecast_items(network, vol, min_items, seed):
    shares = od_shares(bundled_od_flows(), network)
    is_open = dict.fromkeys(network.nodes["node_id"], True)
    rows = split_volumes(vol, shares, is_open, min_items=min_items,
                         rng=np.random.default_rng(seed))
    for o, v in vol.items():
        assert sum(n for oo, _, _, n in rows if oo == o) == v
    assert all(n > 0 and o != d for o, d, _, n in rows)


def test_split_skips_closed_nodes(network):
    shares = od_shares(bundled_od_flows(), network)
    is_open = dict.fromkeys(network.nodes["node_id"], True)
    is_open["KL-XINYI"] = False
    rows = split_volumes({"KL-ANLE": 100, "KL-XINYI": 50}, shares, is_open)
    assert sum(n for *_, n in rows) == 100
    assert all("KL-XINYI" not in (o, d) for o, d, _, _ in rows)


def test_quantile_interpolation_is_monotone():
    vals = [quantile_value(2, 5, 11, q) for q in np.linspace(0.01, 0.99, 25)]
    assert vals == sorted(vals)
    assert quantile_value(2, 5, 11, 0.5) == 5 and quantile_value(2, 5, 11, 0.9) == 11


def test_forecast_transfers_conserve_the_forecast_volumes(network):
    day = dt.date(2026, 12, 2)
    fc = transfers_forecast()
    for q in (0.5, 0.9):
        t = forecast_transfers(network, day, quantile=q, sample=False)
        vol = origin_volumes(fc, day, q)
        open_ = {n for n in vol if network.hours_on(n, day).is_open}
        expect = sum(v for n, v in vol.items() if n in open_)
        assert int(t["items"].sum()) == expect
        got = t.groupby("origin_id")["items"].sum()
        for n in open_:
            assert int(got.get(n, 0)) == vol[n]
    p50 = forecast_transfers(network, day, quantile=0.5, sample=False)["items"].sum()
    p90 = forecast_transfers(network, day, quantile=0.9)["items"].sum()
    assert p90 >= p50


def test_dates_inside_the_history_use_the_observed_flows(network):
    day = dt.date(2025, 6, 10)
    t = forecast_transfers(network, day)
    f = bundled_od_flows()
    obs = f[pd.to_datetime(f["date"]) == pd.Timestamp(day)]
    assert int(t["items"].sum()) == int(obs["items"].sum())


def test_dates_past_the_horizon_map_back_with_growth():
    fc = transfers_forecast()
    later = dt.date(2028, 12, 5)
    v = origin_volumes(fc, later, 0.5)
    base = origin_volumes(fc, later - dt.timedelta(days=364 * 2), 0.5)
    assert v and sum(v.values()) > sum(base.values())


def test_other_histories_are_fitted_once_and_cached(tmp_path, monkeypatch):
    from bookvan.demand import od
    from bookvan.demand.synthetic import bundled_history

    monkeypatch.setenv("BOOKVAN_CACHE_DIR", str(tmp_path / "cache"))
    h = bundled_history()
    h = h[h["date"] >= "2025-03-01"]
    path = tmp_path / "mine.parquet"
    h.to_parquet(path)
    fc = transfers_forecast(path)
    files = list((tmp_path / "cache" / "forecasts").glob("*.parquet"))
    assert len(files) == 1
    assert fc["date"].min() == pd.Timestamp("2026-01-01") and set(fc["branch"]) >= {"KL-ANLE"}
    od._MEMO.clear()
    od._MEMO_BY_FILE.clear()
    again = transfers_forecast(path)  # read from the cache, not refitted
    pd.testing.assert_frame_equal(fc.reset_index(drop=True), again.reset_index(drop=True),
                                  check_dtype=False)


def test_history_days_respect_this_networks_closures(network):
    from bookvan.data.hours import Closure

    day = dt.date(2025, 6, 10)
    closed = network.with_closures((Closure("KL-ANLE", day, day, "test"),))
    t = forecast_transfers(closed, day)
    assert "KL-ANLE" not in set(t["origin_id"]) | set(t["destination_id"])
    assert len(t) > 0
