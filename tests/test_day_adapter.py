"""The day adapter on a hand-made day: windows, pickup/delivery pairs, capacity, cost units.

Arithmetic for the default tiny day (see ``tiny_day.py``): T1 is 2 crates A→B, so its pickup
handles 2 x 10 s at A and its delivery 2 x 20 s at B; T2 is 3 crates B→depot.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from tiny_day import DATE, matrix, nodes, transfers, vehicles

from bookvan.data.costs import Costs
from bookvan.data.fleet import RoutingSettings
from bookvan.data.hours import DAY_S
from bookvan.routing.day_adapter import COST_SCALE, build_day_problem, matrix_arrays, seconds_of_day

H = 3600
COSTS = Costs(per_km=6.0, per_driver_hour=300.0, per_van_day=1500.0)


def _build(**kw):
    args = {"date": DATE, "nodes": nodes(), "vehicles": vehicles(), "transfers": transfers(), "matrix": matrix(),
            "costs": COSTS, "settings": RoutingSettings()}
    args.update(kw)
    return build_day_problem(**args)


def test_locations_are_depots_first_then_transfer_ends_in_order() -> None:
    dp = _build()
    assert dp.locations == ("DEP", "A", "B")
    assert dp.problem.distance[0, 1] == 6000 and dp.problem.duration[1, 2] == 480
    assert dp.problem.stop_service_s == (0, 300, 120)  # a depot's own stop time is not charged


def test_each_transfer_is_a_pickup_delivery_pair_with_opposite_loads() -> None:
    dp = _build()
    p = dp.problem
    assert [v.label for v in p.visits] == ["T1:pickup", "T1:delivery", "T2:pickup", "T2:delivery"]
    assert [(v.location, v.load) for v in p.visits] == [(1, 2), (2, -2), (2, 3), (0, -3)]
    assert [(r.pickup, r.delivery) for r in p.requests] == [(0, 1), (2, 3)]
    assert [i.role for i in dp.visit_info] == ["pickup", "delivery", "pickup", "delivery"]
    assert [(i.transfer_id, i.node_id, i.crates) for i in dp.visit_info[:2]] == [("T1", "A", 2), ("T1", "B", 2)]
    assert dp.request_transfer == ("T1", "T2")
    assert p.same_run_pairs


def test_windows_end_so_that_the_stop_finishes_before_closing() -> None:
    p = _build().problem
    # pickup at A: opens 09:00; closes 17:00 minus 2 x 10 s handling minus the 300 s stop
    assert p.visits[0].window == (9 * H, 17 * H - 20 - 300)
    assert p.visits[0].service_s == 20
    # delivery at B: 10:00 to 16:00 minus 2 x 20 s minus 120 s
    assert p.visits[1].window == (10 * H, 16 * H - 40 - 120)
    # delivery at the depot: its hours, no stop time
    assert p.visits[3].window == (7 * H, 19 * H - 3 * 5)


def test_release_and_due_narrow_the_windows() -> None:
    p = _build(release_s={"T1": 11 * H}, due_s={"T1": 13 * H}).problem
    assert p.visits[0].window[0] == 11 * H
    assert p.visits[1].window[1] == 13 * H - 40 - 120
    assert p.visits[2].window[0] == 10 * H  # T2 untouched


def test_van_capacity_shift_and_fixed_cost() -> None:
    (van,) = _build(vehicles=vehicles(capacity=7, max_trips=2)).problem.vans
    assert (van.start, van.end, van.capacity, van.max_trips, van.label) == (0, 0, 7, 2, "V1")
    assert van.shift == (8 * H, 17 * H)
    assert van.breaks == ()
    assert van.fixed_cost == 1500 * COST_SCALE


def test_costs_are_whole_units_of_cost_scale() -> None:
    p = _build().problem
    assert COST_SCALE == 10_000
    assert p.cost_per_distance == 60  # NT$ 6 a km = 60 units a metre, exact
    assert p.cost_per_distance * 1000 == 6 * COST_SCALE
    assert p.cost_per_span_second == round(300 * COST_SCALE / H)
    assert p.cost_per_second == 0
    settings = RoutingSettings()
    assert [r.penalty for r in p.requests] == [settings.hold_penalty * COST_SCALE,
                                               settings.return_penalty * COST_SCALE]


def test_closed_branch_is_screened_with_its_reason() -> None:
    dp = _build(nodes=nodes(b_closed=True))
    assert dict(dp.screened) == {"T1": "delivery impossible today: closed for stocktaking",
                                 "T2": "pickup impossible today: closed for stocktaking"}
    assert dp.problem.requests == () and dp.problem.visits == ()


def test_transfer_larger_than_the_largest_van_is_screened() -> None:
    dp = _build(transfers=transfers([("BIG", "A", "B", 11, "hold"), ("OK", "A", "B", 10, "hold")]))
    (tid, why), = dp.screened
    assert tid == "BIG" and "11 crates" in why and "largest van holds (10)" in why
    assert dp.request_transfer == ("OK",)


def test_release_after_the_last_pickup_is_screened() -> None:
    todo = transfers([("LATE", "A", "B", 1, "hold")])
    todo["release"] = pd.Timestamp(f"{DATE} 16:59", tz=nodes()["opens"].dt.tz)
    (tid, why), = _build(transfers=todo).screened
    assert tid == "LATE" and why.startswith("released at 16:59") and "Anle" in why


def test_legs_become_precedences_with_the_sorting_gap() -> None:
    todo = transfers([("L1", "A", "DEP", 1, "hold"), ("L2", "DEP", "B", 1, "hold")])
    todo["leg_of"] = ["X", "X"]
    todo["leg"] = [1, 2]
    settings = dataclasses.replace(RoutingSettings(), sorting_s=1800)
    p = _build(transfers=todo, settings=settings).problem
    (prec,) = p.precedences
    assert (prec.first, prec.second, prec.gap_s) == (1, 2, 1800)  # L1's delivery, then L2's pickup
    assert _build(transfers=todo, settings=settings, with_precedences=False).problem.precedences == ()


def test_times_of_day_read_back() -> None:
    dp = _build()
    assert dp.at(9 * H) == pd.Timestamp(f"{DATE} 09:00", tz=dp.midnight.tz)
    assert seconds_of_day(dp.at(DAY_S - 1), dp.midnight) == DAY_S - 1
    assert seconds_of_day(None, dp.midnight) is None
    assert seconds_of_day(pd.NaT, dp.midnight) is None


def test_matrix_arrays_round_up_and_refuse_a_missing_pair() -> None:
    m = matrix().astype({"distance_m": float})
    m.loc[0, "distance_m"] = 5999.2
    dist, dur = matrix_arrays(m, ["DEP", "A"])
    assert dist.dtype == np.int64 and dist[0, 1] == 6000 and dur[1, 0] == 600 and dist[0, 0] == 0
    with pytest.raises(ValueError, match="no row A → B"):
        matrix_arrays(m[~((m.from_id == "A") & (m.to_id == "B"))], ["DEP", "A", "B"])
