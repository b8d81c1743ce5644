"""Why a dropped transfer waits, on the tiny day (depot→A 600 s, A→B 480 s, B→depot 900 s).

T1 is 2 crates A→B (hold), T2 3 crates B→depot (return); one van, shift 08:00–17:00.
"""

from __future__ import annotations

import dataclasses

from tiny_day import DATE, at, matrix, nodes, transfers, vehicles

from bookvan.data.costs import Costs
from bookvan.data.fleet import RoutingSettings
from bookvan.routing.day_adapter import build_day_problem
from bookvan.routing.reasons import explain_dropped


def _dp(vans=None):
    return build_day_problem(date=DATE, nodes=nodes(), vehicles=vehicles() if vans is None else vans,
                             transfers=transfers(), matrix=matrix(), costs=Costs(), settings=RoutingSettings())


def _reasons(dp, dropped: list[int]) -> dict[str, str]:
    return {r["transfer_id"]: r["reason"] for r in explain_dropped(dp, dropped)}


def test_no_van_big_enough() -> None:
    dp = _dp()
    small = dataclasses.replace(dp.problem.vans[0], capacity=1)
    dp = dataclasses.replace(dp, problem=dataclasses.replace(dp.problem, vans=(small,)))
    assert _reasons(dp, [0]) == {"T1": "no van is big enough for 2 crates"}


def test_no_van_reaches_the_pickup_in_time() -> None:
    late = vehicles()
    late["shift_start"] = at("16:55")  # + 600 s to A, which takes its last pickup at 16:54:40
    late["shift_end"] = at("20:00")
    assert _reasons(_dp(late), [0]) == {"T1": "no van can reach the pickup before 16:54"}


def test_the_round_trip_does_not_fit_the_shift() -> None:
    short = vehicles()
    short["shift_end"] = at("09:30")
    # at A 09:00 (opening) + 20 + 300 + 480 s → B waits to 10:00, + 40 + 120 + 900 s → depot 10:17:40
    assert _reasons(_dp(short), [0]) == {
        "T1": "the round trip does not fit in any driver's shift (back at 10:17)"}


def test_too_many_crates_for_the_day_names_the_excess() -> None:
    small = vehicles(capacity=4)  # each transfer fits alone, 2 + 3 crates do not
    assert _reasons(_dp(small), [1]) == {
        "T2": "no van has room: 1 crates over what the vans can carry today (4 crates in all runs)"}


def test_otherwise_the_shifts_were_full() -> None:
    why = _reasons(_dp(), [0, 1])
    assert why == {t: "the vans' shifts are full: 2 transfers (5 crates) did not fit in today's driving time; "
                      "holds went first" for t in ("T1", "T2")}


def test_nothing_dropped_nothing_explained() -> None:
    assert explain_dropped(_dp(), []) == []


def test_no_van_brings_it_before_the_delivery_window_ends() -> None:
    dp = _dp()
    visits = list(dp.problem.visits)
    visits[1] = dataclasses.replace(visits[1], window=(9 * 3600, 9 * 3600 + 600))
    dp = dataclasses.replace(dp, problem=dataclasses.replace(dp.problem, visits=tuple(visits)))
    # at A 09:00 + 20 + 300 + 480 s = 09:13:20 at B, after its 09:10 end
    assert _reasons(dp, [0]) == {"T1": "no van can bring it from A to B before 09:10"}
