"""History reader: contract schema (wide/long, daily/monthly), aliases, bad rows, fuzzing."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.demand.history import read_history, to_freq


def _write(tmp_path, text: str, name: str = "h.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_wide_daily(tmp_path):
    p = _write(tmp_path, "date,branch,checkouts,returns\n2024-01-01,A,10,3\n2024-01-02,A,,4\n"
               "2024-01-01,B,1,0\n")
    h = read_history(p)
    assert h.freq == "D" and not h.problems
    f = h.frame.set_index(["branch", "measure", "date"])["value"]
    assert f[("A", "checkouts", pd.Timestamp("2024-01-01"))] == 10
    assert pd.isna(f[("A", "checkouts", pd.Timestamp("2024-01-02"))])  # blank = missing
    assert f[("B", "returns", pd.Timestamp("2024-01-01"))] == 0


def test_long_monthly_with_aliases(tmp_path):
    p = _write(tmp_path, "Month,Library,measure,count\n2023-01,X,loans,100\n2023-02,X,loans,90\n"
               "2023-03,X,returns,80\n")
    h = read_history(p)
    assert h.freq == "M"
    assert set(h.frame["measure"]) == {"checkouts", "returns"}
    assert h.frame["date"].min() == pd.Timestamp("2023-01-01")


def test_mapping_file_renames_columns(tmp_path):
    p = _write(tmp_path, "日子,館,借出量\n2024-03-01,KL-ANLE,5\n2024-03-02,KL-ANLE,7\n")
    m = _write(tmp_path, '[columns]\n"日子" = "date"\n"館" = "branch"\n"借出量" = "checkouts"\n',
               "map.toml")
    h = read_history(p, m)
    assert h.frame["value"].tolist() == [5, 7]


def test_bad_rows_are_reported_with_row_numbers(tmp_path):
    p = _write(tmp_path, "date,branch,checkouts\n2024-01-01,A,1\n2024-13-45,A,2\n2024-01-03,,3\n"
               "2024-01-04,A,-5\n2024-01-05,A,abc\n2024-01-06,A,6\n2024-01-07,A,7\n2024-01-08,A,8\n"
               "2024-01-09,A,9\n2024-01-01,A,1\n")
    h = read_history(p)
    rows = sorted({pr.row for pr in h.problems})
    assert rows == [2, 3, 4, 5, 10]
    fields = {pr.row: pr.field for pr in h.problems}
    assert fields[2] == "date" and fields[3] == "branch" and fields[4] == "checkouts"
    assert len(h.frame) == 5


def test_mostly_bad_file_is_an_error(tmp_path):
    p = _write(tmp_path, "date,branch,checkouts\nx,A,1\ny,A,2\n2024-01-01,A,3\n")
    with pytest.raises(InputError, match="2 of 3 rows are bad"):
        read_history(p)


@pytest.mark.parametrize("text,msg", [
    ("", "empty"),
    ("date,branch,checkouts\n", "no rows"),
    ("day,checkouts\n2024-01-01,3\n", "missing column"),
    ("date,branch,visitors\n2024-01-01,A,3\n", "no measure column"),
])
def test_structural_errors(tmp_path, text, msg):
    with pytest.raises(InputError, match=msg):
        read_history(_write(tmp_path, text))


def test_wrong_encoding(tmp_path):
    p = tmp_path / "big5.csv"
    p.write_bytes("date,branch,checkouts\n2024-01-01,安樂,3\n".encode("big5"))
    with pytest.raises(InputError, match="UTF-8"):
        read_history(p)


def test_parquet_and_aggregation_to_months(tmp_path):
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=60), "branch": "A",
                       "checkouts": 1.0})
    p = tmp_path / "h.parquet"
    df.to_parquet(p)
    h = read_history(p)
    assert h.freq == "D"
    m = to_freq(h, "M")
    assert m.frame["value"].tolist() == [31.0, 29.0]
    with pytest.raises(InputError, match="finer"):
        to_freq(m, "D")


_cell = st.one_of(
    st.sampled_from(["", "2024-01-01", "2024-02", "12", "-3", "abc", "1e400", "NaN", "KL-ANLE",
                     "2024-02-30", "１２", "\"", ",", "3.5"]),
    st.text(max_size=8),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["date", "branch", "checkouts", "returns", "holds",
                                        "measure", "value", "junk", "Date", "loans"]),
                       min_size=0, max_size=5),
       rows=st.lists(st.lists(_cell, min_size=0, max_size=6), max_size=12))
def test_fuzzed_files_give_a_history_or_an_input_error(tmp_path, header, rows):
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    p = _write(tmp_path, text, "fuzz.csv")
    try:
        h = read_history(p)
    except InputError as e:
        assert str(e)
        return
    assert (h.frame["value"].dropna() >= 0).all()
    assert all(1 <= pr.row <= h.rows for pr in h.problems if pr.row)
    assert h.freq in {"D", "W", "M"}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_fuzzed_bytes_never_crash(tmp_path, data):
    p = tmp_path / "bytes.csv"
    p.write_bytes(data)
    with contextlib.suppress(InputError):
        read_history(p)


def test_partial_periods_are_left_out_when_aggregating():
    df = pd.DataFrame({"date": pd.date_range("2024-01-10", periods=60), "branch": "A",
                       "checkouts": 1.0})
    from bookvan.demand.history import parse_history_frame

    h = parse_history_frame(df, "x")
    months = to_freq(h, "M").frame
    assert months["date"].tolist() == [pd.Timestamp("2024-02-01")]  # Jan and Mar are partial
    weeks = to_freq(h, "W").frame
    assert (weeks["value"] == 7).all()


# --- wide by branch: one column per branch (issue 17) ---

def test_wide_by_branch_named_after_its_measure(tmp_path):
    p = _write(tmp_path, "date,KL-ANLE,KL-QIDU\n2024-01-01,10,3\n2024-01-02,,4\n"
               "2024-01-03,7,5\n", "checkouts.csv")
    h = read_history(p)
    assert h.freq == "D" and not h.problems
    f = h.frame.set_index(["branch", "measure", "date"])["value"]
    assert set(h.frame["measure"]) == {"checkouts"}
    assert set(h.frame["branch"]) == {"KL-ANLE", "KL-QIDU"}  # branch ids keep their case
    assert f[("KL-QIDU", "checkouts", pd.Timestamp("2024-01-03"))] == 5
    assert pd.isna(f[("KL-ANLE", "checkouts", pd.Timestamp("2024-01-02"))])  # blank = missing


def test_wide_by_branch_with_a_measure_column(tmp_path):
    p = _write(tmp_path, "month,measure,A,B\n2023-01,loans,100,7\n2023-02,loans,90,8\n"
               "2023-01,returns,80,6\n")
    h = read_history(p)
    assert h.freq == "M"
    got = h.frame.set_index(["branch", "measure", "date"])["value"].to_dict()
    assert got[("B", "checkouts", pd.Timestamp("2023-02-01"))] == 8
    assert got[("A", "returns", pd.Timestamp("2023-01-01"))] == 80
    assert len(got) == 6


def test_wide_by_branch_bad_cells_name_row_and_branch(tmp_path):
    p = _write(tmp_path, "date,A,B\n2024-01-01,1,2\n2024-01-02,3,x\n2024-13-01,3,4\n"
               "2024-01-04,5,-1\n2024-01-05,1,1\n2024-01-06,1,1\n2024-01-07,1,1\n", "returns.csv")
    h = read_history(p)
    got = {(pr.row, pr.field) for pr in h.problems}
    assert got == {(2, "B"), (3, "date"), (4, "B")}  # the date error once, not per branch
    # a bad cell leaves out that branch's value only
    f = h.frame.set_index(["branch", "date"])["value"]
    assert f[("A", pd.Timestamp("2024-01-02"))] == 3
    assert ("B", pd.Timestamp("2024-01-02")) not in f.index


@pytest.mark.parametrize("name,text,msg", [
    ("data.csv", "date,A,B\n2024-01-01,1,2\n", "no measure"),
    ("checkouts.csv", "date,A,,C\n2024-01-01,1,2,3\n", "column 3 has no name"),
])
def test_wide_by_branch_structural_errors(tmp_path, name, text, msg):
    with pytest.raises(InputError, match=msg):
        read_history(_write(tmp_path, text, name))


def test_measure_from_file_name():
    from bookvan.demand.history import measure_from_name

    assert measure_from_name("transfers_out.csv") == "transfers_out"
    assert measure_from_name("keelung-loans-2024.parquet") == "checkouts"
    assert measure_from_name("x/holds_daily.csv") == "holds"
    assert measure_from_name("history.csv") is None
    assert measure_from_name("checkouts_and_returns.csv") is None


def test_one_file_per_measure_and_duplicates_across_files(tmp_path):
    from bookvan.demand.history import read_histories

    a = _write(tmp_path, "date,A,B\n2024-01-01,1,2\n2024-01-02,3,4\n", "checkouts.csv")
    b = _write(tmp_path, "date,A,B\n2024-01-01,5,6\n2024-01-02,7,8\n", "returns.csv")
    h = read_histories([a, b])
    assert set(h.frame["measure"]) == {"checkouts", "returns"} and len(h.frame) == 8
    c = _write(tmp_path, "date,branch,returns\n2024-01-02,A,9\n", "more.csv")
    with pytest.raises(InputError, match="more than one file") as e:
        read_histories([a, b, c])
    assert "returns.csv" in str(e.value) and "more.csv" in str(e.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=0, max_size=4), max_size=12),
       header=st.lists(st.sampled_from(["KL-A", "KL-B", "measure", "", "kl-c", "館"]),
                       min_size=1, max_size=3))
def test_fuzzed_wide_by_branch_files(tmp_path, rows, header):
    text = ",".join(["date", *header]) + "\n" + "\n".join(",".join(r) for r in rows)
    p = _write(tmp_path, text, "checkouts.csv")
    try:
        h = read_history(p)
    except InputError as e:
        assert str(e)
        return
    assert (h.frame["value"].dropna() >= 0).all()
    assert all(1 <= pr.row <= h.rows for pr in h.problems if pr.row)
    assert set(h.frame["measure"]) <= {"checkouts", "returns", "holds", "transfers_in",
                                       "transfers_out"}
