"""Warnings a person sees: one line each on stderr, and kept in plan.json's ``warnings``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.demand.transfers import empty_demand_reason

runner = CliRunner()
GOOD = "origin,destination,items,kind\nKL-ANLE,KL-XINYI,45,hold\nKL-BAIFU,KL-MAIN,10,return\n"


def warnings_of(out: Path) -> list[str]:
    return json.loads((out / "plan.json").read_text(encoding="utf-8")).get("warnings", [])


@pytest.mark.slow
def test_a_date_without_history_or_forecast_warns(tmp_path: Path) -> None:
    out = tmp_path / "p"
    res = runner.invoke(app, ["plan", "--date", "1900-01-02", "--out", str(out)])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.stderr.splitlines() if x.startswith("warning:"))
    assert "1900-01-02" in line and "no history or forecast" in line and "--transfers" in line
    assert any("no history or forecast" in w for w in warnings_of(out))


def test_a_planned_day_has_no_warnings(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "p"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--transfers", str(tmp_path / "t.csv"),
                              "--time-limit", "5", "--search-steps", "5", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "warning:" not in res.stderr and warnings_of(out) == []


@pytest.mark.slow
def test_a_capped_search_warns_and_names_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "p"
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--time-limit", "0.2", "--search-steps", "1000000",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert meta["reproducible"] is False
    line = next(x for x in res.stderr.splitlines() if x.startswith("warning:"))
    assert "--time-limit" in line and "reproducible" in line
    assert any("--time-limit" in w for w in meta["warnings"])


def test_empty_demand_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    empty = pd.DataFrame({"items": pd.Series([], dtype=int)})
    busy = pd.DataFrame({"items": [3]})
    assert empty_demand_reason(dt.date(2026, 12, 1), busy) is None
    assert "no history or forecast" in (empty_demand_reason(dt.date(1900, 1, 2), empty) or "")
    flows = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03"]), "origin": ["A", "B"],
                          "destination": ["B", "A"], "kind": ["hold", "hold"], "items": [0, 0]})
    monkeypatch.setattr("bookvan.demand.synthetic.bundled_od_flows", lambda: flows)
    assert "all zeros" in (empty_demand_reason(dt.date(2024, 1, 2), empty) or "")


def test_forecast_of_an_all_zero_history_warns(tmp_path: Path) -> None:
    rows = ["date,branch,checkouts"] + [
        f"{dt.date(2024, 1, 1) + dt.timedelta(days=i)},{b},0" for i in range(60) for b in ("A", "B")
    ]
    (tmp_path / "h.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["forecast", "run", "--history", str(tmp_path / "h.csv"), "--horizon", "3",
                              "--out", str(tmp_path / "fc.parquet")])
    assert res.exit_code == 0, res.output
    assert "warning: every value in" in res.stderr and "zero" in res.stderr
