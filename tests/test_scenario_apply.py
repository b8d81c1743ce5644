"""Scenario changes are pure: the base network, fleet and demand are never mutated."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bookvan.data.fleet import load_fleet
from bookvan.data.network import load_network
from bookvan.scenarios.apply import (
    apply_fleet,
    apply_network,
    build_world,
    reshape_demand,
    served_on,
)
from bookvan.scenarios.catalog import resolve_scenario_file
from bookvan.scenarios.spec import load_scenario, load_scenarios, scenario_from_dict


@pytest.fixture(scope="module")
def base():
    net = load_network()
    return net, load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))


def test_added_school_stations_copy_hours_or_take_their_own(base):
    net, _ = base
    before = net.nodes.copy()
    scn = load_scenario(resolve_scenario_file("school-stations-2030"))
    out = apply_network(net, scn)
    pd.testing.assert_frame_equal(net.nodes, before)  # untouched
    assert len(out.nodes) == len(net.nodes) + 4
    monday = dt.date(2027, 1, 4)
    assert out.hours_on("SCH-BADU", monday).is_open  # school day, though branches close Mondays
    assert not out.hours_on("SCH-BADU", dt.date(2027, 1, 9)).is_open  # Saturday
    assert not net.hours_on("KL-BAIFU", monday).is_open


def test_closure_and_move_and_remove(base):
    net, _ = base
    scn = scenario_from_dict(
        {
            "name": "t",
            "remove_nodes": ["KL-QIDU"],
            "move_node": [{"node_id": "KL-MAIN", "lat": 25.09, "lon": 121.71}],
            "closure": [
                {
                    "node_id": "KL-BAIFU",
                    "start": "2027-03-01",
                    "end": "2027-03-31",
                    "reason": "retrofit",
                }
            ],
        }
    )[0]
    out = apply_network(net, scn)
    assert "KL-QIDU" not in out.node_ids and "KL-QIDU" in net.node_ids
    assert out.node("KL-MAIN")["lat"] == 25.09 and net.node("KL-MAIN")["lat"] != 25.09
    h = out.hours_on("KL-BAIFU", dt.date(2027, 3, 10))
    assert not h.is_open and "retrofit" in h.closed_reason
    assert out.hours_on("KL-BAIFU", dt.date(2027, 4, 13)).is_open


def test_fleet_grows_by_copying_the_last_van_and_shrinks(base):
    _, fleet = base
    plus = apply_fleet(fleet, load_scenario(resolve_scenario_file("fleet-plus-one")))
    assert len(plus.vehicles) == len(fleet.vehicles) + 1
    assert len({v.vehicle_id for v in plus.vehicles}) == len(plus.vehicles)
    assert plus.vehicles[-1].capacity_crates == fleet.vehicles[-1].capacity_crates
    one = apply_fleet(
        fleet,
        scenario_from_dict(
            {"name": "t", "fleet": {"vans": 1, "capacity_crates": 40}, "routing": {"mode": "hub"}}
        )[0],
    )
    assert len(one.vehicles) == 1 and one.vehicles[0].capacity_crates == 40
    assert one.routing.mode == "hub" and fleet.routing.mode == "direct"


def test_visit_days():
    scn = load_scenario(resolve_scenario_file("three-days-a-week"))
    ids = ["KL-ANLE", "KL-MAIN"]
    assert served_on(scn, ids, dt.date(2027, 1, 5)) == set(ids)  # Tuesday
    assert served_on(scn, ids, dt.date(2027, 1, 6)) == set()  # Wednesday (depot added by caller)


def _demand() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin_id": ["KL-ANLE", "KL-BAIFU", "NTPC-XIZHI", "KL-RENAI"],
            "destination_id": ["KL-BAIFU", "KL-RENAI", "KL-ANLE", "NTPC-XIZHI"],
            "items": [40, 30, 20, 10],
            "kind": ["hold", "hold", "return", "return"],
        }
    )


def test_growth_scales_items_on_average(base):
    net, fleet = base
    d = _demand()
    scn = scenario_from_dict({"name": "g", "demand": {"growth": 1.38}})[0]
    w = build_world(scn, net, fleet)
    rng = np.random.default_rng(1)
    tot = np.mean(
        [reshape_demand(d, w, dt.date(2027, 1, 5), rng)["items"].sum() for _ in range(300)]
    )
    assert tot == pytest.approx(100 * scn.demand.growth, rel=0.03)


def test_redirect_and_analogue_and_node_factor(base):
    net, fleet = base
    d = _demand()
    closure = build_world(
        load_scenario(resolve_scenario_file("baifu-retrofit-closure")), net, fleet
    )
    during = reshape_demand(d, closure, dt.date(2027, 4, 6), np.random.default_rng(0))
    assert "KL-BAIFU" not in set(during["origin_id"]) | set(during["destination_id"])
    assert (during["asked_destination"] == "KL-BAIFU").sum() == 1
    after = reshape_demand(d, closure, dt.date(2027, 9, 7), np.random.default_rng(0))
    assert "KL-BAIFU" in set(after["destination_id"])
    ntpc = next(iter(load_scenarios(resolve_scenario_file("partner-new-taipei"))))
    w = build_world(ntpc, net, fleet)
    rng = np.random.default_rng(2)
    runs = [reshape_demand(d, w, dt.date(2027, 1, 5), rng) for _ in range(200)]
    xizhi = np.mean(
        [
            r.loc[
                (r["origin_id"] == "NTPC-XIZHI") | (r["destination_id"] == "NTPC-XIZHI"), "items"
            ].sum()
            for r in runs
        ]
    )
    assert xizhi == pytest.approx(2.0 * 30, rel=0.05)
    assert d["items"].sum() == 100  # input untouched
