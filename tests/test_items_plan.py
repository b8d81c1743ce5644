"""An item-level list plans the same day as the same transfers in the aggregated form, and
``bookvan plan`` keeps the items in ``items.parquet`` and reports items listed twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.tables import ITEMS_SCHEMA, read_table
from bookvan.data.transfers import read_transfer_list

DATE_S = "2026-12-01"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
PAIRS = [("KL-ANLE", "KL-XINYI", "Reserve"), ("KL-BAIFU", "KL-MAIN", "ReturnToHome"),
         ("KL-MAIN", "KL-ANLE", "Reserve"), ("KL-XINYI", "KL-BAIFU", "StockrotationAdvance"),
         ("KL-ANLE", "KL-XINYI", "ReturnToHome")]


def _item_list(path: Path, per_pair: int = 40, twice: int = 3) -> Path:
    lines = ["barcode,title,frombranch,tobranch,reason"]
    k = 0
    for o, d, why in PAIRS:
        for _ in range(per_pair):
            k += 1
            lines.append(f"39{k:08d},Title {k},{o},{d},{why}")
    lines += [lines[1 + j * 7] for j in range(twice)]  # a few barcodes listed again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_same_plan_from_items_as_from_aggregated(tmp_path: Path, network, fleet) -> None:
    from conftest import PLAN_DATE

    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams

    src = _item_list(tmp_path / "items.csv")
    listed = read_transfer_list(src, node_ids=set(network.node_ids), date=PLAN_DATE,
                                items_per_crate=fleet.items_per_crate)
    agg = tmp_path / "agg.csv"
    listed.transfers[["transfer_id", "origin_id", "destination_id", "items", "kind"]].to_csv(agg, index=False)
    again = read_transfer_list(agg, node_ids=set(network.node_ids), date=PLAN_DATE,
                               items_per_crate=fleet.items_per_crate)
    assert again.items is None
    pd.testing.assert_frame_equal(again.transfers, listed.transfers)
    params = SolveParams(time_limit_s=20, seed=0, deterministic=True, solution_limit=10)
    matrix = build_matrix(network.nodes)
    a = plan_day(network, fleet, listed.transfers, PLAN_DATE, matrix, params)
    b = plan_day(network, fleet, again.transfers, PLAN_DATE, matrix, params)
    pd.testing.assert_frame_equal(a.stops, b.stops)
    assert a.unassigned == b.unassigned and a.summary["total_distance_m"] == b.summary["total_distance_m"]


@pytest.mark.slow
def test_cli_plans_an_item_list_keeps_items_and_reports_twice_listed(tmp_path: Path) -> None:
    src = _item_list(tmp_path / "items.csv")
    res = runner.invoke(app, ["plan", "--date", DATE_S, "--transfers", str(src), "--time-limit", "4",
                              "--out", str(tmp_path / "plan")])
    assert res.exit_code == 0, res.output
    assert "200 items in 203 rows grouped into 5 transfers" in " ".join(res.output.split())
    assert "3 item(s) listed more than once" in " ".join(res.output.split())
    plan = tmp_path / "plan"
    items = read_table(plan / "items.parquet")
    assert list(items.columns) == ITEMS_SCHEMA.names and len(items) == 200 and items["item_id"].is_unique
    transfers = read_table(plan / "transfers.parquet")
    # split parts name their transfer in part_of, legs relayed through the depot in leg_of
    original = transfers["part_of"].fillna(transfers["leg_of"]).fillna(transfers["transfer_id"])
    assert set(items["transfer_id"]) == set(original)
    first_legs = transfers["leg"].isna() | (transfers["leg"] == 1)
    per_transfer = transfers[first_legs].groupby(original[first_legs])["items"].sum().to_dict()
    assert per_transfer == items.groupby("transfer_id").size().to_dict()
    meta = json.loads((plan / "plan.json").read_text(encoding="utf-8"))
    assert meta["items"]["rows"] == 203 and meta["items"]["items"] == 200
    assert [d["rows"] for d in meta["items"]["listed_twice"]] == [[1, 201], [8, 202], [15, 203]]
    assert runner.invoke(app, ["check", str(plan)]).exit_code == 0


def test_cli_bad_item_list_is_exit_2_with_row_and_field(tmp_path: Path) -> None:
    src = tmp_path / "items.csv"
    src.write_text("barcode,frombranch,tobranch,reason\nB1,KL-ANLE,KL-MAIN,Reserve\nB2,KL-NOPE,KL-MAIN,Reserve\n",
                   encoding="utf-8")
    res = runner.invoke(app, ["plan", "--date", DATE_S, "--transfers", str(src), "--out", str(tmp_path / "p")])
    assert res.exit_code == 2 and "row 2" in res.output and "origin" in res.output
    assert not (tmp_path / "p").exists()
    res = runner.invoke(app, ["plan", "--date", DATE_S, "--transfers", str(src), "--transfers-format", "bogus",
                              "--out", str(tmp_path / "p")])
    assert res.exit_code == 2 and "--transfers-format" in res.output


def test_split_parts_take_whole_crates_of_items() -> None:
    from bookvan.data.transfers import transfers_frame
    from bookvan.routing.day_input import split_oversize

    t = transfers_frame([{"transfer_id": "T1", "origin_id": "A", "destination_id": "B", "items": 725, "crates": 25,
                          "kind": "hold", "release": None, "due": None}])
    df = split_oversize(t, 24, None, 30)
    assert list(df["items"]) == [720, 5] and list(df["crates"]) == [24, 1]


@pytest.mark.slow
def test_labels_and_packing_list_name_the_items_in_each_crate(tmp_path: Path, network, fleet) -> None:
    """A group bigger than a van travels as parts; every crate's items are listed once."""
    from conftest import PLAN_DATE

    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.manifest.pdf_labels import crate_labels
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.manifest.runs import build_runs
    from bookvan.routing.manifest.write import write_manifests
    from bookvan.routing.planfolder import write_plan

    lines = ["barcode,title,frombranch,tobranch,reason"]
    lines += [f"A{k:05d},=Title {k},KL-ANLE,KL-MAIN,Reserve" for k in range(725)]  # 25 crates: parts 24 + 1
    lines += [f"B{k:05d},Book {k},KL-XINYI,KL-BAIFU,ReturnToHome" for k in range(40)]
    src = tmp_path / "items.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    listed = read_transfer_list(src, node_ids=set(network.node_ids), date=PLAN_DATE,
                                items_per_crate=fleet.items_per_crate)
    plan = plan_day(network, fleet, listed.transfers, PLAN_DATE, build_matrix(network.nodes),
                    SolveParams(time_limit_s=20, seed=0, deterministic=True, solution_limit=10))
    assert {"T0001/1", "T0001/2"} <= set(plan.transfers["transfer_id"])
    folder = write_plan(plan, tmp_path / "plan", items=listed.items)
    p = load_plan(folder)
    labels = crate_labels(p, build_runs(p))
    by_crate = {lab.crate_id: lab.items for lab in labels}
    assert by_crate["T0001/1-C01"] == tuple(f"A{k:05d}" for k in range(30))
    assert by_crate["T0001/2-C01"] == tuple(f"A{k:05d}" for k in range(720, 725))
    assert all(0 < len(v) <= fleet.items_per_crate for v in by_crate.values())
    moved = [i for v in by_crate.values() for i in v]
    assert len(moved) == len(set(moved))
    res = write_manifests(folder, tmp_path / "m", lang="en")
    rows = pd.read_csv(res.out_dir / "packing.csv", dtype=str)
    assert list(rows["item_id"]) == moved and set(rows["crate_id"]) == set(by_crate)
    assert rows["title"].str.startswith("'=").sum() == sum(1 for i in moved if i.startswith("A"))
    assert json.loads((res.out_dir / "index.json").read_text(encoding="utf-8"))["packing"] == "packing.csv"


def test_crate_contents_follow_parts_and_hub_legs() -> None:
    """Hub legs keep the crate id of their part; part 2's crate 1 is the group's crate 25."""
    from bookvan.routing.manifest.packing import crate_contents
    from bookvan.routing.manifest.plan import Plan

    def row(tid: str, crates: int, leg_of: str | None, part_of: str | None) -> dict[str, object]:
        return {"transfer_id": tid, "crates": crates, "leg_of": leg_of, "part_of": part_of}

    transfers = pd.DataFrame([row("G/1.1", 24, "G/1", "G"), row("G/1.2", 24, "G/1", "G"),
                              row("G/2.1", 1, "G/2", "G"), row("G/2.2", 1, "G/2", "G"),
                              row("H.1", 1, "H", None), row("H.2", 1, "H", None)])
    items = pd.DataFrame({"transfer_id": ["G"] * 3 + ["H"], "item_id": ["a", "b", "c", "d"],
                          "crate_no": [1, 24, 25, 1], "source_row": [1, 2, 3, 4]})
    empty = pd.DataFrame()
    plan = Plan(Path("."), {"date": "2026-12-01"}, empty, empty, transfers, empty, None, None, "x", items)
    got = {cid: [r["item_id"] for r in recs] for cid, recs in crate_contents(plan).items()}
    assert got == {"G/1-C01": ["a"], "G/1-C24": ["b"], "G/2-C01": ["c"], "H-C01": ["d"]}


@pytest.mark.slow
def test_a_large_item_list_with_relays_split_into_parts_plans(tmp_path: Path) -> None:
    """50,000 item rows on the scheduled bundled day: relays too big for one van travel as
    parts (``part_of``) and the schedule's waiting list still finds their depot leg."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("items_bench", ROOT / "bench" / "items_bench.py")
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    src = tmp_path / "items.csv"
    bench.write_item_list(src, 50_000, dt.date(2026, 12, 1))
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(src), "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["check", str(tmp_path / "p")]).exit_code == 0
