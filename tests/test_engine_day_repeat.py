"""The bundled day planned twice gives byte-identical plan tables: work limits, not the clock,
decide the default plan (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app


@pytest.mark.slow
def test_bundled_day_planned_twice_gives_identical_tables(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    tables = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix == ".parquet")
    assert len(tables) == 6  # the five contract tables and the packed crates
    for name in tables:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    plans = [json.loads((tmp_path / n / "plan.json").read_text(encoding="utf-8")) for n in ("a", "b")]
    for p in plans:
        assert p["reproducible"] is True and p["unassigned"] == []
    drop = ("solver",)  # the solver's wall time differs between runs
    assert {k: v for k, v in plans[0].items() if k not in drop} == {k: v for k, v in plans[1].items() if k not in drop}
    assert plans[0]["solver"]["objective"] == plans[1]["solver"]["objective"]
