"""End to end: ``bookvan plan`` then ``bookvan manifest`` on the bundled network (real solver)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs

pytestmark = pytest.mark.slow

BOOKVAN = str(Path(sys.executable).with_name("bookvan"))


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("day") / "2026-12-01"
    subprocess.run(
        [BOOKVAN, "plan", "--date", "2026-12-01", "--out", str(out), "--time-limit", "3"],
        check=True,
        capture_output=True,
    )
    subprocess.run([BOOKVAN, "manifest", str(out), "--lang", "both"], check=True, capture_output=True)
    return out


def test_every_run_printed_with_its_stops_and_crates(planned):
    plan = load_plan(planned)
    runs = build_runs(plan)
    index = json.loads((planned / "manifests" / "index.json").read_text(encoding="utf-8"))
    assert len(index["runs"]) == len(runs) >= 1
    for run in runs:
        pdf = planned / "manifests" / "runs" / f"{run.key}.pdf"
        text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        flat = re.sub(r"\s+", "", text)
        for s in run.stops:
            assert re.sub(r"\s+", "", s.name_zh) in flat
        assert run.crates_loaded == run.crates_unloaded
        for s in run.stops:
            for line in (*s.load, *s.unload):
                for cid in line.crate_ids:
                    assert cid in text
    # totals: the runs' distances add up to the plan's, crates planned are all labelled
    assert sum(r.distance_m for r in runs) == pytest.approx(plan.info["total_distance_m"], abs=1.0)
    crates = {c for r in runs for s in r.stops for line in s.load for c in line.crate_ids}
    assert index["labels"]["crates"] == len(crates)
    unassigned = {u["transfer_id"] for u in plan.unassigned}
    html = (planned / "manifests" / "overview.html").read_text(encoding="utf-8")
    for tid in unassigned:
        assert tid in html


def test_planner_crate_ids_scan_from_a_300_dpi_label_sheet(planned, tmp_path):
    import zxingcpp
    from PIL import Image

    runs = build_runs(load_plan(planned))
    expected = sorted({c for r in runs for s in r.stops for line in s.load for c in line.crate_ids})
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", str(planned / "manifests" / "labels.pdf"), str(tmp_path / "p")],
        check=True,
    )
    found = {"Code128": [], "QRCode": []}
    for png in sorted(tmp_path.glob("p*.png")):
        for r in zxingcpp.read_barcodes(Image.open(png)):
            found[r.format.name].append(r.text)
    assert sorted(found["Code128"]) == expected
    assert sorted(found["QRCode"]) == expected
