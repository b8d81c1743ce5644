"""The plan checker: a hand-made good plan passes; each corruption is caught as exactly its kind.

The plan and its arithmetic are in ``plan_factory.py``; each test breaks one thing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_factory import A, C, D, at, good_plan, stop_index, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.routing.check import KINDS, check_plan_dir, check_plan_tables

Plan = dict[str, Any]


def kinds(plan: Plan) -> set[str]:
    return {v.kind for v in check_plan_tables(**plan)}


def test_good_plan_passes_in_memory_and_from_disk(tmp_path: Path) -> None:
    plan = good_plan()
    assert check_plan_tables(**plan) == []
    assert check_plan_dir(write_plan_dir(plan, tmp_path / "plan")) == []


def _set_stop(plan: Plan, van: str, trip: int, seq: int, **values: object) -> None:
    st = plan["stops"]
    i = stop_index(st, van, trip, seq)
    for k, v in values.items():
        st.at[i, k] = at(v) if k in ("arrival", "departure", "service_start") else v


def _set(plan: Plan, table: str, key: str, value_of: str, **values: object) -> None:
    df = plan[table]
    i = df.index[df[key] == value_of][0]
    for k, v in values.items():
        df.at[i, k] = v


# --- one corruption per kind -------------------------------------------------------------------


def duplicate_node(p: Plan) -> None:
    p["nodes"] = pd.concat([p["nodes"], p["nodes"].iloc[[1]]], ignore_index=True)


def unknown_stop_van(p: Plan) -> None:
    p["stops"]["vehicle_id"] = p["stops"]["vehicle_id"].replace("VAN-2", "VAN-9")


def unknown_transfer_in_stop(p: Plan) -> None:
    _set_stop(p, "VAN-1", 1, 2, pickup_ids=["T2", "T999"])


def unknown_transfer_origin(p: Plan) -> None:
    _set(p, "transfers", "transfer_id", "T1", origin_id="KL-NOWHERE")


def unknown_unassigned(p: Plan) -> None:
    p["plan"]["unassigned"].append({"transfer_id": "T999", "reason": "no van has room"})


def seq_gap(p: Plan) -> None:
    st = p["stops"]
    st.at[stop_index(st, "VAN-2", 1, 3), "seq"] = 4


def trip_not_back_at_depot(p: Plan) -> None:
    st = p["stops"]
    p["stops"] = st.drop(index=stop_index(st, "VAN-1", 2, 2))
    p["plan"]["total_distance_m"] -= 10000  # the C → D drive is gone


def reason_missing(p: Plan) -> None:
    p["plan"]["unassigned"][0]["reason"] = " "


def unserved(p: Plan) -> None:
    p["plan"]["unassigned"] = []


def served_and_unassigned(p: Plan) -> None:
    p["plan"]["unassigned"].append({"transfer_id": "T1", "reason": "no van has room"})


def pickup_not_at_origin(p: Plan) -> None:
    _set(p, "transfers", "transfer_id", "T1", origin_id=C)


def delivery_not_at_destination(p: Plan) -> None:
    _set(p, "transfers", "transfer_id", "T1", destination_id=C)


def different_vans(p: Plan) -> None:
    # T2 and H1-1 both carry 2 crates to the depot; swap who unloads them: loads stay right
    _set_stop(p, "VAN-1", 1, 3, delivery_ids=["H1-1"])
    _set_stop(p, "VAN-2", 1, 3, delivery_ids=["T2", "T4"])


def delivered_before_pickup(p: Plan) -> None:
    # T9 (B → A, 1 crate) dropped at A (trip 1 stop 1) and only then picked up at B (stop 2)
    t = p["transfers"]
    p["transfers"] = pd.concat(
        [
            t,
            pd.DataFrame(
                [
                    {
                        **t.iloc[1].to_dict(),
                        "transfer_id": "T9",
                        "origin_id": "KL-XINYI",
                        "destination_id": A,
                        "crates": 1,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    _set_stop(p, "VAN-1", 1, 1, delivery_ids=["T9"], load_after=2)
    _set_stop(p, "VAN-1", 1, 2, pickup_ids=["T2", "T9"], load_after=2)
    p["plan"]["transfers_planned"] += 1


def hub_leg_too_early(p: Plan) -> None:
    # VAN-2 runs 50 min later: leg 1 reaches the depot 10:45, leg 2 left at 10:30
    st = p["stops"]
    late = st["vehicle_id"] == "VAN-2"
    for c in ("arrival", "departure", "service_start"):
        st.loc[late, c] = st.loc[late, c] + pd.Timedelta(minutes=50)


def hub_leg_without_first_leg(p: Plan) -> None:
    # leg 1 left for another day, leg 2 still driven from the depot
    _set_stop(p, "VAN-2", 1, 1, pickup_ids=[], load_after=0)
    _set_stop(p, "VAN-2", 1, 2, load_after=5)
    _set_stop(p, "VAN-2", 1, 3, delivery_ids=["T4"])
    p["plan"]["unassigned"].append({"transfer_id": "H1-1", "reason": "no van has room"})


def before_release(p: Plan) -> None:
    _set(p, "transfers", "transfer_id", "T1", release=at("09:05"))


def after_due(p: Plan) -> None:
    _set(p, "transfers", "transfer_id", "T1", due=at("09:20"))


def wrong_load(p: Plan) -> None:
    _set_stop(p, "VAN-1", 1, 1, load_after=4)


def over_capacity(p: Plan) -> None:
    _set(p, "vehicles", "vehicle_id", "VAN-2", capacity_crates=6)


def no_matrix_row(p: Plan) -> None:
    m = p["matrix"]
    p["matrix"] = m[~((m["from_id"] == D) & (m["to_id"] == A))]


def too_fast(p: Plan) -> None:
    _set_stop(p, "VAN-2", 1, 1, arrival="08:58")  # left D 08:50, the drive takes 10 min


def leaves_before_service(p: Plan) -> None:
    _set_stop(p, "VAN-2", 1, 2, departure="09:20")  # service starts 09:24


def service_before_arrival(p: Plan) -> None:
    _set_stop(p, "VAN-1", 1, 2, service_start="09:20")  # arrives 09:22


def node_closed(p: Plan) -> None:
    _set(p, "nodes", "node_id", A, opens=None, closes=None)


def outside_hours(p: Plan) -> None:
    _set(p, "nodes", "node_id", A, opens=at("09:05"))


def before_shift(p: Plan) -> None:
    _set(p, "vehicles", "vehicle_id", "VAN-2", shift_start=at("08:55"))


def after_shift(p: Plan) -> None:
    _set(p, "vehicles", "vehicle_id", "VAN-1", shift_end=at("11:30"))  # back 11:35


def wrong_distance(p: Plan) -> None:
    p["plan"]["total_distance_m"] += 5


def wrong_vans_used(p: Plan) -> None:
    p["plan"]["vehicles_used"] = 3


def wrong_transfers_planned(p: Plan) -> None:
    p["plan"]["transfers_planned"] = 9


def _schedule(p: Plan, days: str, target: str | None) -> None:
    p["plan"]["schedule"] = {
        "honoured": True, "windows": "hard", "unscheduled_visits": [], "missed_window": [],
        "nodes": {A: {"days": days, "target_arrival": target, "tolerance_min": 30}},
    }


def visit_on_unscheduled_day(p: Plan) -> None:
    _schedule(p, "wed-sat", None)  # DATE is a Tuesday


def arrival_outside_tolerance(p: Plan) -> None:
    _schedule(p, "daily", "15:00")

def driven_after_replanned(p: Plan) -> None:
    s = p["stops"]
    s["driven"] = False
    s.loc[(s["vehicle_id"] == "VAN-2") & (s["seq"] == 2), "driven"] = True


CORRUPTIONS: list[tuple[str, Callable[[Plan], None], str]] = [
    ("duplicate_id", duplicate_node, "KL-ANLE"),
    ("unknown_id", unknown_stop_van, "VAN-9"),
    ("unknown_id", unknown_transfer_in_stop, "T999"),
    ("unknown_id", unknown_transfer_origin, "KL-NOWHERE"),
    ("unknown_id", unknown_unassigned, "T999"),
    ("trip_structure", seq_gap, "VAN-2 trip 1"),
    ("trip_structure", trip_not_back_at_depot, "ends at KL-BAIFU"),
    ("unassigned", reason_missing, "U1"),
    ("unserved", unserved, "U1"),
    ("served_and_unassigned", served_and_unassigned, "T1"),
    ("pickup", pickup_not_at_origin, "T1"),
    ("delivery", delivery_not_at_destination, "T1"),
    ("same_van", different_vans, "T2"),
    ("order", delivered_before_pickup, "T9"),
    ("hub_leg", hub_leg_too_early, "H1-2"),
    ("hub_leg", hub_leg_without_first_leg, "H1-1"),
    ("release", before_release, "T1"),
    ("due", after_due, "T1"),
    ("load", wrong_load, "VAN-1 trip 1 stop 1"),
    ("capacity", over_capacity, "VAN-2 trip 1 stop 2"),
    ("driven_prefix", driven_after_replanned, "VAN-2 trip 1 stop 2"),
    ("missing_matrix", no_matrix_row, "KL-MAIN → KL-ANLE"),
    ("travel_time", too_fast, "VAN-2 trip 1 stop 1"),
    ("service", leaves_before_service, "VAN-2 trip 1 stop 2"),
    ("service", service_before_arrival, "VAN-1 trip 1 stop 2"),
    ("closed", node_closed, "KL-ANLE"),
    ("opening_hours", outside_hours, "VAN-1 trip 1 stop 1"),
    ("shift", before_shift, "VAN-2"),
    ("shift", after_shift, "VAN-1 trip 2 stop 2"),
    ("distance", wrong_distance, "59500"),
    ("summary", wrong_vans_used, "vehicles_used"),
    ("summary", wrong_transfers_planned, "transfers_planned"),
    ("unscheduled_visit", visit_on_unscheduled_day, "KL-ANLE"),
    ("arrival_window", arrival_outside_tolerance, "KL-ANLE"),
]


@pytest.mark.parametrize(
    ("kind", "corrupt", "named"), CORRUPTIONS, ids=[c[1].__name__ for c in CORRUPTIONS]
)
def test_each_corruption_is_caught_as_exactly_its_kind(
    kind: str, corrupt: Callable[[Plan], None], named: str
) -> None:
    plan = good_plan()
    corrupt(plan)
    found = check_plan_tables(**plan)
    assert {v.kind for v in found} == {kind}, found
    assert any(named in v.message for v in found), found


def test_every_kind_has_a_corruption() -> None:
    assert {c[0] for c in CORRUPTIONS} == set(KINDS)


def test_optional_columns_may_be_absent_and_service_then_starts_on_arrival() -> None:
    plan = good_plan()
    plan["transfers"] = plan["transfers"][plan["transfers"]["transfer_id"] != "U1"]
    plan["plan"]["unassigned"] = []
    for c in ("leg_of", "leg", "part_of", "release", "due"):
        del plan["transfers"][c]
    plan["plan"]["transfers_planned"] = 6  # the hub pair now counts as two
    del plan["stops"]["service_start"]  # service starts on arrival: VAN-1 waits at A from 08:55
    assert kinds(plan) == {"opening_hours"}


def test_unassigned_original_id_covers_its_legs() -> None:
    plan = good_plan()
    hub_leg_without_first_leg(plan)
    _set_stop(plan, "VAN-1", 2, 0, pickup_ids=["T3"], load_after=4)
    _set_stop(plan, "VAN-1", 2, 1, delivery_ids=["T3"])
    plan["plan"]["unassigned"][-1]["transfer_id"] = "H1"  # the original, not the leg
    plan["plan"]["transfers_planned"] = 4
    assert check_plan_tables(**plan) == []


# --- bad input: an InputError naming the file and field ------------------------------------------


def test_missing_column_names_file_and_field() -> None:
    plan = good_plan()
    del plan["stops"]["load_after"]
    with pytest.raises(InputError, match=r"stops\.parquet.*load_after"):
        check_plan_tables(**plan)


def test_null_required_value_names_row() -> None:
    plan = good_plan()
    plan["stops"].at[stop_index(plan["stops"], "VAN-1", 1, 2), "arrival"] = None
    with pytest.raises(InputError, match=r"stops\.parquet, row 3, field 'arrival'"):
        check_plan_tables(**plan)


def test_plan_json_without_total_distance() -> None:
    plan = good_plan()
    del plan["plan"]["total_distance_m"]
    with pytest.raises(InputError, match=r"plan\.json, field 'total_distance_m'"):
        check_plan_tables(**plan)


# --- the command ----------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_ok_exit_0(tmp_path: Path) -> None:
    d = write_plan_dir(good_plan(), tmp_path / "plan")
    r = runner.invoke(app, ["check", str(d)])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("OK") and len(r.stdout.strip().splitlines()) == 1
    assert "2 van(s)" in r.stdout


def test_cli_violations_exit_1_one_line_each(tmp_path: Path) -> None:
    plan = good_plan()
    over_capacity(plan)
    wrong_distance(plan)
    d = write_plan_dir(plan, tmp_path / "plan")
    r = runner.invoke(app, ["check", str(d)])
    assert r.exit_code == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("capacity:") and lines[1].startswith("distance:")


@pytest.mark.parametrize(
    "damage", ["no_folder", "no_stops", "garbage_parquet", "bad_json", "no_column"]
)
def test_cli_bad_folder_exit_2(tmp_path: Path, damage: str) -> None:
    d = write_plan_dir(good_plan(), tmp_path / "plan")
    named = {
        "no_folder": "nowhere",
        "no_stops": "stops.parquet",
        "garbage_parquet": "matrix.parquet",
        "bad_json": "plan.json",
        "no_column": "node_id",
    }[damage]
    if damage == "no_folder":
        d = tmp_path / "nowhere"
    elif damage == "no_stops":
        (d / "stops.parquet").unlink()
    elif damage == "garbage_parquet":
        (d / "matrix.parquet").write_bytes(b"not parquet at all")
    elif damage == "bad_json":
        (d / "plan.json").write_text("{ not json", encoding="utf-8")
    else:
        nodes = pd.read_parquet(d / "nodes.parquet").drop(columns=["node_id"])
        nodes.to_parquet(d / "nodes.parquet")
    r = runner.invoke(app, ["check", str(d)])
    assert r.exit_code == 2, r.output
    assert named in r.stderr
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


# --- invariants and robustness (hypothesis) ------------------------------------------------------

TABLES = ("nodes", "vehicles", "transfers", "matrix", "stops")
any_value = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.booleans(),
    st.lists(st.text(max_size=4), max_size=2),
    st.sampled_from([at("07:00"), at("23:59"), pd.NaT, "2026-12-01 09:00", "not a time"]),
)


@settings(max_examples=60, deadline=None)
@given(table=st.sampled_from(TABLES), data=st.data(), value=any_value)
def test_any_single_value_gives_violations_or_input_error(
    table: str, data: st.DataObject, value: object
) -> None:
    plan = good_plan()
    df = plan[table]
    row = data.draw(st.integers(0, len(df) - 1))
    col = data.draw(st.sampled_from(list(df.columns)))
    df[col] = df[col].astype(object)
    df.at[df.index[row], col] = value
    try:
        found = check_plan_tables(**plan)
    except InputError as e:
        assert col in str(e) or table in str(e)
    else:
        assert all(v.kind in KINDS and v.message for v in found)


@settings(max_examples=60, deadline=None)
@given(
    key=st.sampled_from(["total_distance_m", "vehicles_used", "transfers_planned", "unassigned"]),
    value=any_value,
)
def test_any_plan_json_value_gives_violations_or_input_error(key: str, value: object) -> None:
    plan = good_plan()
    plan["plan"][key] = value
    try:
        found = check_plan_tables(**plan)
    except InputError as e:
        assert key in str(e)
    else:
        assert all(v.kind in KINDS for v in found)


@settings(max_examples=30, deadline=None)
@given(minutes=st.integers(-8 * 60, 8 * 60), seed=st.integers(0, 2**32 - 1))
def test_shifting_every_clock_and_shuffling_rows_keeps_the_verdict(minutes: int, seed: int) -> None:
    """Feasibility depends on time differences and (trip, seq), not on row order or the hour."""
    plan = good_plan()
    delta = pd.Timedelta(minutes=minutes)
    for table, cols in (
        ("nodes", ("opens", "closes")),
        ("vehicles", ("shift_start", "shift_end")),
        ("transfers", ("release", "due")),
        ("stops", ("arrival", "departure", "service_start")),
    ):
        for c in cols:
            plan[table][c] = pd.to_datetime(plan[table][c]) + delta
    plan["stops"] = plan["stops"].sample(frac=1, random_state=seed)
    assert check_plan_tables(**plan) == []
    st_ = plan["stops"]
    st_.at[stop_index(st_, "VAN-2", 1, 1), "arrival"] -= pd.Timedelta(
        minutes=3
    )  # 7 of 10 min drive
    assert kinds(plan) == {"travel_time"}
