"""Route controls bind: each test plans the bundled day with and without one control and shows
the plan changes to respect it (pinned stop, stops first or in order, longest day, most stops per
run, balance, runs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookvan.data.controls import RouteControls, parse_control_flags, read_controls
from bookvan.data.errors import InputError
from bookvan.data.fleet import Fleet
from bookvan.data.network import Network
from bookvan.data.travel import build_matrix
from bookvan.demand import daily_transfers
from bookvan.routing.daily import DayPlan, plan_day
from bookvan.routing.engine import SolveParams
from tests.conftest import PLAN_DATE

PARAMS = SolveParams(time_limit_s=60, deterministic=True, solution_limit=30)


def _plan(network: Network, fleet: Fleet, controls: RouteControls | None = None) -> DayPlan:
    todo = daily_transfers(network, PLAN_DATE, seed=0, items_per_crate=fleet.items_per_crate)
    return plan_day(network, fleet, todo, PLAN_DATE, build_matrix(network.nodes), PARAMS, controls=controls)


def _spans(day: DayPlan) -> dict[str, float]:
    g = day.stops.groupby("vehicle_id")["arrival"]
    return {v: (g.max()[v] - g.min()[v]).total_seconds() for v in g.max().index}


def _stops_per_run(day: DayPlan) -> list[int]:
    return [len(g) - 2 for _, g in day.stops.groupby(["vehicle_id", "trip"])]


def _served(day: DayPlan) -> int:
    return int(day.summary["transfers_planned"])


@pytest.fixture(scope="module")
def base(network: Network, fleet: Fleet) -> DayPlan:
    return _plan(network, fleet)


@pytest.mark.slow
def test_pinned_stop_goes_to_its_van(network: Network, fleet: Fleet, base: DayPlan) -> None:
    depots = {v.depot for v in fleet.vehicles}
    by_van = base.stops[~base.stops["node_id"].isin(depots)].groupby("node_id")["vehicle_id"].agg(set)
    node = next(n for n, vans in by_van.items() if vans == {"VAN-1"})
    day = _plan(network, fleet, RouteControls(pins={node: "VAN-2"}))
    assert set(day.stops.loc[day.stops["node_id"] == node, "vehicle_id"]) == {"VAN-2"}
    assert day.summary["controls"]["pins"] == {node: "VAN-2"}


def _single_stops(day: DayPlan, depots: set[str]) -> pd.DataFrame:
    """Non-depot stops at nodes the plan visits once, in the order of their service start."""
    s = day.stops[~day.stops["node_id"].isin(depots)]
    once = s.groupby("node_id")["node_id"].transform("size") == 1
    return s[once].sort_values("service_start")


def _linked(day: DayPlan, a: str, b: str) -> bool:
    t = day.transfers
    return bool(((t["origin_id"].isin([a, b])) & (t["destination_id"].isin([a, b]))).any())


@pytest.mark.slow
def test_order_puts_the_later_node_after_the_earlier(network: Network, fleet: Fleet, base: DayPlan) -> None:
    depots = {v.depot for v in fleet.vehicles}
    once = _single_stops(base, depots)
    nodes = list(once["node_id"])
    # the earliest and the latest node visited once, with no transfer between them
    early, late = next((a, b) for a in nodes for b in reversed(nodes) if a != b and not _linked(base, a, b))
    day = _plan(network, fleet, RouteControls(order=((late, early),)))
    s = day.stops
    assert s.loc[s["node_id"] == late, "service_start"].max() <= s.loc[s["node_id"] == early, "service_start"].min()
    assert _served(day) == _served(base)
    assert day.summary["controls"]["order"] == ((late, early),)


@pytest.mark.slow
def test_first_is_served_before_every_other_stop(network: Network, fleet: Fleet, base: DayPlan) -> None:
    depots = {v.depot for v in fleet.vehicles}
    t = base.transfers
    from_branches = set(t.loc[~t["origin_id"].isin(depots), "destination_id"])
    # a node served late in the day, with no crates from another branch to deliver (they could not be first)
    node = next(n for n in reversed(list(_single_stops(base, depots)["node_id"])) if n not in from_branches)
    first = base.stops[~base.stops["node_id"].isin(depots)].sort_values("service_start").iloc[0]
    assert first["node_id"] != node
    day = _plan(network, fleet, RouteControls(first=(node,)))
    s = day.stops[~day.stops["node_id"].isin(depots)]
    at_node = s[s["node_id"] == node]
    assert len(at_node) and at_node["service_start"].max() <= s.loc[s["node_id"] != node, "service_start"].min()
    # and it is the first stop of its van's first run
    row = at_node.iloc[0]
    assert (row["trip"], row["seq"]) == (1, 1)
    assert _served(day) > 0


@pytest.mark.slow
def test_max_hours_shortens_the_longest_day(network: Network, fleet: Fleet, base: DayPlan) -> None:
    van, span = max(_spans(base).items(), key=lambda kv: kv[1])
    limit = round(span / 3600 * 0.6, 2)
    day = _plan(network, fleet, RouteControls(max_hours={van: limit}))
    assert _spans(day).get(van, 0) <= limit * 3600 + 1


@pytest.mark.slow
def test_max_stops_per_run(network: Network, fleet: Fleet, base: DayPlan) -> None:
    most = max(_stops_per_run(base))
    assert most > 5
    day = _plan(network, fleet, RouteControls(max_stops_per_run=5))
    assert max(_stops_per_run(day)) <= 5
    assert _served(day) > 0


@pytest.mark.slow
def test_balance_evens_out_the_days(network: Network, fleet: Fleet, base: DayPlan) -> None:
    before = _spans(base)
    day = _plan(network, fleet, RouteControls(balance="duration"))
    after = _spans(day)
    assert len(after) == 2
    assert max(after.values()) < max(before.values())
    assert _served(day) == _served(base)


@pytest.mark.slow
def test_one_run_only(network: Network, fleet: Fleet) -> None:
    # one small van: the crates leaving the depot need more than one run
    van1 = fleet.vehicles[0]
    small = fleet.replace(vehicles=(van1.__class__(**{**van1.__dict__, "capacity_crates": 3}),))
    free = _plan(network, small)
    runs = free.stops.groupby("vehicle_id")["trip"].max()
    van = str(runs.idxmax())
    assert runs[van] > 1
    day = _plan(network, small, RouteControls(max_runs={van: 1}))
    assert day.stops.loc[day.stops["vehicle_id"] == van, "trip"].max() == 1


def test_order_and_first_in_the_file_and_as_flags(tmp_path: Path) -> None:
    f = tmp_path / "controls.toml"
    f.write_text('first = ["KL-BAIFU"]\n'
                 'order = [["KL-NUANNUAN", "KL-DUWANQUAN"], ["KL-ANLE", "KL-XINYI", "KL-QIDU"]]\n', encoding="utf-8")
    c = read_controls(f)
    assert c.first == ("KL-BAIFU",)
    assert c.order == (("KL-NUANNUAN", "KL-DUWANQUAN"), ("KL-ANLE", "KL-XINYI", "KL-QIDU"))
    f.write_text('order = ["KL-NUANNUAN", "KL-DUWANQUAN"]\nfirst = "KL-ANLE"\n', encoding="utf-8")
    assert read_controls(f) == RouteControls(first=("KL-ANLE",), order=(("KL-NUANNUAN", "KL-DUWANQUAN"),))
    flags = parse_control_flags(["order=KL-ANLE,KL-XINYI", "order=KL-QIDU, KL-BAIFU", "first=KL-RENAI"])
    assert flags.order == (("KL-ANLE", "KL-XINYI"), ("KL-QIDU", "KL-BAIFU")) and flags.first == ("KL-RENAI",)
    m = c.merged(flags)  # flags replace the file's chains
    assert m.order == flags.order and m.first == ("KL-RENAI",)
    assert c.merged(RouteControls()).order == c.order


@given(st.lists(st.lists(st.from_regex(r"[A-Z][A-Z0-9-]{0,10}", fullmatch=True), min_size=2, max_size=5,
                         unique=True), min_size=1, max_size=4))
def test_order_flags_round_trip(chains: list[list[str]]) -> None:
    c = parse_control_flags([f"order={','.join(ch)}" for ch in chains])
    assert c.order == tuple(tuple(ch) for ch in chains)


@given(st.text(max_size=30))
def test_order_flag_text_never_crashes(text: str) -> None:
    try:
        c = parse_control_flags([f"order={text}"])
    except InputError as e:
        assert "order" in str(e)
    else:
        assert all(len(ch) >= 2 for ch in c.order)


def test_controls_file_and_flags(tmp_path: Path) -> None:
    f = tmp_path / "controls.toml"
    f.write_text('balance = "duration"\nmax_stops_per_run = 6\n[pin]\nKL-ANLE = "VAN-2"\n[max_hours]\nVAN-1 = 5\n'
                 '[max_runs]\nVAN-2 = 1\n', encoding="utf-8")
    c = read_controls(f)
    assert c == RouteControls({"KL-ANLE": "VAN-2"}, {"VAN-1": 5.0}, {"VAN-2": 1}, 6, "duration")
    flags = parse_control_flags(["max_hours.VAN-1=4.5", "pin.KL-XINYI=VAN-1"])
    m = c.merged(flags)
    assert m.max_hours == {"VAN-1": 4.5} and m.pins == {"KL-ANLE": "VAN-2", "KL-XINYI": "VAN-1"}
    assert m.balance == "duration" and m.max_stops_per_run == 6
    assert read_controls(tmp_path / "absent.toml").empty


@pytest.mark.parametrize("text, field", [
    ('balance = "fair"\n', "balance"),
    ("max_stops_per_run = 0\n", "max_stops_per_run"),
    ("colour = 1\n", "colour"),
    ("[max_hours]\nVAN-1 = -2\n", "max_hours.VAN-1"),
    ('order = [["KL-ANLE"]]\n', "order[0]"),
    ('order = [["KL-ANLE", "KL-ANLE"]]\n', "order[0]"),
    ("order = 3\n", "order"),
    ("first = 3\n", "first"),
    ("first = []\n", "first"),
])
def test_bad_controls_name_the_key(tmp_path: Path, text: str, field: str) -> None:
    f = tmp_path / "controls.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_controls(f)
    assert field in str(e.value)


def test_unknown_node_or_van_is_named() -> None:
    c = parse_control_flags(["pin.NOWHERE=VAN-9"])
    with pytest.raises(InputError) as e:
        c.check({"KL-ANLE"}, {"VAN-1"}, "--control")
    assert "NOWHERE" in str(e.value) and "VAN-9" in str(e.value)
    with pytest.raises(InputError) as e:
        parse_control_flags(["order=KL-ANLE,NOWHERE", "first=ELSEWHERE"]).check({"KL-ANLE"}, {"VAN-1"}, "--control")
    assert "order[0]" in str(e.value) and "NOWHERE" in str(e.value) and "ELSEWHERE" in str(e.value)
    with pytest.raises(InputError):
        parse_control_flags(["no-equals-sign"])


def test_pins_and_limits_reach_the_engine_problem(network: Network, fleet: Fleet) -> None:
    from bookvan.routing.controls import apply_controls
    from bookvan.routing.day_adapter import build_day_problem
    from bookvan.routing.day_input import day_nodes, day_vehicles

    todo = daily_transfers(network, PLAN_DATE, seed=0, items_per_crate=fleet.items_per_crate)
    vehicles = day_vehicles(fleet, PLAN_DATE)
    dp = build_day_problem(date=PLAN_DATE, nodes=day_nodes(network, PLAN_DATE), vehicles=vehicles, transfers=todo,
                           matrix=build_matrix(network.nodes), costs=fleet.costs, settings=fleet.routing)
    node = str(todo["origin_id"].iloc[0])
    out = apply_controls(dp, RouteControls(pins={node: "VAN-2"}, max_hours={"VAN-1": 3}, max_stops_per_run=4,
                                           balance="duration"), list(vehicles["vehicle_id"]))
    pinned = [r for r in out.problem.requests if dp.visit_info[r.pickup].node_id == node]
    assert pinned and all(r.vehicle == 1 for r in pinned)
    assert out.problem.vans[0].max_span_s == 3 * 3600 and out.problem.vans[1].max_span_s is None
    assert all(v.max_stops == 4 for v in out.problem.vans) and out.problem.cost_global_span > 0


def test_order_reaches_the_engine_as_precedences(network: Network, fleet: Fleet) -> None:
    from bookvan.routing.controls import apply_controls
    from bookvan.routing.day_adapter import build_day_problem
    from bookvan.routing.day_input import day_nodes, day_vehicles

    todo = daily_transfers(network, PLAN_DATE, seed=0, items_per_crate=fleet.items_per_crate)
    vehicles = day_vehicles(fleet, PLAN_DATE)
    dp = build_day_problem(date=PLAN_DATE, nodes=day_nodes(network, PLAN_DATE), vehicles=vehicles, transfers=todo,
                           matrix=build_matrix(network.nodes), costs=fleet.costs, settings=fleet.routing)
    info = dp.visit_info
    a, b = "KL-NUANNUAN", "KL-DUWANQUAN"
    out = apply_controls(dp, RouteControls(order=((a, b),)), list(vehicles["vehicle_id"]))
    pairs = {(info[p.first].node_id, info[p.second].node_id) for p in out.problem.precedences}
    assert pairs == {(a, b)}
    # a transfer from the later node to the earlier one is not bound (its pickup comes first)
    back = {t for t, o, d in zip(todo["transfer_id"], todo["origin_id"], todo["destination_id"], strict=True)
            if (o, d) == (b, a)}
    assert not any(info[p.first].transfer_id in back or info[p.second].transfer_id in back
                   for p in out.problem.precedences)
    first = apply_controls(dp, RouteControls(first=(a,)), list(vehicles["vehicle_id"])).problem.precedences
    assert {info[p.first].node_id for p in first} == {a}
    assert {info[p.second].node_id for p in first} == {i.node_id for i in info} - {a, "KL-MAIN"}
