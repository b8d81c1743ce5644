"""Solver routes read back as the stops table, on hand-made routes of the tiny day.

Visits of the tiny day: 0 = T1 pickup at A, 1 = T1 delivery at B, 2 = T2 pickup at B,
3 = T2 delivery at the depot. Travel: depot→A 600 s, A→B 480 s, B→depot 900 s.
"""

from __future__ import annotations

import pandas as pd
from tiny_day import DATE, matrix, nodes, transfers, vehicles

from bookvan.data.costs import Costs
from bookvan.data.fleet import RoutingSettings
from bookvan.routing.day_adapter import build_day_problem
from bookvan.routing.engine.result import RouteResult, SolveResult
from bookvan.routing.stops import routes_to_stops


def _dp(max_trips: int = 1):
    return build_day_problem(date=DATE, nodes=nodes(), vehicles=vehicles(max_trips=max_trips), transfers=transfers(),
                             matrix=matrix(), costs=Costs(), settings=RoutingSettings())


def _stops(route: RouteResult, max_trips: int = 1) -> tuple[pd.DataFrame, object]:
    dp = _dp(max_trips)
    result = SolveResult(routes=(route,), dropped=(), objective=0, status="feasible", wall_s=0.0)
    return routes_to_stops(dp, result, ["V1"]), dp


def test_one_run_merges_visits_at_one_place_and_counts_the_load() -> None:
    # depot 09:36:40 → A 09:46:40 (T1 up) → B 10:00 (T1 down, T2 up) → depot 10:18:40 (T2 down)
    route = RouteResult(van=0, visits=(0, 1, 2, 3), arrivals_s=(35200, 36000, 36040, 37120),
                        starts_s=(35200, 36000, 36040, 37120), depart_s=34600, return_s=37135)
    stops, dp = _stops(route)
    assert list(stops["node_id"]) == ["DEP", "A", "B", "DEP"]
    assert list(stops["trip"]) == [1, 1, 1, 1] and list(stops["seq"]) == [0, 1, 2, 3]
    assert list(stops["load_after"]) == [0, 2, 3, 0]
    assert stops.loc[1, "pickup_ids"] == ["T1"] and stops.loc[1, "delivery_ids"] == []
    assert stops.loc[2, "pickup_ids"] == ["T2"] and stops.loc[2, "delivery_ids"] == ["T1"]
    assert stops.loc[3, "delivery_ids"] == ["T2"]
    assert (stops["vehicle_id"] == "V1").all()
    # at B: service of both visits (2 x 20 s delivery, then 3 x 20 s pickup from 36040) + 120 s stop
    assert stops.loc[2, "arrival"] == dp.at(36000)
    assert stops.loc[2, "departure"] == dp.at(36040 + 60 + 120)
    assert stops.loc[1, "departure"] == dp.at(35200 + 20 + 300)
    assert stops.loc[0, "departure"] == dp.at(34600)
    assert stops.loc[3, "departure"] == dp.at(37135)
    assert (stops["break_s"] == 0).all() and stops["break_start"].isna().all()


def test_a_van_that_ends_away_from_its_last_delivery_drives_home() -> None:
    route = RouteResult(van=0, visits=(0, 1), arrivals_s=(35200, 36000), starts_s=(35200, 36000),
                        depart_s=34600, return_s=37060)
    stops, dp = _stops(route)
    assert list(stops["node_id"]) == ["DEP", "A", "B", "DEP"]
    assert list(stops["load_after"]) == [0, 2, 0, 0]
    # B: 2 x 20 s + 120 s, then 900 s home
    assert stops.loc[3, "arrival"] == dp.at(36000 + 40 + 120 + 900)
    assert stops.loc[3, "departure"] == dp.at(37060)


def test_a_reload_ends_the_run_and_the_depot_is_written_twice() -> None:
    route = RouteResult(van=0, visits=(0, 1, 2, 3), arrivals_s=(35200, 36000, 37960, 39040),
                        starts_s=(35200, 36000, 37960, 39040), depart_s=34600, return_s=39055,
                        reload_after=(1,), reload_s=((37060, 37060),))
    stops, dp = _stops(route, max_trips=2)
    assert list(zip(stops["trip"], stops["seq"], stops["node_id"], strict=True)) == [
        (1, 0, "DEP"), (1, 1, "A"), (1, 2, "B"), (1, 3, "DEP"),
        (2, 0, "DEP"), (2, 1, "B"), (2, 2, "DEP"),
    ]
    assert list(stops["load_after"]) == [0, 2, 0, 0, 0, 3, 0]
    assert stops.loc[3, "arrival"] == stops.loc[4, "arrival"] == dp.at(37060)
    assert stops.loc[5, "pickup_ids"] == ["T2"] and stops.loc[6, "delivery_ids"] == ["T2"]


def test_a_break_is_written_on_the_last_stop_reached_before_it() -> None:
    route = RouteResult(van=0, visits=(0, 1), arrivals_s=(35200, 36000), starts_s=(35200, 36000),
                        depart_s=34600, return_s=38860, breaks=((36500, 1800), (37000, 0)))
    stops, dp = _stops(route)
    assert list(stops["break_s"]) == [0, 0, 1800, 0]
    assert stops.loc[2, "break_start"] == dp.at(36500)


def test_vans_without_visits_write_no_rows() -> None:
    dp = _dp()
    empty = RouteResult(van=0, visits=(), arrivals_s=(), starts_s=(), depart_s=28800, return_s=28800)
    stops = routes_to_stops(dp, SolveResult(routes=(empty,), dropped=(0, 1), objective=0, status="feasible",
                                            wall_s=0.0), ["V1"])
    assert stops.empty
    assert "service_start" in stops.columns and "break_s" in stops.columns


def test_a_pickup_released_while_the_van_waits_is_a_stop_of_its_own() -> None:
    # B at 10:00: T1 down (2 x 20 s); T2 is ready only at 10:08:20, so the van waits and picks it
    # up then. One row would say T2 was picked up at 10:00, before its release: two rows at B.
    dp = build_day_problem(date=DATE, nodes=nodes(), vehicles=vehicles(), transfers=transfers(), matrix=matrix(),
                           costs=Costs(), settings=RoutingSettings(), release_s={"T2": 36500})
    route = RouteResult(van=0, visits=(0, 1, 2, 3), arrivals_s=(35200, 36000, 36040, 37580),
                        starts_s=(35200, 36000, 36500, 37580), depart_s=34600, return_s=37595)
    result = SolveResult(routes=(route,), dropped=(), objective=0, status="feasible", wall_s=0.0)
    stops = routes_to_stops(dp, result, ["V1"])
    assert list(stops["node_id"]) == ["DEP", "A", "B", "B", "DEP"]
    assert stops.loc[2, "delivery_ids"] == ["T1"] and stops.loc[2, "pickup_ids"] == []
    assert stops.loc[3, "pickup_ids"] == ["T2"] and stops.loc[3, "delivery_ids"] == []
    assert stops.loc[2, "service_start"] == dp.at(36000) and stops.loc[2, "departure"] == dp.at(36040)
    # the second row starts when T2 is ready; B's fixed stop time (120 s) is charged once, at the end
    assert stops.loc[3, "arrival"] == dp.at(36040) and stops.loc[3, "service_start"] == dp.at(36500)
    assert stops.loc[3, "departure"] == dp.at(36500 + 60 + 120)
    assert list(stops["load_after"]) == [0, 2, 0, 3, 0]


def test_visits_ready_on_arrival_stay_one_stop() -> None:
    dp = build_day_problem(date=DATE, nodes=nodes(), vehicles=vehicles(), transfers=transfers(), matrix=matrix(),
                           costs=Costs(), settings=RoutingSettings(), release_s={"T2": 36000})
    route = RouteResult(van=0, visits=(0, 1, 2, 3), arrivals_s=(35200, 36000, 36040, 37120),
                        starts_s=(35200, 36000, 36040, 37120), depart_s=34600, return_s=37135)
    stops = routes_to_stops(dp, SolveResult(routes=(route,), dropped=(), objective=0, status="feasible",
                                            wall_s=0.0), ["V1"])
    assert list(stops["node_id"]) == ["DEP", "A", "B", "DEP"]
