"""MinT-shrink reconciliation: the algebra, and coherent forecasts out of forecast_history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_demand_forecast import daily_panel

from bookvan.demand.forecast import forecast_history
from bookvan.demand.reconcile import mint_weights, shrunk_covariance, summing_matrix


def test_summing_matrix_rows():
    s = summing_matrix(["a", "b", "c"], {"all": ["a", "b", "c"], "d1": ["a", "b"]})
    assert s.tolist() == [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 6), t=st.integers(4, 40))
def test_mint_is_a_projection_onto_coherent_forecasts(seed, n, t):
    rng = np.random.default_rng(seed)
    bottom = [f"b{i}" for i in range(n)]
    s = summing_matrix(bottom, {"all": bottom})
    resid = rng.normal(size=(t, n + 1)) * rng.uniform(0.5, 3, n + 1)
    w = shrunk_covariance(resid)
    g = mint_weights(s, w)
    yhat = rng.uniform(0, 100, size=(n + 1, 3))
    rec = s @ g @ yhat
    # coherent: the total row is the sum of the bottom rows
    assert np.allclose(rec[0], rec[1:].sum(axis=0))
    # a projection: already-coherent forecasts stay as they are
    coherent = s @ rng.uniform(0, 50, size=(n, 3))
    assert np.allclose(s @ g @ coherent, coherent)
    # the shrunk covariance is symmetric positive definite
    assert np.allclose(w, w.T) and np.linalg.eigvalsh(w).min() > 0


def test_identity_covariance_is_ols():
    bottom = ["a", "b"]
    s = summing_matrix(bottom, {"all": bottom})
    g = mint_weights(s, np.eye(3))
    ols = np.linalg.solve(s.T @ s, s.T)
    assert np.allclose(g, ols)


@pytest.fixture(scope="module")
def with_totals():
    h = daily_panel(n_days=200, branches=4)
    return forecast_history(h, 14, with_totals=True,
                            districts={"B0": "north", "B1": "north", "B2": "south", "B3": "south"})


def test_branches_add_up_to_city_and_districts(with_totals):
    fc = with_totals
    br = fc[~fc["branch"].str.startswith("(")]
    assert set(br["branch"]) == {"B0", "B1", "B2", "B3"}
    sums = {
        "(city)": br,
        "(district) north": br[br["branch"].isin(["B0", "B1"])],
        "(district) south": br[br["branch"].isin(["B2", "B3"])],
    }
    for name, part in sums.items():
        tot = fc[fc["branch"] == name].set_index("date")
        assert len(tot) == 14, name
        for c in ("mean", "p50"):
            assert np.allclose(part.groupby("date")[c].sum().reindex(tot.index), tot[c]), (name, c)
        assert (tot["p10"] <= tot["p50"] + 1e-9).all() and (tot["p50"] <= tot["p90"] + 1e-9).all()
    assert (br[["p10", "p50", "p90"]] >= 0).all().all()
    mondays = br[br["date"].dt.day_of_week == 0]
    assert (mondays[["p10", "p50", "p90"]] == 0).all().all()  # closed days stay closed


def test_totals_are_left_out_by_default():
    fc = forecast_history(daily_panel(n_days=120, branches=2), 7)
    assert set(fc["branch"]) == {"B0", "B1"}
    assert isinstance(fc, pd.DataFrame)


def test_districts_join_only_with_enough_error_vectors():
    from bookvan.demand.hierarchy import used_groups

    groups = {"(city)|x": ["a|x", "b|x", "c|x"], "(district) n|x": ["a|x", "b|x"]}
    cols = ["(city)|x", "(district) n|x", "a|x", "b|x", "c|x"]
    few = pd.DataFrame(np.ones((4, 5)), columns=cols)  # 4 vectors, 5 series
    many = pd.DataFrame(np.ones((12, 5)), columns=cols)
    assert list(used_groups(groups, few)) == ["(city)|x"]
    assert used_groups(groups, many) == groups


def _resid(rows: int, city_sd: float, seed: int = 0) -> pd.DataFrame:
    """Errors on two windows: branches share a shock the city's own forecast does not have."""
    rng = np.random.default_rng(seed)
    shock = rng.normal(0, 5, rows)
    b = shock[:, None] + rng.normal(0, 1, (rows, 3))
    city = b.sum(axis=1) - 3 * shock + rng.normal(0, city_sd, rows)
    idx = pd.MultiIndex.from_arrays([np.repeat([pd.Timestamp("2025-01-01"),
                                                pd.Timestamp("2025-02-01")], rows // 2),
                                     pd.date_range("2025-01-01", periods=rows)])
    return pd.DataFrame(np.column_stack([city, b]), index=idx,
                        columns=["(city)|x", "a|x", "b|x", "c|x"])


def test_mint_kept_where_it_beats_bottom_up_and_not_without_evidence():
    from bookvan.demand.hierarchy import mint_helps

    ids, bottom = ["(city)|x", "a|x", "b|x", "c|x"], ["a|x", "b|x", "c|x"]
    s = summing_matrix(bottom, {"(city)|x": bottom})
    sub = pd.DataFrame({"unique_id": ids, "p10": 0.0, "p90": 1.0})
    # a city forecast free of the branches' shared shock: MinT removes it from the branches
    assert mint_helps(_resid(60, 1.0), ids, bottom, s, sub)
    # a city forecast good on one window and far off on the next: the covariance learnt on
    # one window misleads on the other, so the branches stay (bottom-up)
    r = _resid(60, 1.0)
    r["(city)|x"] = np.r_[np.random.default_rng(5).normal(0, 1, 30),
                          np.random.default_rng(6).normal(0, 30, 30)]
    assert not mint_helps(r, ids, bottom, s, sub)
    # fewer error vectors than series: no evidence for the covariance, bottom-up
    assert not mint_helps(_resid(2, 1.0), ids, bottom, s, sub)
