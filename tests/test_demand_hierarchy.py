"""City and district totals: built from their branches, and coherent after reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bookvan.demand.hierarchy import CITY, DISTRICT, add_totals, is_total, reconcile_forecasts

DS = pd.date_range("2026-12-01", periods=3, freq="D")


def _frame() -> pd.DataFrame:
    rows = []
    for b, base in (("A", 10.0), ("B", 20.0), ("C", 5.0)):
        for k, d in enumerate(DS):
            rows.append({"unique_id": f"{b}|loans", "ds": d, "y": base + k, "y_obs": base + k})
    df = pd.DataFrame(rows)
    df.loc[(df["unique_id"] == "C|loans") & (df["ds"] == DS[1]), "y_obs"] = np.nan
    return df


def test_is_total_knows_city_and_district_ids() -> None:
    assert is_total(f"{CITY}|loans") and is_total(f"{DISTRICT}Ren'ai|loans")
    assert not is_total("KL-MAIN|loans")


def test_totals_sum_the_branches_and_are_observed_only_when_all_are() -> None:
    out, tree = add_totals(_frame(), {"A": "north", "B": "north", "C": "south"})
    city = f"{CITY}|loans"
    north = f"{DISTRICT}north|loans"
    assert tree == {"loans": {city: ["A|loans", "B|loans", "C|loans"], north: ["A|loans", "B|loans"]}}
    c = out[out["unique_id"] == city].set_index("ds")
    assert list(c["y"]) == [35.0, 38.0, 41.0]
    assert np.isnan(c.loc[DS[1], "y_obs"]) and c.loc[DS[0], "y_obs"] == 35.0  # C unobserved on day 2
    n = out[out["unique_id"] == north].set_index("ds")
    assert list(n["y_obs"]) == [30.0, 32.0, 34.0]
    # a district of one branch is no total of its own
    assert not out["unique_id"].str.contains("south").any()


def test_a_single_series_has_no_total() -> None:
    one = _frame().query("unique_id == 'A|loans'")
    out, tree = add_totals(one)
    assert tree == {} and len(out) == len(one)


def test_reconciled_totals_equal_the_sum_of_their_branches() -> None:
    frame, tree = add_totals(_frame())
    rng = np.random.default_rng(0)
    ids = sorted(frame["unique_id"].unique())
    out = frame[["unique_id", "ds"]].copy()
    # base forecasts that do not add up: the city says 40 where the branches say 35
    out["mean"] = [40.0 if is_total(u) else float(v) for u, v in zip(frame["unique_id"], frame["y"], strict=True)]
    out["p50"], out["p10"], out["p90"] = out["mean"], out["mean"] - 3, out["mean"] + 3
    resid = pd.DataFrame(rng.normal(0, 1, (30, len(ids))), columns=ids)
    rec = reconcile_forecasts(out, tree, resid)
    piv = rec.pivot(index="unique_id", columns="ds", values="mean")
    branches = piv.loc[["A|loans", "B|loans", "C|loans"]].sum()
    assert np.allclose(piv.loc[f"{CITY}|loans"], branches)
    assert not np.allclose(branches, out.query("not unique_id.str.startswith('(')").groupby("ds")["mean"].sum())
    assert (rec["p10"] <= rec["p50"]).all() and (rec["p50"] <= rec["p90"]).all()
    assert (rec[["p10", "p50", "p90"]] >= 0).all().all()
