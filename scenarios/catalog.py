"""The shipped scenario files (``library/*.toml``), by name: ``baseline``, ``fleet-plus-one``…"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bookvan.data.errors import InputError

__all__ = ["library_dir", "library_files", "resolve_scenario_file"]


def library_dir() -> Path:
    return Path(str(resources.files("bookvan.scenarios") / "library"))


def library_files() -> list[Path]:
    return sorted(library_dir().glob("*.toml"))


def resolve_scenario_file(name: str | Path) -> Path:
    """A path as given, or a shipped scenario's name (``fleet-plus-one``)."""
    p = Path(name)
    if p.exists():
        return p
    lib = library_dir() / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    if lib.exists():
        return lib
    raise InputError.single(
        p, "no such scenario file (nor a shipped scenario of that name; see: bookvan scenario list)"
    )
