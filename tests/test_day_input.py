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


_T0 = pd.Timestamp("2026-12-01 09:00", tz="Asia/Taipei")
_transfer = st.fixed_dictionaries(
    {"origin_id": st.sampled_from(["D", "A", "B"]), "destination_id": st.sampled_from(["D", "A", "B"]),
     "items": st.integers(1, 60), "crates": st.integers(1, 3), "kind": st.sampled_from(["hold", "return"])},
    optional={"release": st.just(_T0), "due": st.just(_T0 + pd.Timedelta(hours=6)), "part_of": st.just("P")},
)


def _legs_row_by_row(t: pd.DataFrame, depot: str) -> pd.DataFrame:
    """The legs as the hub rule states them, one transfer at a time (the specification)."""
    recs = []
    for r in t.to_dict("records"):
        if depot in (r["origin_id"], r["destination_id"]):
            recs.append(r)
            continue
        recs.append({**r, "transfer_id": f"{r['transfer_id']}.1", "destination_id": depot,
                     "leg_of": r["transfer_id"], "leg": 1, "due": None})
        recs.append({**r, "transfer_id": f"{r['transfer_id']}.2", "origin_id": depot,
                     "leg_of": r["transfer_id"], "leg": 2, "release": None})
    return transfers_frame(recs)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(_transfer, max_size=8), drop_part_of=st.booleans())
def test_hub_legs_from_columns_equal_the_rule_row_by_row(rows: list[dict[str, object]], drop_part_of: bool) -> None:
    t = transfers_frame([{"transfer_id": f"T{k}", **r} for k, r in enumerate(rows)])
    if drop_part_of:  # a table short of a column is made whole first
        t = t.drop(columns=["part_of"])
    got, want = legged_transfers(t, "D"), _legs_row_by_row(transfers_frame(t.to_dict("records")), "D")
    pd.testing.assert_frame_equal(got, want)
    assert list(got.dtypes) == list(want.dtypes)


def test_nothing_to_split_gives_the_same_table_not_the_caller_s() -> None:
    t = transfers_frame([_t("T1", "A", "B", 40, 2), _t("T2", "B", "A", 10, 1)])
    df = split_oversize(t, 24)
    pd.testing.assert_frame_equal(df, t)
    df.loc[0, "crates"] = 9  # the plan's table is its own: changing it leaves the caller's alone
    assert t.loc[0, "crates"] == 2
    unsplit = split_oversize(t.drop(columns=["part_of"]), 24)  # not yet a transfers table: made into one
    assert list(unsplit.columns) == list(t.columns)
