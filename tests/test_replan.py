"""Re-planning the bundled day mid-way: a van down, a branch closing early, urgent holds.

Each case re-plans a real plan of the bundled network with `bookvan replan` and proves: the new
folder passes the independent checker, the stops already driven are exactly the old ones, and
what can still be served is served (what waits has a reason).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.routing.check import check_plan_dir
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.scan import planned_handlings

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base") / "plan"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--time-limit", "30", "--search-steps", "50",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _replan(base: Path, out: Path, *args: str) -> dict:
    res = runner.invoke(app, ["replan", str(base), *args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert check_plan_dir(out) == [], res.output
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def _driven_unchanged(base: Path, out: Path, at: str) -> pd.DataFrame:
    """Every stop reached by ``at`` in the old plan is in the new one, at the same place and time."""
    old = load_plan(base).stops
    new = load_plan(out).stops
    cutoff = pd.Timestamp(f"2026-12-01 {at}", tz="Asia/Taipei")
    key = ["vehicle_id", "trip", "seq", "node_id", "arrival"]
    reached = old[old["arrival"] <= cutoff][key]
    kept = new[new["driven"]][key]
    merged = reached.merge(kept, on=key, how="left", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    # and nothing new happens before the re-plan time
    assert (new.loc[~new["driven"], "arrival"] >= cutoff).all()
    return new


def _morning_scans(base: Path, van: str, until: str, path: Path) -> Path:
    plan = load_plan(base)
    cutoff = pd.Timestamp(f"2026-12-01 {until}", tz="Asia/Taipei")
    rows = []
    for cid, hs in planned_handlings(plan).items():
        for h in hs:
            if h.vehicle_id == van and h.time <= cutoff:
                rows.append({"time": h.time.isoformat(), "vehicle_id": van, "node_id": h.node_id,
                             "crate_id": cid, "event": h.action})
    pd.DataFrame(rows).sort_values("time").to_csv(path, index=False)
    return path


def _morning_van(base: Path, until: str) -> str:
    """The van with the most crate handlings by ``until`` (the one whose breakdown matters)."""
    cutoff = pd.Timestamp(f"2026-12-01 {until}", tz="Asia/Taipei")
    counts: dict[str, int] = {}
    for hs in planned_handlings(load_plan(base)).values():
        for h in hs:
            if h.time <= cutoff:
                counts[h.vehicle_id] = counts.get(h.vehicle_id, 0) + 1
    assert counts, "no van handles a crate by 11:00 on the bundled day"
    return max(sorted(counts), key=counts.__getitem__)


def test_van_down_at_11_after_morning_scans(base: Path, tmp_path: Path) -> None:
    van = _morning_van(base, "11:00")
    other = {"VAN-1": "VAN-2", "VAN-2": "VAN-1"}[van]
    events = _morning_scans(base, van, "11:00", tmp_path / "scans.csv")
    out = tmp_path / "down"
    info = _replan(base, out, "--at", "11:00", "--events", str(events), "--van-down", van)
    new = _driven_unchanged(base, out, "11:00")
    # the broken van drives nothing after 11:00; its crates are collected and every transfer is served
    assert not ((new["vehicle_id"] == van) & ~new["driven"]).any()
    down = info["replan"]["vans_down"]
    assert [d["vehicle_id"] for d in down] == [van]
    assert info["unassigned"] == []
    plan = load_plan(out)
    relayed = [t for t in plan.transfers.index if str(t).endswith("~2")]
    assert relayed, f"{van} had crates on board at 11:00"
    carriers = {v for v, ids in zip(plan.stops["vehicle_id"], plan.stops["delivery_ids"], strict=True)
                for t in ids if t in relayed}
    assert carriers == {other}
    assert (out / "diff.csv").exists()
    moved = pd.read_csv(out / "diff.csv")
    assert {"moved", "new"} <= set(moved["change"])
    # the drivers' manifests print from the new folder (a run ending at the breakdown included)
    res = runner.invoke(app, ["manifest", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert any((out / "manifests").rglob(f"*{other}*"))


def test_branch_closing_at_14(base: Path, tmp_path: Path) -> None:
    # a late hold to the branch that cannot arrive before it closes, and one that can
    late = tmp_path / "late.csv"
    pd.DataFrame([
        {"transfer_id": "LATE-1", "origin": "KL-MAIN", "destination": "KL-ANLE", "items": 20, "kind": "hold",
         "release": "14:30"},
        {"transfer_id": "EARLY-1", "origin": "KL-MAIN", "destination": "KL-ANLE", "items": 20, "kind": "hold",
         "release": "12:00"},
    ]).to_csv(late, index=False)
    out = tmp_path / "closed"
    info = _replan(base, out, "--at", "11:00", "--close", "KL-ANLE@14:00", "--add-transfers", str(late))
    new = _driven_unchanged(base, out, "11:00")
    at_anle = new[new["node_id"] == "KL-ANLE"]
    start = at_anle["service_start"].fillna(at_anle["arrival"])
    assert (start < pd.Timestamp("2026-12-01 14:00", tz="Asia/Taipei")).all()
    waiting = {u["transfer_id"]: u["reason"] for u in info["unassigned"]}
    assert set(waiting) == {"LATE-1"}
    assert "closes early at 14:00" in waiting["LATE-1"]


def test_branch_closing_before_its_visit_reroutes(base: Path, tmp_path: Path) -> None:
    plan = load_plan(base)
    after = plan.stops[(plan.stops["arrival"] > pd.Timestamp("2026-12-01 11:00", tz="Asia/Taipei"))
                       & (plan.stops["node_id"].str.startswith("KL-"))
                       & (plan.stops["node_id"] != "KL-MAIN")]
    node = str(after.iloc[0]["node_id"])
    out = tmp_path / "shut"
    info = _replan(base, out, "--at", "11:00", "--close", node)
    new = _driven_unchanged(base, out, "11:00")
    assert not ((new["node_id"] == node) & ~new["driven"]).any()
    tr = plan.transfers
    touching = set(tr.index[(tr["origin_id"] == node) | (tr["destination_id"] == node)])
    done = {t for ids in new.loc[new["driven"], "delivery_ids"] for t in ids}
    waiting = {u["transfer_id"]: u["reason"] for u in info["unassigned"]}
    relayed = set(load_plan(out).transfers.index)
    for t in touching - done:
        if f"{t}~2" in relayed:  # on board, its destination shut: back to the depot, then it waits
            assert node in waiting[f"{t}~2"] and "waits at the depot" in waiting[f"{t}~2"]
        elif not any(t in ids for ids in new.loc[new["driven"], "pickup_ids"]):
            assert t in waiting and node in waiting[t]


def test_twenty_urgent_holds_at_13(base: Path, tmp_path: Path) -> None:
    branches = ["KL-ANLE", "KL-XINYI", "KL-BAIFU", "KL-NUANNUAN", "KL-ZHONGZHENG", "KL-DUWANQUAN", "KL-RENAI",
                "KL-ZHONGSHAN", "KL-YONGPING", "KL-QIDU"]
    rows = [{"transfer_id": f"URG-{i:02d}", "origin": branches[i % 10], "destination": branches[(i * 3 + 1) % 10],
             "items": 10, "kind": "hold"} for i in range(20)]
    rows = [r for r in rows if r["origin"] != r["destination"]]
    assert len(rows) == 20
    f = tmp_path / "urgent.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    out = tmp_path / "urgent"
    info = _replan(base, out, "--at", "13:00", "--add-transfers", str(f))
    new = _driven_unchanged(base, out, "13:00")
    waiting = {u["transfer_id"] for u in info["unassigned"]}
    served = {t for ids in new["delivery_ids"] for t in ids}
    assert {r["transfer_id"] for r in rows} <= served
    assert not waiting & {r["transfer_id"] for r in rows}
    assert info["replan"]["added"] == [r["transfer_id"] for r in rows]
    # the run lines are kept in plan.json
    assert info["runs"] and all("min to shift end" in r["text"] for r in info["runs"])


def test_replan_pure_function_matches_cli_rules(base: Path) -> None:
    """The function the desk calls: nothing before the time moves, and no scans are needed."""
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import bundled_network_dir, load_network
    from bookvan.routing.engine import SolveParams
    from bookvan.routing.replan import replan

    net = load_network()
    fl = load_fleet(bundled_network_dir() / "fleet.toml", set(net.node_ids))
    plan = load_plan(base)
    day = replan(plan, dt.time(7, 0), costs=fl.costs, settings=fl.routing,
                 params=SolveParams(time_limit_s=10, deterministic=True, solution_limit=50))
    assert not day.stops["driven"].any()  # 07:00: before any shift, nothing is driven
    assert {u["transfer_id"] for u in day.unassigned} <= set(day.transfers["transfer_id"])


def test_desk_replan_action_keeps_the_driven_stops(base: Path, tmp_path: Path) -> None:
    from bookvan.desk.actions import PlanRequest, midday_replan

    req = PlanRequest(date="2026-12-01", time_limit_s=30, search_steps=50)
    out = tmp_path / "desk"
    got = midday_replan(base, req, ("VAN-2",), dt.time(10, 0), out)
    assert got.without == ("VAN-2",)
    assert check_plan_dir(out) == []
    _driven_unchanged(base, out, "10:00")


def test_replan_honours_the_route_controls(base: Path, tmp_path: Path) -> None:
    """The network's controls.toml and --control bind the rest of the day, as they bind `plan`."""
    import shutil

    from bookvan.data.network import bundled_network_dir

    free = tmp_path / "free"
    _replan(base, free, "--at", "11:00")
    stops = load_plan(free).stops
    later = stops[~stops["driven"] & (stops["node_id"] != "KL-MAIN")]
    by_van = later.groupby("node_id")["vehicle_id"].agg(set)
    node, van = next((n, min(v)) for n, v in by_van.items() if len(v) == 1)
    other = "VAN-2" if van == "VAN-1" else "VAN-1"
    # the file: the node is pinned to the other van
    net = tmp_path / "net"
    shutil.copytree(bundled_network_dir(), net)
    (net / "controls.toml").write_text(f'[pin]\n"{node}" = "{other}"\n', encoding="utf-8")
    pinned = tmp_path / "pinned"
    info = _replan(base, pinned, "--at", "11:00", "--network", str(net))
    new = _driven_unchanged(base, pinned, "11:00")
    there = new[~new["driven"] & (new["node_id"] == node)]
    assert other in set(there["vehicle_id"])
    # only crates already on board another van (they stay on it) reach the node otherwise
    on_board = {t for ids in new.loc[new["driven"], "pickup_ids"] for t in ids}
    elsewhere = there[there["vehicle_id"] != other]
    assert {t for ids in elsewhere["delivery_ids"] for t in ids} <= on_board
    assert not any(len(ids) for ids in elsewhere["pickup_ids"])
    assert info["controls"]["pins"] == {node: other}
    # a flag: that van's day (from first leaving the depot, the driven part included) is cut short
    mine = stops[stops["vehicle_id"] == van]
    hours = round((mine["arrival"].max() - mine["departure"].min()).total_seconds() / 3600 * 0.85, 2)
    short = tmp_path / "short"
    info = _replan(base, short, "--at", "11:00", "--control", f"max_hours.{van}={hours}")
    new = _driven_unchanged(base, short, "11:00")
    mine = new[new["vehicle_id"] == van]
    assert (mine["arrival"].max() - mine["departure"].min()).total_seconds() <= hours * 3600 + 1
    assert info["controls"]["max_hours"] == {van: hours}


def test_replan_refuses_a_control_naming_no_node(base: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["replan", str(base), "--at", "11:00", "--control", "order=KL-ANLE,NOWHERE",
                              "--out", str(tmp_path / "x")])
    assert res.exit_code == 2
    assert "NOWHERE" in res.output and "order[0]" in res.output and "Traceback" not in res.output


def test_manifests_of_a_replan_list_the_rest_of_the_day(base: Path, tmp_path: Path) -> None:
    """Re-printed after a re-plan: only what is still to do, each sheet saying from when."""
    import shutil
    import subprocess

    from bookvan.routing.manifest.rest import rest_of_day
    from bookvan.routing.manifest.runs import build_runs

    out = tmp_path / "r1100"
    _replan(base, out, "--at", "11:00", "--van-down", "VAN-1")
    plan = load_plan(out)
    stops = plan.stops
    rest = rest_of_day(plan).stops
    # runs driven to their end are gone; a run under way keeps only its last driven stop, emptied
    for (van, trip), run in stops.groupby(["vehicle_id", "trip"]):
        left = rest[(rest["vehicle_id"] == van) & (rest["trip"] == trip)]
        todo = run[~run["driven"]]
        assert len(left) == (0 if todo.empty else len(todo) + int(run["driven"].any()))
        if len(left) and run["driven"].any():
            here = left.iloc[0]
            assert here["driven"] and here["seq"] == run.loc[run["driven"], "seq"].max()
            assert here["seq"] == 0 or (len(here["pickup_ids"]) == 0 and len(here["delivery_ids"]) == 0)
    assert not rest.empty and (rest["driven"].sum() <= rest[["vehicle_id", "trip"]].drop_duplicates().shape[0])
    res = runner.invoke(app, ["manifest", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    index = json.loads((out / "manifests" / "index.json").read_text(encoding="utf-8"))
    assert index["replan_from"].startswith("2026-12-01T11:00") and index["rest_of_day"] is True
    runs = build_runs(rest_of_day(plan))
    assert [(r["vehicle_id"], r["trip"]) for r in index["runs"]] == [(r.vehicle_id, r.trip) for r in runs]
    # what the driver reads: the sheet says it is a re-plan from 11:00, and lists the stops still to do
    if shutil.which("pdftotext"):
        first = index["runs"][0]
        pdf = out / "manifests" / first["pdf_file"]
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Re-plan from" in text and "11:00" in text and "only the stops still to do" in text
    whole = runner.invoke(app, ["manifest", str(out), "--lang", "en", "--whole-day", "--out", str(tmp_path / "all")])
    assert whole.exit_code == 0, whole.output
    every = json.loads((tmp_path / "all" / "index.json").read_text(encoding="utf-8"))
    assert len(every["runs"]) == stops[["vehicle_id", "trip"]].drop_duplicates().shape[0] >= len(index["runs"])
