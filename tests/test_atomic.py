"""Atomic file writes: the old file stays whole until the new one is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookvan.data.atomic import atomic_file


def test_the_file_appears_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.csv"
    with atomic_file(target, encoding="utf-8") as fh:
        fh.write("a,b\n")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.csv"]


def test_a_failure_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file(target, encoding="utf-8") as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_binary_mode(tmp_path: Path) -> None:
    with atomic_file(tmp_path / "b.bin", "wb") as fh:
        fh.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
