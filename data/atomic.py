"""Atomic writes: a reader never sees half a file, a failed run never eats the last good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_dir", "atomic_file"]


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w", **kwargs: object) -> Iterator[object]:
    """Open a temporary file beside ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as fh:  # type: ignore[call-overload]
            yield fh
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_dir(path: str | Path, kind: str = "output", *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path`` in one step.

    Kept for callers of the first version: it is :func:`bookvan.data.outdir.output_folder`,
    so ``path`` must be absent, empty or a bookvan folder of ``kind`` (else an InputError),
    and a failed or interrupted run leaves the previous folder as it was.
    """
    from bookvan.data.outdir import output_folder

    with output_folder(path, kind, force=force) as tmp:
        yield tmp
