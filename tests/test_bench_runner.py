"""``bench/run_instances.py``: solves a set, verifies every row, and summarises a kept CSV."""

from __future__ import annotations

import csv
import importlib.util
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data" / "bench"
SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "run_instances.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("run_instances", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["run_instances"] = mod  # the worker processes pickle its functions by name
    spec.loader.exec_module(mod)
    return mod


def test_runner_solves_verifies_and_summarises(runner, tmp_path: Path, capsys) -> None:
    inst = tmp_path / "lc101.txt"
    shutil.copy(DATA / "lc101.txt", inst)
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\nlc101,10,828.9369,test\n")
    out = tmp_path / "rows.csv"
    code = runner.main([str(inst), "--time-limit", "1", "--engines", "bookvan,ortools-default", "--jobs", "1",
                        "--csv", str(out)])
    assert code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["engine"] for r in rows] == ["bookvan", "ortools-default"]
    assert all(r["feasible"] == "True" for r in rows)
    for r in rows:  # the gap is the recomputed distance against bks.csv
        assert math.isclose(float(r["gap_pct"]), round(100 * (float(r["distance"]) - 828.9369) / 828.9369, 3))
    first = capsys.readouterr().out
    assert "gap at bks veh %" in first and "bookvan vs ortools-default" in first
    assert runner.main(["--summarise", str(out)]) == 0
    again = capsys.readouterr().out
    assert again.strip().splitlines()[-3:] == first.strip().splitlines()[-3:]


def test_head_to_head_ranks_vehicles_before_distance(runner, capsys) -> None:
    rows = [
        {"instance": "a", "engine": "bookvan", "vehicles": 3, "distance": 100.0},
        {"instance": "a", "engine": "pyvrp", "vehicles": 4, "distance": 90.0},  # shorter, one van more
        {"instance": "b", "engine": "bookvan", "vehicles": 3, "distance": 101.0},
        {"instance": "b", "engine": "pyvrp", "vehicles": 3, "distance": 100.0},
    ]
    runner._print_head_to_head(rows, ["bookvan", "pyvrp"], "hierarchical")
    assert "better 1, same 0, worse 1" in capsys.readouterr().out
    runner._print_head_to_head(rows, ["bookvan", "pyvrp"], "distance")
    assert "better 0, same 0, worse 2" in capsys.readouterr().out


def test_large_instances_are_readable_and_every_window_reachable(tmp_path: Path) -> None:
    from bookvan.routing.bench.instances import read_instance

    spec = importlib.util.spec_from_file_location("make_large", SCRIPT.parent / "make_large.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(tmp_path), "--customers", "30", "--pairs", "15", "--seed", "3"]) == 0
    vrptw, pdptw = read_instance(tmp_path / "r30s3.txt"), read_instance(tmp_path / "lr30s3.txt")
    assert (vrptw.kind, len(vrptw.coords)) == ("solomon", 31)
    assert (pdptw.kind, len(pdptw.coords), len(pdptw.pairs)) == ("lilim", 31, 15)
    for inst in (vrptw, pdptw):
        xy = np.asarray(inst.coords, dtype=float)
        d0 = np.hypot(*(xy - xy[0]).T)
        for i in range(1, len(xy)):  # out in time, served, and back before the depot closes
            assert inst.ready[i] <= inst.due[i] and d0[i] <= inst.due[i]
            assert max(inst.ready[i], d0[i]) + inst.service[i] + d0[i] <= inst.due[0]
