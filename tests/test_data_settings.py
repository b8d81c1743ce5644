"""The one settings reader: typed keys, unknown keys and bad values named by dotted key."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookvan.data.errors import InputError, ProblemCollector
from bookvan.data.settings import SettingsTable, read_settings, read_toml_input


def _table(raw: object, known: set[str], where: str = "") -> SettingsTable:
    return SettingsTable(ProblemCollector("f.toml"), raw, where, known)


def test_values_of_the_asked_kind() -> None:
    t = _table({"n": 3, "x": 2, "d": "2027-01-04", "on": True}, {"n", "x", "d", "on"})
    assert t.get("n", int) == 3 and t.get("x", float) == 2.0 and isinstance(t.get("x", float), float)
    assert t.get("d", dt.date) == dt.date(2027, 1, 4) and t.get("on", bool) is True
    assert t.get("absent", int, 7) == 7 and not t.col


@pytest.mark.parametrize(
    ("value", "kind", "bounds", "message"),
    [
        ("3", int, {}, "'3' must be a int"),
        (True, int, {}, "True must be a int"),
        (-1, int, {"lo": 0}, "-1 must be ≥ 0"),
        (2.5, float, {"hi": 1.0}, "2.5 must be ≤ 1"),
        (math.inf, float, {}, "inf must be a finite number"),
        ("someday", dt.date, {}, "'someday' is not a date"),
    ],
)
def test_bad_value_is_named_by_dotted_key(value: object, kind: type, bounds: dict, message: str) -> None:
    t = _table({"k": value}, {"k"}, "service")
    assert t.get("k", kind, "default", **bounds) == "default"
    (p,) = t.col.problems
    assert p.field == "service.k" and message in p.message


def test_sub_tables_and_arrays_check_their_own_keys() -> None:
    top = _table({"hub": {"candidates": [{"name": "a", "lat": 1.0}, {"nme": "b"}]}}, {"hub"})
    cands = top.table("hub", {"candidates"}).tables("candidates", {"name", "lat", "lon"})
    assert [c.key("name") for c in cands] == ["hub.candidates[0].name", "hub.candidates[1].name"]
    assert cands[1].need("name", str) is None
    fields = [p.field for p in top.col.problems]
    assert fields == ["hub.candidates[1].nme", "hub.candidates[1].name"]


def test_a_table_that_is_not_a_table() -> None:
    top = _table({"fleet": 3}, {"fleet"})
    assert top.table("fleet", {"vans"}).get("vans", int) is None
    assert [(p.field, p.message) for p in top.col.problems] == [("fleet", "must be a table")]


def test_read_settings_reports_unknown_top_keys(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text('name = "x"\nnmae = "y"\n', encoding="utf-8")
    top = read_settings(f, {"name"})
    with pytest.raises(InputError, match=r"s\.toml, field 'nmae': unknown key \(known: name\)"):
        top.col.raise_if_any()


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such settings file"):
        read_settings(tmp_path / "none.toml", set())
    bad = tmp_path / "b.toml"
    bad.write_text("x = [", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        read_toml_input(bad)


def test_the_old_import_still_works() -> None:
    from bookvan.data.errors import read_toml_input as old

    assert old is read_toml_input


_values = st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.booleans(), st.none(),
                    st.dates(), st.lists(st.integers(), max_size=2))


@given(value=_values, kind=st.sampled_from([int, float, str, bool, dt.date]),
       lo=st.one_of(st.none(), st.floats(-5, 5)))
def test_any_value_is_a_value_of_the_kind_or_one_problem(value: object, kind: type, lo: float | None) -> None:
    t = _table({"k": value}, {"k"})
    got = t.get("k", kind, None, lo=lo)
    if got is None:
        assert len(t.col.problems) == 1 and t.col.problems[0].field == "k"
    else:
        assert isinstance(got, kind) and not t.col
        if kind in (int, float):
            assert not isinstance(got, bool) and math.isfinite(got) and (lo is None or got >= lo)
