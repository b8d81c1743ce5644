"""Day tables: node hours on the date, oversize transfers split, hub legs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bookvan.data.network import Network
from bookvan.data.transfers import transfers_frame
from bookvan.routing.day_input import day_nodes, legged_transfers, split_oversize


def _t(tid: str, o: str, d: str, items: int, crates: int, kind: str = "hold") -> dict[str, object]:
    return {"transfer_id": tid, "origin_id": o, "destination_id": d, "items": items, "crates": crates, "kind": kind}


def test_monday_closes_branches_with_a_reason(network: Network) -> None:
    nodes = day_nodes(network, dt.date(2026, 11, 30)).set_index("node_id")
    assert pd.isna(nodes.at["KL-BAIFU", "opens"]) and pd.isna(nodes.at["KL-BAIFU", "closes"])
    assert "closed on Mondays" in nodes.at["KL-BAIFU", "closed_reason"]
    tue = day_nodes(network, dt.date(2026, 12, 1)).set_index("node_id")
    assert tue.at["KL-ANLE", "closes"].hour == 21 and str(tue.at["KL-ANLE", "closes"].tz) == "Asia/Taipei"


@settings(max_examples=60, deadline=None)
@given(crates=st.integers(1, 200), per=st.integers(1, 40), cap=st.integers(1, 30))
def test_split_conserves_items_and_crates(crates: int, per: int, cap: int) -> None:
    items = crates * per
    df = split_oversize(transfers_frame([_t("T1", "A", "B", items, crates)]), cap)
    assert df["crates"].sum() == crates and df["items"].sum() == items
    assert (df["crates"] <= cap).all() and (df["items"] >= 0).all()
    if crates > cap:
        assert set(df["part_of"]) == {"T1"} and len(df) == -(-crates // cap)


def test_hub_legs_through_depot() -> None:
    df = legged_transfers(transfers_frame([_t("T1", "KL-ANLE", "KL-XINYI", 40, 2),
                                           _t("T2", "KL-ANLE", "KL-MAIN", 10, 1)]), "KL-MAIN")
    assert list(df["transfer_id"]) == ["T1.1", "T1.2", "T2"]
    legs = df.set_index("transfer_id")
    assert legs.at["T1.1", "destination_id"] == "KL-MAIN" and legs.at["T1.2", "origin_id"] == "KL-MAIN"
    assert legs.at["T1.2", "leg"] == 2 and legs.at["T1.1", "leg_of"] == "T1"
    assert pd.isna(legs.at["T2", "leg_of"])
