"""Fleet.changed: the one fleet edit behind `plan --without/--mode` and scenario fleets."""

from __future__ import annotations

import datetime as dt

import pytest

from bookvan.data.fleet import load_fleet
from bookvan.data.network import bundled_network_dir


@pytest.fixture(scope="module")
def fleet():
    return load_fleet(bundled_network_dir() / "fleet.toml")


def test_without_and_mode(fleet) -> None:
    f = fleet.changed(without=["VAN-1"], mode="hub")
    assert [v.vehicle_id for v in f.vehicles] == ["VAN-2"] and f.routing.mode == "hub"
    assert fleet.routing.mode == "direct" and len(fleet.vehicles) == 2  # the original is untouched


def test_resize_copies_the_last_van_and_edits_every_van(fleet) -> None:
    f = fleet.changed(vans=4, capacity_crates=30, shift_start=dt.time(7, 0), max_trips=None)
    assert [v.vehicle_id for v in f.vehicles] == ["VAN-1", "VAN-2", "VAN-3", "VAN-4"]
    assert {v.capacity_crates for v in f.vehicles} == {30}
    assert {v.shift_start for v in f.vehicles} == {dt.time(7, 0)}
    assert f.vehicles[3].shift_end == fleet.vehicles[1].shift_end  # copied from the last van
    assert f.vehicles[0].max_trips == fleet.vehicles[0].max_trips  # None: unchanged
    assert fleet.changed(vans=1).vehicles == fleet.vehicles[:1]


def test_costs_by_name(fleet) -> None:
    assert fleet.changed(costs={"per_km": 7.0}).costs.per_km == 7.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"without": ["VAN-9"]}, "unknown van"),
        ({"without": ["VAN-1", "VAN-2"]}, "no van left"),
        ({"mode": "sideways"}, "'direct' or 'hub'"),
        ({"colour": "red"}, "not a per-van field"),
        ({"vehicle_id": "X"}, "not a per-van field"),
    ],
)
def test_impossible_edits(fleet, change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fleet.changed(**change)
