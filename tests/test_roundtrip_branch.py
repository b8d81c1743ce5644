"""What each branch receives and packs, and what arrived, on the hand-built plan with items and scans.

Scans of the day (plan_factory's plan, see its docstring): T1 (Anle → Xinyi) arrives whole;
T3 (depot → Baifu) arrives but its crate 4 is reported missing; T2 (Xinyi → depot) is still on
VAN-1; H1 went its first leg to the depot and waits there; T4 was never loaded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from plan_factory import DATE, A, B, C, D, X, good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.routing.manifest.branch_lists import branch_rows
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs

runner = CliRunner()
PER_CRATE = 30


def _items(tables: dict) -> pd.DataFrame:
    rows = []
    t = tables["transfers"]
    for r in t[t["leg"].isna() | (t["leg"] == 1)].itertuples(index=False):
        base = r.leg_of if isinstance(r.leg_of, str) else r.transfer_id
        dest = t.loc[t["leg_of"] == base, "destination_id"].iloc[-1] if isinstance(r.leg_of, str) else r.destination_id
        for k in range(int(r.crates) * PER_CRATE):
            rows.append({"transfer_id": base, "item_id": f"{base}-{k:03d}", "title": f"=Book {k}",
                         "origin_id": r.origin_id, "destination_id": dest, "kind": r.kind, "release": None,
                         "due": None, "source_row": len(rows) + 1, "crate_no": k // PER_CRATE + 1})
    return pd.DataFrame(rows)


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    tables = good_plan()
    tables["items"] = _items(tables)
    return write_plan_dir(tables, tmp_path / "plan")


def _scans(path: Path) -> Path:
    rows = ["time,vehicle_id,node_id,crate_id,event"]
    rows += [f"{DATE} 09:05,VAN-1,{A},T1-C0{k},loaded" for k in (1, 2, 3)]
    rows += [f"{DATE} 09:25,VAN-1,{B},T1-C0{k},unloaded" for k in (1, 2, 3)]
    rows += [f"{DATE} 09:26,VAN-1,{B},T2-C0{k},loaded" for k in (1, 2)]
    rows += [f"{DATE} 09:05,VAN-2,{A},H1-C0{k},loaded" for k in (1, 2)]
    rows += [f"{DATE} 09:56,VAN-2,{D},H1-C0{k},unloaded" for k in (1, 2)]
    rows += [f"{DATE} 10:35,VAN-1,{D},T3-C0{k},loaded" for k in (1, 2, 3)]
    rows += [f"{DATE} 11:02,VAN-1,{C},T3-C0{k},unloaded" for k in (1, 2, 3)]
    rows += [f"{DATE} 11:03,VAN-1,{C},T3-C04,missing"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_receiving_and_packing_lists_name_items_and_times(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    receiving, packing = branch_rows(plan, build_runs(plan))
    at_b = receiving[B]
    assert {r["crate_id"] for r in at_b} == {"T1-C01", "T1-C02", "T1-C03"}
    assert len(at_b) == 90 and [r["item_id"] for r in at_b[:2]] == ["T1-000", "T1-001"]
    assert {r["expected_arrival"][11:16] for r in at_b} == {"09:22"} and {r["vehicle_id"] for r in at_b} == {"VAN-1"}
    at_c = receiving[C]  # T3 and the hub crates of H1 (second leg)
    assert {r["crate_id"][:2] for r in at_c} == {"T3", "H1"} and len(at_c) == 6 * PER_CRATE
    assert all(r["final_destination_id"] == C for r in at_c)
    depot = {r["crate_id"] for r in receiving[D]}
    assert {"H1-C01", "T2-C01", "T4-C05"} <= depot  # hub crates come in for sorting too
    pack_a = packing[A]
    assert {r["crate_id"] for r in pack_a} == {"T1-C01", "T1-C02", "T1-C03", "H1-C01", "H1-C02"}
    ready = {r["crate_id"]: (r["ready_by"][11:16], r["vehicle_id"]) for r in pack_a}
    assert ready["T1-C01"] == ("08:55", "VAN-1") and ready["H1-C02"] == ("09:00", "VAN-2")  # the vans' arrivals
    assert not any(r["crate_id"].startswith("U1") for rows in packing.values() for r in rows)  # unassigned


@pytest.mark.slow
def test_manifest_writes_branch_lists_csv_safe_and_bilingual(plan_dir: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["manifest", str(plan_dir), "--lang", "en", "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    rec = pd.read_csv(tmp_path / "m" / "receiving" / f"{B}.csv", dtype=str)
    assert len(rec) == 90 and rec["title"].str.startswith("'=").all()
    page = (tmp_path / "m" / "packing" / f"{A}.html").read_text(encoding="utf-8")
    assert "裝箱清單" in page and "Packing list" in page and "H1-C02" in page and "09:00" in page


def test_arrived_report_per_item_with_a_missing_crate(plan_dir: Path, tmp_path: Path) -> None:
    scans = _scans(tmp_path / "scans.csv")
    res = runner.invoke(app, ["arrived", str(plan_dir), str(scans), "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    rep = pd.read_csv(tmp_path / "a" / "arrived.csv", dtype=str, keep_default_na=False)
    assert list(rep.columns[:4]) == ["item_id", "status", "node_id", "time"]
    status = dict(zip(rep["item_id"], zip(rep["status"], rep["node_id"], rep["vehicle_id"], strict=True),
                      strict=True))
    assert status["T1-000"] == ("arrived", B, "") and status["T3-000"] == ("arrived", C, "")
    assert status["T3-095"] == ("missing", C, "")  # crate 4 holds items 90..119
    assert status["T2-010"] == ("in_transit", "", "VAN-1")
    assert status["H1-000"] == ("in_transit", D, "")
    assert status["T4-000"] == ("waiting", C, "")
    assert rep["time"][rep["item_id"] == "T1-000"].iloc[0].startswith(f"{DATE}T09:25")
    assert len(rep) == rep["item_id"].nunique() == 17 * PER_CRATE
    carry = pd.read_csv(tmp_path / "a" / "carry_over.csv", dtype=str)
    moved = dict(zip(carry["item_id"], zip(carry["origin_id"], carry["destination_id"], strict=True), strict=True))
    assert "T2-010" not in moved  # on VAN-1, which ends its run at the depot: its destination
    assert moved["H1-000"] == (D, C) and moved["T4-000"] == (C, D) and moved["U1-000"] == (X, B)  # U1: left out
    assert not any(i.startswith(("T1-", "T3-")) for i in moved)  # arrived or missing: not carried over
    page = (tmp_path / "a" / "arrived.html").read_text(encoding="utf-8")
    assert "遺失 missing (30)" in page and "T3-C04" in page
    # the carry-over plans as tomorrow's item-level transfer list
    from bookvan.data.transfers import read_transfer_list

    listed = read_transfer_list(tmp_path / "a" / "carry_over.csv", node_ids={A, B, C, D, X},
                                date=pd.Timestamp(DATE).date(), items_per_crate=PER_CRATE)
    assert listed.items is not None and len(listed.items) == len(carry)
    pairs = set(zip(listed.transfers["origin_id"], listed.transfers["destination_id"], strict=True))
    assert pairs == {(D, C), (C, D), (X, B)}


def test_ils_checkins_have_the_last_word_and_bad_rows_exit_2(plan_dir: Path, tmp_path: Path) -> None:
    scans = _scans(tmp_path / "scans.csv")
    chk = tmp_path / "checkins.csv"
    # a missing crate's item turns up at Baifu; one of T4's never-loaded items is checked in at the depot
    chk.write_text(f"barcode,branchcode,datetime\nT3-095,{C},{DATE} 15:10\nT4-001,{D},{DATE} 16:00\n"
                   f"T3-095,{C},{DATE} 14:00\n", encoding="utf-8")
    res = runner.invoke(app, ["arrived", str(plan_dir), str(scans), "--checkins", str(chk),
                              "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    rep = pd.read_csv(tmp_path / "a" / "arrived.csv", dtype=str, keep_default_na=False).set_index("item_id")
    assert tuple(rep.loc["T3-095", ["status", "node_id"]]) == ("arrived", C)
    assert rep.loc["T3-095", "time"].startswith(f"{DATE}T15:10")  # the latest check-in
    assert tuple(rep.loc["T4-001", ["status", "node_id"]]) == ("arrived", D)
    assert rep.loc["T3-096", "status"] == "missing"
    carry = pd.read_csv(tmp_path / "a" / "carry_over.csv", dtype=str)
    assert "T4-001" not in set(carry["item_id"]) and "T4-000" in set(carry["item_id"])
    chk.write_text(f"barcode,branchcode,datetime\nT3-095,KL-NOPE,{DATE} 15:10\nT4-001,{D},yesterday\n",
                   encoding="utf-8")
    res = runner.invoke(app, ["arrived", str(plan_dir), str(scans), "--checkins", str(chk),
                              "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "row 1" in res.output and "node_id" in res.output and "row 2" in res.output
    assert not (tmp_path / "b").exists()


def test_crate_level_plan_reports_crates_and_carries_over_aggregated(tmp_path: Path) -> None:
    from bookvan.data.scans import read_scans
    from bookvan.routing.arrived import arrival_report

    plan = load_plan(write_plan_dir(good_plan(), tmp_path / "plan"))  # no items.parquet
    rep = arrival_report(plan, read_scans(_scans(tmp_path / "scans.csv")))
    assert not rep.carry_over_items and rep.counts() == {"arrived": 6, "in_transit": 4, "missing": 1, "waiting": 6}
    hub = next(r for r in rep.rows if r["crate_id"] == "H1-C01")
    assert (hub["origin_id"], hub["kind"], hub["node_id"]) == (A, "hold", D)
    carry = {(c["origin_id"], c["destination_id"], c["kind"]): c["items"] for c in rep.carry_over}
    assert carry == {(C, D, "return"): 150, (X, B, "hold"): 30, (D, C, "hold"): 60}
