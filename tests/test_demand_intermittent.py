"""Intermittent or smooth: the ADI test of Syntetos, Boylan & Croston, closed days left out."""

from __future__ import annotations

import math

import pandas as pd

from bookvan.demand.intermittent import ADI_CUTOFF, MIN_OPEN, closed_weekdays, demand_class


def _panel(series: dict[str, list[float]], start: str = "2026-01-05") -> pd.DataFrame:
    return pd.concat([
        pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(y), freq="D"), "y_obs": y})
        for uid, y in series.items()
    ], ignore_index=True)


def test_one_demand_in_three_days_is_intermittent_and_daily_demand_is_not() -> None:
    out = demand_class(_panel({"school": [0, 0, 6] * 6, "main": [10, 12, 9] * 6}))
    school, main = out.loc["school"], out.loc["main"]
    assert school["adi"] == 3.0 and school["adi"] > ADI_CUTOFF and bool(school["intermittent"])
    assert math.isclose(school["zero_share"], 2 / 3)
    assert school["cv2"] == 0.0  # every demand is 6 items
    assert main["adi"] == 1.0 and not main["intermittent"] and main["zero_share"] == 0.0


def test_too_few_open_periods_are_not_called_intermittent() -> None:
    out = demand_class(_panel({"new": [0, 0, 5] * 2}))
    assert len([0, 0, 5] * 2) < MIN_OPEN and not out.loc["new", "intermittent"]


def test_closed_days_and_missing_observations_do_not_count() -> None:
    train = _panel({"s": [0, 5] * 9})
    closed = pd.Series([i % 2 == 0 for i in range(18)], index=train.index)  # every zero is a closed day
    assert demand_class(train).loc["s", "adi"] == 2.0
    assert demand_class(train, closed).loc["s", "adi"] == 1.0
    train.loc[train["y_obs"] == 0, "y_obs"] = float("nan")
    assert demand_class(train).loc["s", "adi"] == 1.0


def test_only_the_last_periods_count_when_given() -> None:
    out = demand_class(_panel({"s": [5] * 10 + [0, 0, 5] * 4}), periods=12)
    assert out.loc["s", "adi"] == 3.0


def test_a_series_without_demand_has_infinite_adi_and_is_not_intermittent() -> None:
    out = demand_class(_panel({"z": [0.0] * 10}))
    assert out.loc["z", "adi"] == float("inf") and not out.loc["z", "intermittent"]


def test_closed_weekdays_are_weekdays_zero_in_nine_weeks_of_ten() -> None:
    days = pd.date_range("2026-01-05", periods=70, freq="D")  # ten weeks from a Monday
    y = [0.0 if d.day_of_week == 0 else 4.0 for d in days]
    y[7] = 3.0  # one Monday in ten had loans: still a closed weekday (90 %)
    y[1], y[8] = 0.0, 0.0  # two Tuesdays in ten without: an open weekday
    train = pd.DataFrame({"unique_id": "s", "ds": days, "y_obs": y})
    closed = closed_weekdays(train, "D")
    assert closed[train["ds"].dt.day_of_week == 0].all()
    assert not closed[train["ds"].dt.day_of_week != 0].any()
    assert not closed_weekdays(train, "W").any()
