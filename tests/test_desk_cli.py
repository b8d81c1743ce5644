"""``bookvan desk``: options reach uvicorn, loopback by default; ``bookvan desk user add``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bookvan.cli.main import app
from bookvan.desk.store import open_store

runner = CliRunner()


@pytest.fixture
def started(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: calls.append((web, kw)))
    return calls


def test_loopback_by_default(started, tmp_path):
    db = f"sqlite:///{tmp_path / 'd.db'}"
    res = runner.invoke(app, ["desk", "--db", db, "--plans", str(tmp_path / "plans"), "--port", "9123"])
    assert res.exit_code == 0, res.output
    (_web, kw), = started
    assert kw["host"] == "127.0.0.1" and kw["port"] == 9123
    assert "warning" not in res.output
    assert open_store(db).schema_version() == 1  # created and migrated on start


def test_other_host_warns(started, tmp_path):
    res = runner.invoke(app, ["desk", "--host", "0.0.0.0", "--db", f"sqlite:///{tmp_path / 'd.db'}",
                              "--plans", str(tmp_path / "p")])
    assert res.exit_code == 0 and started[0][1]["host"] == "0.0.0.0"
    assert "other machines can reach" in res.output


def test_bad_database_url_exit_2(started, tmp_path):
    res = runner.invoke(app, ["desk", "--db", "nosuchdb://x", "--plans", str(tmp_path / "p")])
    assert res.exit_code == 2 and "--db" in res.output and "Traceback" not in res.output
    assert started == []


def test_user_add(tmp_path):
    db = f"sqlite:///{tmp_path / 'd.db'}"
    res = runner.invoke(app, ["desk", "user", "add", "mei", "--db", db, "--password-stdin"], input="secret-pass\n")
    assert res.exit_code == 0, res.output
    assert open_store(db).sign_in("mei", "secret-pass")
    res = runner.invoke(app, ["desk", "user", "add", "mei", "--db", db, "--password-stdin"], input="secret-pass\n")
    assert res.exit_code == 2 and "exists" in res.output
    res = runner.invoke(app, ["desk", "user", "add", "lin", "--db", db, "--password-stdin"], input="short\n")
    assert res.exit_code == 2 and "8 characters" in res.output


def test_help_has_an_example():
    res = runner.invoke(app, ["desk", "--help"])
    assert res.exit_code == 0 and "bookvan desk --port 8765" in res.output
