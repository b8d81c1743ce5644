"""``bookvan scan``: state folder written, exit 0 / 1 on findings, exit 2 on bad rows with nothing written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from plan_factory import good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app

runner = CliRunner()
HEAD = "time,vehicle_id,node_id,crate_id,event,note\n"


@pytest.fixture
def plan_dir(tmp_path):
    return write_plan_dir(good_plan(), tmp_path / "plan")


def test_agreeing_scans_exit_0_and_write_the_state(plan_dir, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(HEAD + "2026-12-01 09:05,VAN-1,KL-ANLE,T1-C01,loaded,\n")
    res = runner.invoke(app, ["scan", str(plan_dir), str(f)])
    assert res.exit_code == 0, res.output
    out = plan_dir / "state"
    state = json.loads((out / "state.json").read_text())
    assert state["events"] == 1 and state["findings"] == []
    v1 = next(v for v in state["vans"] if v["vehicle_id"] == "VAN-1")
    assert v1["on_board"] == ["T1-C01"] and v1["node_id"] == "KL-ANLE"
    crates = pd.read_parquet(out / "crates.parquet")
    assert crates.set_index("crate_id").loc["T1-C01", "status"] == "on_board"
    assert {p.name for p in out.iterdir()} == {".bookvan.json", "state.json", "vans.parquet", "stops.parquet",
                                                "crates.parquet",
                                                "findings.parquet"}


def test_contradictions_exit_1_with_one_line_each(plan_dir, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(HEAD + "2026-12-01 09:05,VAN-1,KL-ANLE,T1-C01,loaded,\n2026-12-01 09:06,VAN-1,KL-ANLE,ZZZ,loaded,\n")
    res = runner.invoke(app, ["scan", str(plan_dir), str(f), "--out", str(tmp_path / "st")])
    assert res.exit_code == 1
    assert "unknown_crate" in res.output and "ZZZ" in res.output
    assert (tmp_path / "st" / "state.json").exists()


def test_bad_rows_exit_2_naming_file_row_field_and_write_nothing(plan_dir, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text(HEAD + "2026-12-01 09:05,VAN-1,KL-ANLE,T1-C01,loaded,\n2026-12-01 09:06,VAN-1,KL-ANLE,T1-C02,lost,\n")
    res = runner.invoke(app, ["scan", str(plan_dir), str(f)])
    assert res.exit_code == 2
    assert "row 2" in res.output and "field 'event'" in res.output and "s.csv" in res.output
    assert "Traceback" not in res.output
    assert not (plan_dir / "state").exists()


def test_help_has_an_example():
    res = runner.invoke(app, ["scan", "--help"])
    assert res.exit_code == 0 and "bookvan scan out/2026-12-01 scans.csv" in res.output
