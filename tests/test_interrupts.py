"""Ctrl-C at any moment: exit 130 within seconds, one line, no traceback, earlier output kept.

Each test runs ``bookvan`` in its own process group and sends SIGINT to the whole group, as a
terminal does (Dask worker processes get it too). The console is told it is a terminal so the
status lines show which phase the command is in when the signal is sent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from plan_factory import good_plan, write_plan_dir

from bookvan.data.outdir import output_folder

pytestmark = pytest.mark.slow

BOOKVAN = [sys.executable, "-m", "bookvan.cli.entry"]
STOP_LINE = "stopped (Ctrl-C)"


class _Run:
    """A bookvan process whose stdout and stderr are read as they come."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "200"}
        self.p = subprocess.Popen(
            [*BOOKVAN, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.pumps = [
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            for stream, sink in ((self.p.stdout, self.out), (self.p.stderr, self.err))
        ]
        for t in self.pumps:
            t.start()

    @staticmethod
    def _pump(stream, sink: list[bytes]) -> None:
        for chunk in iter(lambda: stream.read1(4096), b""):
            sink.append(chunk)

    def text(self) -> str:
        return (b"".join(self.out) + b"".join(self.err)).decode("utf-8", "replace")

    def wait_for(self, words: str, timeout: float = 240) -> None:
        end = time.monotonic() + timeout
        while words not in self.text():
            assert self.p.poll() is None, f"ended before '{words}': {self.text()[-2000:]}"
            assert time.monotonic() < end, f"no '{words}' within {timeout} s: {self.text()[-2000:]}"
            time.sleep(0.05)

    def interrupt(self) -> float:
        """Ctrl-C to the process group; seconds until the process ended."""
        t0 = time.monotonic()
        os.killpg(self.p.pid, signal.SIGINT)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
            pytest.fail(f"still running 30 s after Ctrl-C: {self.text()[-2000:]}")
        took = time.monotonic() - t0
        self.close()
        return took

    def close(self) -> None:
        """Let the readers take the last bytes, then close the pipes (no ResourceWarning)."""
        for t in self.pumps:
            t.join(timeout=5)
        for stream in (self.p.stdout, self.p.stderr):
            stream.close()  # type: ignore[union-attr]

    def stderr(self) -> str:
        return b"".join(self.err).decode("utf-8", "replace")


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _earlier(path: Path, kind: str) -> dict[str, bytes]:
    with output_folder(path, kind) as tmp:
        (tmp / "earlier.txt").write_text(f"an earlier {kind} folder", encoding="utf-8")
    return _snapshot(path)


def _assert_stopped(run: _Run, took: float, out: Path, before: dict[str, bytes], limit: float = 5.0) -> None:
    err = run.stderr()
    # 130, or death by SIGINT (-2), which a shell reports as the same 130: seen once in ~25
    # runs under load during the network load, after the stop line was printed
    assert run.p.returncode in (130, -signal.SIGINT), err[-2000:]
    assert took < limit, f"took {took:.1f} s to stop"
    print(f"stopped in {took:.2f} s")  # shown with -s: the figures of the report
    assert "Traceback" not in run.text() and "Error" not in err, err[-2000:]
    assert err.count(STOP_LINE) == 1, err[-2000:]
    assert err.rstrip().splitlines()[-1].startswith(STOP_LINE), err[-2000:]
    assert _snapshot(out) == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")] == []


def test_ctrl_c_while_loading_the_network(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    before = _earlier(out, "plan")
    run = _Run(["plan", "--date", "2026-12-01", "--out", str(out)], tmp_path)
    run.wait_for("Loading the network")
    _assert_stopped(run, run.interrupt(), out, before)


def test_ctrl_c_during_a_long_search(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    before = _earlier(out, "plan")
    run = _Run(["plan", "--date", "2026-12-01", "--anytime", "--time-limit", "60", "--out", str(out)], tmp_path)
    run.wait_for("Routing")
    time.sleep(4)  # well inside the 60 s search (PyVRP warm start, then OR-Tools)
    _assert_stopped(run, run.interrupt(), out, before)


def test_ctrl_c_during_the_or_tools_search(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    before = _earlier(out, "plan")
    args = ["plan", "--date", "2026-12-01", "--anytime", "--time-limit", "60", "--out", str(out)]
    run = _Run(args, tmp_path)
    run.wait_for("Routing")
    time.sleep(45)  # past the PyVRP share of the budget: OR-Tools' local search is running
    _assert_stopped(run, run.interrupt(), out, before, limit=10.0)  # 1.6-2.1 s idle, 8.8 s once on a loaded machine


def test_ctrl_c_during_manifest(tmp_path: Path) -> None:
    plan = write_plan_dir(good_plan(), tmp_path / "plan")
    out = plan / "manifests"
    before = _earlier(out, "manifests")
    run = _Run(["manifest", str(plan), "--lang", "both"], tmp_path)
    run.wait_for("… manifest")
    _assert_stopped(run, run.interrupt(), out, before)


def test_ctrl_c_during_scenario_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    before = _earlier(out, "scenario-run")
    args = ["scenario", "run", "baseline", "--days", "60", "--replications", "1", "--workers", "1", "--out", str(out)]
    run = _Run(args, tmp_path)
    run.wait_for("days simulated")
    time.sleep(3)
    _assert_stopped(run, run.interrupt(), out, before, limit=10.0)


def test_ctrl_c_while_the_cluster_starts(tmp_path: Path) -> None:
    out = tmp_path / "run"
    before = _earlier(out, "scenario-run")
    args = ["scenario", "run", "baseline", "--days", "5", "--replications", "1", "--workers", "1", "--out", str(out)]
    run = _Run(args, tmp_path)
    time.sleep(1.0)
    while run.p.poll() is None and not _has_children(run.p.pid):
        time.sleep(0.05)  # the first worker process is being spawned
    _assert_stopped(run, run.interrupt(), out, before, limit=15.0)


def _has_children(pid: int) -> bool:
    """True once any thread of ``pid`` has started a child process (Linux /proc)."""
    try:
        return any(t.joinpath("children").read_text().split() for t in Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
