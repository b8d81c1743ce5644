"""bookvan replan: bad input is exit 2 naming the option, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_factory import good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize("args, named", [
    (["--at", "25:00"], "--at"),
    (["--at", "11:00", "--van-down", "VAN-9"], "VAN-9"),
    (["--at", "11:00", "--close", "KL-NOWHERE@14:00"], "KL-NOWHERE"),
    (["--at", "11:00", "--close", "KL-ANLE@2pm"], "--close"),
])
def test_bad_input_exits_2(tmp_path: Path, args: list[str], named: str) -> None:
    plan = write_plan_dir(good_plan(), tmp_path / "plan")
    out = tmp_path / "re"
    res = runner.invoke(app, ["replan", str(plan), *args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert named in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
