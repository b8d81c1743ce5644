"""Scenario files: every shipped one loads; bad ones raise InputError naming the file and key."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.scenarios.catalog import library_files, resolve_scenario_file
from bookvan.scenarios.spec import load_scenarios, parse_weekdays, scenario_from_dict

SHIPPED = {
    "baseline",
    "new-main-library",
    "baifu-retrofit-closure",
    "school-stations-2030",
    "community-return-stations",
    "partner-new-taipei",
    "partner-taoyuan",
    "fleet-plus-one",
    "three-days-a-week",
    "demand-2030",
}


def test_the_ten_shipped_scenarios_load_and_cite_their_facts():
    files = {p.stem: p for p in library_files()}
    assert set(files) >= SHIPPED
    for name in SHIPPED:
        text = files[name].read_text(encoding="utf-8")
        comments = [ln for ln in text.splitlines() if ln.startswith("#")]
        assert len(comments) >= 2, f"{name}: say what fact or assumption it stands on"
        assert any(w in text.lower() for w in ("fact", "assum", "estimate")), name
        scns = load_scenarios(files[name])
        assert scns and all(s.name.startswith(name) for s in scns)
        assert all(s.sim.days >= 365 for s in scns)


def test_variants_become_scenarios_with_their_own_changes():
    scns = load_scenarios(resolve_scenario_file("new-main-library"))
    names = [s.name for s in scns]
    assert "new-main-library--harbour" in names and "new-main-library--current-site" in names
    moved = {s.variant: s.move_nodes for s in scns}
    assert moved["current-site"] == ()
    assert moved["harbour"][0].node_id == "KL-MAIN"
    assert all(s.mode == "hub" for s in scns)


def _write(tmp_path: Path, doc: dict, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": "x", "simulation": {"dayz": 3}}, "simulation.dayz"),
        (
            {
                "name": "x",
                "closure": [{"node_id": "KL-NOPE", "start": "2027-01-01", "end": "2027-02-01"}],
            },
            "closure.node_id",
        ),
        (
            {
                "name": "x",
                "closure": [{"node_id": "KL-BAIFU", "start": "2027-03-01", "end": "2027-02-01"}],
            },
            "closure[0].end",
        ),
        ({"name": "x", "fleet": {"vans": -1}}, "fleet.vans"),
        ({"name": "x", "fleet": {"vans": 0}}, "fleet.vans"),
        ({"name": "x", "visits": {"nodes": {"KL-ANLE": "someday"}}}, "visits.nodes.KL-ANLE"),
        ({"name": "x", "visits": {"nodes": {"KL-NOWHERE": "daily"}}}, "visits.nodes.KL-NOWHERE"),
        ({"name": "x", "routing": {"mode": "teleport"}}, "routing.mode"),
        ({"name": "x", "simulation": {"start": "2027-13-01"}}, "simulation.start"),
        ({"name": "x", "simulation": {"warm_start": "ortools"}}, "simulation.warm_start"),
        ({"name": "x", "simulation": {"vroom_level": 6}}, "simulation.vroom_level"),
        ({"name": "x", "demand": {"node_factors": {"KL-ANLE": -2}}}, "demand.node_factors.KL-ANLE"),
        (
            {
                "name": "x",
                "add_node": [
                    {
                        "node_id": "N",
                        "name_zh": "n",
                        "name_en": "n",
                        "kind": "school",
                        "lat": 25.1,
                        "lon": 121.7,
                        "like": "KL-NOPE",
                    }
                ],
            },
            "add_node.like",
        ),
    ],
)
def test_bad_scenarios_name_file_and_key(tmp_path, doc, key):
    p = _write(tmp_path, doc)
    with pytest.raises(InputError) as e:
        load_scenarios(p)
    msg = str(e.value)
    assert str(p) in msg and f"'{key}'" in msg


def test_cli_exits_2_on_a_bad_scenario_and_writes_nothing(tmp_path):
    p = _write(tmp_path, {"name": "x", "fleet": {"vans": -3}})
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["scenario", "run", str(p), "--out", str(out)])
    assert r.exit_code == 2
    assert "fleet.vans" in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_loans_per_resident_growth_reaches_the_target():
    s = scenario_from_dict(
        {
            "name": "g",
            "demand": {
                "base_loans_per_resident": 2.0,
                "target_loans_per_resident": 3.0,
                "base_year": 2027,
                "target_year": 2030,
            },
        }
    )[0]
    assert s.demand.growth == pytest.approx(1.5)
    half = scenario_from_dict(
        {
            "name": "g",
            "demand": {
                "base_loans_per_resident": 2.0,
                "target_loans_per_resident": 3.0,
                "base_year": 2027,
                "target_year": 2031,
                "year": 2029,
            },
        }
    )[0]
    assert half.demand.growth == pytest.approx(1.5**0.5)


def test_visit_patterns():
    assert parse_weekdays("tue-thu-sat") == ("tue", "thu", "sat")
    assert parse_weekdays("fri, mon") == ("mon", "fri")
    assert parse_weekdays(["sat", "wed"]) == ("wed", "sat")
    with pytest.raises(ValueError):
        parse_weekdays("mon,funday")


_values = st.one_of(
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=6),
    st.booleans(),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.lists(st.text(max_size=4), max_size=3),
)
_tables = st.dictionaries(
    st.sampled_from(
        [
            "days",
            "vans",
            "start",
            "end",
            "node_id",
            "mode",
            "default",
            "growth",
            "like",
            "lat",
            "seed",
            "KL-ANLE",
            "zzz",
        ]
    ),
    _values,
    max_size=4,
)
_docs = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "simulation",
            "fleet",
            "routing",
            "visits",
            "closure",
            "demand",
            "add_node",
            "remove_nodes",
            "move_node",
            "variant",
            "bogus",
        ]
    ),
    st.one_of(_values, _tables, st.lists(_tables, max_size=2)),
    max_size=5,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs)
def test_fuzzed_scenarios_load_or_raise_input_error_only(doc):
    try:
        scns = scenario_from_dict(doc, "fuzz.toml")
    except InputError as e:
        assert "fuzz.toml" in str(e)
    else:
        assert scns


def test_a_written_scenario_round_trips(tmp_path):
    src = resolve_scenario_file("fleet-plus-one")
    raw = tomllib.loads(src.read_text(encoding="utf-8"))
    p = _write(tmp_path, raw)
    assert load_scenarios(p)[0].fleet.vans == 3
