"""One line per run: stops, crates, km, hours and slack, from the plan's own tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from bookvan.routing.runlines import run_lines
from tests.plan_factory import good_plan


def _plan() -> SimpleNamespace:
    g = good_plan()
    return SimpleNamespace(**{k: g[k] for k in ("nodes", "vehicles", "transfers", "matrix", "stops")})


def test_one_line_per_run_with_its_numbers() -> None:
    p = _plan()
    lines = run_lines(p)
    runs = p.stops[["vehicle_id", "trip"]].drop_duplicates()
    assert [(x.vehicle_id, x.trip) for x in lines] == sorted(map(tuple, runs.itertuples(index=False)))
    for x in lines:
        g = p.stops[(p.stops["vehicle_id"] == x.vehicle_id) & (p.stops["trip"] == x.trip)]
        assert x.stops == len(g) - 2
        crates = dict(zip(p.transfers["transfer_id"], p.transfers["crates"], strict=True))
        assert x.crates == sum(crates[t] for ids in g["pickup_ids"] for t in ids)
        assert x.km > 0 and x.hours > 0
        assert f"{x.stops} stops" in x.text and "min to shift end" in x.text


def test_slack_moves_with_the_shift_end() -> None:
    p = _plan()
    before = {(x.vehicle_id, x.trip): x.shift_slack_min for x in run_lines(p)}
    p.vehicles = p.vehicles.assign(shift_end=p.vehicles["shift_end"] - pd.Timedelta(minutes=30))
    after = {(x.vehicle_id, x.trip): x.shift_slack_min for x in run_lines(p)}
    assert all(after[k] == before[k] - 30 for k in before)


def test_tightest_window_is_the_earliest_closing_or_due() -> None:
    p = _plan()
    base = {(x.vehicle_id, x.trip): x for x in run_lines(p)}
    first = p.stops.iloc[1]
    node = first["node_id"]
    start = first["service_start"] if "service_start" in p.stops else first["arrival"]
    i = p.nodes.index[p.nodes["node_id"] == node][0]
    p.nodes.loc[i, "closes"] = start + pd.Timedelta(minutes=7)
    x = {(y.vehicle_id, y.trip): y for y in run_lines(p)}[(first["vehicle_id"], int(first["trip"]))]
    assert x.window_slack_min == 7 and x.window_node == node
    assert base[(first["vehicle_id"], int(first["trip"]))].window_slack_min != 7
