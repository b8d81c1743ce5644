"""Output folders bookvan writes: refuse anyone else's folder, swap a finished one in one step.

A folder bookvan writes carries a marker, ``.bookvan.json``, naming its kind (``plan``,
``manifests``, ``scenario-run``, ``compare``, …). ``--out`` may name a folder that is absent,
empty, or made by bookvan *of the same kind*; anything else (a user's folder, a folder of
another kind, a file, a folder that holds the working directory) is refused with exit 2
unless ``--force``, and with ``--force`` the replaced folder is moved aside, never deleted.

The new folder is written beside the target as ``.NAME.<pid>-<hex>.tmp`` and swapped in with
``renameat2(RENAME_EXCHANGE)``: at every instant the path holds the old or the new complete
folder. Where the exchange is not supported, two renames are used and the next run completes
them. Either way the next run cleans or recovers what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import platform
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bookvan.data.errors import InputError
from bookvan.data.interrupt import raise_if_stopped

__all__ = [
    "MARKER",
    "OutTarget",
    "check_out",
    "folder_kind",
    "latest_aside",
    "output_folder",
    "recover_leftovers",
]

MARKER = ".bookvan.json"
MARKER_FORMAT = 1
# Folders written before the marker existed are recognised by the files only bookvan writes.
_SIGNATURES = {
    "plan": ("plan.json", "nodes.parquet", "vehicles.parquet", "transfers.parquet", "stops.parquet"),
    "manifests": ("index.json", "overview.html", "labels.pdf"),
    "scenario-run": ("run.json", "kpis.parquet", "summary.csv"),
    "compare": ("compare.parquet", "compare.csv", "report.html"),
    "scan-state": ("state.json", "vans.parquet", "crates.parquet"),
    "schedule": ("schedule.csv", "timetable.csv", "build.json"),
    "costs": ("transport_cost.csv", "proximity_adjustment.csv", "lane_costs.csv"),
    "arrived": ("arrived.csv", "arrived.html", "carry_over.csv"),
    "bulk": ("bulk_moves.csv", "bulk.json"),
}
_WHAT = {
    "plan": "plan folder",
    "manifests": "manifests folder",
    "scenario-run": "scenario run folder",
    "compare": "scenario compare folder",
    "scan-state": "scan state folder",
    "schedule": "schedule folder",
    "costs": "cost export folder",
    "arrived": "arrival report folder",
    "bulk": "bulk moves folder",
}


def _what(kind: str) -> str:
    return _WHAT.get(kind, f"'{kind}' folder")


def folder_kind(path: str | Path) -> str | None:
    """The kind of bookvan folder at ``path`` (marker first, then known files), else ``None``."""
    path = Path(path)
    try:
        raw = json.loads((path / MARKER).read_text(encoding="utf-8"))
        if isinstance(raw, dict) and raw.get("written_by") == "bookvan" and isinstance(raw.get("kind"), str):
            return raw["kind"]
    except (OSError, ValueError):
        pass
    for kind, names in _SIGNATURES.items():
        if all((path / n).is_file() for n in names):
            return kind
    return None


def _marker_text(kind: str) -> str:
    try:
        from importlib.metadata import version

        ver = version("bookvan")
    except Exception:  # not installed as a distribution (a bare checkout): still a marker
        ver = "unknown"
    body = {"written_by": "bookvan", "kind": kind, "format": MARKER_FORMAT, "bookvan_version": ver}
    return json.dumps(body, indent=2) + "\n"


@dataclass(frozen=True)
class OutTarget:
    """What writing ``path`` will do: ``replaces`` is ``nothing``, ``empty``, ``same-kind`` or ``aside``."""

    path: Path
    kind: str
    replaces: str

    @property
    def moves_aside(self) -> bool:
        return self.replaces == "aside"


def _contains_cwd(path: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working directory was removed: it cannot be inside anything
        return False
    return cwd == path or path in cwd.parents


def check_out(path: str | Path, kind: str, *, force: bool = False, option: str = "--out") -> OutTarget:
    """Decide whether ``path`` may receive a ``kind`` folder, before any work is done.

    Leftovers of a killed run at ``path`` are cleaned or recovered first.

    Raises
    ------
    InputError
        The path holds something bookvan did not write for this kind (and ``force`` is off),
        or it can never be replaced (a filesystem root).
    """
    p = Path(path).expanduser()
    p = p.resolve() if p.exists() or p.is_symlink() else p.absolute()
    if p.parent == p:
        raise InputError.single(p, f"{option} cannot be a filesystem root; choose a folder below it")
    recover_leftovers(p)
    if not (p.exists() or p.is_symlink()):
        return OutTarget(p, kind, "nothing")
    way_out = f"choose another {option}, or add --force to move it aside (nothing is deleted)"
    if not p.is_dir():
        if force:
            return OutTarget(p, kind, "aside")
        raise InputError.single(p, f"{option} names a file, not a folder; {way_out}")
    if _contains_cwd(p):
        if force:
            return OutTarget(p, kind, "aside")
        raise InputError.single(p, f"{option} would replace the folder you are working in; {way_out}")
    with os.scandir(p) as it:
        empty = next(it, None) is None
    if empty:
        return OutTarget(p, kind, "empty")
    found = folder_kind(p)
    if found == kind:
        return OutTarget(p, kind, "same-kind")
    if force:
        return OutTarget(p, kind, "aside")
    if found is not None:
        raise InputError.single(
            p, f"{option} is a bookvan {_what(found)}, not a {_what(kind)}; {way_out}"
        )
    raise InputError.single(
        p, f"{option} is a folder bookvan did not write (it holds files of yours); {way_out}"
    )


# ---------------------------------------------------------------- one-step exchange

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276, "ppc64le": 357, "s390x": 347}


def _libc_exchange() -> object | None:
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    fn = getattr(libc, "renameat2", None)
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        return lambda a, b: fn(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)
    nr = _SYS_RENAMEAT2.get(platform.machine())
    if nr is None:
        return None
    sc = libc.syscall
    sc.restype = ctypes.c_long
    return lambda a, b: sc(
        ctypes.c_long(nr), ctypes.c_int(_AT_FDCWD), a, ctypes.c_int(_AT_FDCWD), b, ctypes.c_uint(_RENAME_EXCHANGE)
    )


class ExchangeUnsupported(OSError):
    """The system or filesystem cannot exchange two paths in one step."""


def _exchange(a: Path, b: Path) -> None:
    """Swap the two existing paths ``a`` and ``b`` atomically (Linux ``renameat2``)."""
    fn = _libc_exchange()
    if fn is None:
        raise ExchangeUnsupported(errno.ENOSYS, "renameat2 is not available")
    if fn(os.fsencode(a), os.fsencode(b)) != 0:  # type: ignore[operator]
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise ExchangeUnsupported(err, os.strerror(err))
        raise OSError(err, os.strerror(err), str(a), None, str(b))


# ---------------------------------------------------------------- leftovers of killed runs

_LEFTOVER = r"^\.{name}\.(?:(?P<pid>\d+)-[0-9a-f]{{8}}|[a-z0-9_]{{8}})\.(?P<step>tmp|old|swap)$"


def _leftover_name(path: Path, step: str) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.{step}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _aside_name(path: Path) -> Path:
    """``NAME.replaced-N``, N one above any earlier one, so the newest is the highest."""
    pat = re.compile(rf"^{re.escape(path.name)}\.replaced-(\d+)$")
    used = [int(m.group(1)) for e in path.parent.iterdir() if (m := pat.match(e.name))]
    return path.with_name(f"{path.name}.replaced-{max(used, default=0) + 1}")


def latest_aside(path: str | Path) -> Path | None:
    """Where the newest replaced folder of ``path`` was moved aside, if any."""
    path = Path(path).absolute()
    pat = re.compile(rf"^{re.escape(path.name)}\.replaced-(\d+)$")
    found = [(int(m.group(1)), e) for e in path.parent.iterdir() if (m := pat.match(e.name))]
    return max(found)[1] if found else None


def _complete(folder: Path) -> bool:
    return (folder / MARKER).is_file() or folder_kind(folder) is not None


def recover_leftovers(path: str | Path) -> list[str]:
    """Clean or complete what killed runs left beside ``path``; return what was done.

    Only names bookvan makes (``.NAME.<pid>-<hex>.tmp|old|swap`` of dead processes, and the
    older ``.NAME.<8 chars>.tmp|old``) are touched. When ``path`` itself is missing (a run
    killed between the two renames of the fallback), the complete new folder is put in
    place, else the old one. ``.swap`` folders may hold a user's folder that ``--force`` was
    replacing: they are moved aside, never deleted (or put in place when they are the
    complete new folder and the path is empty).
    """
    path = Path(path).absolute()
    parent = path.parent
    if not parent.is_dir():
        return []
    pat = re.compile(_LEFTOVER.format(name=re.escape(path.name)))
    found: dict[str, list[Path]] = {"tmp": [], "old": [], "swap": []}
    for e in parent.iterdir():
        m = pat.match(e.name)
        if m is None or e.is_symlink() or not (e.is_dir() or m.group("step") == "swap"):
            continue
        if m.group("pid") is not None and _alive(int(m.group("pid"))):
            continue  # another bookvan run is writing it now
        found[m.group("step")].append(e)
    done: list[str] = []
    for e in found["swap"]:
        if not path.exists() and e.is_dir() and (e / MARKER).is_file():
            os.rename(e, path)  # --force without exchange, killed after moving the old aside
            done.append(f"restored {path} from {e.name}")
            continue
        aside = _aside_name(path)
        os.rename(e, aside)
        done.append(f"moved {e.name} aside to {aside}")
    if not path.exists():
        for e in [*found["tmp"], *found["old"]]:  # the new complete folder first, else the old
            if _complete(e):
                os.rename(e, path)
                done.append(f"restored {path} from {e.name}")
                break
    for e in found["tmp"] + found["old"]:
        if e.exists():
            shutil.rmtree(e, ignore_errors=True)
            done.append(f"removed {e.name}")
    return done


# ---------------------------------------------------------------- writing a folder


def _swap_in(tmp: Path, target: OutTarget) -> None:
    """Put the complete folder ``tmp`` at ``target.path`` (old folder: gone or moved aside)."""
    path = target.path
    if not (path.exists() or path.is_symlink()):
        os.rename(tmp, path)  # an empty folder that appeared meanwhile is replaced too
        return
    if target.moves_aside:
        swap = _leftover_name(path, "swap")
        os.rename(tmp, swap)
        try:
            _exchange(swap, path)
        except ExchangeUnsupported:
            os.rename(path, _aside_name(path))  # the user's folder stays whole, under a new name
            os.rename(swap, path)
            return
        os.rename(swap, _aside_name(path))
        return
    try:
        _exchange(tmp, path)
        old = tmp
    except ExchangeUnsupported:
        # two renames; a run killed between them is completed by recover_leftovers()
        old = _leftover_name(path, "old")
        os.rename(path, old)
        os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def output_folder(path: str | Path, kind: str, *, force: bool = False) -> Iterator[Path]:
    """Yield an empty folder beside ``path``; on success it becomes ``path`` in one step.

    ``path`` is checked again as by :func:`check_out` (callers check first, before any
    work). On any exception, or when a stop was requested (Ctrl-C) before the swap, the
    temporary folder is removed and ``path`` is left as it was.

    Raises
    ------
    InputError
        ``path`` may not be written (see :func:`check_out`).
    """
    target = check_out(path, kind, force=force)
    target.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _leftover_name(target.path, "tmp")
    tmp.mkdir()
    try:
        yield tmp
        (tmp / MARKER).write_text(_marker_text(kind), encoding="utf-8")  # written last: complete
        raise_if_stopped()  # a stop requested while writing: keep the earlier folder
        _swap_in(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
