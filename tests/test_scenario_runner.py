"""Scenario × replication runs on Dask: a local cluster, and real ``dask scheduler`` / ``dask
worker`` processes on 127.0.0.1 driven through ``bookvan scenario run --scheduler``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest
import scenario_fakes

from bookvan.scenarios.runner import run_scenarios
from bookvan.scenarios.simulate import simulate
from bookvan.scenarios.spec import scenario_from_dict

VENV_BIN = Path(sys.executable).parent


def _scn(name: str, **extra) -> object:
    doc = {"name": name, "simulation": {"start": "2027-03-01", "days": 3, "replications": 2,
                                        "seed": 11, "solution_limit": 3}}
    doc.update(extra)
    return scenario_from_dict(doc)[0]


@pytest.mark.slow
def test_local_cluster_gives_the_same_kpis_as_in_process():
    cloudpickle.register_pickle_by_value(scenario_fakes)
    eng = scenario_fakes.fake_engine()
    a, b = _scn("baseline"), _scn("one-van", fleet={"vans": 1})
    runs = run_scenarios([a, b], engine=eng, n_workers=2)
    assert "local cluster" in runs.where
    k = runs.kpis
    assert sorted(k.groupby(["scenario", "replication"]).size().index) == [
        ("baseline", 0), ("baseline", 1), ("one-van", 0), ("one-van", 1)]
    alone = simulate(b, 1, engine=eng)
    got = k.loc[(k["scenario"] == "one-van") & (k["replication"] == 1)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, alone.kpis, check_dtype=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and one worker process, started with the ``dask`` command line."""
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    logs = [open(tmp_path / n, "w") for n in ("scheduler.log", "worker.log")]  # noqa: SIM115
    sched = subprocess.Popen(
        [str(VENV_BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--no-dashboard"], stdout=logs[0], stderr=subprocess.STDOUT, env=env)
    worker = None
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        worker = subprocess.Popen(
            [str(VENV_BIN / "dask"), "worker", addr, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1"],
            stdout=logs[1], stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        from distributed import Client

        with Client(addr, timeout=60) as c:
            c.wait_for_workers(1, timeout=90)
        yield addr
    finally:
        for p in (worker, sched):
            if p is not None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        for f in logs:
            f.close()


@pytest.mark.slow
def test_two_scenarios_through_a_real_scheduler(dask_cluster, tmp_path):
    import tomli_w

    files = []
    # the second scenario's cap is far too short for its search steps: its days are flagged
    for name, extra, cap in (("baseline", {}, 30.0), ("fleet-plus-one", {"fleet": {"vans": 3}}, 0.01)):
        doc = {"name": name, "simulation": {"start": "2027-03-02", "days": 2, "replications": 1,
                                            "seed": 5, "solution_limit": 2, "time_limit_s": cap}, **extra}
        f = tmp_path / f"{name}.toml"
        f.write_text(tomli_w.dumps(doc), encoding="utf-8")
        files.append(str(f))
    out = tmp_path / "run"
    r = subprocess.run(
        [str(VENV_BIN / "bookvan"), "scenario", "run", *files, "--scheduler", dask_cluster,
         "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"scheduler {dask_cluster}" in r.stdout
    k = pd.read_parquet(out / "kpis.parquet")
    assert set(k["scenario"]) == {"baseline", "fleet-plus-one"} and len(k) == 4
    assert (k["van_km"] > 0).any()
    planned = k["vans_used"] > 0
    assert not k.loc[k["scenario"] == "baseline", "search_capped"].any()
    assert k.loc[(k["scenario"] == "fleet-plus-one") & planned, "search_capped"].all()
    assert "safety cap" in r.stderr and "search_capped" in r.stderr
    import json

    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert all(run["checked"] for run in info["runs"])  # every day passed the plan checker


@pytest.mark.slow
def test_unreachable_scheduler_is_exit_2(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text('name = "b"\n[simulation]\ndays = 1\nreplications = 1\n', encoding="utf-8")
    r = subprocess.run(
        [str(VENV_BIN / "bookvan"), "scenario", "run", str(f), "--scheduler",
         f"tcp://127.0.0.1:{_free_port()}", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=180)
    assert r.returncode == 2 and "scheduler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_quick_sweep_runs_with_its_router_settings_and_says_so(tmp_path):
    """``--quick``: every run plans with VROOM's first level and no search step; run.json records it."""
    import json

    from bookvan.scenarios.spec import QUICK_SWEEP

    out = tmp_path / "quick"
    r = subprocess.run(
        [str(VENV_BIN / "bookvan"), "scenario", "run", "baseline", "three-days-a-week", "--days", "2",
         "--start", "2027-03-02", "--replications", "1", "--workers", "1", "--quick", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    sims = [s["sim"] for s in info["scenarios"]]
    assert len(sims) == 2 and all({k: s[k] for k in QUICK_SWEEP} == QUICK_SWEEP for s in sims)
    assert all(run["checked"] for run in info["runs"])
    assert (pd.read_parquet(out / "kpis.parquet")["van_km"] > 0).any()


def test_hub_runs_and_longer_runs_start_first():
    """Dask starts the runs by their expected work: a hub day is three solves."""
    from bookvan.scenarios.runner import _work

    direct = scenario_from_dict({"name": "d", "routing": {"mode": "direct"}, "simulation": {"days": 30}})[0]
    hub = scenario_from_dict({"name": "h", "routing": {"mode": "hub"}, "simulation": {"days": 30}})[0]
    assert _work(hub, None) == 3 * _work(direct, None) > 0
    assert _work(direct, 60) == 2 * _work(direct, None)
