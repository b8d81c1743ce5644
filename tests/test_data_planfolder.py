"""The one plan-folder module: the declared tables, a write → read round trip, and bad folders."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_factory import good_plan, write_plan_dir

from bookvan.data.errors import InputError
from bookvan.data.planfolder import (
    CORE_TABLES,
    PLAN_JSON,
    PLAN_TABLES,
    plan_table,
    read_plan_folder,
    write_plan_folder,
)


def test_declared_columns_are_in_the_schemas_and_the_contract_tables_are_core() -> None:
    for t in PLAN_TABLES:
        assert set(t.columns) <= set(t.schema.names), t.name
        assert t.file == f"{t.name}.parquet"
    assert CORE_TABLES == ("nodes", "vehicles", "transfers", "matrix", "stops")
    with pytest.raises(KeyError, match="known: nodes"):
        plan_table("crates-typo")


def test_round_trip_keeps_rows_and_local_time(tmp_path: Path) -> None:
    tables = good_plan()
    folder = write_plan_folder(tmp_path / "p", tables["plan"], tables)
    assert sorted(p.name for p in folder.iterdir()) == sorted([PLAN_JSON, *(f"{n}.parquet" for n in CORE_TABLES)])
    read = read_plan_folder(folder)
    assert read.info == json.loads(json.dumps(tables["plan"], default=str))
    for name in CORE_TABLES:
        assert len(read[name]) == len(tables[name]), name
    assert str(read["stops"]["arrival"].dt.tz) == "Asia/Taipei"
    assert read.get("legs") is None  # optional, not written, not asked for


def test_only_the_asked_tables_are_read(tmp_path: Path) -> None:
    folder = write_plan_dir(good_plan(), tmp_path / "p")
    (folder / "matrix.parquet").unlink()
    read = read_plan_folder(folder, ("nodes", "stops"), optional=("matrix", "legs"))
    assert set(read.tables) == {"nodes", "stops"}
    with pytest.raises(InputError, match=r"matrix\.parquet: missing: not a plan folder"):
        read_plan_folder(folder)


@pytest.mark.parametrize(("text", "why"), [("{oops", "not valid JSON"), ("[1, 2]", "JSON object")])
def test_bad_plan_json(tmp_path: Path, text: str, why: str) -> None:
    folder = write_plan_dir(good_plan(), tmp_path / "p")
    (folder / PLAN_JSON).write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=rf"plan\.json: .*{why}"):
        read_plan_folder(folder)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_plan_folder(tmp_path / "nope")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        read_plan_folder(tmp_path / "f")


_COLUMNS = [(t.name, c) for t in PLAN_TABLES if t.required for c in t.columns]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(_COLUMNS))
def test_every_missing_contract_column_is_named(tmp_path_factory, which: tuple[str, str]) -> None:
    name, col = which
    folder = write_plan_dir(good_plan(), tmp_path_factory.mktemp("p") / "plan")
    path = folder / f"{name}.parquet"
    pq.write_table(pq.read_table(path).drop([col]), path)
    with pytest.raises(InputError) as e:
        read_plan_folder(folder)
    assert str(e.value) == f"{path}, field '{col}': missing column"


def test_damaged_table(tmp_path: Path) -> None:
    folder = write_plan_dir(good_plan(), tmp_path / "p")
    (folder / "stops.parquet").write_bytes(b"PAR1 broken")
    with pytest.raises(InputError, match=r"stops\.parquet: not a readable Parquet file"):
        read_plan_folder(folder)


def test_optional_table_is_written_when_given(tmp_path: Path) -> None:
    import pandas as pd
    import shapely

    tables = good_plan()
    line = shapely.to_wkb(shapely.LineString([(121.74, 25.13), (121.75, 25.14)]))
    tables["legs"] = pd.DataFrame({"from_id": ["KL-MAIN"], "to_id": ["KL-ANLE"], "geometry": [line]})
    folder = write_plan_folder(tmp_path / "p", tables["plan"], tables)
    read = read_plan_folder(folder, (), optional=("legs",))
    assert read["legs"]["geometry"].iloc[0] == line
