"""The seeded rate model: Poisson inverse CDF, gravity shares, batching conserves items."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from bookvan.data.network import load_network
from bookvan.demand.generator import (
    _arrivals,
    loans_per_resident,
    od_weights,
    poisson_quantile,
    simulate_shipments,
)


@pytest.fixture(scope="module")
def network():
    return load_network()


@settings(max_examples=60, deadline=None)
@given(u=st.floats(1e-9, 0.999999), lam=st.floats(0.001, 400.0))
def test_poisson_quantile_matches_scipy(u, lam):
    assert poisson_quantile(np.array([u]), np.array([lam]))[0] == int(poisson.ppf(u, lam))


def test_loans_grow_from_one_toward_the_2030_target():
    assert loans_per_resident(dt.date(2024, 1, 1)) == pytest.approx(1.0)
    assert loans_per_resident(dt.date(2030, 1, 1)) == pytest.approx(3.0, abs=0.01)
    assert loans_per_resident(dt.date(2035, 1, 1)) == 3.0


def test_od_weights_are_shares_without_self_pairs_or_taipei_returns(network):
    w = od_weights(network.nodes)
    for kind, m in w.items():
        assert m.to_numpy().sum() == pytest.approx(1.0)
        assert np.all(np.diag(m.to_numpy()) == 0)
        assert (m.to_numpy() >= 0).all(), kind
    assert w["return"].loc["TPML-MAIN"].sum() == 0
    assert w["return"]["TPML-MAIN"].sum() == 0
    # a populous pair outweighs a small one
    assert w["hold"].at["KL-ANLE", "KL-XINYI"] > w["hold"].at["KL-QIDU", "NTPC-RUIFANG"]


def test_batching_ships_what_came_in_and_nothing_more(network):
    start, end = dt.date(2026, 3, 1), dt.date(2026, 4, 30)
    memo: dict = {}
    came = sum(
        sum(int(a.sum()) for a in _arrivals(network, start + dt.timedelta(days=k - 1), 5, 1.0,
                                            memo).values())
        for k in range((end - start).days + 1)
    )
    shipped = sum(sum(int(m.sum()) for m in s.values())
                  for _, s in simulate_shipments(network, start, end, seed=5))
    assert 0 < shipped <= came
    assert shipped > 0.8 * came  # only the last few days' backlog is left


def test_nothing_ships_to_or_from_a_closed_node(network):
    ids = list(network.nodes["node_id"])
    for day, s in simulate_shipments(network, dt.date(2026, 1, 20), dt.date(2026, 2, 28), seed=1):
        open_ = np.array([network.hours_on(n, day).is_open for n in ids])
        for m in s.values():
            assert m[~open_, :].sum() == 0 and m[:, ~open_].sum() == 0
