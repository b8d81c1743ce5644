"""Run scenario × replication simulations on Dask distributed and write the run folder.

Every (scenario, replication) pair is one task. By default a :class:`distributed.LocalCluster`
of worker processes runs them; ``scheduler="tcp://host:port"`` sends the same tasks to an
existing cluster (whose workers must have bookvan installed). Workers report days done
through a Dask queue; the client passes the counts to an ``on_update`` callback as a
:class:`RunProgress` (the CLI draws it as progress bars; the library draws nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bookvan.data.costs import Costs
from bookvan.data.csv_safe import write_frame_csv
from bookvan.data.interrupt import Interrupted, raise_if_stopped, request_stop, stop_requested
from bookvan.data.outdir import output_folder
from bookvan.scenarios.engine import Engine, real_engine
from bookvan.scenarios.kpis import run_summary
from bookvan.scenarios.simulate import RunResult, base_demand, demand_key, simulate
from bookvan.scenarios.spec import Scenario

__all__ = ["RunProgress", "RunSet", "run_scenarios", "write_run_folder"]

_REPORT_EVERY = 5  # days between progress messages from a worker
_CHUNK_DAYS = 46  # demand is drawn ahead in chunks of this many days (8 chunks a year)
_POLL_S = 0.2  # how often the client looks for finished runs and progress messages


@dataclass(frozen=True)
class RunProgress:
    """How far a ``scenario run`` is: days simulated and runs finished, of how many, where."""

    days_done: int
    days_total: int
    runs_done: int
    runs_total: int
    where: str


class RunSet:
    """All replications of all scenarios of one ``scenario run`` call."""

    def __init__(
        self, results: list[RunResult], scenarios: list[Scenario], wall_s: float, where: str
    ) -> None:
        self.results, self.scenarios, self.wall_s, self.where = results, scenarios, wall_s, where

    @property
    def kpis(self) -> pd.DataFrame:
        return pd.concat([r.kpis for r in self.results], ignore_index=True)

    @property
    def transit(self) -> pd.DataFrame:
        parts = [r.transit for r in self.results if len(r.transit)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    @property
    def unassigned(self) -> pd.DataFrame:
        parts = [r.unassigned for r in self.results if len(r.unassigned)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def summary(self) -> pd.DataFrame:
        return run_summary(self.kpis, self.transit)


def _demand_chunk(scn: Scenario, rep: int, dates: list, engine: Engine | None) -> dict:
    """The base demand of some dates (independent of the vans, so drawn ahead in parallel)."""
    return base_demand(scn, rep, dates, engine)


def _task(
    scn: Scenario,
    rep: int,
    days: int | None,
    engine: Engine | None,
    costs: Costs | None,
    queue: str | None,
    demand: list | None = None,
) -> RunResult:
    """One replication on a worker; sends day counts to the client's progress queue."""
    q = None
    if queue is not None:
        from distributed import Queue

        try:
            q = Queue(queue)
        except ValueError:  # not inside a worker (tests calling directly)
            q = None
    pending = [0]

    def tick(n: int) -> None:
        pending[0] += n
        if q is not None and pending[0] >= _REPORT_EVERY:
            q.put(pending[0])
            pending[0] = 0

    merged = {k: v for part in (demand or []) for k, v in part.items()}
    res = simulate(scn, rep, days=days, engine=engine or real_engine(), costs=costs,
                   demand=merged, progress=tick)
    if q is not None and pending[0]:
        q.put(pending[0])
    return res


def _start_client(scheduler: str | None, n_workers: int) -> tuple[Any, Any, str]:
    """(client, local cluster or None, where the runs go): a new local cluster, or ``scheduler``'s."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return Client(scheduler, timeout=15), None, f"scheduler {scheduler}"
    try:
        with _workers_deaf_to_ctrl_c():
            cluster = LocalCluster(
                n_workers=max(1, n_workers),  # demand chunks use every worker, even for one run
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clashes with a running cluster
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except Exception:
        if stop_requested():  # a start cut short by Ctrl-C: a stop, not a failure
            raise Interrupted("stopped while the cluster started") from None
        raise
    return client, cluster, f"local cluster, {len(cluster.workers)} worker process(es)"


def _submit_demand(client: Any, jobs: list[tuple[Scenario, int]], days: int | None,
                   engine: Engine) -> dict[tuple, list]:
    """Demand first, in parallel chunks of days, shared by the runs on the same network and seed."""
    need: dict[tuple, tuple[Scenario, int, set]] = {}
    for s, r in jobs:
        n = days or s.sim.days
        entry = need.setdefault(demand_key(s, r), (s, r, set()))
        entry[2].update(s.sim.start + dt.timedelta(days=j) for j in range(n))
    chunks: dict[tuple, list] = {}
    for k, (s, r, dates) in need.items():
        ordered = sorted(dates)
        chunks[k] = [
            client.submit(_demand_chunk, s, r, ordered[a : a + _CHUNK_DAYS], engine,
                          pure=False, key=f"demand-{uuid.uuid4().hex[:10]}")
            for a in range(0, len(ordered), _CHUNK_DAYS)
        ]
    return chunks


def _collect(futures: dict[Any, int], q: Any, n_jobs: int, tell: Callable[[int, int], None]) -> list[RunResult]:
    """Wait for every run, passing on day counts from the workers' queue; results in job order."""
    from distributed import as_completed

    results: list[RunResult | None] = [None] * n_jobs
    tell(0, 0)
    ac = as_completed(list(futures))
    done_days = 0
    runs_done = 0
    while runs_done < n_jobs:
        news = sum(_drain(q))
        done_days += news
        finished = [f for f in list(futures) if f.done() and results[futures[f]] is None]
        for f in finished:
            results[futures[f]] = f.result()  # re-raises a run's SimulationError
            runs_done += 1
        if news or finished:
            tell(done_days, runs_done)
        if runs_done < n_jobs:
            time.sleep(_POLL_S)
            raise_if_stopped()
    del ac
    return [r for r in results if r is not None]


def _work(s: Scenario, days: int | None) -> int:
    """A run's expected work, the Dask priority of its task: the longest runs start first.

    Then the last run to finish is a short one (longest processing time first). A hub day is
    three solves, one per sorting cut-off (``routing.daily``): on the 2-worker sweep of the
    shipped scenarios its runs took 44-54 s against 18-34 s.
    """
    return (days or s.sim.days) * (3 if s.mode == "hub" else 1)


def run_scenarios(
    scenarios: list[Scenario],
    *,
    days: int | None = None,
    replications: int | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    engine: Engine | None = None,
    costs: Costs | None = None,
    on_update: Callable[[RunProgress], None] | None = None,
) -> RunSet:
    """Simulate every scenario's replications in parallel; results in a fixed order.

    ``days``/``replications`` override each scenario's own settings. ``engine=None`` uses
    bookvan's engines, imported on the workers. ``costs`` (default: each scenario's fleet's)
    price the KPIs. ``on_update`` hears how far the run is, when it starts and whenever days
    or runs are done.
    """
    from distributed import Queue

    engine = engine or real_engine()  # resolved here, so a patched engine reaches the workers
    jobs = [(s, r) for s in scenarios for r in range(replications or s.sim.replications)]
    total_days = sum(days or s.sim.days for s, _ in jobs)
    t0 = time.perf_counter()
    client, cluster, where = _start_client(scheduler, n_workers)
    futures: dict[Any, int] = {}
    interrupted = False
    try:
        raise_if_stopped()  # Ctrl-C while the cluster started
        qname = f"bookvan-progress-{uuid.uuid4().hex}"
        q = Queue(qname, client=client)
        chunks = _submit_demand(client, jobs, days, engine)
        futures = {
            client.submit(_task, s, r, days, engine, costs, qname, chunks[demand_key(s, r)], pure=False,
                          priority=_work(s, days), key=f"scenario-{s.name}-rep{r}-{uuid.uuid4().hex[:6]}"): i
            for i, (s, r) in enumerate(jobs)
        }

        def tell(days_done: int, runs_done: int) -> None:
            if on_update is not None:
                on_update(RunProgress(days_done, total_days, runs_done, len(jobs), where))

        results = _collect(futures, q, len(jobs), tell)
        tell(total_days, len(results))  # every day is done once every run is
        return RunSet(results, scenarios, time.perf_counter() - t0, where)
    except (Interrupted, KeyboardInterrupt):
        interrupted = True
        raise
    finally:
        if interrupted:
            _close_quietly(client, cluster, list(futures))
        else:
            client.close()
            if cluster is not None:
                cluster.close()


@contextlib.contextmanager
def _workers_deaf_to_ctrl_c() -> Iterator[None]:
    """Start the local cluster's worker processes with Ctrl-C blocked (they inherit the mask).

    A Ctrl-C in the terminal reaches every process of the group; workers that took it would
    print their own tracebacks. The client alone handles it and stops them. While the cluster
    starts, Ctrl-C only sets the stop flag, checked right after.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    _spawn_deaf_to_ctrl_c()
    def on_sigint(_s: int, _f: object) -> None:
        request_stop()
        _quiet_logs()  # a start cut short logs its failures: the user asked for it

    previous = signal.signal(signal.SIGINT, on_sigint)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)  # a pending Ctrl-C runs the flag handler first


def _spawn_deaf_to_ctrl_c() -> None:
    """Spawned workers start with Ctrl-C ignored, before their first import.

    A blocked signal mask is not inherited by a spawned process (the spawn clears it), but an
    ignored signal is, across exec, and Python keeps it ignored: so the workers are started
    through a two-line shell wrapper that ignores SIGINT and then runs this Python.
    """
    import multiprocessing
    import sys
    import tempfile

    folder = Path(tempfile.gettempdir()) / f"bookvan-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    wrapper = folder / "python-deaf-to-ctrl-c"
    text = f"#!/bin/sh\ntrap '' INT\nexec '{sys.executable}' \"$@\"\n"
    if not wrapper.exists() or wrapper.read_text() != text:
        tmp = folder / f".wrapper.{os.getpid()}"
        tmp.write_text(text)
        tmp.chmod(0o700)
        os.replace(tmp, wrapper)
    multiprocessing.set_executable(str(wrapper))


def _quiet_logs() -> None:
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _close_quietly(client: object, cluster: object, futures: list) -> None:
    """After Ctrl-C: cancel the tasks, stop the workers fast, no log lines or tracebacks."""
    _quiet_logs()
    with contextlib.suppress(BaseException):
        client.cancel(futures)  # type: ignore[attr-defined]
    if cluster is not None:  # our own worker processes, busy in a search: end them now
        with contextlib.suppress(BaseException):
            for nanny in list(cluster.workers.values()):  # type: ignore[attr-defined]
                os.kill(nanny.process.process.pid, signal.SIGKILL)
    with contextlib.suppress(BaseException):
        client.close(timeout=2)  # type: ignore[attr-defined]
    if cluster is not None:
        with contextlib.suppress(BaseException):
            cluster.close(timeout=2)  # type: ignore[attr-defined]


def _drain(q: object) -> list[int]:
    try:
        got = q.get(batch=True)  # type: ignore[attr-defined]
    except Exception:  # queue gone or scheduler busy: progress is cosmetic
        return []
    return [int(x) for x in got]


def _shared_costs(runs: RunSet) -> dict[str, float] | None:
    """The costs all runs used, or None when they differ (each run's info has its own)."""
    seen = [r.info.get("costs") for r in runs.results]
    return seen[0] if seen and all(c == seen[0] for c in seen) else None  # type: ignore[return-value]


def _jsonable(x: object) -> object:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "isoformat"):
        return x.isoformat()  # type: ignore[union-attr]
    return x


def write_run_folder(out: str | Path, runs: RunSet, *, source_files: list[Path], force: bool = False) -> Path:
    """Write kpis, transit, unassigned (Parquet), summary (Parquet/CSV), run.json, scenario files.

    run.json's ``cost_parameters`` are the costs every run used, or each run's (``runs[].costs``)
    when scenarios priced vans differently. Written to a temporary folder and swapped in, so a
    failed run leaves the old folder intact. ``out`` must be absent, empty or a scenario run
    folder; ``force`` moves anything else aside.
    """
    out = Path(out)
    with output_folder(out, "scenario-run", force=force) as tmp:
        kpis = runs.kpis
        kpis.to_parquet(tmp / "kpis.parquet", index=False)
        transit = runs.transit
        if len(transit):
            transit.to_parquet(tmp / "transit.parquet", index=False)
        left = runs.unassigned
        if len(left):  # why items waited: the router's reasons, per day
            left.to_parquet(tmp / "unassigned.parquet", index=False)
        summary = runs.summary()
        summary.to_parquet(tmp / "summary.parquet", index=False)
        write_frame_csv(summary, tmp / "summary.csv")  # formula-safe for spreadsheets
        (tmp / "scenarios").mkdir()
        for f in source_files:
            shutil.copy2(f, tmp / "scenarios" / f.name)
        info = {
            "scenarios": [_jsonable(asdict(s)) for s in runs.scenarios],
            "runs": [r.info for r in runs.results],
            "wall_s": round(runs.wall_s, 2),
            "where": runs.where,
            "cost_parameters": _shared_costs(runs),
        }
        (tmp / "run.json").write_text(
            json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8"
        )
    return out
