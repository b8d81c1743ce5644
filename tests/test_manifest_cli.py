"""``bookvan manifest``: writes the folder, exits 2 on bad input with nothing half-written."""

from __future__ import annotations

import json
import re

import pytest
from plan_factory import good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.errors import InputError
from bookvan.routing.manifest import fonts, write

runner = CliRunner()


@pytest.fixture
def plan_dir(tmp_path):
    return write_plan_dir(good_plan(), tmp_path / "plan")


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_writes_everything_under_plan_manifests(plan_dir):
    res = runner.invoke(app, ["manifest", str(plan_dir), "--lang", "both"])
    assert res.exit_code == 0, res.output
    out = plan_dir / "manifests"
    files = _files(out)
    for key in ("VAN-1_trip1", "VAN-1_trip2", "VAN-2_trip1"):
        for ext in ("pdf", "gpx", "geojson"):
            assert f"runs/{key}.{ext}" in files
    assert {"overview.html", "labels.pdf", "index.json"} <= set(files)
    assert {f for f in files if f.startswith("loading/")} == {
        "loading/KL-ANLE.csv",
        "loading/KL-BAIFU.csv",
        "loading/KL-MAIN.csv",
        "loading/KL-XINYI.csv",
    }
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert index["labels"]["crates"] == 16
    assert [(r["vehicle_id"], r["trip"], r["distance_m"]) for r in index["runs"]] == [
        ("VAN-1", 1, 18000.0),
        ("VAN-1", 2, 20000.0),
        ("VAN-2", 1, 21500.0),
    ]
    assert all(r["crates_loaded"] == r["crates_unloaded"] for r in index["runs"])
    assert "<transfer id>-C<n>" in index["crate_id_rule"]
    assert "overview.html" in res.output
    hrefs = re.findall(r'href="([^"]+)"', (out / "overview.html").read_text(encoding="utf-8"))
    local = [h for h in hrefs if not h.startswith("data:")]
    assert len(local) == 3 * 3 + 2 + 4  # per run pdf/gpx/geojson, labels, index, 4 loading lists
    assert all((out / h).is_file() for h in local)
    assert not [p for p in plan_dir.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_out_elsewhere(plan_dir, tmp_path):
    res = runner.invoke(app, ["manifest", str(plan_dir), "--out", str(tmp_path / "print"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "print" / "overview.html").exists()
    assert not (plan_dir / "manifests").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "fr"], "'fr' is not one of zh-TW, en, both"),
        (["--out", "{plan}"], "would replace the plan folder"),
    ],
)
def test_bad_usage_exits_2(plan_dir, args, message):
    args = [a.replace("{plan}", str(plan_dir)) for a in args]
    res = runner.invoke(app, ["manifest", str(plan_dir), *args])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert (plan_dir / "plan.json").exists()


def test_not_a_plan_folder_exits_2(tmp_path):
    res = runner.invoke(app, ["manifest", str(tmp_path)])
    assert res.exit_code == 2
    assert "plan.json: missing" in res.output



@pytest.mark.parametrize(("field", "value", "message"), [
    ("lat", None, "missing value"), ("lon", float("nan"), "missing value"), ("lat", 123.0, "123.0 is outside -90..90"),
])
def test_a_node_without_a_place_on_earth_exits_2_and_prints_nothing(tmp_path, field, value, message):
    # a plan the checker passes (coordinates are not part of feasibility) still needs every
    # node's place for the route maps and GPX; a hypothesis example crashed the map's scale bar
    tables = good_plan()
    tables["nodes"][field] = tables["nodes"][field].astype(object)
    tables["nodes"].at[tables["nodes"].index[0], field] = value
    d = write_plan_dir(tables, tmp_path / "plan")
    assert runner.invoke(app, ["check", str(d)]).exit_code == 0
    res = runner.invoke(app, ["manifest", str(d)])
    assert res.exit_code == 2 and not isinstance(res.exception, ValueError)
    assert f"nodes.parquet, row 1, field '{field}': {message}" in res.output
    assert not (d / "manifests").exists()

@pytest.mark.parametrize(("value", "message"), [(63_931_711_861, "outside 0..86400"), (-5, "-5.0 is outside")])
def test_a_break_longer_than_a_day_exits_2_and_prints_nothing(tmp_path, value, message):
    # a hypothesis example: a hand-edited break of 2,026 years put its start before year 1
    # and the manifest crashed formatting it
    tables = good_plan()
    tables["stops"]["break_s"] = tables["stops"]["break_s"].astype(object)
    tables["stops"].at[tables["stops"].index[0], "break_s"] = value
    d = write_plan_dir(tables, tmp_path / "plan")
    res = runner.invoke(app, ["manifest", str(d), "--lang", "en"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "stops.parquet, row 1, field 'break_s'" in res.output and message in res.output
    assert not (d / "manifests").exists()


def test_a_null_break_is_no_break(tmp_path):
    tables = good_plan()
    tables["stops"]["break_s"] = tables["stops"]["break_s"].astype(object)
    tables["stops"].at[tables["stops"].index[0], "break_s"] = None
    d = write_plan_dir(tables, tmp_path / "plan")
    assert runner.invoke(app, ["manifest", str(d), "--lang", "en"]).exit_code == 0


def test_missing_cjk_font_names_the_package(plan_dir, monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", (("/nonexistent/wqy.ttc", 0, "fonts-wqy-zenhei"),))
    monkeypatch.delenv("BOOKVAN_CJK_FONT", raising=False)
    fonts.register_cjk_font.cache_clear()
    try:
        res = runner.invoke(app, ["manifest", str(plan_dir)])
    finally:
        fonts.register_cjk_font.cache_clear()
    assert res.exit_code == 2
    assert "fonts-wqy-zenhei" in res.output
    assert not (plan_dir / "manifests").exists()


def test_failure_keeps_the_previous_manifests(plan_dir, monkeypatch):
    assert runner.invoke(app, ["manifest", str(plan_dir)]).exit_code == 0
    before = {f: (plan_dir / "manifests" / f).read_bytes() for f in _files(plan_dir / "manifests")}

    def broken(*_a, **_k):
        raise InputError.single("labels.pdf", "simulated failure half-way")

    monkeypatch.setattr(write, "write_labels_pdf", broken)
    res = runner.invoke(app, ["manifest", str(plan_dir), "--lang", "en"])
    assert res.exit_code == 2 and "simulated failure" in res.output
    after = {f: (plan_dir / "manifests" / f).read_bytes() for f in _files(plan_dir / "manifests")}
    assert after == before
    assert not [p for p in plan_dir.iterdir() if p.name.startswith(".")]


def test_help_has_an_example():
    res = runner.invoke(app, ["manifest", "--help"])
    assert res.exit_code == 0
    assert "Example: bookvan manifest out/2026-12-01" in res.output
    assert "--lang" in res.output and "--out" in res.output


def test_lang_spelling_is_forgiving(plan_dir, tmp_path):
    res = runner.invoke(app, ["manifest", str(plan_dir), "--lang", "zh_tw", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o" / "index.json").read_text(encoding="utf-8"))["lang"] == "zh-TW"
