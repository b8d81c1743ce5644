"""Runs as the driver sees them: order, crates in = crates out, distances, hub crate ids."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from plan_factory import good_plan, write_plan_dir

from bookvan.routing.check import check_plan_dir
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs, fmt_duration, fmt_hm
from bookvan.routing.manifest.sample import write_sample_plan


@pytest.fixture(scope="module")
def hand_runs(tmp_path_factory):
    plan = load_plan(write_plan_dir(good_plan(), tmp_path_factory.mktemp("hand") / "plan"))
    return plan, {r.key: r for r in build_runs(plan)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = write_sample_plan(tmp_path_factory.mktemp("sample") / "plan", dt.date(2026, 12, 1))
    plan = load_plan(folder)
    return folder, plan, build_runs(plan)


def test_hand_plan_runs_and_distances(hand_runs):
    plan, runs = hand_runs
    assert sorted(runs) == ["VAN-1_trip1", "VAN-1_trip2", "VAN-2_trip1"]
    # the factory's worked numbers: 5000+6000+7000, 10000+10000, 5000+6500+10000
    assert runs["VAN-1_trip1"].distance_m == 18000
    assert runs["VAN-1_trip2"].distance_m == 20000
    assert runs["VAN-2_trip1"].distance_m == 21500
    assert sum(r.distance_m for r in runs.values()) == plan.info["total_distance_m"]
    assert [s.node_id for s in runs["VAN-1_trip1"].stops] == [
        "KL-MAIN",
        "KL-ANLE",
        "KL-XINYI",
        "KL-MAIN",
    ]
    assert fmt_hm(runs["VAN-1_trip1"].departure) == "08:45"
    assert runs["VAN-1_trip2"].stops[-1].break_s == 2700


def test_hub_crates_keep_the_original_id_on_both_legs(hand_runs):
    _, runs = hand_runs
    first = runs["VAN-2_trip1"].stops[1].load  # H1-1 picked at KL-ANLE
    second = runs["VAN-1_trip2"].stops[0].load  # H1-2 leaves the depot
    h1 = next(c for c in first if c.transfer_id == "H1-1")
    h2 = next(c for c in second if c.transfer_id == "H1-2")
    assert h1.crate_ids == h2.crate_ids == ("H1-C01", "H1-C02")
    assert h1.final_destination_id == h2.final_destination_id == "KL-BAIFU"
    assert h1.destination_id == "KL-MAIN"


def test_sample_plan_is_feasible_for_the_independent_checker(sample):
    folder, _, _ = sample
    assert check_plan_dir(folder) == []


def test_crates_in_equal_crates_out_and_load_follows(sample):
    _, plan, runs = sample
    assert len(runs) == 3
    for run in runs:
        on_board = 0
        for s in run.stops:
            on_board += s.crates_loaded - s.crates_unloaded
            assert s.load_after == on_board
        assert run.crates_loaded == run.crates_unloaded
        assert run.stops[-1].load_after == 0
    crates = plan.transfers.set_index("transfer_id")["crates"]
    picked = [t for ids in plan.stops["pickup_ids"] for t in ids]
    assert sum(r.crates_loaded for r in runs) == int(crates[picked].sum())
    assert sum(r.distance_m for r in runs) == pytest.approx(plan.info["total_distance_m"], abs=0.5)


def test_durations_print_for_a_driver():
    assert fmt_duration(45 * 60) == "45 min"
    assert fmt_duration(2 * 3600 + 5 * 60) == "2 h 05 min"
    assert fmt_hm(None) == "–"


def test_break_start_column_is_used_when_the_planner_writes_it(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from plan_factory import at

    folder = write_plan_dir(good_plan(), tmp_path / "plan")
    plan = load_plan(folder)
    brk = {r.key: r for r in build_runs(plan)}["VAN-1_trip2"].stops[-1]
    assert brk.break_start == at("11:35")  # no column: the break ends at departure (12:20)
    stops = pq.read_table(folder / "stops.parquet").to_pandas()
    stops["break_start"] = pd.Series(pd.NaT, index=stops.index, dtype="datetime64[s, Asia/Taipei]")
    i = stops.index[(stops["vehicle_id"] == "VAN-1") & (stops["trip"] == 2) & (stops["seq"] == 2)][0]
    stops.loc[i, "break_start"] = at("11:36")
    pq.write_table(pa.Table.from_pandas(stops, preserve_index=False), folder / "stops.parquet")
    plan = load_plan(folder)
    runs = {r.key: r for r in build_runs(plan)}
    assert runs["VAN-1_trip2"].stops[-1].break_start == at("11:36")
    assert runs["VAN-1_trip1"].stops[1].break_start is None
