"""Crate scans against the hand-made plan of ``plan_factory``: one test per contradiction.

Crates of that plan: T1-C01..03 (VAN-1 loads at KL-ANLE, unloads at KL-XINYI), T2 (VAN-1,
XINYI → MAIN), T3 (VAN-1 run 2, MAIN → BAIFU), T4 (VAN-2, BAIFU → MAIN), H1-C01..02 through
the depot (VAN-2 ANLE → MAIN, then VAN-1 MAIN → BAIFU), U1-C01 left out (closed branch).
"""

from __future__ import annotations

import pandas as pd
import pytest
from plan_factory import A, B, C, D, at, good_plan, write_plan_dir

from bookvan.data.scans import scans_frame
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.scan import check_scans, planned_handlings


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return load_plan(write_plan_dir(good_plan(), tmp_path_factory.mktemp("plan") / "p"))


def ev(*rows):
    """rows: (HH:MM, van, node, crate, event[, note]) in file order."""
    return scans_frame([
        {"time": at(r[0]), "vehicle_id": r[1], "node_id": r[2], "crate_id": r[3], "event": r[4],
         "note": r[5] if len(r) > 5 else "", "row": i}
        for i, r in enumerate(rows, start=1)
    ])


def kinds(state):
    return [f.kind for f in state.findings]


def crate(state, cid):
    return next(c for c in state.crates if c.crate_id == cid)


def van(state, vid):
    return next(v for v in state.vans if v.vehicle_id == vid)


T1 = ("T1-C01", "T1-C02", "T1-C03")


def test_planned_handlings_follow_the_hub_legs(plan):
    h = planned_handlings(plan)["H1-C02"]
    assert [(x.action, x.vehicle_id, x.node_id) for x in h] == [
        ("loaded", "VAN-2", A), ("unloaded", "VAN-2", D), ("loaded", "VAN-1", D), ("unloaded", "VAN-1", C)
    ]
    assert set(planned_handlings(plan)) >= {*T1, "T4-C05"}
    assert "U1-C01" not in planned_handlings(plan)


def test_scans_as_planned_give_no_findings_and_the_expected_state(plan):
    rows = [("09:05", "VAN-1", A, c, "loaded") for c in T1] + [("09:25", "VAN-1", B, c, "unloaded") for c in T1]
    rows += [("09:26", "VAN-1", B, "T2-C01", "loaded")]
    s = check_scans(plan, ev(*rows))
    assert kinds(s) == []
    assert all(crate(s, c).status == "delivered" and crate(s, c).node_id == B for c in T1)
    v1 = van(s, "VAN-1")
    assert (v1.node_id, v1.on_board, v1.next_node_id) == (B, ("T2-C01",), D)
    assert v1.stops_done == 3  # depot, ANLE, XINYI
    st = {(x.vehicle_id, x.trip, x.seq): x.status for x in s.stops}
    assert st[("VAN-1", 1, 1)] == st[("VAN-1", 1, 2)] == "scanned"
    assert st[("VAN-1", 1, 0)] == "passed" and st[("VAN-1", 1, 3)] == "pending"
    assert crate(s, "T2-C02").status == "waiting" and crate(s, "T2-C02").node_id == B
    assert van(s, "VAN-2").node_id == D and van(s, "VAN-2").last_scan is None


def test_crate_unloaded_at_the_wrong_node(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:47", "VAN-1", D, "T1-C01", "unloaded")))
    wrong = [f for f in s.findings if f.kind == "wrong_node"]
    assert len(wrong) == 1 and wrong[0].row == 2 and "unloads it at KL-XINYI" in wrong[0].message
    c = crate(s, "T1-C01")
    assert (c.status, c.node_id, c.vehicle_id) == ("misplaced", D, None)  # where it physically is


def test_crate_never_loaded_once_the_van_has_left_its_stop(plan):
    s = check_scans(plan, ev(
        ("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:05", "VAN-1", A, "T1-C02", "loaded"),
        ("09:25", "VAN-1", B, "T1-C01", "unloaded"), ("09:25", "VAN-1", B, "T1-C02", "unloaded"),
    ))
    missed = [f for f in s.findings if f.kind == "never_loaded"]
    assert [f.crate_id for f in missed] == ["T1-C03"]
    assert "KL-ANLE" in missed[0].message and "KL-XINYI" in missed[0].message
    assert crate(s, "T1-C03").status == "waiting" and crate(s, "T1-C03").node_id == A


def test_no_never_loaded_while_the_van_is_still_at_the_stop(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "T1-C01", "loaded")))
    assert kinds(s) == []


def test_crate_never_unloaded(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:47", "VAN-1", D, "T2-C01", "unloaded")))
    assert "never_unloaded" in kinds(s)
    assert crate(s, "T1-C01").status == "on_board"


def test_unloaded_without_being_loaded(plan):
    s = check_scans(plan, ev(("09:25", "VAN-1", B, "T1-C01", "unloaded")))
    assert "not_on_board" in kinds(s)
    assert crate(s, "T1-C01").status == "delivered"


def test_scan_at_a_node_the_van_never_visits(plan):
    s = check_scans(plan, ev(("09:05", "VAN-2", B, "T4-C01", "loaded")))
    f = [x for x in s.findings if x.kind == "node_not_visited"]
    assert len(f) == 1 and f[0].vehicle_id == "VAN-2" and f[0].node_id == B
    v2 = van(s, "VAN-2")
    assert v2.node_id == B and v2.off_plan and v2.stops_done == 0
    assert "wrong_node" in kinds(s)  # and the crate was loaded at the wrong place


@pytest.mark.parametrize("cid", ["T9-C01", "not-a-crate", "T1-C04"])
def test_crate_id_not_in_the_plan(plan, cid):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, cid, "loaded")))
    assert kinds(s) == ["unknown_crate"]
    assert van(s, "VAN-1").on_board == ()
    assert van(s, "VAN-1").node_id == A  # the van was still seen there


def test_crate_of_a_left_out_transfer(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "U1-C01", "loaded")))
    f = [x for x in s.findings if x.kind == "unplanned_crate"]
    assert len(f) == 1 and "closed on Tuesdays" in f[0].message
    assert crate(s, "U1-C01").status == "on_board"


def test_unknown_van(plan):
    s = check_scans(plan, ev(("09:05", "VAN-9", A, "T1-C01", "loaded")))
    assert kinds(s) == ["unknown_van"]
    assert crate(s, "T1-C01").status == "waiting"


def test_rows_out_of_time_order_are_reported_and_replayed_in_time_order(plan):
    s = check_scans(plan, ev(("09:25", "VAN-1", B, "T1-C01", "unloaded"), ("09:05", "VAN-1", A, "T1-C01", "loaded")))
    assert kinds(s).count("out_of_order") == 1 and s.findings[0].row == 2
    assert [f.crate_id for f in s.findings if f.kind == "never_loaded"] == ["T1-C02", "T1-C03"]
    assert crate(s, "T1-C01").status == "delivered"


def test_van_going_back_to_a_stop_it_left_is_out_of_order(plan):
    s = check_scans(plan, ev(
        ("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:25", "VAN-1", B, "T1-C01", "unloaded"),
        ("09:40", "VAN-1", A, "T1-C02", "loaded"),
    ))
    f = [x for x in s.findings if x.kind == "out_of_order"]
    assert len(f) == 1 and f[0].row == 3 and "already left" in f[0].message
    assert van(s, "VAN-1").stops_done == 3  # its progress does not go back


def test_loaded_onto_the_wrong_van(plan):
    s = check_scans(plan, ev(("09:05", "VAN-2", A, "T1-C01", "loaded")))
    assert kinds(s) == ["wrong_van"]
    assert crate(s, "T1-C01").vehicle_id == "VAN-2"


def test_loaded_twice(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:06", "VAN-1", A, "T1-C01", "loaded")))
    assert kinds(s) == ["already_on_board"]


def about(state, cid):
    return [f.kind for f in state.findings if f.crate_id == cid]


def test_hub_crate_through_the_depot(plan):
    s = check_scans(plan, ev(
        ("09:05", "VAN-2", A, "H1-C01", "loaded"), ("09:56", "VAN-2", D, "H1-C01", "unloaded"),
    ))
    assert about(s, "H1-C01") == []
    assert about(s, "H1-C02") == ["never_loaded"]  # VAN-2 left ANLE without it
    assert crate(s, "H1-C01").status == "in_transit" and crate(s, "H1-C01").node_id == D
    s = check_scans(plan, ev(
        ("09:05", "VAN-2", A, "H1-C01", "loaded"), ("09:56", "VAN-2", D, "H1-C01", "unloaded"),
        ("10:35", "VAN-1", D, "H1-C01", "loaded"), ("11:05", "VAN-1", C, "H1-C01", "unloaded"),
    ))
    assert about(s, "H1-C01") == []
    assert crate(s, "H1-C01").status == "delivered"


def test_missing_and_damaged(plan):
    s = check_scans(plan, ev(
        ("09:05", "VAN-1", A, "T1-C01", "loaded"), ("09:06", "VAN-1", A, "T1-C01", "damaged"),
        ("09:06", "VAN-1", A, "T1-C02", "missing"),
    ))
    assert crate(s, "T1-C01").damaged and crate(s, "T1-C01").status == "on_board"
    assert crate(s, "T1-C02").status == "missing"
    assert van(s, "VAN-1").on_board == ("T1-C01",)


def test_state_json_and_tables(plan):
    s = check_scans(plan, ev(("09:05", "VAN-1", A, "T1-C01", "loaded")))
    js = s.to_json()
    assert js["as_of"].startswith("2026-12-01T09:05")
    assert {"vans", "stops", "crates", "findings"} <= set(js)
    assert set(s.table("crates")["crate_id"]) >= set(T1)
    assert isinstance(s.table("vans")["on_board"].iloc[0], list)
    assert s.table("findings").empty


def test_empty_scans(plan):
    s = check_scans(plan, ev())
    assert s.as_of is None and kinds(s) == []
    assert all(c.status in ("waiting", "not_planned") for c in s.crates)
    assert pd.isna(van(s, "VAN-1").last_scan) or van(s, "VAN-1").last_scan is None
