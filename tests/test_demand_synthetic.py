"""The shipped synthetic Keelung history: schema, calendar, scale, and that the code makes it."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bookvan.data.network import load_network
from bookvan.demand.history import MEASURES, read_history
from bookvan.demand.synthetic import (
    HISTORY_END,
    HISTORY_START,
    bundled_history,
    bundled_history_path,
    bundled_od_flows,
    synthetic_history,
)


@pytest.fixture(scope="module")
def hist():
    return bundled_history()


def test_contract_schema_every_node_every_day(hist):
    assert list(hist.columns) == ["date", "branch", *MEASURES]
    net = load_network()
    assert set(hist["branch"]) == set(net.node_ids)
    days = (HISTORY_END - HISTORY_START).days + 1
    assert hist.groupby("branch").size().eq(days).all()
    h = read_history(bundled_history_path())
    assert not h.problems and h.freq == "D"


def test_says_it_is_synthetic():
    meta = pq.read_schema(bundled_history_path()).metadata
    assert meta[b"source"].decode().startswith("synthetic:")


def test_closed_days_have_no_circulation(hist):
    anle = hist[hist["branch"] == "KL-ANLE"].set_index("date")
    mondays = anle[anle.index.day_of_week == 0]
    assert (mondays[list(MEASURES)] == 0).all().all()
    # Lunar New Year 2024 (10 Feb, a Saturday) is a public holiday: closed
    assert anle.loc["2024-02-10", "checkouts"] == 0
    assert anle.loc["2024-02-17", "checkouts"] > 0


def test_main_library_closed_to_the_public_but_sorting(hist):
    main = hist[hist["branch"] == "KL-MAIN"]
    assert main[["checkouts", "returns", "holds"]].isna().all().all()
    assert main["transfers_out"].sum() > 0


def test_scale_and_growth(hist):
    yearly = hist.groupby(hist["date"].dt.year)["checkouts"].sum()
    # ≈1 loan per resident per year around 2024, growing toward the 2030 target of 3
    assert 250_000 < yearly[2024] < 700_000
    assert yearly[2023] < yearly[2024] < yearly[2025]
    # busier weekends than midweek at a big branch
    anle = hist[hist["branch"] == "KL-ANLE"]
    by_wd = anle.groupby(anle["date"].dt.day_of_week)["checkouts"].mean()
    assert by_wd[5] > by_wd[2]


def test_flows_match_transfer_measures(hist):
    od = bundled_od_flows()
    out = od.groupby(["date", "origin"])["items"].sum()
    h = hist.set_index(["date", "branch"])["transfers_out"]
    joined = h[h > 0]
    assert (out.reindex(joined.index).fillna(0) == joined).all()
    assert od["items"].sum() == hist["transfers_in"].sum() == hist["transfers_out"].sum()


@pytest.mark.slow
def test_the_shipped_file_is_what_the_code_generates(hist):
    fresh, od = synthetic_history()
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), hist.reset_index(drop=True),
                                  check_dtype=False)
    assert len(od) == len(bundled_od_flows())


def test_baifu_retrofit_option_closes_the_branch():
    import datetime as dt

    h, _ = synthetic_history(start=dt.date(2025, 6, 20), end=dt.date(2025, 7, 20),
                             baifu_retrofit=True)
    baifu = h[(h["branch"] == "KL-BAIFU") & (h["date"] >= "2025-07-01")]
    assert (baifu["checkouts"] == 0).all()
    before = h[(h["branch"] == "KL-BAIFU") & (h["date"] < "2025-07-01")]
    assert before["checkouts"].sum() > 0
