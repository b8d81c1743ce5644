"""Forecasts: quantile order, horizon length, closed days, cold start for a new branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bookvan.data.errors import InputError
from bookvan.demand.forecast import forecast_history, make_panel
from bookvan.demand.history import parse_history_frame


def daily_panel(n_days: int = 200, branches: int = 3, seed: int = 0, new_branch_days: int = 0):
    """Weekly pattern, closed Mondays, Poisson noise; optionally a branch that just opened."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-06", periods=n_days, freq="D")
    week = np.array([0, 1.0, 1.0, 1.1, 1.2, 1.6, 1.4])
    rows = []
    for b in range(branches):
        level = 20 * (b + 1)
        for d in days:
            rows.append((d, f"B{b}", rng.poisson(level * week[d.weekday()])))
    for d in days[-new_branch_days:] if new_branch_days else []:
        rows.append((d, "NEW", rng.poisson(30 * week[d.weekday()])))
    df = pd.DataFrame(rows, columns=["date", "branch", "checkouts"])
    return parse_history_frame(df, "test")


@pytest.fixture(scope="module")
def daily_fc():
    return forecast_history(daily_panel(new_branch_days=20), 21)


def test_one_row_per_series_and_period(daily_fc):
    sizes = daily_fc.groupby(["branch", "measure"]).size()
    assert (sizes == 21).all() and len(sizes) == 4
    first = daily_fc.groupby("branch")["date"].min()
    assert (first == pd.Timestamp("2025-07-25")).all()  # the day after the history ends


def test_quantiles_ordered_and_non_negative(daily_fc):
    f = daily_fc
    assert (f["p10"] <= f["p50"] + 1e-9).all() and (f["p50"] <= f["p90"] + 1e-9).all()
    assert (f["p10"] >= 0).all()
    # intervals are not degenerate on open days
    open_days = f[f["date"].dt.day_of_week != 0]
    assert (open_days["p90"] > open_days["p10"]).mean() > 0.9


def test_closed_weekday_is_forecast_zero(daily_fc):
    mondays = daily_fc[daily_fc["date"].dt.day_of_week == 0]
    assert (mondays[["p10", "p50", "p90"]] == 0).all().all()


def test_level_and_weekly_shape_are_learnt(daily_fc):
    b2 = daily_fc[daily_fc["branch"] == "B2"]
    sat = b2[b2["date"].dt.day_of_week == 5]["p50"].mean()
    tue = b2[b2["date"].dt.day_of_week == 1]["p50"].mean()
    assert 60 * 1.6 * 0.8 < sat < 60 * 1.6 * 1.2
    assert sat > tue


def test_cold_start_for_a_branch_that_just_opened(daily_fc):
    new = daily_fc[daily_fc["branch"] == "NEW"]
    assert set(new["model"]) == {"ColdStart"}
    open_ = new[new["date"].dt.day_of_week != 0]
    # its own level (30/day × weekday factor), not the donors' (20-60)
    assert 25 < open_["p50"].mean() < 50
    # donors' weekday shape: Saturday above Tuesday, Monday closed
    sat = new[new["date"].dt.day_of_week == 5]["p50"].mean()
    tue = new[new["date"].dt.day_of_week == 1]["p50"].mean()
    assert sat > tue
    assert (new[new["date"].dt.day_of_week == 0]["p50"] == 0).all()
    assert (new["p10"] <= new["p50"]).all() and (new["p50"] <= new["p90"]).all()


def test_monthly_with_gaps_zeros_and_a_new_branch():
    rng = np.random.default_rng(3)
    months = pd.date_range("2019-01-01", periods=60, freq="MS")
    rows = []
    for b in range(6):
        for i, m in enumerate(months):
            v = rng.poisson(500 * (1 + 0.3 * np.sin(2 * np.pi * m.month / 12)))
            if b == 1 and 14 <= i < 18:
                v = 0  # closed for works
            if b == 2 and i % 9 == 0:
                v = None  # gaps
            rows.append((m.strftime("%Y-%m"), f"M{b}", v))
    rows += [(m.strftime("%Y-%m"), "OPENED", rng.poisson(200)) for m in months[-5:]]
    df = pd.DataFrame(rows, columns=["date", "branch", "checkouts"]).astype({"checkouts": object})
    h = parse_history_frame(df, "monthly")
    assert h.freq == "M"
    fc = forecast_history(h, 12)
    assert fc.groupby("branch").size().eq(12).all()
    assert set(fc["branch"]) == {f"M{b}" for b in range(6)} | {"OPENED"}
    assert fc[["p10", "p50", "p90"]].notna().all().all()


def test_horizon_is_checked():
    with pytest.raises(InputError, match="horizon"):
        forecast_history(daily_panel(60, 1), 400)


def test_panel_marks_closure_zeros_for_fitting_only():
    h = daily_panel(120, 1)
    f = h.frame.copy()
    f.loc[(f["date"] == pd.Timestamp("2025-03-05")), "value"] = 0.0  # a holiday on a Wednesday
    h.frame = f
    p = make_panel(h).frame.set_index("ds")
    assert p.loc["2025-03-05", "y_obs"] == 0
    assert p.loc["2025-03-05", "y"] > 5  # the fit sees the usual level, not the closure
    assert p.loc["2025-03-03", "y"] == 0  # a regular closed Monday stays zero


def test_cold_start_takes_its_shape_from_similar_branches():
    """Donors of the new branch's size carry a Saturday peak; much bigger ones do not."""
    rng = np.random.default_rng(5)
    days = pd.date_range("2025-01-06", periods=150, freq="D")
    sat_peak = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0])
    flat = np.ones(7)
    rows = []
    for b in range(5):  # small branches, Saturday peak
        rows += [(d, f"S{b}", rng.poisson(20 * sat_peak[d.day_of_week])) for d in days]
    for b in range(6):  # big branches, flat week
        rows += [(d, f"L{b}", rng.poisson(400 * flat[d.day_of_week])) for d in days]
    rows += [(d, "NEW", rng.poisson(22 * sat_peak[d.day_of_week])) for d in days[-10:]]
    h = parse_history_frame(pd.DataFrame(rows, columns=["date", "branch", "holds"]), "t")
    fc = forecast_history(h, 14)
    new = fc[fc["branch"] == "NEW"]
    sat = new[new["date"].dt.day_of_week == 5]["p50"].mean()
    wed = new[new["date"].dt.day_of_week == 2]["p50"].mean()
    assert sat > 1.5 * wed
    assert 15 < wed < 35


def test_wide_file_gives_the_same_forecasts_as_long(tmp_path):
    """The same data as one column per branch (a file per measure) and in long form."""
    from bookvan.demand.history import read_histories, read_history

    h = daily_panel(n_days=150, branches=3, seed=9)
    long = h.frame.assign(date=h.frame["date"].dt.strftime("%Y-%m-%d"))
    long.to_csv(tmp_path / "long.csv", index=False)
    wide = long.pivot(index="date", columns="branch", values="value").reset_index()
    wide.to_csv(tmp_path / "checkouts.csv", index=False)
    a = forecast_history(read_history(tmp_path / "long.csv"), 14)
    b = forecast_history(read_histories([tmp_path / "checkouts.csv"]), 14)
    pd.testing.assert_frame_equal(a, b)
