"""Driver manifests: Chinese names as text, embedded CJK font, crate ids and totals as planned."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from bookvan.routing.manifest import write_manifests
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.sample import write_sample_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = write_sample_plan(tmp_path_factory.mktemp("s") / "plan", dt.date(2026, 12, 1))
    res = write_manifests(folder, lang="both")
    return load_plan(folder), res.out_dir


def _text(pdf) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _expected(plan):
    """Per run, straight from the tables: stop names, crates loaded/unloaded, crate ids."""
    tr = plan.transfers.set_index("transfer_id")
    out = {}
    for (van, trip), g in plan.stops.groupby(["vehicle_id", "trip"]):
        names = [plan.nodes.loc[n, "name_zh"] for n in g["node_id"]]
        picks = [t for ids in g["pickup_ids"] for t in ids]
        drops = [t for ids in g["delivery_ids"] for t in ids]
        ids = set()
        for t in picks + drops:
            base = tr.loc[t, "leg_of"] if isinstance(tr.loc[t, "leg_of"], str) else t
            ids |= {f"{base}-C{n:02d}" for n in range(1, int(tr.loc[t, "crates"]) + 1)}
        out[f"{van}_trip{trip}"] = (
            names,
            int(tr.loc[picks, "crates"].sum()),
            int(tr.loc[drops, "crates"].sum()),
            ids,
        )
    return out


def test_every_stop_name_in_chinese_and_every_crate_id(made):
    plan, out = made
    exp = _expected(plan)
    assert exp
    for key, (names, loaded, unloaded, ids) in exp.items():
        text = _text(out / "runs" / f"{key}.pdf")
        flat = re.sub(r"\s+", "", text)
        for name in names:
            assert re.sub(r"\s+", "", name) in flat, (key, name)
        printed = set(re.findall(r"\b[A-Z][A-Z0-9.]*-C\d{2,}\b", text))
        assert printed == ids, key
        # header totals: crates loaded and unloaded, which are equal in a closed run
        m = re.search(r"裝 loaded (\d+) / 卸 unloaded (\d+)", text)
        assert m and (int(m[1]), int(m[2])) == (loaded, unloaded) and loaded == unloaded
        assert f"plan {plan.plan_id}" in text
        assert "page 1 of" in text


def test_english_names_beneath_with_both(made):
    plan, out = made
    text = _text(out / "runs" / "VAN-2_trip1.pdf")
    for nid in plan.stops.loc[plan.stops["vehicle_id"] == "VAN-2", "node_id"]:
        first_word = plan.nodes.loc[nid, "name_en"].split()[0]
        assert first_word in text


def test_cjk_font_is_embedded(made):
    _, out = made
    for pdf in [*sorted((out / "runs").glob("*.pdf")), out / "labels.pdf"]:
        rows = subprocess.run(
            ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        cjk = [r for r in rows.splitlines() if "WenQuanYi" in r or "UMing" in r or "AR PL" in r]
        assert cjk, rows
        assert all(r.split()[-5] == "yes" for r in cjk), rows  # the 'emb' column


def test_renders_to_a4_pages(made, tmp_path):
    _, out = made
    pdf = out / "runs" / "VAN-1_trip2.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 5000


def test_zh_only_has_no_english_names(tmp_path):
    folder = write_sample_plan(tmp_path / "plan", dt.date(2026, 12, 1))
    res = write_manifests(folder, lang="zh-TW")
    text = _text(res.out_dir / "runs" / "VAN-1_trip1.pdf")
    assert "Driver manifest" not in text and "司機派送單" in text
    assert "Branch" not in text
