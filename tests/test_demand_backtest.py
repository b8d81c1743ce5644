"""Backtest: JSON keys, MASE against the seasonal-naive baseline, honest on messy monthly data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from demand_histories import messy_monthly, stations_daily

from bookvan.data.errors import InputError
from bookvan.demand.backtest import backtest, insample_scale, seasonal_naive
from bookvan.demand.calibrate import pinball
from bookvan.demand.history import parse_history_frame

KEYS = {"series", "mase_model", "mase_seasonal_naive", "relative_mase", "coverage_80"}
SCORE_KEYS = {"coverage_80_by_step", "below_p10", "above_p90", "pinball_loss",
              "pinball_loss_by_step", "intermittent", "reconciliation"}


def _daily(seed=0, n=260, branches=4):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    week = np.array([0, 1.0, 1.0, 1.1, 1.2, 1.6, 1.4])
    rows = [(d, f"B{b}", rng.poisson(25 * (b + 1) * week[d.weekday()]))
            for b in range(branches) for d in days]
    return parse_history_frame(pd.DataFrame(rows, columns=["date", "branch", "returns"]), "d")


def test_insample_scale_is_the_seasonal_naive_error():
    y = np.array([1, 2, 3, 1, 2, 5, np.nan, 2, 3], dtype=float)
    # |1-1|, |2-2|, |5-3|, skip nan, |2-2|... pairs: (1,1) (2,2) (3,5) (1,nan) (2,2) (5,3)
    assert insample_scale(y, 3) == pytest.approx((0 + 0 + 2 + 0 + 2) / 5)
    assert np.isnan(insample_scale(np.array([1.0, 2.0]), 3))


def test_seasonal_naive_repeats_the_last_season():
    panel = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=10),
                          "y": np.arange(10.0), "y_obs": np.arange(10.0)})
    rows = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-08", periods=5)})
    out = seasonal_naive(panel, rows, pd.Timestamp("2024-01-07"), 3)
    assert out.tolist() == [4.0, 5.0, 6.0, 4.0, 5.0]


@pytest.fixture(scope="module")
def daily_report():
    return backtest(_daily(), n_windows=2)


def test_json_has_the_contract_keys_and_consistent_ratio(daily_report):
    j = daily_report.as_json()
    assert set(j) >= KEYS
    json.dumps(j)
    assert j["series"] == 4
    assert j["relative_mase"] == pytest.approx(j["mase_model"] / j["mase_seasonal_naive"], rel=1e-3)
    per = daily_report.per_series
    gm = float(np.exp(np.log(per["relative_mase"]).mean()))
    assert gm == pytest.approx(daily_report.relative_mase, rel=1e-6)


def test_beats_seasonal_naive_on_noisy_weekly_data(daily_report):
    assert daily_report.relative_mase < 0.95
    assert 0.6 <= daily_report.coverage_80 <= 0.97


def test_messy_monthly_file_runs_with_honest_numbers():
    rng = np.random.default_rng(7)
    months = pd.date_range("2016-01-01", periods=84, freq="MS")
    rows = []
    for b in range(12):
        start = 0 if b < 10 else 60 + 10 * (b - 10)  # two branches open late
        for i, m in enumerate(months[start:], start=start):
            v = rng.poisson(300 * (b + 1) * (1 + 0.35 * np.cos(2 * np.pi * (m.month - 7) / 12)))
            if b == 3 and 40 <= i < 46:
                v = 0  # closed for half a year
            rows.append((m.strftime("%Y-%m"), f"L{b:02d}", "" if (b == 5 and i % 11 == 0) else v))
    h = parse_history_frame(pd.DataFrame(rows, columns=["date", "branch", "checkouts"]), "m")
    rep = backtest(h, horizon=6, n_windows=2)
    j = rep.as_json()
    assert set(j) >= KEYS
    assert j["series"] == 10 and j["skipped_short"] == 2
    assert all(np.isfinite(v) for k, v in j.items() if k in KEYS - {"series"})
    assert j["relative_mase"] < 1.0  # strong yearly structure: better than repeating last year


def test_too_short_history_is_an_input_error():
    with pytest.raises(InputError, match="long enough"):
        backtest(_daily(n=40), horizon=28)


def test_pinball_loss_by_hand():
    y = np.array([10.0, 10.0, 10.0])
    q = np.array([8.0, 10.0, 13.0])
    # under by 2 at tau 0.9: 0.9*2; exact: 0; over by 3: (1-0.9)*3
    assert pinball(y, q, 0.9).tolist() == pytest.approx([1.8, 0.0, 0.3])
    assert pinball(y, q, 0.1).tolist() == pytest.approx([0.2, 0.0, 2.7])


def test_json_reports_coverage_per_step_and_the_scoring_rule(daily_report):
    j = daily_report.as_json()
    assert set(j) >= SCORE_KEYS
    assert len(j["coverage_80_by_step"]) == j["horizon"] == len(j["pinball_loss_by_step"])
    assert j["coverage_80"] + j["below_p10"] + j["above_p90"] == pytest.approx(1.0, abs=1e-3)
    assert 0 < j["pinball_loss"] < 2
    rec = j["reconciliation"]
    assert rec["method"] == "MinT-shrink" and rec["levels"] == ["city"]


@pytest.fixture(scope="module")
def messy_report():
    return backtest(messy_monthly(), horizon=6)


@pytest.mark.slow
def test_messy_monthly_coverage_holds_and_beats_seasonal_naive(messy_report):
    j = messy_report.as_json()
    assert 0.75 <= j["coverage_80"] <= 0.85, j
    assert j["relative_mase"] < 0.9
    assert all(c >= 0.6 for c in j["coverage_80_by_step"]), j["coverage_80_by_step"]


@pytest.mark.slow
def test_reconciled_branches_lose_at_most_two_percent(messy_report):
    rec = messy_report.as_json()["reconciliation"]
    assert rec["relative_mase_branches"] <= 1.02 * rec["relative_mase_branches_unreconciled"]


@pytest.mark.slow
def test_intermittent_stations_get_intermittent_models_and_improve():
    h = stations_daily()
    on, off = backtest(h), backtest(h, intermittent=False)
    inter = on.as_json()["intermittent"]
    assert inter["series"] == 6  # the six stations, none of the branches
    family = {"CrostonClassic", "CrostonSBA", "CrostonOptimized", "TSB", "ADIDA", "IMAPA"}
    chosen = inter["models_chosen"]
    assert sum(v for k, v in chosen.items() if k in family) > sum(chosen.values()) / 2, chosen
    st_on = on.per_series.set_index("unique_id").filter(like="ST", axis=0)["relative_mase"]
    st_off = off.per_series.set_index("unique_id").filter(like="ST", axis=0)["relative_mase"]
    gm = lambda x: float(np.exp(np.log(x).mean()))  # noqa: E731
    assert gm(st_on) < gm(st_off)
    assert gm(st_on) < 1.0
