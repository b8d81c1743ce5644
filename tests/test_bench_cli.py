"""``bookvan bench solve`` end to end on a small instance: feasible contract JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.routing.bench.instances import read_instance
from bookvan.routing.bench.verify import verify

DATA = Path(__file__).parent / "data" / "bench"
runner = CliRunner()


def test_bench_solve_writes_feasible_contract_json(tmp_path: Path) -> None:
    out = tmp_path / "lc101.json"
    res = runner.invoke(app, ["bench", "solve", str(DATA / "lc101.txt"), "--time-limit", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    sol = json.loads(out.read_text())
    assert {"instance", "routes", "distance", "vehicles", "time_limit_s", "wall_s"} <= set(sol)
    assert sol["instance"] == "lc101" and sol["time_limit_s"] == 1.0
    v = verify(read_instance(DATA / "lc101.txt"), sol["routes"])
    assert v.feasible, v.violations
    assert sol["vehicles"] == v.vehicles == len(sol["routes"])
    assert abs(sol["distance"] - v.distance) < 1e-4


def test_bench_solve_cvrplib_uses_vrp_node_numbers(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    res = runner.invoke(
        app,
        [
            "bench",
            "solve",
            str(DATA / "X-n101-k25.vrp"),
            "--time-limit",
            "1",
            "--objective",
            "distance",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    sol = json.loads(out.read_text())
    ids = sorted(c for r in sol["routes"] for c in r)
    assert ids == list(range(2, 102))
    assert sol["distance"] == int(sol["distance"])  # rounded arcs sum to an integer


def test_bench_solve_bad_input_exit_2_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("25 200 1\n0 40 50 0 0 1236 0 0 0\n1 45 68 oops 912 967 90 0 2\n")
    out = tmp_path / "o.json"
    res = runner.invoke(app, ["bench", "solve", str(bad), "--out", str(out)])
    assert res.exit_code == 2
    assert "bad.txt" in res.output and "row 3" in res.output
    assert not out.exists()
    res = runner.invoke(app, ["bench", "solve", str(DATA / "c101.txt"), "--objective", "fast", "--out", str(out)])
    assert res.exit_code == 2 and not out.exists()


def test_bench_solve_help_has_example() -> None:
    res = runner.invoke(app, ["bench", "solve", "--help"])
    assert res.exit_code == 0 and "Example" in res.output
