"""Malformed fleet files (fleet.toml): always an InputError naming the file, van (row) and key.

``row`` in a fleet error is the van's position among the ``[[vehicle]]`` entries (1-based).
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bookvan.data.errors import InputError
from bookvan.data.fleet import Fleet, load_fleet
from bookvan.data.hours import parse_clock
from bookvan.data.network import bundled_network_dir

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NODE_IDS = {"KL-MAIN", "KL-ANLE", "KL-XINYI"}
VEHICLE_KEYS = {
    "vehicle_id", "depot", "capacity_crates", "shift_start", "shift_end",
    "break_earliest", "break_latest", "break_s", "max_trips",
}  # fmt: skip
TOP_KEYS = {"items_per_crate", "vehicle", "costs", "routing"}


def van(vid: str, start: str = "08:00", end: str = "17:00") -> dict[str, Any]:
    return {
        "vehicle_id": vid, "depot": "KL-MAIN", "capacity_crates": 24, "shift_start": start,
        "shift_end": end, "break_earliest": "11:30", "break_latest": "13:30", "break_s": 2700,
        "max_trips": 3,
    }  # fmt: skip


GOOD: dict[str, Any] = {
    "items_per_crate": 30,
    "vehicle": [van("VAN-1"), van("VAN-2", "08:30", "17:30"), van("VAN-3")],
    "costs": {"per_km": 6.0, "per_driver_hour": 300.0, "per_van_day": 1500.0},
    "routing": {"mode": "direct", "sorting_s": 3600},
}


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fleet") / "fleet.toml"


def write(path: Path, doc: dict[str, Any] | str | bytes) -> Path:
    if isinstance(doc, dict):
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    elif isinstance(doc, bytes):
        path.write_bytes(doc)
    else:
        path.write_text(doc, encoding="utf-8", newline="")
    return path


def good() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def assert_names(
    err: InputError, path: Path, *, row: int | None = None, field: str | None = None
) -> None:
    msg = str(err)
    assert str(path) in msg, msg
    if row is not None:
        assert f"row {row}" in msg, msg
    if field is not None:
        assert f"field '{field}'" in msg, msg


def test_good_and_bundled_fleets_load(fleet_file: Path) -> None:
    fleet = load_fleet(write(fleet_file, good()), NODE_IDS)
    assert [v.vehicle_id for v in fleet.vehicles] == ["VAN-1", "VAN-2", "VAN-3"]
    assert isinstance(load_fleet(bundled_network_dir() / "fleet.toml"), Fleet)


van_ix = st.integers(0, 2)
key_text = st.text(min_size=1, max_size=10)


@FUZZ
@given(i=van_ix, key=key_text.filter(lambda k: k not in VEHICLE_KEYS), top=st.booleans())
def test_unknown_key(fleet_file: Path, i: int, key: str, top: bool) -> None:
    doc = good()
    if top:
        assume(key not in TOP_KEYS)
        doc[key] = 1
    else:
        doc["vehicle"][i][key] = 1
    with pytest.raises(InputError, match="unknown key") as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=None if top else i + 1, field=key)


not_a_positive_int = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@FUZZ
@given(
    i=van_ix,
    field=st.sampled_from(["capacity_crates", "max_trips", "break_s"]),
    value=not_a_positive_int,
)
def test_bad_count(fleet_file: Path, i: int, field: str, value: object) -> None:
    if field != "capacity_crates":  # 0 breaks is fine, 0 trips is not
        assume(
            not (
                field == "break_s"
                and isinstance(value, int)
                and not isinstance(value, bool)
                and value >= 0
            )
        )
    doc = good()
    doc["vehicle"][i][field] = value
    with pytest.raises(InputError) as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=i + 1, field=field)


def _bad_clock(s: str) -> bool:
    try:
        parse_clock(s)
    except ValueError:
        return True
    return False


TIME_KEYS = ["shift_start", "shift_end", "break_earliest", "break_latest"]


@FUZZ
@given(i=van_ix, field=st.sampled_from(TIME_KEYS), value=st.text(max_size=8).filter(_bad_clock))
def test_bad_time(fleet_file: Path, i: int, field: str, value: str) -> None:
    doc = good()
    doc["vehicle"][i][field] = value
    with pytest.raises(InputError) as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=i + 1, field=field)


clock = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


@FUZZ
@given(i=van_ix, a=clock, b=clock)
def test_shift_ends_before_it_starts(fleet_file: Path, i: int, a: str, b: str) -> None:
    start, end = max(a, b), min(a, b)
    doc = good()
    doc["vehicle"][i].update(shift_start=start, shift_end=end)
    with pytest.raises(InputError, match="ends before it starts") as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=i + 1, field="shift_end")


@FUZZ
@given(i=st.integers(0, 1), j=st.integers(1, 2), depot=st.text(max_size=10))
def test_duplicate_van_or_unknown_depot(fleet_file: Path, i: int, j: int, depot: str) -> None:
    doc = good()
    if i < j:
        doc["vehicle"][j]["vehicle_id"] = doc["vehicle"][i]["vehicle_id"]
        field, row = "vehicle_id", j + 1
    else:
        assume(depot not in NODE_IDS)
        doc["vehicle"][j]["depot"] = depot
        field, row = "depot", j + 1
    with pytest.raises(InputError) as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=row, field=field)


def _not_toml(s: str) -> bool:
    try:
        tomllib.loads(s)
    except tomllib.TOMLDecodeError:
        return True
    return False


@FUZZ
@given(text=st.text(max_size=80).filter(_not_toml))
def test_not_toml(fleet_file: Path, text: str) -> None:
    with pytest.raises(InputError, match="TOML") as e:
        load_fleet(write(fleet_file, text), NODE_IDS)
    assert_names(e.value, fleet_file)


def test_not_utf8_or_missing(fleet_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="UTF-8") as e:
        load_fleet(write(fleet_file, tomli_w.dumps(good()).encode("utf-8") + b"# \xff\n"), NODE_IDS)
    assert_names(e.value, fleet_file)
    with pytest.raises(InputError, match="no such file") as e:
        load_fleet(tmp_path / "nope.toml", NODE_IDS)
    with pytest.raises(InputError) as e:
        load_fleet(tmp_path, NODE_IDS)  # a folder, not a file
    assert_names(e.value, tmp_path)


@FUZZ
@given(
    entries=st.lists(
        st.one_of(st.integers(), st.text(max_size=5), st.lists(st.booleans(), max_size=2)),
        min_size=1,
        max_size=3,
    )
)
def test_vehicle_entries_that_are_not_tables(fleet_file: Path, entries: list[object]) -> None:
    doc = good()
    doc["vehicle"] = [doc["vehicle"][0], *entries]
    with pytest.raises(InputError, match="must be a") as e:
        load_fleet(write(fleet_file, doc), NODE_IDS)
    assert_names(e.value, fleet_file, row=2, field="vehicle")


def test_bare_toml_times_are_accepted(fleet_file: Path) -> None:
    text = tomli_w.dumps(good()).replace('shift_start = "08:00"', "shift_start = 08:00:00")
    assert "08:00:00" in text
    fleet = load_fleet(write(fleet_file, text), NODE_IDS)
    assert fleet.vehicles[0].shift_start.hour == 8


toml_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=8), st.booleans()
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(
    where=st.sampled_from(["top", "vehicle", "section"]),
    key=st.one_of(
        st.sampled_from(sorted(VEHICLE_KEYS | TOP_KEYS | {"mode", "per_km"})), st.text(max_size=6)
    ),
    value=toml_values,
    i=van_ix,
)
def test_any_value_anywhere_is_a_fleet_or_an_input_error(
    fleet_file: Path, where: str, key: str, value: object, i: int
) -> None:
    doc = good()
    target = {"top": doc, "vehicle": doc["vehicle"][i], "section": doc["routing"]}[where]
    target[key] = value
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        assume(False)  # not expressible in TOML
    try:
        fleet = load_fleet(write(fleet_file, text), NODE_IDS)
    except InputError as e:
        assert_names(e, fleet_file)
    else:
        assert all(v.capacity_crates > 0 and v.shift_end > v.shift_start for v in fleet.vehicles)
