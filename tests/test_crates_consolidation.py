"""Crates as couriers pack them: items between the same two stops on the same run share crates."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.routing.manifest.crates import consolidated_crates, parse_crate_id


def _plan(items: list[int], dests: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One run from the depot: every transfer picked up at A, delivered at B0/B1/B2."""
    ids = [f"T{k:03d}" for k in range(len(items))]
    transfers = pd.DataFrame({"transfer_id": ids, "items": items})
    stops = [{"vehicle_id": "VAN-1", "trip": 1, "seq": 0, "node_id": "DEPOT", "pickup_ids": [], "delivery_ids": []},
             {"vehicle_id": "VAN-1", "trip": 1, "seq": 1, "node_id": "A", "pickup_ids": ids, "delivery_ids": []}]
    for j in range(3):
        got = [t for t, d in zip(ids, dests, strict=True) if d == j]
        stops.append({"vehicle_id": "VAN-1", "trip": 1, "seq": 2 + j, "node_id": f"B{j}", "pickup_ids": [],
                      "delivery_ids": got})
    stops.append({"vehicle_id": "VAN-1", "trip": 1, "seq": 5, "node_id": "DEPOT", "pickup_ids": [],
                  "delivery_ids": []})
    return pd.DataFrame(stops), transfers


def test_two_small_holds_share_one_crate():
    stops, tr = _plan([12, 7, 25], [0, 0, 1])
    c = consolidated_crates(stops, tr, 30)
    assert list(c["crate_id"]) == ["VAN-1-R1-G01-C01", "VAN-1-R1-G02-C01"]
    assert c.iloc[0]["transfer_ids"] == ["T000", "T001"] and c.iloc[0]["items"] == 19
    assert parse_crate_id(c.iloc[0]["crate_id"]) == ("VAN-1-R1-G01", 1)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 95), st.integers(0, 2)), min_size=1, max_size=12), st.integers(5, 45))
def test_crates_per_group_and_items_conserved(rows, per_crate):
    items, dests = [r[0] for r in rows], [r[1] for r in rows]
    stops, tr = _plan(items, dests)
    c = consolidated_crates(stops, tr, per_crate)
    for (_, d), g in c.groupby(["group", "destination_id"]):
        total = sum(i for i, dd in zip(items, dests, strict=True) if f"B{dd}" == d)
        assert len(g) == math.ceil(total / per_crate) == g["crates_in_group"].iloc[0]
        assert (g["items"] <= per_crate).all()
    got: dict[str, int] = {}
    for ids, its in zip(c["transfer_ids"], c["transfer_items"], strict=True):
        for t, n in zip(ids, its, strict=True):
            got[t] = got.get(t, 0) + n
    assert got == dict(zip(tr["transfer_id"], tr["items"], strict=True))
    assert c["crate_id"].is_unique
    assert len(c) <= sum(math.ceil(i / per_crate) for i in items)  # never more than packing apart


def test_packing_list_names_every_transfer_in_its_crate():
    from bookvan.routing.manifest.packed import packing_csv

    stops, tr = _plan([12, 7, 25, 40], [0, 0, 1, 1])
    text = packing_csv(consolidated_crates(stops, tr, 30))
    lines = text.strip().splitlines()[1:]
    got = [(ln.split(",")[0], ln.split(",")[-2], int(ln.split(",")[-1])) for ln in lines]
    # 25 + 40 = 65 items to B1 → 3 crates of 30; T003 continues in the next crates
    assert got == [
        ("VAN-1-R1-G01-C01", "T000", 12), ("VAN-1-R1-G01-C01", "T001", 7),
        ("VAN-1-R1-G02-C01", "T002", 25), ("VAN-1-R1-G02-C01", "T003", 5),
        ("VAN-1-R1-G02-C02", "T003", 30), ("VAN-1-R1-G02-C03", "T003", 5),
    ]
