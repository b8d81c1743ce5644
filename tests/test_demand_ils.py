"""Koha-like exports: statistics events and branch transfers → daily history and OD flows."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.demand.ils import history_from_exports, read_events, read_transfer_log

EVENTS = """datetime,branch,type,itemnumber,homebranch,holdingbranch
2024-05-01 10:00:00,A,issue,1,A,
2024-05-01 11:00:00,A,issue,2,B,
2024-05-01 12:00:00,A,return,3,B,
2024-05-02 09:30:00,B,return,4,B,
2024-05-02 10:00:00,B,hold_filled,5,A,A
2024-05-03 10:00:00,A,localuse,6,A,
2024-05-03 10:00:00,A,return,7,C,
"""
TRANSFERS = """branchtransfer_id,itemnumber,datesent,frombranch,datearrived,tobranch,reason
1,3,2024-05-01 15:00:00,A,2024-05-02 10:00:00,B,Return
2,5,2024-05-01 16:00:00,A,,B,Reserve
3,8,2024-05-03 09:00:00,B,2024-05-03 12:00:00,C,StockrotationAdvance
"""


def _w(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_events_aggregate_to_daily_measures(tmp_path):
    h = history_from_exports(events=_w(tmp_path, "s.csv", EVENTS))
    f = h.frame.set_index(["branch", "measure", "date"])["value"]
    assert f[("A", "checkouts", pd.Timestamp("2024-05-01"))] == 2
    assert f[("A", "returns", pd.Timestamp("2024-05-01"))] == 1
    assert f[("B", "holds", pd.Timestamp("2024-05-02"))] == 1
    assert f[("A", "checkouts", pd.Timestamp("2024-05-02"))] == 0  # no event that day = zero
    od = h.od_flows.set_index(["origin", "destination", "kind"])["items"]
    assert od[("A", "B", "return")] == 1  # returned at A, owned by B: goes home
    assert od[("A", "C", "return")] == 1
    assert od[("A", "B", "hold")] == 1  # copy at A fills the hold picked up at B


def test_transfer_log_gives_in_out_and_kinds(tmp_path):
    h = history_from_exports(transfer_log=_w(tmp_path, "t.csv", TRANSFERS))
    f = h.frame.set_index(["branch", "measure", "date"])["value"]
    assert f[("A", "transfers_out", pd.Timestamp("2024-05-01"))] == 2
    assert f[("B", "transfers_in", pd.Timestamp("2024-05-02"))] == 1  # arrived next day
    assert f[("B", "transfers_in", pd.Timestamp("2024-05-01"))] == 1  # no arrival: date sent
    kinds = set(h.od_flows["kind"])
    assert kinds == {"return", "hold", "rotation"}


def test_mapping_file_and_event_types(tmp_path):
    ev = "when,where,what\n2024-01-02 10:00,X,LOAN_OUT\n2024-01-02 11:00,X,BACK_IN\n"
    m = _w(tmp_path, "m.toml", '[columns]\nwhen = "datetime"\nwhere = "branch"\nwhat = "type"\n'
           '[event_types]\nLOAN_OUT = "checkout"\nBACK_IN = "return"\n')
    h = history_from_exports(events=_w(tmp_path, "e.csv", ev), column_map=m)
    assert set(h.frame["measure"]) >= {"checkouts", "returns"}
    assert h.frame["value"].sum() == 2


def test_bad_rows_named_and_mostly_bad_is_an_error(tmp_path):
    ev = EVENTS + "garbage,A,issue,9,A,\n2024-05-03 10:00,A,teleport,9,A,\n"
    _rows, problems = read_events(_w(tmp_path, "s.csv", ev))
    assert {(p.row, p.field) for p in problems} == {(8, "datetime"), (9, "type")}
    bad = "datesent,frombranch,tobranch\nx,A,B\ny,A,B\n2024-01-01,A,B\n"
    with pytest.raises(InputError, match="rows are bad"):
        read_transfer_log(_w(tmp_path, "t.csv", bad))


def test_arrival_before_sending_is_a_bad_row(tmp_path):
    t = TRANSFERS + "4,9,2024-05-05,A,2024-05-01,B,Return\n"
    _, problems = read_transfer_log(_w(tmp_path, "t.csv", t))
    assert [(p.row, p.field) for p in problems] == [(4, "datearrived")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.sampled_from(["2024-01-01 10:00", "2024-13-01", "", "yesterday", "2024-02-29T08:00"]),
    st.sampled_from(["A", "B", "", "分館"]),
    st.sampled_from(["issue", "return", "renew", "hold_filled", "???", ""]),
    st.text(max_size=4)), max_size=15))
def test_fuzzed_event_exports_give_history_or_input_error(tmp_path, rows):
    text = "datetime,branch,type,homebranch\n" + "\n".join(
        ",".join(x.replace(",", ";").replace("\n", " ").replace("\r", " ") for x in r)
        for r in rows)
    try:
        h = history_from_exports(events=_w(tmp_path, "e.csv", text))
    except InputError as e:
        assert str(e)
        return
    assert (h.frame["value"].dropna() >= 0).all()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_fuzzed_transfer_logs_never_crash(tmp_path, data):
    p = tmp_path / "t.csv"
    p.write_bytes(b"datesent,frombranch,datearrived,tobranch\n" + data)
    with contextlib.suppress(InputError):
        history_from_exports(transfer_log=p)


def test_floating_collection_returns_stay(tmp_path):
    h = history_from_exports(events=_w(tmp_path, "s.csv", EVENTS), floating=True)
    assert set(h.od_flows["kind"]) == {"hold"}
