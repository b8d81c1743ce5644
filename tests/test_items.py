"""Item-level transfer lists: read, grouped per origin, destination and kind, items kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.items import read_item_list
from bookvan.data.transfers import crates_for, read_transfer_list

DATE = dt.date(2026, 12, 1)
NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU"}
KOHA = "barcode,title,frombranch,tobranch,reason,release,due\n"


def _read(path: Path, **kw: object):
    return read_transfer_list(path, node_ids=NODES, date=DATE, items_per_crate=30, **kw)


def _write(tmp_path: Path, text: str, name: str = "items.csv") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_koha_transfers_to_send_grouped_latest_release_earliest_due(tmp_path: Path) -> None:
    f = _write(tmp_path, KOHA
               + "B1,One,KL-ANLE,KL-MAIN,Reserve,09:00,16:00\n"
               + "B2,Two,KL-ANLE,KL-MAIN,Reserve,10:30,15:00\n"
               + "B3,Three,KL-ANLE,KL-MAIN,ReturnToHome,,\n"
               + "B4,Four,KL-BAIFU,KL-XINYI,StockrotationAdvance,,\n")
    got = _read(f)
    t = got.transfers
    assert list(zip(t["origin_id"], t["destination_id"], t["kind"], t["items"], strict=True)) == [
        ("KL-ANLE", "KL-MAIN", "hold", 2), ("KL-ANLE", "KL-MAIN", "return", 1),
        ("KL-BAIFU", "KL-XINYI", "rotation", 1)]
    assert list(t["transfer_id"]) == ["T0001", "T0002", "T0003"]
    assert t.loc[0, "release"].strftime("%H:%M") == "10:30"  # the latest of the group
    assert t.loc[0, "due"].strftime("%H:%M") == "15:00"  # the earliest of the group
    items = got.items
    assert list(items["item_id"]) == ["B1", "B2", "B3", "B4"]
    assert list(items["transfer_id"]) == ["T0001", "T0001", "T0002", "T0003"]
    assert list(items["title"])[:2] == ["One", "Two"] and got.duplicates == () and got.rows == 4


def test_holds_queue_report_is_holds_to_the_pickup_branch(tmp_path: Path) -> None:
    f = _write(tmp_path, "biblionumber\titemnumber\tbarcode\ttitle\tholdingbranch\tpickbranch\n"
               "1\t11\tX1\tA\tKL-ANLE\tKL-XINYI\n2\t12\tX2\tB\tKL-ANLE\tKL-XINYI\n", "hq.tsv")
    t = _read(f).transfers
    assert len(t) == 1 and t.loc[0, "kind"] == "hold" and t.loc[0, "items"] == 2
    assert (t.loc[0, "origin_id"], t.loc[0, "destination_id"]) == ("KL-ANLE", "KL-XINYI")


def test_column_mapping_file_for_another_ils(tmp_path: Path) -> None:
    f = _write(tmp_path, "條碼號,書名,送出館,收件館,原因\nC1,甲,KL-MAIN,KL-ANLE,預約\nC2,乙,KL-MAIN,KL-ANLE,歸還\n")
    m = _write(tmp_path, '[columns]\n"條碼號" = "item_id"\n"書名" = "title"\n"送出館" = "origin"\n'
               '"收件館" = "destination"\n"原因" = "reason"\n[kinds]\n"預約" = "hold"\n"歸還" = "return"\n', "map.toml")
    got = _read(f, column_map=m)
    assert sorted(got.transfers["kind"]) == ["hold", "return"] and list(got.items["title"]) == ["甲", "乙"]


def test_parquet_item_list(tmp_path: Path) -> None:
    f = tmp_path / "items.parquet"
    pd.DataFrame({"item_id": ["a", "b", "c"], "origin": ["KL-MAIN"] * 3, "destination": ["KL-ANLE"] * 3,
                  "kind": ["return"] * 3}).to_parquet(f)
    got = _read(f)
    assert got.transfers.loc[0, "items"] == 3 and len(got.items) == 3


def test_item_listed_twice_is_moved_once_and_reported_once(tmp_path: Path) -> None:
    f = _write(tmp_path, KOHA + "B1,One,KL-ANLE,KL-MAIN,Reserve,,\nB1,One,KL-ANLE,KL-MAIN,Reserve,,\n"
               "B2,Two,KL-ANLE,KL-MAIN,Reserve,,\nB1,One,KL-BAIFU,KL-MAIN,Reserve,,\n")
    got = _read(f)
    assert got.transfers["items"].sum() == 2 and len(got.items) == 2
    assert [(d.item_id, d.rows) for d in got.duplicates] == [("B1", (1, 2, 4))]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",t,KL-ANLE,KL-MAIN,Reserve,,", "item_id"),
        ("B9,t,KL-NOWHERE,KL-MAIN,Reserve,,", "origin"),
        ("B9,t,KL-ANLE,KL-ANLE,Reserve,,", "destination"),
        ("B9,t,KL-ANLE,KL-MAIN,Reserve,25:00,", "release"),
        ("B9,t,KL-ANLE,KL-MAIN,Reserve,12:00,11:00", "due"),
        ("X" * 101 + ",t,KL-ANLE,KL-MAIN,Reserve,,", "item_id"),
    ],
)
def test_bad_item_row_names_file_row_and_field(tmp_path: Path, row: str, field: str) -> None:
    f = _write(tmp_path, KOHA + "B1,One,KL-ANLE,KL-MAIN,Reserve,,\n" + row + "\n")
    with pytest.raises(InputError) as e:
        _read(f)
    assert str(f) in str(e.value) and "row 2" in str(e.value) and f"'{field}'" in str(e.value)


def test_unknown_kind_and_missing_columns(tmp_path: Path) -> None:
    f = _write(tmp_path, "item_id,origin,destination,kind\nB1,KL-ANLE,KL-MAIN,gift\n")
    with pytest.raises(InputError, match=r"row 1, field 'kind'"):
        _read(f)
    f = _write(tmp_path, "barcode,origin,destination\nB1,KL-ANLE,KL-MAIN\n")
    with pytest.raises(InputError, match=r"missing column.*kind or reason.*--transfers-map"):
        _read(f)
    with pytest.raises(InputError, match="item_id"):
        _read(_write(tmp_path, "origin,destination,kind\nKL-ANLE,KL-MAIN,hold\n"), fmt="items")


def _csv(rows: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["barcode", "frombranch", "tobranch", "kind"])
    w.writerows(rows)
    return buf.getvalue()


_row = st.tuples(st.sampled_from([f"B{i}" for i in range(12)]), st.sampled_from(sorted(NODES)),
                 st.sampled_from(sorted(NODES)), st.sampled_from(["hold", "return", "rotation"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=40), order=st.randoms(use_true_random=False))
def test_grouping_invariants(tmp_path: Path, rows: list[tuple[str, str, str, str]], order) -> None:
    """Items in = items grouped; one transfer per (origin, destination, kind); each duplicate once."""
    rows = [r for r in rows if r[1] != r[2]]
    if not rows:
        return
    got = _read(_write(tmp_path, _csv(rows)))
    first: dict[str, int] = {}
    for i, r in enumerate(rows, start=1):
        first.setdefault(r[0], i)
    t = got.transfers
    assert t["items"].sum() == len(first) == len(got.items)
    assert not t.duplicated(["origin_id", "destination_id", "kind"]).any()
    assert (t["crates"] == [crates_for(n, 30) for n in t["items"]]).all()
    counts = {r[0]: sum(1 for x in rows if x[0] == r[0]) for r in rows}
    assert sorted(d.item_id for d in got.duplicates) == sorted(k for k, n in counts.items() if n > 1)
    for d in got.duplicates:
        assert len(d.rows) == counts[d.item_id] and d.rows[0] == first[d.item_id]
    # every item sits in the transfer of its first row
    tid = {(o, d, k): x for x, o, d, k in t[["transfer_id", "origin_id", "destination_id", "kind"]].itertuples(
        index=False)}
    for item, row in first.items():
        _, o, d, k = rows[row - 1]
        assert got.items.loc[got.items["item_id"] == item, "transfer_id"].item() == tid[(o, d, k)]
    # without duplicates, row order does not change the transfers
    if not got.duplicates:
        shuffled = list(rows)
        order.shuffle(shuffled)
        again = _read(_write(tmp_path, _csv(shuffled), "shuffled.csv")).transfers
        pd.testing.assert_frame_equal(again, t)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.one_of(st.sampled_from(["KL-ANLE", "KL-MAIN", "Reserve", "B1", "", "10:00"]),
                                         st.text(max_size=5)), max_size=7), max_size=6),
       junk=st.binary(max_size=6))
def test_fuzzed_item_lists_raise_only_input_error(tmp_path: Path, cells: list[list[str]], junk: bytes) -> None:
    body = "\n".join(",".join(c.replace(",", ";").replace("\n", " ").replace("\r", " ").replace('"', "'")
                              for c in r) for r in cells)
    f = tmp_path / "fuzz.csv"
    f.write_bytes((KOHA + body).encode("utf-8") + junk)
    try:
        got = read_item_list(f, node_ids=NODES, date=DATE, items_per_crate=30)
    except InputError as e:
        assert "fuzz.csv" in str(e)
    else:
        assert got.transfers["items"].sum() == len(got.items) > 0
