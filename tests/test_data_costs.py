"""One cost model: read from the fleet file, sourced there, overridden by name by scenarios."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tomli_w

from bookvan.data.costs import COST_KEYS, DAYS_PER_YEAR, Costs
from bookvan.data.errors import InputError
from bookvan.data.fleet import load_fleet
from bookvan.data.network import bundled_network_dir
from bookvan.scenarios.apply import apply_fleet
from bookvan.scenarios.spec import scenario_from_dict

FLEET = bundled_network_dir() / "fleet.toml"


def test_bundled_fleet_file_prices_like_the_defaults_and_says_why() -> None:
    costs = load_fleet(FLEET).costs
    assert costs == Costs()
    text = FLEET.read_text(encoding="utf-8").split("\n[costs]\n")[1].split("\n[")[0]
    for key in COST_KEYS:
        before = text.split(f"\n{key} =")[0].rsplit("\n\n", 1)[-1]
        assert "#" in before, f"{key} has no source comment"
    assert text.count("[estimate]") >= 3  # estimates stay marked as estimates


def test_itemised_arithmetic_of_the_kept_numbers() -> None:
    c = Costs()
    assert c.per_km == pytest.approx(29.0 * 10 / 100 + 2.0)  # diesel × L/100 km + wear
    assert c.co2_kg_per_km == pytest.approx(2.66 * 10 / 100)
    assert c.per_van_day == round(330_000 / 365)
    assert c.per_van_year == c.per_van_day * DAYS_PER_YEAR


def test_money_and_co2() -> None:
    c = Costs(per_km=5.0, per_driver_hour=300.0, per_van_day=900.0, co2_kg_per_km=0.25)
    assert c.distance_ntd(10) == 50.0 and c.wages_ntd(2) == 600.0
    assert c.fixed_ntd_per_day(2) == 1800.0 and c.co2_kg(4) == 1.0
    assert c.override({"per_km": 6.0}) == dataclasses.replace(c, per_km=6.0)
    assert c.override({}) is c


def test_bad_fleet_costs_name_the_key(tmp_path: Path) -> None:
    import tomllib

    doc = tomllib.loads(FLEET.read_text(encoding="utf-8"))
    doc["costs"]["per_km"] = -1.0
    doc["costs"]["per_litre"] = 3.0
    f = tmp_path / "fleet.toml"
    f.write_text(tomli_w.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_fleet(f)
    assert "field 'costs.per_km': -1.0 must be ≥ 0" in str(e.value)
    assert "field 'costs.per_litre': unknown key" in str(e.value)


def test_a_scenario_overrides_costs_by_name_and_variants_inherit() -> None:
    scns = scenario_from_dict({"name": "dear", "costs": {"per_km": 8.0},
                               "variant": [{"name": "a"}, {"name": "b", "costs": {"per_van_day": 1.0}}]})
    base = load_fleet(FLEET)
    a, b = (apply_fleet(base, s).costs for s in scns)
    assert a == dataclasses.replace(base.costs, per_km=8.0)
    assert b == dataclasses.replace(base.costs, per_km=8.0, per_van_day=1.0)


def test_a_bad_scenario_cost_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"field 'costs\.per_km': 'cheap' must be a float"):
        scenario_from_dict({"name": "x", "costs": {"per_km": "cheap"}})
