"""The transfers file reader: good files in, every bad row named by file, row and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookvan.data.crates import crates_for
from bookvan.data.errors import InputError
from bookvan.data.transfers import read_transfers

DATE = dt.date(2026, 12, 1)
NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU"}


def _read(path: Path) -> pd.DataFrame:
    return read_transfers(path, node_ids=NODES, date=DATE, items_per_crate=30)


def test_good_csv_gives_crates_and_times(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("origin,destination,items,kind,release,due\n"
                 "KL-ANLE,KL-XINYI,61,hold,10:00,16:00\nKL-BAIFU,KL-MAIN,5,return,,\n", encoding="utf-8")
    df = _read(f)
    assert list(df["crates"]) == [3, 1]  # 61 items / 30 per crate → 3 crates
    assert df.loc[0, "release"].hour == 10 and str(df.loc[0, "release"].tz) == "Asia/Taipei"
    assert pd.isna(df.loc[1, "due"])
    assert list(df["transfer_id"]) == ["T0001", "T0002"]


def test_parquet_with_contract_column_names(tmp_path: Path) -> None:
    f = tmp_path / "t.parquet"
    pd.DataFrame({"transfer_id": ["a"], "origin_id": ["KL-ANLE"], "destination_id": ["KL-MAIN"],
                  "items": [30], "kind": ["hold"]}).to_parquet(f)
    df = _read(f)
    assert df.loc[0, "crates"] == 1 and df.loc[0, "transfer_id"] == "a"


@pytest.mark.parametrize(("items", "per", "crates"), [(1, 30, 1), (30, 30, 1), (31, 30, 2), (90, 30, 3)])
def test_crates_for(items: int, per: int, crates: int) -> None:
    assert crates_for(items, per) == crates


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("KL-NOWHERE,KL-MAIN,3,hold,,", "origin"),
        ("KL-ANLE,KL-MAIN,-3,hold,,", "items"),
        ("KL-ANLE,KL-MAIN,2.5,hold,,", "items"),
        ("KL-ANLE,KL-MAIN,3,gift,,", "kind"),
        ("KL-ANLE,KL-MAIN,3,hold,25:00,", "release"),
        ("KL-ANLE,KL-MAIN,3,hold,12:00,11:00", "due"),
        ("KL-ANLE,KL-ANLE,3,hold,,", "destination"),
    ],
)
def test_bad_row_names_row_and_field(tmp_path: Path, row: str, field: str) -> None:
    f = tmp_path / "t.csv"
    f.write_text(f"origin,destination,items,kind,release,due\nKL-ANLE,KL-MAIN,1,hold,,\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        _read(f)
    assert str(f) in str(e.value) and "row 2" in str(e.value) and f"'{field}'" in str(e.value)


def test_duplicate_ids_empty_file_encoding_missing_column(tmp_path: Path) -> None:
    cases = {
        "dup.csv": (b"transfer_id,origin,destination,items,kind\nx,KL-ANLE,KL-MAIN,1,hold\nx,KL-ANLE,KL-MAIN,1,hold\n"
, "duplicate"),
        "empty.csv": (b"", "empty"),
        "latin.csv": (b"origin,destination,items,kind\nKL-ANLE,KL-MAIN,1,hold\n" + "安".encode("big5"), "UTF-8"),
        "nocol.csv": (b"origin,destination,kind\nKL-ANLE,KL-MAIN,hold\n", "items"),
    }
    for name, (data, word) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(InputError) as e:
            _read(f)
        assert name in str(e.value) and word in str(e.value)


_cell = st.one_of(st.sampled_from(["KL-ANLE", "KL-MAIN", "hold", "return", "12:00", "-1", "0", "3", "", "x"]),
                  st.text(max_size=6))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=0, max_size=7), min_size=0, max_size=5),
       header=st.sampled_from(["origin,destination,items,kind,release,due", "origin,items,kind", ""]),
       junk=st.binary(max_size=8))
def test_fuzzed_files_raise_only_input_error(tmp_path: Path, rows: list[list[str]], header: str, junk: bytes) -> None:
    """Whatever the file holds, the reader returns a table or raises InputError naming the file."""
    f = tmp_path / "fuzz.csv"
    body = "\n".join(",".join(c.replace(",", ";").replace("\n", " ").replace("\r", " ").replace('"', "'")
                              for c in r) for r in rows)
    f.write_bytes((header + "\n" + body).encode("utf-8") + junk)
    try:
        df = _read(f)
    except InputError as e:
        assert "fuzz.csv" in str(e)
    else:
        assert (df["items"] > 0).all() and (df["crates"] >= 1).all()
        assert set(df["origin_id"]) <= NODES and set(df["destination_id"]) <= NODES
