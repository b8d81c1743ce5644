"""Supported sizes are refused beyond their limit (exit 2, limit named); extreme items values too;
a transfer larger than the whole fleet's day is unservable at once, with its reason."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data import limits
from bookvan.data.errors import InputError
from bookvan.data.network import bundled_network_dir, load_network
from bookvan.data.transfers import read_transfer_list, read_transfers, transfers_frame
from bookvan.routing.day_input import split_oversize

DATE = dt.date(2026, 12, 1)
NODES = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU"}
runner = CliRunner()


@pytest.mark.parametrize("items", ["1e30", "1e9", "nan", "inf", "-inf", "-5", "0", "2.5", "100001"])
def test_extreme_items_values_are_exit_2_with_file_row_field(tmp_path: Path, items: str) -> None:
    f = tmp_path / "t.csv"
    f.write_text(f"origin,destination,items,kind\nKL-ANLE,KL-MAIN,3,hold\nKL-ANLE,KL-XINYI,{items},hold\n",
                 encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as e:
        read_transfers(f, node_ids=NODES, date=DATE, items_per_crate=30)
    assert time.perf_counter() - t0 < 5
    assert str(f) in str(e.value) and "row 2" in str(e.value) and "'items'" in str(e.value)


def test_largest_items_value_is_read(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(f"origin,destination,items,kind\nKL-ANLE,KL-MAIN,{limits.MAX_ITEMS_PER_TRANSFER},hold\n",
                 encoding="utf-8")
    df = read_transfers(f, node_ids=NODES, date=DATE, items_per_crate=30)
    assert df.loc[0, "crates"] == -(-limits.MAX_ITEMS_PER_TRANSFER // 30)


def test_too_many_aggregated_transfers_name_the_limit(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    rows = "".join("KL-ANLE,KL-MAIN,1,hold\n" for _ in range(limits.MAX_TRANSFERS + 1))
    f.write_text("origin,destination,items,kind\n" + rows, encoding="utf-8")
    with pytest.raises(InputError, match=f"{limits.MAX_TRANSFERS + 1:,} transfers.*supported {limits.MAX_TRANSFERS:,}"):
        read_transfers(f, node_ids=NODES, date=DATE, items_per_crate=30)


def test_item_rows_and_groups_beyond_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bookvan.data.items as items_mod

    f = tmp_path / "i.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["barcode", "frombranch", "tobranch", "reason"])
        for k in range(30):
            w.writerow([f"B{k}", "KL-ANLE", "KL-MAIN" if k % 2 else "KL-XINYI", "Reserve"])
    monkeypatch.setattr(items_mod, "MAX_ITEM_ROWS", 20)
    with pytest.raises(InputError, match="rows in the item list: more than the supported 20"):
        read_transfer_list(f, node_ids=NODES, date=DATE, items_per_crate=30)
    monkeypatch.setattr(items_mod, "MAX_ITEM_ROWS", 100)
    monkeypatch.setattr(items_mod, "MAX_TRANSFERS", 1)
    with pytest.raises(InputError, match=r"2 transfers after grouping.*supported 1"):
        read_transfer_list(f, node_ids=NODES, date=DATE, items_per_crate=30)


def test_network_beyond_the_node_limit_is_refused_before_the_matrix(tmp_path: Path) -> None:
    src = (bundled_network_dir() / "nodes.csv").read_text(encoding="utf-8").splitlines()
    header, branch = src[0], next(r for r in src[1:] if ",branch," in r)
    bid = branch.split(",", 1)[0]
    rows = [src[1]] + [branch.replace(bid, f"N{k:05d}", 1) for k in range(limits.MAX_NODES)]
    (tmp_path / "nodes.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_network(tmp_path)
    assert "nodes.csv" in str(e.value) and f"supported {limits.MAX_NODES:,}" in str(e.value)
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--network", str(tmp_path), "--out",
                              str(tmp_path / "p")])
    assert res.exit_code == 2 and "Traceback" not in res.output and not (tmp_path / "p").exists()


def _t(tid: str, o: str, d: str, items: int, crates: int) -> dict[str, object]:
    return {"transfer_id": tid, "origin_id": o, "destination_id": d, "items": items, "crates": crates,
            "kind": "hold", "release": None, "due": None}


def test_split_leaves_a_transfer_beyond_the_fleet_day_whole() -> None:
    df = split_oversize(transfers_frame([_t("BIG", "A", "B", 30_000, 1_000), _t("T2", "A", "B", 900, 30)]), 24, 144)
    assert list(df["transfer_id"]) == ["BIG", "T2/1", "T2/2"]


def test_transfer_too_big_for_the_fleet_is_unservable_at_once(network, fleet) -> None:
    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams

    day_crates = sum(v.capacity_crates * v.max_trips for v in fleet.vehicles)
    big = day_crates + 1
    todo = transfers_frame([_t("BIG", "KL-ANLE", "KL-XINYI", big * 30, big), _t("T2", "KL-BAIFU", "KL-MAIN", 20, 1)])
    t0 = time.perf_counter()
    plan = plan_day(network, fleet, todo, DATE, build_matrix(network.nodes),
                    SolveParams(time_limit_s=4, seed=0, deterministic=True, solution_limit=5))
    assert time.perf_counter() - t0 < 60
    why = {u["transfer_id"]: u["reason"] for u in plan.unassigned}
    assert set(why) == {"BIG"} and f"{big} crates" in why["BIG"] and str(day_crates) in why["BIG"]
    assert list(plan.transfers["transfer_id"]) == ["BIG", "T2"]  # not split into parts
    assert plan.summary["transfers_planned"] == 1


def test_items_1e9_from_the_cli_is_exit_2_quickly(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("origin,destination,items,kind\nKL-ANLE,KL-MAIN,1e9,hold\n", encoding="utf-8")
    t0 = time.perf_counter()
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(f), "--out", str(tmp_path / "p")])
    assert res.exit_code == 2 and "row 1" in res.output and "items" in res.output
    assert time.perf_counter() - t0 < 30 and "Traceback" not in res.output


def test_limits_are_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    safety = readme.split("## Safety", 1)[1]
    for n in (limits.MAX_NODES, limits.MAX_TRANSFERS, limits.MAX_ITEM_ROWS, limits.MAX_ITEMS_PER_TRANSFER):
        assert f"{n:,}" in safety


def test_day_problem_screens_before_the_solver() -> None:
    """The screen is in build_day_problem: the big transfer never becomes a routing request."""
    from bookvan.data.fleet import Costs, RoutingSettings, load_fleet
    from bookvan.data.travel import build_matrix
    from bookvan.routing.day_adapter import build_day_problem
    from bookvan.routing.day_input import day_nodes, day_vehicles

    net = load_network()
    fl = load_fleet(bundled_network_dir() / "fleet.toml", set(net.node_ids))
    todo = transfers_frame([_t("BIG", "KL-ANLE", "KL-XINYI", 9_000, 300)])
    dp = build_day_problem(date=DATE, nodes=day_nodes(net, DATE), vehicles=day_vehicles(fl, DATE), transfers=todo,
                           matrix=build_matrix(net.nodes), costs=Costs(), settings=RoutingSettings())
    assert dp.problem.requests == () and dp.screened[0][0] == "BIG" and "300 crates" in dp.screened[0][1]
