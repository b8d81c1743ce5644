"""``bookvan export costs``: the Koha matrix loads back, follows the cost model and the schedule."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.network import bundled_network_dir, load_network
from bookvan.data.schedule import parse_schedule
from bookvan.data.travel import build_matrix
from bookvan.routing.cost_export import days_in_transit, lane_costs

MONDAY = dt.date(2026, 11, 30)
runner = CliRunner()
days = st.frozensets(st.integers(0, 6), min_size=1)


@given(days, days)
def test_days_in_transit_bounds(o: frozenset[int], d: frozenset[int]) -> None:
    w = days_in_transit(o, d)
    assert 0 <= w <= 12
    assert (w == 0) == (o == d == frozenset(range(7)) or (o == frozenset(range(7)) and d == o))


def test_days_in_transit_by_hand() -> None:
    every = frozenset(range(7))
    assert days_in_transit(every, every) == 0
    # destination Tue (1) and Sat (5): ready Mon 1, Tue 0, Wed 3, Thu 2, Fri 1, Sat 0, Sun 2 → 9/7
    assert days_in_transit(every, frozenset({1, 5})) == pytest.approx(9 / 7)
    assert math.isinf(days_in_transit(frozenset(), every))


@pytest.fixture(scope="module")
def net_and_matrix():
    net = load_network()
    return net, build_matrix(net.nodes)


def _schedule(rows: dict[str, str]):
    return parse_schedule([{"node_id": n, "days": d} for n, d in rows.items()])


def test_lane_cost_follows_cost_model_and_schedule(net_and_matrix, fleet) -> None:
    net, matrix = net_and_matrix
    cap = max(v.capacity_crates for v in fleet.vehicles)
    daily = lane_costs(net, matrix, fleet.costs, cap, _schedule({"KL-ANLE": "daily"}), MONDAY).set_index(
        ["from_id", "to_id"])
    twice = lane_costs(net, matrix, fleet.costs, cap, _schedule({"KL-ANLE": "tue-fri"}), MONDAY).set_index(
        ["from_id", "to_id"])
    never = lane_costs(net, matrix, fleet.costs, cap, _schedule({"KL-ANLE": "mon"}), MONDAY).set_index(
        ["from_id", "to_id"])  # Anle is closed on Mondays: no van ever drives to it
    lane = ("KL-MAIN", "KL-ANLE")
    assert twice.loc[lane, "cost"] > daily.loc[lane, "cost"]
    assert twice.loc[lane, "ntd_per_crate"] == daily.loc[lane, "ntd_per_crate"]
    assert never.loc[lane, "disabled"] == 1 and never.loc[("KL-ANLE", "KL-XINYI"), "disabled"] == 1
    assert never.loc[("KL-MAIN", "KL-XINYI"), "disabled"] == 0
    m = matrix.set_index(["from_id", "to_id"])
    for key, r in daily.iterrows():
        km, h = m.loc[key, "distance_m"] / 1000, m.loc[key, "duration_s"] / 3600
        want = (fleet.costs.per_km * km + fleet.costs.per_driver_hour * h) / cap
        assert r["ntd_per_crate"] == pytest.approx(want, abs=0.006)
        assert r["cost"] == pytest.approx(r["ntd_per_crate"] + 100 * r["days_in_transit"], abs=0.51)  # days: 0.01


def test_cli_matrix_loads_back_and_matches_schedule(tmp_path: Path) -> None:
    netdir = tmp_path / "net"
    shutil.copytree(bundled_network_dir(), netdir)
    sched = pd.read_csv(netdir / "schedule.csv", dtype=str, keep_default_na=False)
    sched.loc[sched["node_id"] == "KL-QIDU", "days"] = "mon"  # closed on Mondays: lanes disabled
    sched.to_csv(netdir / "schedule.csv", index=False)
    res = runner.invoke(app, ["export", "costs", "--network", str(netdir), "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    koha = pd.read_csv(tmp_path / "c" / "transport_cost.csv", dtype={"frombranch": str, "tobranch": str})
    assert list(koha.columns) == ["frombranch", "tobranch", "cost", "disable_transfer"]
    ids = set(load_network(netdir).node_ids)
    assert len(koha) == len(ids) * (len(ids) - 1) and not koha.duplicated(["frombranch", "tobranch"]).any()
    assert (koha["cost"] > 0).all() and (koha["cost"] <= 9999.99).all()
    dis = koha[koha["disable_transfer"] == 1]
    assert set(dis["frombranch"]) | set(dis["tobranch"]) >= {"KL-QIDU"}
    assert ((dis["frombranch"] == "KL-QIDU") | (dis["tobranch"] == "KL-QIDU")).all()
    lanes = pd.read_csv(tmp_path / "c" / "lane_costs.csv")
    sch = {r.node_id: r.days for r in sched.itertuples()}
    tue_sat = lanes[(lanes["from_id"] == "KL-MAIN") & lanes["to_id"].map(lambda n: sch.get(n) == "tue-sat")]
    tts = lanes[(lanes["from_id"] == "KL-MAIN") & lanes["to_id"].map(lambda n: sch.get(n) == "tue-thu-sat")]
    assert tue_sat["days_in_transit"].min() > tts["days_in_transit"].max()  # fewer visits, longer wait
    prox = pd.read_csv(tmp_path / "c" / "proximity_adjustment.csv")
    assert len(prox) == len(koha) and set(prox["absolute_adjustment"]) == {"f"}
    assert (prox.loc[koha["disable_transfer"] == 1, "prox_adjustment"] == 99).all()
    again = runner.invoke(app, ["export", "costs", "--out", str(tmp_path / "plan-like")])
    assert again.exit_code == 0
    bad = runner.invoke(app, ["export", "costs", "--week", "2026-12-01", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "Monday" in bad.output and not (tmp_path / "x").exists()
