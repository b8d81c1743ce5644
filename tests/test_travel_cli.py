"""``bookvan network matrix``: estimate, road extract with cache, bad files exit 2."""

from __future__ import annotations

import pandas as pd
from _travel_grid import write_city_grid
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.data.network import load_network

runner = CliRunner()


def test_estimate_matrix_written(tmp_path):
    out = tmp_path / "m.parquet"
    r = runner.invoke(app, ["network", "matrix", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "source estimate" in r.output
    m = pd.read_parquet(out)
    n = len(load_network(None).nodes)
    assert len(m) == n * n and set(m["source"]) == {"estimate"}


def test_roads_matrix_then_cache_hit(tmp_path):
    # a coarse synthetic grid over Keelung, Xizhi and Taipei main library
    roads = write_city_grid(tmp_path / "grid.osm", 25.00, 121.50, 25.17, 121.85, 0.005)
    args = ["network", "matrix", "--roads", str(roads), "--cache-dir", str(tmp_path / "c")]
    first = runner.invoke(app, [*args, "--out", str(tmp_path / "m.parquet")])
    assert first.exit_code == 0, first.output
    assert "source osm" in first.output and "computed" in first.output
    assert set(pd.read_parquet(tmp_path / "m.parquet")["source"]) == {"osm"}
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "from the cache" in second.output


def test_bad_roads_exit_2_naming_the_file_and_nothing_written(tmp_path):
    bad = tmp_path / "keelung.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0bnot a pbf" * 10)
    out = tmp_path / "m.parquet"
    args = ["--roads", str(bad), "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    r = runner.invoke(app, ["network", "matrix", *args])
    assert r.exit_code == 2
    assert "keelung.osm.pbf" in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_help_has_an_example():
    r = runner.invoke(app, ["network", "matrix", "--help"])
    assert r.exit_code == 0 and "Example" in r.output
