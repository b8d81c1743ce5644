"""Crate labels: every planned crate has one label whose Code 128 and QR decode to its crate id."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import zxingcpp
from PIL import Image
from plan_factory import good_plan, write_plan_dir

from bookvan.routing.manifest import write_manifests
from bookvan.routing.manifest.pdf_labels import SHEET, crate_labels
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs
from bookvan.routing.manifest.sample import write_sample_plan


def _planned_crate_ids(plan) -> set[str]:
    """From the tables alone: crates of every picked-up transfer, a hub transfer counted once."""
    tr = plan.transfers.set_index("transfer_id")
    ids = set()
    for ids_at_stop in plan.stops["pickup_ids"]:
        for t in ids_at_stop:
            base = tr.loc[t, "leg_of"] if isinstance(tr.loc[t, "leg_of"], str) else t
            ids |= {f"{base}-C{n:02d}" for n in range(1, int(tr.loc[t, "crates"]) + 1)}
    return ids


def test_one_label_per_planned_crate_in_pickup_order(tmp_path):
    plan = load_plan(write_plan_dir(good_plan(), tmp_path / "plan"))
    labels = crate_labels(plan, build_runs(plan))
    assert {lab.crate_id for lab in labels} == _planned_crate_ids(plan)
    assert len(labels) == len(_planned_crate_ids(plan)) == 3 + 2 + 4 + 2 + 5
    h1 = [lab for lab in labels if lab.transfer_id == "H1"]
    assert [(lab.origin_id, lab.destination_id, lab.n, lab.of) for lab in h1] == [
        ("KL-ANLE", "KL-BAIFU", 1, 2),
        ("KL-ANLE", "KL-BAIFU", 2, 2),
    ]
    assert h1[0].destination_zh == "百福分館"
    # VAN-1's run 1 picks T1 first; labels follow the runs in order
    assert labels[0].crate_id == "T1-C01"


@pytest.mark.slow
def test_barcodes_decode_from_the_printed_page(tmp_path):
    folder = write_sample_plan(tmp_path / "plan", dt.date(2026, 12, 1))
    res = write_manifests(folder, lang="zh-TW")
    plan = load_plan(folder)
    expected = _planned_crate_ids(plan)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            str(res.out_dir / "labels.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    per_page = SHEET["cols"] * SHEET["rows"]
    assert len(pages) == -(-len(expected) // per_page)
    code128, qr = [], []
    for png in pages:
        for r in zxingcpp.read_barcodes(Image.open(png)):
            (code128 if r.format == zxingcpp.BarcodeFormat.Code128 else qr).append(r.text)
            assert r.format in (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)
    assert sorted(code128) == sorted(expected)  # each once: one label per crate
    assert sorted(qr) == sorted(expected)
    # and a scanned id finds its line: it is printed in the manifest of the run that loads it
    text = subprocess.run(
        ["pdftotext", str(res.out_dir / "runs" / "VAN-1_trip1.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    first = plan.stops.iloc[0]["pickup_ids"][0]
    assert f"{first}-C01" in text
