"""Comparison table arithmetic, the run folder → compare folder path, and the report in Chromium."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest
from scenario_fakes import fake_engine
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.scenarios.compare import compare_runs, compare_table, load_runs, pick_baseline
from bookvan.scenarios.runner import RunSet, write_run_folder
from bookvan.scenarios.simulate import simulate
from bookvan.scenarios.spec import scenario_from_dict


def test_compare_table_differences_and_intervals():
    summary = pd.DataFrame({
        "scenario": ["baseline"] * 3 + ["plus"] * 3,
        "replication": [0, 1, 2] * 2,
        "van_km": [100.0, 110.0, 90.0, 130.0, 120.0, 140.0],
    })
    t = compare_table(summary, "baseline").set_index(["scenario", "kpi"])
    b, p = t.loc[("baseline", "van_km")], t.loc[("plus", "van_km")]
    assert b["mean"] == 100.0 and b["diff"] == 0.0
    assert p["diff"] == 30.0 and p["diff_pct"] == pytest.approx(30.0)
    # Welch: sd 10 each side, n = 3 → 1.96 * sqrt(100/3 + 100/3)
    assert p["diff_ci95"] == pytest.approx(1.96 * (200 / 3) ** 0.5)
    assert p["ci95"] == pytest.approx(1.96 * 10 / 3 ** 0.5)


def test_pick_baseline():
    assert pick_baseline(["a", "baseline", "b"]) == "baseline"
    assert pick_baseline(["x", "y"]) == "x"
    with pytest.raises(InputError):
        pick_baseline(["x"], "nope")


def _run_folder(tmp: Path, name: str, vans: int) -> Path:
    scn = scenario_from_dict({"name": name, "fleet": {"vans": vans}, "simulation": {
        "start": "2027-03-01", "days": 4, "replications": 2, "seed": 3}})[0]
    eng = fake_engine()
    res = [simulate(scn, r, engine=eng) for r in range(2)]
    out = tmp / name
    write_run_folder(out, RunSet(res, [scn], 1.0, "in-process (test)"), source_files=[])
    return out


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    return [_run_folder(tmp, "baseline", 2), _run_folder(tmp, "one-van", 1)]


def test_run_folder_and_compare_folder(two_runs, tmp_path):
    for d in two_runs:
        assert {"kpis.parquet", "transit.parquet", "summary.csv", "run.json"} <= {p.name for p in d.iterdir()}
    kpis, _transit, info = load_runs(two_runs)
    assert set(kpis["scenario"]) == {"baseline", "one-van"} and len(info) == 2
    files = compare_runs(two_runs, tmp_path / "cmp")
    for f in files.values():
        assert f.exists() and f.stat().st_size > 0
    t = pd.read_parquet(files["compare.parquet"])
    assert set(t["scenario"]) == {"baseline", "one-van"}
    csv = pd.read_csv(files["compare.csv"])
    assert len(csv) == len(t)
    html = files["report.html"].read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html  # opens without a network
    imgs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(imgs) == 3 and all(base64.b64decode(i)[:4] == b"\x89PNG" for i in imgs)


def test_compare_cli_rejects_a_folder_without_runs(tmp_path):
    r = CliRunner().invoke(app, ["scenario", "compare", str(tmp_path), "--out", str(tmp_path / "c")])
    assert r.exit_code == 2 and "kpis.parquet" in r.output


@pytest.mark.slow
def test_report_renders_in_chromium(two_runs, tmp_path):
    from playwright.sync_api import sync_playwright

    files = compare_runs(two_runs, tmp_path / "cmp")
    shot = tmp_path / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(files["report.html"].as_uri())
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        text = page.inner_text("body")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert len(widths) == 3 and all(w > 500 for w in widths)  # every chart decoded
    assert "one-van" in text and "Difference to baseline" in text
    assert shot.stat().st_size > 50_000


def test_the_report_shows_days_the_safety_cap_ended(two_runs, tmp_path):
    """A planner comparing runs sees which scenarios contain days that may not repeat."""
    import json
    import shutil

    copies = [shutil.copytree(d, tmp_path / d.name) for d in two_runs]
    j = copies[1] / "run.json"
    info = json.loads(j.read_text(encoding="utf-8"))
    info["runs"][0]["days_capped"] = 2
    j.write_text(json.dumps(info), encoding="utf-8")
    html = compare_runs(copies, tmp_path / "cmp")["report.html"].read_text(encoding="utf-8")
    assert "days capped" in html
    assert re.search(r'<td class="worse">2</td></tr>', html)
    assert re.search(r"<td>0</td></tr>", html)  # the other scenario: none
