"""Taking up what an earlier plan left waiting: from plan.json ``waits``, else ``unassigned``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from bookvan.data.errors import InputError
from bookvan.data.transfers import transfers_frame
from bookvan.routing.carry_over import join_carry_over, read_carry_over, unassigned_rows

PREV = dt.date(2026, 11, 30)
TODAY = dt.date(2026, 12, 1)
NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI"}


def _wait(tid: str, o: str = "KL-ANLE", d: str = "KL-MAIN", items: int = 40) -> dict[str, object]:
    return {"transfer_id": tid, "origin_id": o, "destination_id": d, "items": items, "crates": 2, "kind": "hold"}


def _plan(folder: Path, **plan: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(json.dumps({"date": PREV.isoformat(), **plan}), encoding="utf-8")
    return folder


def _rec(tid: str, o: str, d: str, leg_of: str | None = None, leg: int | None = None) -> dict[str, object]:
    return {"transfer_id": tid, "origin_id": o, "destination_id": d, "items": 30, "crates": 1, "kind": "hold",
            "release": None, "due": None, "leg_of": leg_of, "leg": leg, "part_of": None}


def test_waits_become_todays_transfers(tmp_path: Path) -> None:
    folder = _plan(tmp_path / "prev", waits=[_wait("W1"), _wait("W2", "KL-XINYI", "KL-ANLE", 10)])
    out = read_carry_over(folder, TODAY, NODES)
    assert list(out["transfer_id"]) == ["W1", "W2"]
    assert list(out["items"]) == [40, 10] and out["items"].dtype == "int64"
    assert out["leg_of"].isna().all()


def test_without_waits_the_unassigned_transfers_are_taken(tmp_path: Path) -> None:
    folder = _plan(tmp_path / "prev", unassigned=[{"transfer_id": "T2", "reason": "no room"}])
    tr = transfers_frame([_rec("T1", "KL-ANLE", "KL-MAIN"), _rec("T2", "KL-XINYI", "KL-MAIN")])
    tr.to_parquet(folder / "transfers.parquet")
    assert list(read_carry_over(folder, TODAY)["transfer_id"]) == ["T2"]


def test_hub_legs_all_left_out_become_the_original_transfer() -> None:
    tr = transfers_frame([
        _rec("H.1", "KL-ANLE", "KL-MAIN", "H", 1), _rec("H.2", "KL-MAIN", "KL-XINYI", "H", 2),
        _rec("G.1", "KL-XINYI", "KL-MAIN", "G", 1), _rec("G.2", "KL-MAIN", "KL-ANLE", "G", 2),
    ])
    recs = unassigned_rows(tr, {"H.1", "H.2", "G.2"})
    got = {r["transfer_id"]: (r["origin_id"], r["destination_id"], r["leg_of"]) for r in recs}
    # H waited whole: one transfer again, first leg's origin to last leg's destination
    assert got["H"] == ("KL-ANLE", "KL-XINYI", None)
    # G's first leg reached the hub: only the second leg waits, as a transfer of its own
    assert got["G.2"] == ("KL-MAIN", "KL-ANLE", None)
    assert set(got) == {"H", "G.2"}


def test_not_a_plan_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a plan folder"):
        read_carry_over(tmp_path, TODAY)


@pytest.mark.parametrize("date", [TODAY, TODAY + dt.timedelta(days=1)])
def test_the_earlier_plan_must_be_earlier(tmp_path: Path, date: dt.date) -> None:
    folder = _plan(tmp_path / "prev", waits=[])
    (folder / "plan.json").write_text(json.dumps({"date": date.isoformat(), "waits": []}), encoding="utf-8")
    with pytest.raises(InputError, match="not before"):
        read_carry_over(folder, TODAY)


def test_bad_date_and_incomplete_waits_name_the_field(tmp_path: Path) -> None:
    folder = _plan(tmp_path / "a", waits=[])
    (folder / "plan.json").write_text(json.dumps({"date": "soon"}), encoding="utf-8")
    with pytest.raises(InputError, match="no valid date"):
        read_carry_over(folder, TODAY)
    broken = _wait("W1")
    del broken["items"]
    with pytest.raises(InputError, match="waits entry 2 is incomplete"):
        read_carry_over(_plan(tmp_path / "b", waits=[_wait("W0"), broken]), TODAY)


def test_unknown_nodes_are_refused(tmp_path: Path) -> None:
    folder = _plan(tmp_path / "prev", waits=[_wait("W1", "KL-GONE")])
    with pytest.raises(InputError, match=r"unknown node.*KL-GONE"):
        read_carry_over(folder, TODAY, NODES)


def test_join_puts_waiting_transfers_first_and_refuses_a_repeated_id(tmp_path: Path) -> None:
    folder = _plan(tmp_path / "prev", waits=[_wait("W1")])
    todo = transfers_frame([_rec("T1", "KL-XINYI", "KL-MAIN")])
    joined = join_carry_over(todo, folder, TODAY, NODES)
    assert list(joined["transfer_id"]) == ["W1", "T1"]
    with pytest.raises(InputError, match="both waiting and new today: W1"):
        join_carry_over(transfers_frame([_rec("W1", "KL-XINYI", "KL-MAIN")]), folder, TODAY, NODES)
    empty = _plan(tmp_path / "none", waits=[])
    assert join_carry_over(todo, empty, TODAY, NODES) is todo
    assert isinstance(joined, pd.DataFrame)
