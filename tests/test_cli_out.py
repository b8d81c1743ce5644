"""--out on the command line: a user's folder, another kind's folder or a file is refused with
exit 2 before any work (files untouched); --force moves it aside and says where."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_factory import good_plan, write_plan_dir
from typer.testing import CliRunner

from bookvan.cli.main import app

runner = CliRunner()
GOOD = "origin,destination,items,kind\nKL-ANLE,KL-XINYI,45,hold\nKL-BAIFU,KL-MAIN,10,return\n"


def _users(path: Path) -> dict[str, bytes]:
    (path / "photos").mkdir(parents=True)
    (path / "notes.txt").write_text("my notes", encoding="utf-8")
    (path / "photos" / "a.jpg").write_bytes(b"\xff\xd8 jpeg")
    return _snapshot(path)


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _refused(res, folder: Path) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "--force" in res.output and "another --out" in res.output
    assert str(folder.resolve()) in res.output.replace("\n", "")


def test_plan_out_dot_in_a_users_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _users(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--out", "."])
    _refused(res, tmp_path)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--date", "2026-12-01", "--out", "{out}"],
        ["scenario", "run", "baseline", "--days", "1", "--out", "{out}"],
        ["scenario", "compare", "{tmp}/no-run-a", "{tmp}/no-run-b", "--out", "{out}"],
    ],
    ids=["plan", "scenario-run", "scenario-compare"],
)
def test_a_users_folder_is_refused_before_any_work(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "mine"
    before = _users(out)
    res = runner.invoke(app, [a.replace("{out}", str(out)).replace("{tmp}", str(tmp_path)) for a in args])
    _refused(res, out)
    assert "not a bookvan" in res.output or "did not write" in res.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_manifest_onto_another_plan_folder_is_refused(tmp_path: Path) -> None:
    plan = write_plan_dir(good_plan(), tmp_path / "plan")
    other = write_plan_dir(good_plan(), tmp_path / "other")
    before = _snapshot(other)
    res = runner.invoke(app, ["manifest", str(plan), "--out", str(other)])
    _refused(res, other)
    assert "plan folder, not a manifests folder" in res.output
    assert _snapshot(other) == before


def test_a_file_as_out_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF keep")
    res = runner.invoke(app, ["plan", "--date", "2026-12-01", "--out", str(f)])
    _refused(res, f)
    assert f.read_bytes() == b"%PDF keep"


@pytest.mark.slow
def test_force_moves_the_users_folder_aside(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "mine"
    before = _users(out)
    args = ["plan", "--date", "2026-12-01", "--transfers", str(tmp_path / "t.csv"), "--time-limit", "2",
            "--out", str(out), "--force"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    aside = tmp_path / "mine.replaced-1"
    assert _snapshot(aside) == before
    assert str(aside) in res.output.replace("\n", "")
    assert (out / "plan.json").is_file() and (out / ".bookvan.json").is_file()
    res = runner.invoke(app, ["check", str(out)])
    assert res.exit_code == 0, res.output
