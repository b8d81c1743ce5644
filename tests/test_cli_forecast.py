"""``bookvan forecast run`` / ``backtest``: contract flags, JSON report, bad input exits 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def monthly_csv(tmp_path_factory):
    rng = np.random.default_rng(1)
    months = pd.date_range("2018-01-01", periods=60, freq="MS")
    rows = [(m.strftime("%Y-%m"), f"L{b}", rng.poisson(400 * (1 + 0.3 * np.sin(m.month))),
             rng.poisson(380)) for b in range(4) for m in months]
    p = tmp_path_factory.mktemp("h") / "monthly.csv"
    pd.DataFrame(rows, columns=["date", "branch", "checkouts", "returns"]).to_csv(p, index=False)
    return p


def test_run_writes_the_forecasts_table(monthly_csv, tmp_path):
    out = tmp_path / "fc.parquet"
    r = runner.invoke(app, ["forecast", "run", "--history", str(monthly_csv), "--freq", "M",
                            "--horizon", "12", "--out", str(out)])
    assert r.exit_code == 0, r.output
    fc = pd.read_parquet(out)
    assert list(fc.columns) == ["branch", "measure", "date", "model", "mean", "p10", "p50", "p90"]
    assert len(fc) == 4 * 2 * 12
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()
    csv_out = tmp_path / "fc.csv"
    r = runner.invoke(app, ["forecast", "run", "--history", str(monthly_csv), "--horizon", "3",
                            "--out", str(csv_out)])
    assert r.exit_code == 0 and pd.read_csv(csv_out)["date"].iloc[0] == "2023-01-01"


def test_backtest_json_is_one_object(monthly_csv):
    r = runner.invoke(app, ["forecast", "backtest", "--history", str(monthly_csv),
                            "--horizon", "6", "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    assert {"series", "mase_model", "mase_seasonal_naive", "relative_mase",
            "coverage_80"} <= set(j)
    assert j["series"] == 8


@pytest.mark.parametrize("args,msg", [
    (["--freq", "X"], "D, W, M"),
    (["--horizon", "99"], "horizon"),
])
def test_bad_usage_exits_2(monthly_csv, tmp_path, args, msg):
    base = ["forecast", "run", "--history", str(monthly_csv), "--horizon", "3",
            "--out", str(tmp_path / "x.parquet")]
    r = runner.invoke(app, base + args)
    assert r.exit_code == 2
    assert msg in r.output
    assert not (tmp_path / "x.parquet").exists()


def test_bad_file_exits_2_naming_the_file(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("date,branch,checkouts\nnot-a-date,A,1\nalso bad,A,2\n", encoding="utf-8")
    r = runner.invoke(app, ["forecast", "backtest", "--history", str(p), "--json"])
    assert r.exit_code == 2
    assert "bad.csv" in r.output and "Traceback" not in r.output


def test_backtest_json_reports_coverage_per_step_and_pinball(monthly_csv):
    r = runner.invoke(app, ["forecast", "backtest", "--history", str(monthly_csv),
                            "--horizon", "4", "--json"])
    assert r.exit_code == 0, r.output
    j = json.loads(r.stdout)
    assert len(j["coverage_80_by_step"]) == 4 and j["pinball_loss"] > 0
    assert j["reconciliation"]["levels"] == ["city"]


def test_wide_files_per_measure_with_city_totals(monthly_csv, tmp_path):
    long = pd.read_csv(monthly_csv)
    files = []
    for meas in ("checkouts", "returns"):
        p = tmp_path / f"{meas}.csv"
        long.pivot(index="date", columns="branch", values=meas).reset_index().to_csv(p, index=False)
        files += ["--history", str(p)]
    out = tmp_path / "fc.csv"
    r = runner.invoke(app, ["forecast", "run", *files, "--horizon", "3", "--totals",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    fc = pd.read_csv(out)
    city = fc[fc["branch"] == "(city)"].set_index(["measure", "date"])["p50"]
    branches = fc[~fc["branch"].str.startswith("(")]
    assert set(branches["branch"]) == {"L0", "L1", "L2", "L3"}
    sums = branches.groupby(["measure", "date"])["p50"].sum()
    assert np.allclose(sums.reindex(city.index), city)


def test_wide_file_with_a_bad_cell_names_row_and_branch(tmp_path):
    p = tmp_path / "checkouts.csv"
    p.write_text("date,A,B\n2024-01,1,2\n2024-02,x,3\n2024-03,4,y\n", encoding="utf-8")
    r = runner.invoke(app, ["forecast", "backtest", "--history", str(p), "--json"])
    assert r.exit_code == 2
    assert "row 2, field 'A'" in r.output and "row 3, field 'B'" in r.output
