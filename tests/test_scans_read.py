"""Reading scan files: good rows come back as typed tables, every bad row names file, row, field."""

from __future__ import annotations

import csv
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.scans import SCAN_EVENTS, read_scans

ids = st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=12)
times = st.datetimes(min_value=pd.Timestamp("2026-12-01").to_pydatetime(),
                     max_value=pd.Timestamp("2026-12-01 23:59").to_pydatetime()).map(lambda t: t.replace(microsecond=0))
rows = st.fixed_dictionaries({
    "time": times.map(lambda t: t.isoformat(sep=" ")),
    "vehicle_id": ids, "node_id": ids, "crate_id": ids,
    "event": st.sampled_from(SCAN_EVENTS), "note": st.text(alphabet=string.ascii_letters + " ", max_size=10),
})


def write_csv(path, records):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["time", "vehicle_id", "node_id", "crate_id", "event", "note"])
        w.writeheader()
        w.writerows(records)
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, min_size=1, max_size=8))
def test_good_rows_round_trip(tmp_path, records):
    df = read_scans(write_csv(tmp_path / "s.csv", records))
    assert list(df["row"]) == list(range(1, len(records) + 1))
    assert list(df["crate_id"]) == [r["crate_id"] for r in records]
    assert list(df["event"]) == [r["event"] for r in records]
    assert str(df["time"].dt.tz) == "Asia/Taipei"
    assert [t.strftime("%Y-%m-%d %H:%M:%S") for t in df["time"]] == [r["time"] for r in records]


bad_values = {
    "time": st.sampled_from(["", "yesterday", "2026-13-01 09:00", "09:61"]),
    "vehicle_id": st.just(""),
    "node_id": st.just(""),
    "crate_id": st.just(""),
    "event": st.text(max_size=8).filter(lambda s: s.strip().lower() not in SCAN_EVENTS and "\x00" not in s
                                         and all(c.isprintable() for c in s)),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows, min_size=1, max_size=6), st.data())
def test_a_bad_field_is_named_with_its_row(tmp_path, records, data):
    i = data.draw(st.integers(0, len(records) - 1))
    f = data.draw(st.sampled_from(sorted(bad_values)))
    records[i] = {**records[i], f: data.draw(bad_values[f])}
    path = write_csv(tmp_path / "s.csv", records)
    with pytest.raises(InputError) as e:
        read_scans(path)
    assert any(p.row == i + 1 and p.field == f and p.file == str(path) for p in e.value.problems), str(e.value)


def test_parquet_and_naive_or_offset_times(tmp_path):
    df = pd.DataFrame({
        "time": ["2026-12-01 09:05", "2026-12-01T01:06:00+00:00"], "vehicle_id": ["VAN-1", "VAN-1"],
        "node_id": ["KL-ANLE"] * 2, "crate_id": ["T1-C01", "T1-C02"], "event": ["loaded", "LOADED"],
    })
    df.to_parquet(tmp_path / "s.parquet")
    out = read_scans(tmp_path / "s.parquet")
    assert [f"{t:%H:%M}" for t in out["time"]] == ["09:05", "09:06"]
    assert list(out["event"]) == ["loaded", "loaded"] and list(out["note"]) == ["", ""]


def test_missing_column_and_missing_file(tmp_path):
    (tmp_path / "s.csv").write_text("time,vehicle_id,node_id,event\n2026-12-01 09:00,V,N,loaded\n")
    with pytest.raises(InputError, match=r"field 'crate_id'.*missing column"):
        read_scans(tmp_path / "s.csv")
    with pytest.raises(InputError, match="no such scan file"):
        read_scans(tmp_path / "nope.csv")


def test_header_only_file_is_no_scans(tmp_path):
    (tmp_path / "s.csv").write_text("time,vehicle_id,node_id,crate_id,event,note\n")
    assert read_scans(tmp_path / "s.csv").empty
