"""Issue 18 point 1, done-when: a realistic item-level export of thousands of rows, made from the
bundled synthetic history (its origin-destination flows, one row per item), plans the day, prints
labels whose packing lists name the items, and gives the same plan as the aggregated CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bookvan.data.transfers import read_transfer_list

REASON = {"hold": "Reserve", "return": "ReturnToHome"}


def koha_export(path: Path, open_ids: set[str], at_least: int = 2000) -> int:
    """A Koha "transfers to send" list: the history's last days of flows, one row per item."""
    from bookvan.demand.synthetic import bundled_od_flows

    flows = bundled_od_flows()
    flows = flows[flows["origin"].isin(open_ids) & flows["destination"].isin(open_ids)]
    days = sorted(flows["date"].unique())[::-1]
    picked, n = [], 0
    for d in days:
        picked.append(d)
        n += int(flows.loc[flows["date"] == d, "items"].sum())
        if n >= at_least:
            break
    lines = ["barcode,title,frombranch,tobranch,reason"]
    k = 0
    for r in flows[flows["date"].isin(picked)].itertuples(index=False):
        for _ in range(int(r.items)):
            k += 1
            lines.append(f"3901{k:07d},館藏 {k} Book {k},{r.origin},{r.destination},{REASON[r.kind]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return k


@pytest.mark.slow
def test_thousands_of_items_plan_like_the_aggregated_list_and_label_their_crates(
    tmp_path: Path, network, fleet
) -> None:
    from conftest import PLAN_DATE

    from bookvan.data.travel import build_matrix
    from bookvan.routing.daily import plan_day
    from bookvan.routing.engine.params import SolveParams
    from bookvan.routing.manifest.pdf_labels import crate_labels
    from bookvan.routing.manifest.plan import load_plan
    from bookvan.routing.manifest.runs import build_runs
    from bookvan.routing.manifest.write import write_manifests
    from bookvan.routing.planfolder import write_plan

    # five nodes keep the routing small (the groups, not the rows, set its size); the rows stay thousands
    some = {"KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU", "KL-RENAI"}
    open_ids = {n for n in some if network.hours_on(n, PLAN_DATE).is_open}
    rows = koha_export(tmp_path / "koha.csv", open_ids)
    assert rows >= 2000
    listed = read_transfer_list(tmp_path / "koha.csv", node_ids=set(network.node_ids), date=PLAN_DATE,
                                items_per_crate=fleet.items_per_crate)
    assert listed.items is not None and len(listed.items) == rows
    agg = tmp_path / "agg.csv"
    listed.transfers[["transfer_id", "origin_id", "destination_id", "items", "kind"]].to_csv(agg, index=False)
    again = read_transfer_list(agg, node_ids=set(network.node_ids), date=PLAN_DATE,
                               items_per_crate=fleet.items_per_crate)
    pd.testing.assert_frame_equal(again.transfers, listed.transfers)
    params = SolveParams(time_limit_s=60, seed=0, deterministic=True, solution_limit=3)
    matrix = build_matrix(network.nodes)
    a = plan_day(network, fleet, listed.transfers, PLAN_DATE, matrix, params)
    b = plan_day(network, fleet, again.transfers, PLAN_DATE, matrix, params)
    pd.testing.assert_frame_equal(a.stops, b.stops)
    assert a.unassigned == b.unassigned and a.summary["total_distance_m"] == b.summary["total_distance_m"]
    # the exported lane costs price the legs this plan drives: same km, same NT$ per km and hour
    from bookvan.routing.cost_export import lane_costs

    cap = max(v.capacity_crates for v in fleet.vehicles)
    lanes = lane_costs(network, matrix, fleet.costs, cap, None, PLAN_DATE).set_index(["from_id", "to_id"])
    legs = [(x, y) for _, run in a.stops.sort_values(["vehicle_id", "trip", "seq"]).groupby(["vehicle_id", "trip"])
            for x, y in zip(run["node_id"], run["node_id"].iloc[1:], strict=False) if x != y]
    assert legs and sum(lanes.loc[leg, "distance_km"] for leg in legs) == pytest.approx(
        a.summary["total_distance_m"] / 1000, abs=0.01 * len(legs))
    drive_ntd = sum(lanes.loc[leg, "ntd_per_crate"] * cap for leg in legs)
    hours = sum(lanes.loc[leg, "driving_min"] for leg in legs) / 60
    assert drive_ntd == pytest.approx(fleet.costs.per_km * a.summary["total_distance_m"] / 1000
                                      + fleet.costs.per_driver_hour * hours, rel=0.01)
    folder = write_plan(a, tmp_path / "plan", items=listed.items)
    plan = load_plan(folder)
    labels = crate_labels(plan, build_runs(plan))
    named = [i for lab in labels for i in lab.items]
    assert labels and all(lab.items for lab in labels)  # every printed crate lists its items
    assert len(named) == len(set(named))
    res = write_manifests(folder, tmp_path / "m", lang="both")
    packing = pd.read_csv(res.out_dir / "packing.csv", dtype=str)
    assert list(packing["item_id"]) == named
    moved = set(plan.transfers.loc[~plan.transfers["transfer_id"].isin(
        [u["transfer_id"] for u in plan.unassigned]), "transfer_id"])
    assert moved  # the day moved items, and each label's items belong to its transfer
    receiving = pd.concat([pd.read_csv(p, dtype=str) for p in (res.out_dir / "receiving").glob("*.csv")])
    assert set(receiving["item_id"].dropna()) == set(named)
    index = json.loads((res.out_dir / "index.json").read_text(encoding="utf-8"))
    assert index["packing"] == "packing.csv" and any(p.startswith("receiving/") for p in index["branch_lists"])
