"""`bookvan plan` from the command line: a plan folder that checks, exit 2 on bad input with
the previous plan left intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app

runner = CliRunner()
GOOD = "origin,destination,items,kind\nKL-ANLE,KL-XINYI,45,hold\nKL-BAIFU,KL-MAIN,10,return\n"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    (d / "t.csv").write_text(GOOD, encoding="utf-8")
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(d / "t.csv"),
                              "--time-limit", "2", "--out", str(d / "plan")])
    assert res.exit_code == 0, res.output
    return d


def test_plan_then_check_exits_0(planned: Path) -> None:
    meta = json.loads((planned / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert meta["date"] == "2026-12-01" and meta["transfers_planned"] == 2 and meta["unassigned"] == []
    res = runner.invoke(app, ["check", str(planned / "plan")])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("origin,destination,items,kind\nKL-ANLE,KL-NOWHERE,3,hold\n", ["row 1", "'destination'", "KL-NOWHERE"]),
        ("origin,destination,items,kind\nKL-ANLE,KL-XINYI,-4,hold\n", ["row 1", "'items'"]),
        ("origin,destination,items,kind\nKL-ANLE,KL-XINYI,4,hold\nKL-ANLE,KL-XINYI,4,loan\n", ["row 2", "'kind'"]),
        ("origin,items\nKL-ANLE,4\n", ["missing column"]),
        ("", ["empty"]),
    ],
)
def test_bad_transfers_exit_2_and_keep_the_old_plan(planned: Path, content: str, words: list[str]) -> None:
    before = (planned / "plan" / "plan.json").read_bytes()
    bad = planned / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(bad), "--out", str(planned / "plan")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output and "bad.csv" in res.output
    for w in words:
        assert w in res.output
    assert (planned / "plan" / "plan.json").read_bytes() == before
    assert not [p for p in planned.iterdir() if p.name.startswith(".plan.")]  # no temp folder left


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--date", "2026-13-01"], "--date"),
        (["--date", "2026-12-01", "--without", "VAN-9"], "VAN-9"),
        (["--date", "2026-12-01", "--network", "/nonexistent/net"], "nodes.csv"),
        (["--date", "2026-12-01", "--mode", "sideways"], "--mode"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], word: str) -> None:
    res = runner.invoke(app, ["plan", *args, "--out", str(tmp_path / "p")])
    assert res.exit_code == 2 and word in res.output and "Traceback" not in res.output
    assert not (tmp_path / "p").exists()


def test_breakdown_replan_without_a_van(planned: Path) -> None:
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(planned / "t.csv"), "--without",
                              "VAN-1", "--time-limit", "2", "--out", str(planned / "replan")])
    assert res.exit_code == 0, res.output
    import pandas as pd

    stops = pd.read_parquet(planned / "replan" / "stops.parquet")
    assert set(stops["vehicle_id"]) == {"VAN-2"}
    assert runner.invoke(app, ["check", str(planned / "replan")]).exit_code == 0


def test_help_has_an_example() -> None:
    res = runner.invoke(app, ["plan", "--help"])
    assert res.exit_code == 0 and "bookvan plan --date 2026-12-01" in res.output
