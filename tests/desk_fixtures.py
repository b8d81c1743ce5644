"""Fixtures for the desk's tests: a throw-away PostgreSQL server, free ports, a desk server process.

PostgreSQL comes from Debian's ``postgresql`` package (scripts/setup.sh installs it); the test
runs initdb and pg_ctl in a temporary folder on a free loopback port, as the ``postgres`` user
when run as root (PostgreSQL refuses to run as root). Where the package is missing the
PostgreSQL tests are skipped with the reason printed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a PostgreSQL server for the test; yields a SQLAlchemy URL to an empty database."""
    bindir = _pg_bin()
    if bindir is None:
        reason = "PostgreSQL is not installed (Debian package 'postgresql'; bash scripts/setup.sh installs it)"
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="bookvan-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        os.chmod(root, 0o700)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    log = root / "server.log"
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
                        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=on", "start"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def desk_server(workdir: Path, *extra: str, db_url: str | None = None) -> Iterator[str]:
    """``bookvan desk`` in a subprocess on a free loopback port; yields its base URL."""
    port = free_port()
    db = db_url or f"sqlite:///{workdir / 'desk.db'}"
    cmd = [str(REPO / ".venv/bin/bookvan"), "desk", "--port", str(port), "--db", db, "--plans",
           str(workdir / "plans"), *extra]
    log = open(workdir / "server.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/login", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((workdir / "server.log").read_text()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
