"""Malformed network files (nodes.csv, closures.csv): always an InputError naming file, row, field.

Hypothesis breaks one thing in an otherwise valid small network; the loader must say where,
and must never fail with any other exception (the CLI turns InputError into exit 2).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.data.hours import WEEKDAYS, parse_span
from bookvan.data.network import NODE_COLUMNS, NODE_KINDS, load_network

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

GOOD_ROWS = [
    {
        "node_id": "KL-MAIN",
        "name_zh": "總館",
        "name_en": "Main Library",
        "kind": "depot",
        "lat": "25.1313",
        "lon": "121.7442",
        **dict.fromkeys(WEEKDAYS, "08:00-18:00"),
        "sun": "closed",
        "service_s": "300",
        "service_per_crate_s": "30",
    },
    {
        "node_id": "KL-ANLE",
        "name_zh": "安樂分館",
        "name_en": "Anle Branch",
        "kind": "branch",
        "lat": "25.1414",
        "lon": "121.7078",
        **dict.fromkeys(WEEKDAYS, "09:00-21:00"),
        "mon": "closed",
        "service_s": "300",
        "service_per_crate_s": "30",
    },
    {
        "node_id": "NTPC-XIZHI",
        "name_zh": "汐止分館",
        "name_en": "Xizhi Branch",
        "kind": "station",
        "lat": "25.0630",
        "lon": "121.6400",
        **dict.fromkeys(WEEKDAYS, "08:30-17:00"),
        "service_s": "600",
        "service_per_crate_s": "30",
    },
]
NODE_IDS = [r["node_id"] for r in GOOD_ROWS]
CLOSURE_COLUMNS = ("node_id", "start", "end", "reason")
GOOD_CLOSURES = [
    {"node_id": "KL-ANLE", "start": "2026-12-01", "end": "2026-12-05", "reason": "retrofit"}
]


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(
        buf, fieldnames=list(columns), extrasaction="ignore"
    )  # \r\n: lone \r gets quoted
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


@pytest.fixture(scope="module")
def net_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("net")


def write_net(d: Path, nodes: str | bytes, closures: str | bytes | None = None) -> Path:
    for name, content in (("nodes.csv", nodes), ("closures.csv", closures)):
        p = d / name
        if content is None:
            p.unlink(missing_ok=True)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")
    return d


def rows_with(i: int, field: str, value: str) -> list[dict[str, str]]:
    rows = [dict(r) for r in GOOD_ROWS]
    rows[i][field] = value
    return rows


def assert_names(
    err: InputError, path: Path, *, row: int | None = None, field: str | None = None
) -> None:
    msg = str(err)
    assert str(path) in msg, msg
    if row is not None:
        assert f"row {row}" in msg, msg
    if field is not None:
        assert f"field '{field}'" in msg or field in msg, msg


def test_good_network_loads(net_dir: Path) -> None:
    net = load_network(
        write_net(
            net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS), csv_text(GOOD_CLOSURES, CLOSURE_COLUMNS)
        )
    )
    assert list(net.nodes["node_id"]) == NODE_IDS
    assert len(net.closures) == 1


# --- nodes.csv: one bad field ------------------------------------------------------------------


def _not_float(s: str) -> bool:
    try:
        float(s.strip())
    except ValueError:
        return True
    return False


def _bad_span(s: str) -> bool:
    try:
        parse_span(s.strip())
    except ValueError:
        return True
    return False


row_ix = st.integers(0, len(GOOD_ROWS) - 1)
bad_number_text = st.text(max_size=12).filter(_not_float)


def bad_coordinate(limit: float) -> st.SearchStrategy[str]:
    out_of_range = st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda x: not -limit <= x <= limit
    )
    return st.one_of(bad_number_text, out_of_range.map(repr))


clock = st.tuples(st.integers(0, 23), st.integers(0, 59))


@st.composite
def closes_before_opens(draw: st.DrawFn) -> str:
    a, b = draw(clock), draw(clock)
    hi, lo = max(a, b), min(a, b)
    return f"{hi[0]:02d}:{hi[1]:02d}-{lo[0]:02d}:{lo[1]:02d}"


BAD_FIELDS = st.one_of(
    st.tuples(st.just("kind"), st.text(max_size=12).filter(lambda k: k.strip() not in NODE_KINDS)),
    st.tuples(st.just("lat"), bad_coordinate(90)),
    st.tuples(st.just("lon"), bad_coordinate(180)),
    st.tuples(st.sampled_from(WEEKDAYS), st.text(max_size=15).filter(_bad_span)),
    st.tuples(st.sampled_from(WEEKDAYS), closes_before_opens()),
    st.tuples(
        st.sampled_from(["service_s", "service_per_crate_s"]),
        st.one_of(bad_number_text, st.integers(max_value=-1).map(str), st.just("1e9")),
    ),
    st.tuples(st.sampled_from(["node_id", "name_zh", "name_en"]), st.sampled_from(["", "  "])),
)


@FUZZ
@given(i=row_ix, bad=BAD_FIELDS)
def test_bad_field_names_file_row_and_field(net_dir: Path, i: int, bad: tuple[str, str]) -> None:
    field, value = bad
    d = write_net(net_dir, csv_text(rows_with(i, field, value), NODE_COLUMNS))
    with pytest.raises(InputError) as e:
        load_network(d)
    assert_names(e.value, d / "nodes.csv", row=i + 1, field=field)


@FUZZ
@given(i=st.integers(0, 1), j=st.integers(1, 2))
def test_duplicate_node_id(net_dir: Path, i: int, j: int) -> None:
    assume(i < j)
    rows = rows_with(j, "node_id", GOOD_ROWS[i]["node_id"])
    d = write_net(net_dir, csv_text(rows, NODE_COLUMNS))
    with pytest.raises(InputError, match="duplicate") as e:
        load_network(d)
    assert_names(e.value, d / "nodes.csv", row=j + 1, field="node_id")


# --- nodes.csv: whole-file damage ---------------------------------------------------------------


@FUZZ
@given(missing=st.lists(st.sampled_from(NODE_COLUMNS), min_size=1, max_size=3, unique=True))
def test_missing_column_is_named(net_dir: Path, missing: list[str]) -> None:
    cols = [c for c in NODE_COLUMNS if c not in missing]
    d = write_net(net_dir, csv_text(GOOD_ROWS, cols))
    with pytest.raises(InputError, match="missing column") as e:
        load_network(d)
    for c in missing:
        assert c in str(e.value)
    assert_names(e.value, d / "nodes.csv")


@FUZZ
@given(kind=st.sampled_from(["empty", "header"]), blank=st.text(alphabet=" \t\r\n", max_size=6))
def test_empty_or_header_only(net_dir: Path, kind: str, blank: str) -> None:
    text = blank if kind == "empty" else csv_text([], NODE_COLUMNS) + blank.replace("\r", "")
    d = write_net(net_dir, text)
    with pytest.raises(InputError, match="empty" if kind == "empty" else "no rows") as e:
        load_network(d)
    assert_names(e.value, d / "nodes.csv")


invalid_utf8 = st.sampled_from(
    [b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\x80"]
)


@FUZZ
@given(pos=st.integers(0, 10_000), junk=invalid_utf8)
def test_not_utf8_names_the_row(net_dir: Path, pos: int, junk: bytes) -> None:
    raw = csv_text(GOOD_ROWS, NODE_COLUMNS).encode()
    # insert at a character boundary so the only bad bytes are the junk
    text = raw.decode()
    cut = len(text[: pos % len(text)].encode())
    d = write_net(net_dir, raw[:cut] + junk + raw[cut:])
    with pytest.raises(InputError, match="UTF-8") as e:
        load_network(d)
    assert_names(e.value, d / "nodes.csv", row=raw[:cut].count(b"\n"))


def test_big5_file_from_excel_is_not_utf8(net_dir: Path) -> None:
    d = write_net(net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS).encode("cp950"))
    with pytest.raises(InputError, match="UTF-8") as e:
        load_network(d)
    assert_names(e.value, d / "nodes.csv", row=1)


@FUZZ
@given(content=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_content_is_loaded_or_an_input_error(net_dir: Path, content: str | bytes) -> None:
    d = write_net(net_dir, content)
    try:
        load_network(d)
    except InputError as e:
        assert_names(e, d / "nodes.csv")


@FUZZ
@given(i=row_ix, field=st.sampled_from(NODE_COLUMNS), value=st.text(max_size=20))
def test_any_field_value_is_loaded_or_an_input_error_naming_it(
    net_dir: Path, i: int, field: str, value: str
) -> None:
    d = write_net(net_dir, csv_text(rows_with(i, field, value), NODE_COLUMNS))
    try:
        load_network(d)
    except InputError as e:
        assert_names(e, d / "nodes.csv")


# --- closures.csv --------------------------------------------------------------------------------


def _not_date(s: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(s.strip())
    except ValueError:
        return True
    return False


BAD_CLOSURE_FIELDS = st.one_of(
    st.tuples(st.just("node_id"), st.text(max_size=12).filter(lambda s: s.strip() not in NODE_IDS)),
    st.tuples(st.sampled_from(["start", "end"]), st.text(max_size=12).filter(_not_date)),
    st.tuples(
        st.just("end"), st.sampled_from(["2026-11-30", "2026-01-01", "2025-12-31"])
    ),  # before start
)


@FUZZ
@given(bad=BAD_CLOSURE_FIELDS, extra=st.integers(0, 2))
def test_bad_closure_names_file_row_and_field(
    net_dir: Path, bad: tuple[str, str], extra: int
) -> None:
    field, value = bad
    rows = GOOD_CLOSURES * extra + [{**GOOD_CLOSURES[0], field: value}]
    d = write_net(net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS), csv_text(rows, CLOSURE_COLUMNS))
    with pytest.raises(InputError) as e:
        load_network(d)
    assert_names(e.value, d / "closures.csv", row=extra + 1, field=field)


@FUZZ
@given(missing=st.sampled_from(CLOSURE_COLUMNS), junk=st.one_of(st.none(), invalid_utf8))
def test_closures_missing_column_or_not_utf8(
    net_dir: Path, missing: str, junk: bytes | None
) -> None:
    if junk is None:
        content: str | bytes = csv_text(GOOD_CLOSURES, [c for c in CLOSURE_COLUMNS if c != missing])
    else:
        content = csv_text(GOOD_CLOSURES, CLOSURE_COLUMNS).encode() + junk
    d = write_net(net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS), content)
    with pytest.raises(InputError, match="missing column" if junk is None else "UTF-8") as e:
        load_network(d)
    assert_names(e.value, d / "closures.csv")
    if junk is None:
        assert missing in str(e.value)


@FUZZ
@given(content=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_closures_content_is_loaded_or_an_input_error(
    net_dir: Path, content: str | bytes
) -> None:
    d = write_net(net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS), content)
    try:
        load_network(d)
    except InputError as e:
        assert_names(e, d / "closures.csv")


def test_header_only_closures_means_none(net_dir: Path) -> None:
    d = write_net(net_dir, csv_text(GOOD_ROWS, NODE_COLUMNS), csv_text([], CLOSURE_COLUMNS))
    assert load_network(d).closures == ()


# --- the CLI path: exit 2, the file named, no traceback -----------------------------------------


@pytest.mark.parametrize(
    "damage", ["no_folder", "no_nodes", "bad_kind_markup", "nul_byte", "big5", "bad_closure"]
)
def test_network_show_bad_dir_exits_2(tmp_path: Path, damage: str) -> None:
    d = tmp_path / "net"
    d.mkdir()
    good = csv_text(GOOD_ROWS, NODE_COLUMNS)
    named = "nodes.csv"
    if damage == "no_folder":
        shutil.rmtree(d)
    elif damage == "no_nodes":
        pass
    elif damage == "bad_kind_markup":
        write_net(d, csv_text(rows_with(1, "kind", "[/bold]"), NODE_COLUMNS))
    elif damage == "nul_byte":
        write_net(d, csv_text(rows_with(1, "name_en", "An\x00le"), NODE_COLUMNS))
    elif damage == "big5":
        write_net(d, good.encode("cp950"))
    else:
        named = "closures.csv"
        write_net(
            d, good, csv_text([{**GOOD_CLOSURES[0], "node_id": "KL-NOWHERE"}], CLOSURE_COLUMNS)
        )
    r = CliRunner().invoke(app, ["network", "show", "--network", str(d)])
    assert r.exit_code == 2, (r.output, r.exception)
    assert named in r.stderr
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
