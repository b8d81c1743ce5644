"""Reading a plan folder for printing: bad folders are InputErrors naming file, row and field."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from plan_factory import good_plan, write_plan_dir

from bookvan.data.errors import InputError
from bookvan.routing.manifest.plan import load_plan


@pytest.fixture
def plan_dir(tmp_path):
    return write_plan_dir(good_plan(), tmp_path / "plan")


def test_reads_the_hand_made_plan(plan_dir):
    plan = load_plan(plan_dir)
    assert plan.date.isoformat() == "2026-12-01"
    assert len(plan.plan_id) == 8
    assert plan.unassigned == [{"transfer_id": "U1", "reason": "Closed Branch is closed on Tuesdays"}]
    assert str(plan.stops["arrival"].dt.tz) == "Asia/Taipei"


def test_plan_id_changes_with_the_plan(plan_dir):
    before = load_plan(plan_dir).plan_id
    info = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    info["seed"] = 99
    (plan_dir / "plan.json").write_text(json.dumps(info), encoding="utf-8")
    assert load_plan(plan_dir).plan_id != before


def test_missing_folder_and_files(tmp_path, plan_dir):
    with pytest.raises(InputError, match="not a folder"):
        load_plan(tmp_path / "nope")
    (plan_dir / "stops.parquet").unlink()
    with pytest.raises(InputError, match=r"stops\.parquet: missing"):
        load_plan(plan_dir)


def test_bad_json(plan_dir):
    (plan_dir / "plan.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"plan\.json: not valid JSON"):
        load_plan(plan_dir)


def test_bad_date_names_the_field(plan_dir):
    (plan_dir / "plan.json").write_text(json.dumps({"date": "someday"}), encoding="utf-8")
    with pytest.raises(InputError, match="field 'date'"):
        load_plan(plan_dir)


def test_missing_column_is_named(plan_dir):
    t = pq.read_table(plan_dir / "transfers.parquet").drop(["crates"])
    pq.write_table(t, plan_dir / "transfers.parquet")
    with pytest.raises(InputError, match=r"transfers\.parquet, field 'crates': missing column"):
        load_plan(plan_dir)


def test_unknown_node_in_stops_names_row_and_field(plan_dir):
    t = pq.read_table(plan_dir / "stops.parquet").to_pandas()
    t.loc[2, "node_id"] = "KL-NOWHERE"
    pq.write_table(pa.Table.from_pandas(t, preserve_index=False), plan_dir / "stops.parquet")
    with pytest.raises(InputError) as e:
        load_plan(plan_dir)
    assert "stops.parquet, row 3, field 'node_id': unknown node 'KL-NOWHERE'" in str(e.value)


def test_unknown_transfer_in_stops(plan_dir):
    t = pq.read_table(plan_dir / "stops.parquet").to_pandas()
    t.at[1, "pickup_ids"] = ["T404"]
    pq.write_table(pa.Table.from_pandas(t, preserve_index=False), plan_dir / "stops.parquet")
    with pytest.raises(InputError, match=r"row 2, field 'pickup_ids': unknown transfer 'T404'"):
        load_plan(plan_dir)


def test_damaged_parquet(plan_dir):
    (plan_dir / "nodes.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"nodes\.parquet: not a readable Parquet file"):
        load_plan(plan_dir)


def test_zero_crates_is_rejected(plan_dir):
    t = pq.read_table(plan_dir / "transfers.parquet").to_pandas()
    t.loc[0, "crates"] = 0
    pq.write_table(pa.Table.from_pandas(t, preserve_index=False), plan_dir / "transfers.parquet")
    with pytest.raises(InputError, match=r"row 1, field 'crates'"):
        load_plan(plan_dir)
    assert isinstance(t, pd.DataFrame)


def test_duplicate_transfer_id_is_named(plan_dir):
    t = pq.read_table(plan_dir / "transfers.parquet").to_pandas()
    t.loc[1, "transfer_id"] = t.loc[0, "transfer_id"]
    pq.write_table(pa.Table.from_pandas(t, preserve_index=False), plan_dir / "transfers.parquet")
    with pytest.raises(InputError, match=r"transfers\.parquet, row 2, field 'transfer_id': duplicate id"):
        load_plan(plan_dir)
