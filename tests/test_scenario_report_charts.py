"""The compare report and its charts, from a hand-made summary whose numbers are known."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from bookvan.scenarios.charts import kpi_bars, monthly_van_km, tradeoff
from bookvan.scenarios.compare import compare_table
from bookvan.scenarios.report import render_report


def _summary() -> pd.DataFrame:
    """Two scenarios × two replications; 'lean' costs 100 k less and waits a day longer."""
    rows = []
    for scn, cost, wait in (("baseline", 1_000_000.0, 2.0), ("lean", 900_000.0, 3.0)):
        for rep, jitter in ((0, -1.0), (1, 1.0)):
            rows.append({"scenario": scn, "replication": rep, "days": 10, "cost_ntd": cost + jitter,
                         "van_km": 20_000.0 + jitter, "van_hours": 900.0, "co2_kg": 5_000.0,
                         "hold_days_mean": wait, "hold_days_p95": wait + 1 + jitter / 10,
                         "utilisation": 0.5, "holds_within_2d": 0.9})
    return pd.DataFrame(rows)


def _kpis() -> pd.DataFrame:
    start = dt.date(2027, 3, 1)
    return pd.DataFrame([
        {"scenario": s, "replication": r, "date": start + dt.timedelta(days=d), "van_km": 50.0 + d}
        for s in ("baseline", "lean") for r in (0, 1) for d in range(10)
    ])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compare_table(_summary(), "baseline")


def test_compare_table_differences_are_the_hand_worked_ones(table: pd.DataFrame) -> None:
    cost = table.loc[(table["scenario"] == "lean") & (table["kpi"] == "cost_ntd")].iloc[0]
    assert cost["diff"] == pytest.approx(-100_000.0)
    assert cost["diff_pct"] == pytest.approx(-10.0)


@pytest.mark.parametrize("draw", [kpi_bars, tradeoff])
def test_table_charts_are_png_files(table: pd.DataFrame, tmp_path: Path, draw) -> None:
    out = draw(table, "baseline", tmp_path / "c.png")
    with Image.open(out) as im:
        assert im.format == "PNG" and im.width > 400 and im.height > 200


def test_monthly_chart_per_day_for_a_short_run(tmp_path: Path) -> None:
    out = monthly_van_km(_kpis(), "baseline", tmp_path / "m.png")
    with Image.open(out) as im:
        assert im.format == "PNG"


def test_report_inlines_charts_and_shows_the_numbers(table: pd.DataFrame, tmp_path: Path) -> None:
    img = kpi_bars(table, "baseline", tmp_path / "b.png")
    info = [{"scenarios": [{"name": "lean", "description": "fewer runs"}], "where": "test",
             "runs": [{"scenario": "lean", "days": 10, "days_capped": 0}]}]
    html = render_report(table, "baseline", {"bars": img}, info, tmp_path / "r.html",
                         {"per_km": 4.9}).read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "per_km = 4.9" in html and "fleet.toml" in html
    assert "fewer runs" in html
    assert re.search(r"-100,000 \(-10 %\)", html)
    assert "src=\"http" not in html  # self-contained: opens without a network


def test_report_says_when_costs_differ_by_scenario(table: pd.DataFrame, tmp_path: Path) -> None:
    html = render_report(table, "baseline", {}, [], tmp_path / "r.html", None).read_text(encoding="utf-8")
    assert "differ by scenario" in html
