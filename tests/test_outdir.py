"""Output folders: what --out may replace, the one-step swap, and what a killed run leaves.

The fault-injection tests kill a child process (``os._exit``) before or after each step of
the swap and then look at the folder the way a user or the next run would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bookvan.data import interrupt, outdir
from bookvan.data.errors import InputError
from bookvan.data.outdir import MARKER, check_out, folder_kind, output_folder, recover_leftovers


def _bookvan_folder(path: Path, kind: str, content: str) -> Path:
    with output_folder(path, kind) as tmp:
        (tmp / "v.txt").write_text(content, encoding="utf-8")
    return path


def _user_folder(path: Path) -> dict[str, bytes]:
    (path / "sub").mkdir(parents=True)
    (path / "notes.txt").write_text("my notes", encoding="utf-8")
    (path / "sub" / "thesis.docx").write_bytes(b"\x00\x01 years of work")
    return _snapshot(path)


def _snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# ------------------------------------------------------------------ what --out may be


def test_absent_and_empty_are_fine(tmp_path: Path) -> None:
    assert check_out(tmp_path / "new", "plan").replaces == "nothing"
    (tmp_path / "empty").mkdir()
    assert check_out(tmp_path / "empty", "plan").replaces == "empty"


def test_marker_names_the_kind_and_is_written_last(tmp_path: Path) -> None:
    out = _bookvan_folder(tmp_path / "p", "plan", "one")
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["kind"] == "plan" and marker["written_by"] == "bookvan" and marker["format"] == 1
    assert folder_kind(out) == "plan"
    assert check_out(out, "plan").replaces == "same-kind"
    _bookvan_folder(out, "plan", "two")
    assert (out / "v.txt").read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["p"]  # nothing left beside it


def test_a_plan_folder_of_an_older_version_is_recognised(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for n in ("plan.json", "nodes.parquet", "vehicles.parquet", "transfers.parquet", "stops.parquet"):
        (old / n).write_bytes(b"x")
    assert folder_kind(old) == "plan"
    assert check_out(old, "plan").replaces == "same-kind"
    with pytest.raises(InputError, match="bookvan plan folder, not a manifests folder"):
        check_out(old, "manifests")


def test_a_users_folder_is_refused_and_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    before = _user_folder(mine)
    with pytest.raises(InputError) as e, output_folder(mine, "plan") as tmp:
        (tmp / "plan.json").write_text("{}", encoding="utf-8")
    msg = str(e.value)
    assert str(mine) in msg and "--force" in msg and "another --out" in msg
    assert _snapshot(mine) == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_another_kind_is_refused(tmp_path: Path) -> None:
    run = _bookvan_folder(tmp_path / "run", "scenario-run", "r")
    with pytest.raises(InputError, match="scenario run folder, not a scenario compare folder"):
        check_out(run, "compare")


def test_a_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "report.txt"
    f.write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="names a file"):
        check_out(f, "plan")
    assert f.read_text(encoding="utf-8") == "keep me"


def test_the_working_folder_and_its_parents_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "work" / "deep"
    here.mkdir(parents=True)
    _bookvan_folder(tmp_path / "work" / "p", "plan", "x")  # even a parent holding a plan
    monkeypatch.chdir(here)
    for target in (Path("."), Path(".."), here):
        with pytest.raises(InputError, match="the folder you are working in"):
            check_out(target, "plan")


def test_a_filesystem_root_is_never_written(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="root"):
        check_out(Path("/"), "plan", force=True)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_force_moves_the_users_folder_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(outdir, "_exchange", _unsupported)
    mine = tmp_path / "mine"
    before = _user_folder(mine)
    assert check_out(mine, "plan", force=True).moves_aside
    _bookvan_folder_forced(mine)
    assert folder_kind(mine) == "plan"
    aside = outdir.latest_aside(mine)
    assert aside == tmp_path / "mine.replaced-1"
    assert _snapshot(aside) == before
    _user_folder(tmp_path / "mine2")
    _bookvan_folder_forced(tmp_path / "mine2")
    assert outdir.latest_aside(tmp_path / "mine2") == tmp_path / "mine2.replaced-1"
    f = tmp_path / "file"
    f.write_text("keep", encoding="utf-8")
    _bookvan_folder_forced(f)
    assert (tmp_path / "file.replaced-1").read_text(encoding="utf-8") == "keep"


def _bookvan_folder_forced(path: Path) -> None:
    with output_folder(path, "plan", force=True) as tmp:
        (tmp / "v.txt").write_text("new", encoding="utf-8")


def _unsupported(a: Path, b: Path) -> None:
    raise outdir.ExchangeUnsupported(95, "not supported here")


def test_the_exchange_swaps_two_full_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("A", encoding="utf-8")
    (b / "x").write_text("B", encoding="utf-8")
    outdir._exchange(a, b)
    assert (a / "x").read_text(encoding="utf-8") == "B" and (b / "x").read_text(encoding="utf-8") == "A"


def test_a_failed_or_stopped_write_keeps_the_old_folder(tmp_path: Path) -> None:
    out = _bookvan_folder(tmp_path / "p", "plan", "old")
    with pytest.raises(RuntimeError), output_folder(out, "plan") as tmp:
        (tmp / "v.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("solver blew up")
    interrupt.request_stop()
    try:
        with pytest.raises(interrupt.Interrupted), output_folder(out, "plan") as tmp:
            (tmp / "v.txt").write_text("new", encoding="utf-8")  # Ctrl-C came meanwhile
    finally:
        interrupt.clear()
    assert (out / "v.txt").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


# ------------------------------------------------------------------ leftovers


def test_leftovers_of_dead_runs_are_cleaned_live_ones_kept(tmp_path: Path) -> None:
    out = _bookvan_folder(tmp_path / "p", "plan", "current")
    dead, live = _dead_pid(), os.getppid()
    for name in (f".p.{dead}-0123abcd.tmp", f".p.{dead}-89abcdef.old", ".p.k3j_x9q2.tmp", f".p.{live}-00000000.tmp"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "v.txt").write_text("partial", encoding="utf-8")
    (tmp_path / ".p.notes.txt").write_text("not ours", encoding="utf-8")  # another name pattern
    done = recover_leftovers(out)
    assert len(done) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p", f".p.{live}-00000000.tmp", ".p.notes.txt"])
    assert (out / "v.txt").read_text(encoding="utf-8") == "current"


def test_a_missing_folder_is_restored_from_the_complete_leftover(tmp_path: Path) -> None:
    dead = _dead_pid()
    new = _bookvan_folder(tmp_path / "x", "plan", "new")
    new.rename(tmp_path / f".p.{dead}-0123abcd.tmp")
    old = _bookvan_folder(tmp_path / "y", "plan", "old")
    old.rename(tmp_path / f".p.{dead}-89abcdef.old")
    recover_leftovers(tmp_path / "p")
    assert (tmp_path / "p" / "v.txt").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


# ------------------------------------------------------------------ fault injection

_CHILD = textwrap.dedent(
    """
    import os, shutil, sys
    from pathlib import Path
    from bookvan.data import outdir

    path, kind, force, mode, kill_at, when = sys.argv[1:7]
    step = [0]
    real = {"rename": os.rename, "exchange": outdir._exchange, "rmtree": shutil.rmtree}

    def counted(name):
        def call(*a, **k):
            step[0] += 1
            if step[0] == int(kill_at) and when == "before":
                os._exit(9)
            if name == "exchange" and mode == "two-renames":
                raise outdir.ExchangeUnsupported(95, "not supported here")
            r = real[name](*a, **k)
            if step[0] == int(kill_at) and when == "after":
                os._exit(9)
            return r
        return call

    os.rename = counted("rename")
    shutil.rmtree = counted("rmtree")
    outdir._exchange = counted("exchange")
    with outdir.output_folder(path, kind, force=force == "force") as tmp:
        (tmp / "v.txt").write_text("new", encoding="utf-8")
    print("steps", step[0])
    """
)


def _run_child(path: Path, force: bool, mode: str, kill_at: int, when: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), "plan", "force" if force else "-", mode, str(kill_at), when],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _state(path: Path) -> str:
    """'old' or 'new' when a complete folder is at ``path``, else what is wrong."""
    if not path.is_dir():
        return "missing"
    v = path / "v.txt"
    if not v.is_file():
        return "user" if (path / "notes.txt").is_file() else "incomplete"
    text = v.read_text(encoding="utf-8")
    return text if (path / MARKER).is_file() else f"{text} without marker"


@pytest.mark.parametrize("mode", ["exchange", "two-renames"])
@pytest.mark.parametrize("force", [False, True], ids=["same-kind", "force-over-user-folder"])
def test_killed_at_every_step_of_the_swap_a_complete_folder_is_there(tmp_path: Path, mode: str, force: bool) -> None:
    tried = []
    for kill_at in range(1, 6):
        for when in ("before", "after"):
            case = tmp_path / f"{kill_at}{when}"
            case.mkdir()
            out = case / "p"
            if force:
                before = _user_folder(out)
            else:
                _bookvan_folder(out, "plan", "old")
            res = _run_child(out, force, mode, kill_at, when)
            if res.returncode == 0:  # fewer steps than kill_at: the write finished
                assert _state(out) == "new", res.stderr
                continue
            assert res.returncode == 9, res.stderr
            now = _state(out)
            tried.append((kill_at, when, now))
            expected = {"user", "new"} if force else {"old", "new"}
            if mode == "exchange":  # at every instant the path holds one complete folder
                assert now in expected, (kill_at, when, now, sorted(os.listdir(case)))
            # the next run cleans up (and completes the two-renames protocol)
            check_out(out, "plan", force=force)
            after = _state(out)
            assert after in expected, (kill_at, when, after, sorted(os.listdir(case)))
            left = sorted(p.name for p in case.iterdir() if p.name != "p")
            if force:  # the user's files: at the path, or moved aside whole
                keep = out if after == "user" else outdir.latest_aside(out)
                assert keep is not None and _snapshot(keep) == before, (kill_at, when, left)
                assert all(n.startswith("p.replaced-") for n in left), left
            else:
                assert left == [], (kill_at, when, left)
            # and the next run writes normally
            _bookvan_folder_forced(out) if force else _bookvan_folder(out, "plan", "next")
    assert tried, "no step was interrupted"
