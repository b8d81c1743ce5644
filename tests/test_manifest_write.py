"""The writer as a whole: reproducible output, road geometry when the plan has it, odd names."""

from __future__ import annotations

import json
import subprocess
import sys

import gpxpy
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_factory import good_plan, write_plan_dir

from bookvan.data.errors import InputError
from bookvan.data.planfolder import plan_table
from bookvan.routing.manifest import write_manifests
from bookvan.routing.manifest.exports import geojson_text, gpx_text
from bookvan.routing.manifest.plan import _TABLES, load_plan
from bookvan.routing.manifest.runs import build_runs


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_plan_prints_byte_identical_files(tmp_path):
    folder = write_plan_dir(good_plan(), tmp_path / "plan")
    write_manifests(folder, tmp_path / "a", "both")
    write_manifests(folder, tmp_path / "b", "both")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_road_geometry_from_legs_parquet(tmp_path):
    folder = write_plan_dir(good_plan(), tmp_path / "plan")
    plan = load_plan(folder)
    pairs = []
    for run in build_runs(plan):
        pairs += [(a, b) for a, b in zip(run.stops, run.stops[1:], strict=False) if a.node_id != b.node_id]
    rows = []
    for a, b in pairs:
        bend = ((a.lon + b.lon) / 2 + 0.003, (a.lat + b.lat) / 2 + 0.002)
        line = shapely.LineString([(a.lon, a.lat), bend, (b.lon, b.lat)])
        rows.append({"from_id": a.node_id, "to_id": b.node_id, "geometry": shapely.to_wkb(line)})
    legs = pd.DataFrame(rows).drop_duplicates(["from_id", "to_id"])
    pq.write_table(pa.Table.from_pandas(legs, preserve_index=False), folder / "legs.parquet")
    runs = build_runs(load_plan(folder))
    assert all(r.road_geometry for r in runs)
    assert all(len(leg) == 3 for r in runs for leg in r.legs)
    fc = json.loads(geojson_text(plan, runs[0]))
    leg = next(f for f in fc["features"] if f["properties"]["feature"] == "leg")
    assert leg["properties"]["geometry"] == "road" and len(leg["geometry"]["coordinates"]) == 3
    track = gpxpy.parse(gpx_text(plan, runs[0])).tracks[0].segments[0].points
    assert len(track) == 1 + sum(len(leg) - 1 for leg in runs[0].legs)  # joints once
    res = write_manifests(folder, tmp_path / "out", "en")
    index = json.loads((res.out_dir / "index.json").read_text(encoding="utf-8"))
    assert all(r["road_geometry"] for r in index["runs"])


def test_markup_in_names_is_printed_not_interpreted(tmp_path):
    tables = good_plan()
    nodes = tables["nodes"]
    nodes.loc[nodes["node_id"] == "KL-ANLE", "name_zh"] = "安樂<b>分館 & 書庫"
    nodes.loc[nodes["node_id"] == "KL-ANLE", "name_en"] = "Anle <script>alert(1)</script>"
    folder = write_plan_dir(tables, tmp_path / "plan")
    res = write_manifests(folder, tmp_path / "out", "both")
    html = (res.out_dir / "overview.html").read_text(encoding="utf-8")
    assert "<b>分館" not in html and "安樂&lt;b&gt;分館 &amp; 書庫" in html
    res = write_manifests(folder, tmp_path / "en", "en")
    html = (res.out_dir / "overview.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "Anle &lt;script&gt;" in html
    pdf = tmp_path / "out" / "runs" / "VAN-1_trip1.pdf"  # the zh-TW + English print
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True)
    assert "安樂<b>分館 & 書庫" in text.stdout


_TABLE_COLUMNS = [(plan_table(n).file, col) for n in _TABLES for col in plan_table(n).columns]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(_TABLE_COLUMNS))
def test_any_missing_required_column_is_an_input_error_naming_it(tmp_path_factory, which):
    name, col = which
    folder = write_plan_dir(good_plan(), tmp_path_factory.mktemp("p") / "plan")
    t = pq.read_table(folder / name)
    pq.write_table(t.drop([col]), folder / name)
    with pytest.raises(InputError) as e:
        write_manifests(folder, lang="en")
    assert name in str(e.value) and f"field '{col}'" in str(e.value)
    assert not (folder / "manifests").exists()


def test_a_day_without_runs_still_prints_the_overview(tmp_path):
    tables = good_plan()
    tables["stops"] = tables["stops"].iloc[0:0]
    tables["plan"]["unassigned"] = [
        {"transfer_id": t, "reason": "no driver today"} for t in tables["transfers"]["transfer_id"]
    ]
    res = write_manifests(write_plan_dir(tables, tmp_path / "plan"), lang="en")
    assert (res.runs, res.crates) == (0, 0)
    html = (res.out_dir / "overview.html").read_text(encoding="utf-8")
    assert html.count("no driver today") == len(tables["transfers"])
    assert html.count('class="idle"') >= 2 * 4  # every node drawn (marker + code), none visited
    assert html.count('data-van="VAN-1"') >= 2 and "not used" in html
    assert not list((res.out_dir / "runs").iterdir())


def test_printing_never_loads_the_solver():
    code = (
        "import sys, bookvan.routing.manifest.write as w\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('ortools', 'pyvrp'))"
        " or (m.startswith('bookvan.') and not m.startswith(('bookvan.routing.manifest', 'bookvan.data'))"
        " and m != 'bookvan.routing'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == ""
