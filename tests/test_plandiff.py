"""Plan diff: each kind of change between two versions of the hand-made plan."""

from __future__ import annotations

from plan_factory import at, good_plan, stop_index, write_plan_dir

from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.plandiff import plan_diff


def _load(tables, path):
    return load_plan(write_plan_dir(tables, path))


def test_same_plan_no_changes(tmp_path):
    a = _load(good_plan(), tmp_path / "a")
    d = plan_diff(a, _load(good_plan(), tmp_path / "b"))
    assert d.unchanged and d.changes == ()
    assert d.distance_before_m == d.distance_after_m == 59500.0


def test_first_plan_lists_runs_only(tmp_path):
    d = plan_diff(None, _load(good_plan(), tmp_path / "a"))
    assert d.changes == () and d.runs_before == ()
    assert [(r.vehicle_id, r.trip, r.stops, r.crates) for r in d.runs_after] == [
        ("VAN-1", 1, 2, 5), ("VAN-1", 2, 1, 6), ("VAN-2", 1, 2, 7)]


def test_moved_retimed_waiting_served(tmp_path):
    before = good_plan()
    after = good_plan()
    st = after["stops"]
    # T4 now waits (VAN-2 no longer picks it up), U1 is served by VAN-2 instead
    i = stop_index(st, "VAN-2", 1, 2)
    st.at[i, "pickup_ids"] = ["U1"]
    j = stop_index(st, "VAN-2", 1, 3)
    st.at[j, "delivery_ids"] = ["H1-1", "U1"]
    after["plan"]["unassigned"] = [{"transfer_id": "T4", "reason": "van down"}]
    # T1 delivered 40 minutes later
    k = stop_index(st, "VAN-1", 1, 2)
    st.at[k, "arrival"] = at("10:02")
    # T3 goes with VAN-2 in the diff's eyes: move its pickup and delivery to VAN-2's run
    p = stop_index(st, "VAN-1", 2, 0)
    st.at[p, "pickup_ids"] = ["H1-2"]
    st.at[i, "pickup_ids"] = ["U1", "T3"]
    st.at[j, "delivery_ids"] = ["H1-1", "U1", "T3"]
    d = plan_diff(_load(before, tmp_path / "a"), _load(after, tmp_path / "b"))
    got = {c.transfer_id: c.change for c in d.changes}
    assert got == {"T4": "now_waiting", "U1": "now_served", "T1": "retimed", "T3": "moved"}
    t4 = next(c for c in d.changes if c.transfer_id == "T4")
    assert t4.before.startswith("VAN-2 run 1") and t4.after == "waits: van down"
    assert (d.waiting_before, d.waiting_after) == (1, 1)
