"""The checker accepts a re-plan's driven prefix and a broken-down van, and nothing looser."""

from __future__ import annotations

import itertools

from plan_factory import at, good_plan

from bookvan.routing.check import check_plan_tables


def _driven(g: dict, n1: int, n2: int) -> dict:
    """The first n1 stops of VAN-1 and n2 of VAN-2 driven; re-planned at 10:00."""
    s = g["stops"]
    flags = []
    for van, n in (("VAN-1", n1), ("VAN-2", n2)):
        idx = s.index[s["vehicle_id"] == van]
        flags += [(i, k < n) for k, i in enumerate(idx)]
    s["driven"] = [dict(flags)[i] for i in s.index]
    g["plan"]["replan"] = {"at": at("10:00").isoformat(), "based_on": "abc", "vans_down": []}
    return g


def _kinds(g: dict) -> list[str]:
    return [v.kind for v in check_plan_tables(**g)]


def test_a_driven_prefix_passes() -> None:
    assert _kinds(_driven(good_plan(), 4, 4)) == []


def test_a_driven_stop_after_a_replanned_one_is_flagged() -> None:
    g = _driven(good_plan(), 4, 4)
    s = g["stops"]
    s.loc[(s["vehicle_id"] == "VAN-1") & (s["trip"] == 2) & (s["seq"] == 1), "driven"] = True
    assert "driven_prefix" in _kinds(g)


def test_a_new_stop_before_the_replan_time_is_flagged() -> None:
    g = _driven(good_plan(), 2, 4)  # VAN-1's 09:22 stop is marked as re-planned at 10:00
    msgs = [str(v) for v in check_plan_tables(**g)]
    assert any("before the re-plan time 10:00" in m for m in msgs)


def test_a_broken_down_van_may_end_where_it_stands_only_when_listed() -> None:
    g = _driven(good_plan(), 3, 4)
    s = g["stops"]
    # VAN-1 breaks down at B after stop 2: its day ends there, T2 (picked at B) stays at B
    keep = ~((s["vehicle_id"] == "VAN-1") & ((s["trip"] == 2) | (s["seq"] == 3)))
    g["stops"] = s[keep].reset_index(drop=True)
    st = g["stops"]
    b = (st["vehicle_id"] == "VAN-1") & (st["seq"] == 2)
    st.loc[b, "pickup_ids"] = st.loc[b, "pickup_ids"].map(lambda _: [])
    st.loc[b, "load_after"] = 0
    g["plan"]["unassigned"] += [{"transfer_id": t, "reason": "VAN-1 broke down"} for t in ("T2", "T3", "H1-2")]
    g["plan"]["unassigned"] = [u for u in g["plan"]["unassigned"] if u["transfer_id"] != "H1-2"] + [
        {"transfer_id": "H1", "reason": "VAN-1 broke down"}]
    g["plan"]["transfers_planned"] = 2
    g["plan"]["total_distance_m"] = _distance(g)
    base = [v for v in check_plan_tables(**g) if v.kind == "trip_structure"]
    assert any("not back at its depot" in v.message for v in base)
    g["plan"]["replan"]["vans_down"] = [{"vehicle_id": "VAN-1", "node_id": "KL-B"}]
    node_b = str(st.loc[b, "node_id"].iloc[0])
    g["plan"]["replan"]["vans_down"] = [{"vehicle_id": "VAN-1", "node_id": node_b}]
    assert [v for v in check_plan_tables(**g) if v.kind == "trip_structure"] == []
    g["plan"]["replan"]["vans_down"] = [{"vehicle_id": "VAN-1", "node_id": "ELSEWHERE"}]
    assert any(v.kind == "trip_structure" for v in check_plan_tables(**g))


def _distance(g: dict) -> float:
    m = {(a, b): d for a, b, d in g["matrix"][["from_id", "to_id", "distance_m"]].itertuples(index=False)}
    total = 0.0
    for _, grp in g["stops"].groupby(["vehicle_id", "trip"]):
        nodes = grp.sort_values("seq")["node_id"].tolist()
        total += sum(m[(a, b)] for a, b in itertools.pairwise(nodes) if a != b)
    return total
