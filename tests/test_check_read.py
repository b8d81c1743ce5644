"""The checker's own record parsing: good tables → records, every bad value → file, row, field."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plan_factory import good_plan, write_plan_dir

from bookvan.data.errors import InputError
from bookvan.routing.check_read import (
    _as_id,
    _as_int,
    _as_time,
    parse_plan,
    plan_labels,
    read_plan_dir,
)


def _parse(tables: dict) -> object:
    plan = tables.pop("plan")
    return parse_plan(plan, tables, plan_labels())


def test_hand_made_plan_parses_into_its_records() -> None:
    tables = good_plan()
    rec = _parse(good_plan())
    assert len(rec.nodes) == len(tables["nodes"]) and len(rec.stops) == len(tables["stops"])
    assert rec.unassigned == [("U1", "Closed Branch is closed on Tuesdays")]
    closed = dict(rec.nodes)["KL-CLOSED"]
    assert closed.opens is None and closed.closes is None
    first = rec.stops[0]
    # times are epoch seconds of the tz-aware timestamps
    assert min(s.departure for s in rec.stops) == tables["stops"]["departure"].min().timestamp()
    assert dict(rec.vans)["VAN-1"].shift_start == tables["vehicles"]["shift_start"].iloc[0].timestamp()
    assert first.start >= first.arrival


def test_labels_name_the_files() -> None:
    assert plan_labels() == {"nodes": "nodes.parquet", "vehicles": "vehicles.parquet",
                             "transfers": "transfers.parquet", "matrix": "matrix.parquet",
                             "stops": "stops.parquet", "plan": "plan.json"}
    assert plan_labels("/x")["stops"] == "/x/stops.parquet"


@pytest.mark.parametrize(
    ("table", "col", "value", "where"),
    [
        ("stops", "trip", 1.5, "stops.parquet, row 2, field 'trip'"),
        ("stops", "arrival", "soon", "stops.parquet, row 2, field 'arrival'"),
        ("transfers", "crates", "many", "transfers.parquet, row 2, field 'crates'"),
        ("matrix", "distance_m", float("inf"), "matrix.parquet, row 2, field 'distance_m'"),
        ("vehicles", "vehicle_id", "  ", "vehicles.parquet, row 2, field 'vehicle_id'"),
    ],
)
def test_bad_value_names_file_row_and_field(table: str, col: str, value: object, where: str) -> None:
    tables = good_plan()
    df = tables[table].astype({col: object})
    df.at[df.index[1], col] = value
    tables[table] = df
    with pytest.raises(InputError) as e:
        _parse(tables)
    assert where in str(e.value)


def test_plan_json_fields_are_named() -> None:
    tables = good_plan()
    del tables["plan"]["vehicles_used"]
    tables["plan"]["unassigned"] = "none"
    with pytest.raises(InputError) as e:
        _parse(tables)
    assert "plan.json, field 'vehicles_used': missing" in str(e.value)
    assert "field 'unassigned'" in str(e.value)


def test_read_plan_dir_uses_the_plan_folder_reader(tmp_path) -> None:
    folder = write_plan_dir(good_plan(), tmp_path / "p")
    plan, tables = read_plan_dir(folder)
    assert plan["date"] == "2026-12-01" and set(tables) == set(plan_labels()) - {"plan"}
    (folder / "vehicles.parquet").unlink()
    with pytest.raises(InputError, match=r"vehicles\.parquet: missing"):
        read_plan_dir(folder)


# the value parsers: anything in, a value or a ValueError out (never another exception)


@given(st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.booleans(), st.none()))
def test_as_int_is_whole_numbers_only(v: object) -> None:
    try:
        got = _as_int(v)
    except ValueError:
        ok = (not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
              and float(v).is_integer())
        assert not ok or isinstance(v, str)
    else:
        assert isinstance(got, int) and not isinstance(v, bool) and float(v) == got  # type: ignore[arg-type]


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.none()))
def test_as_id_accepts_nonblank_text_and_integers(v: object) -> None:
    try:
        got = _as_id(v)
    except ValueError:
        assert not (isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip())
    else:
        assert got == str(v) and got.strip()


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_naive_times_are_taipei(t: dt.datetime) -> None:
    assert _as_time(t) == pd.Timestamp(t).tz_localize("Asia/Taipei").timestamp()
    with pytest.raises(ValueError):
        _as_time(t.timestamp())  # a bare number is not a timestamp
