"""The shipped scenario files (``library/*.toml``), by name: ``baseline``, ``fleet-plus-one``…

The shipped optimiser settings (``optimize-keelung.toml``) sit beside the library, found by
name too.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bookvan.data.errors import InputError

__all__ = ["library_dir", "library_files", "resolve_scenario_file", "resolve_settings_file"]


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


def resolve_settings_file(name: str | Path) -> Path:
    """A path as given, a shipped scenario's name, or a shipped optimiser settings file's name
    (``optimize-keelung``, beside the library)."""
    p = Path(name)
    if p.exists():
        return p
    shipped = library_dir().parent / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    return shipped if shipped.is_file() else resolve_scenario_file(name)
