"""--carry-over: what an earlier plan left waiting comes back, once, with its items."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from bookvan.data.errors import InputError
from bookvan.data.tables import TRANSFERS_SCHEMA, write_table
from bookvan.data.transfers import transfers_frame
from bookvan.routing.carry_over import join_carry_over, read_carry_over

NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "NTPC-RUIFANG"}
WAIT = {"transfer_id": "H1", "next_visit": "2026-12-05", "reason": "r", "origin_id": "KL-MAIN",
        "destination_id": "NTPC-RUIFANG", "items": 1, "crates": 1, "kind": "hold",
        "release": "2026-12-02T00:00:00+08:00", "due": None}


def _folder(tmp_path, plan: dict, transfers: list[dict] | None = None):
    d = tmp_path / "prev"
    d.mkdir()
    (d / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    if transfers is not None:
        write_table(transfers_frame(transfers), TRANSFERS_SCHEMA, d / "transfers.parquet")
    return d


def test_waits_come_back_with_their_release(tmp_path):
    d = _folder(tmp_path, {"date": "2026-12-02", "waits": [WAIT], "unassigned": []})
    got = read_carry_over(d, dt.date(2026, 12, 3), NODES)
    assert list(got["transfer_id"]) == ["H1"] and int(got["items"].sum()) == 1
    assert got["release"].iloc[0] == pd.Timestamp("2026-12-02", tz="Asia/Taipei")
    new = transfers_frame([{**WAIT, "transfer_id": "H2", "release": None, "leg_of": None, "leg": None,
                            "part_of": None}])
    assert list(join_carry_over(new, d, dt.date(2026, 12, 3), NODES)["transfer_id"]) == ["H1", "H2"]
    with pytest.raises(InputError, match="both waiting and new"):
        join_carry_over(transfers_frame([{**WAIT, "leg_of": None, "leg": None, "part_of": None}]), d,
                        dt.date(2026, 12, 3), NODES)


@pytest.mark.parametrize(
    ("plan", "day", "word"),
    [
        ({"date": "2026-12-02", "waits": [WAIT]}, dt.date(2026, 12, 2), "not before"),
        ({"date": "2026-12-02", "waits": [{**WAIT, "destination_id": "KL-NOWHERE"}]}, dt.date(2026, 12, 3),
         "KL-NOWHERE"),
        ({"date": "2026-12-02", "waits": [{"transfer_id": "H1"}]}, dt.date(2026, 12, 3), "incomplete"),
        ({"waits": []}, dt.date(2026, 12, 3), "date"),
    ],
)
def test_bad_previous_plans_are_input_errors(tmp_path, plan, day, word):
    with pytest.raises(InputError, match=word):
        read_carry_over(_folder(tmp_path, plan), day, NODES)


def test_without_waits_the_unassigned_come_back_and_hub_legs_join(tmp_path):
    base = {"kind": "hold", "release": None, "due": None, "part_of": None, "crates": 1}
    rows = [
        {**base, "transfer_id": "A", "origin_id": "KL-ANLE", "destination_id": "KL-XINYI", "items": 5,
         "leg_of": None, "leg": None},
        {**base, "transfer_id": "B.1", "origin_id": "KL-ANLE", "destination_id": "KL-MAIN", "items": 3,
         "leg_of": "B", "leg": 1},
        {**base, "transfer_id": "B.2", "origin_id": "KL-MAIN", "destination_id": "KL-XINYI", "items": 3,
         "leg_of": "B", "leg": 2},
        {**base, "transfer_id": "C.1", "origin_id": "KL-XINYI", "destination_id": "KL-MAIN", "items": 4,
         "leg_of": "C", "leg": 1},
        {**base, "transfer_id": "C.2", "origin_id": "KL-MAIN", "destination_id": "KL-ANLE", "items": 4,
         "leg_of": "C", "leg": 2},
    ]
    left = [{"transfer_id": t, "reason": "r"} for t in ("A", "B.1", "B.2", "C.2")]
    d = _folder(tmp_path, {"date": "2026-12-02", "unassigned": left}, rows)
    got = read_carry_over(d, dt.date(2026, 12, 3), NODES).set_index("transfer_id")
    assert set(got.index) == {"A", "B", "C.2"}  # B never left: whole again; C reached the depot
    assert (got.at["B", "origin_id"], got.at["B", "destination_id"]) == ("KL-ANLE", "KL-XINYI")
    assert got.at["C.2", "origin_id"] == "KL-MAIN" and int(got["items"].sum()) == 12
