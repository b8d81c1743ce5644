"""The one reader of TOML settings files: fleet, scenario, cost and optimiser files.

:func:`read_toml_input` turns a file that cannot be read or parsed into an
:class:`~bookvan.data.errors.InputError`; :class:`SettingsTable` gives typed access to one of
its tables and collects every bad or unknown key, in sub-tables too, under its dotted name
(``fleet.max_vans``, ``add_node[0].lat``). The loader raises them together, so the CLI exits 2
with one message naming the file, the table and the key, never a ``ValueError`` traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bookvan.data.errors import InputError, ProblemCollector, read_input_text

__all__ = ["SettingsTable", "read_settings", "read_toml_input"]


def read_toml_input(path: Path, *, what: str = "file") -> dict[str, Any]:
    """Parse an input TOML file; every way it can be unreadable or invalid is an InputError.

    One parser for every TOML input (settings files, column maps), so they all report a bad
    file the same way; ``what`` names the kind of file in those messages.
    """
    text = read_input_text(path, what=what)  # as stored: TOML itself judges bare carriage returns
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError.single(path, f"not valid TOML: {e}") from None
    except RecursionError:
        raise InputError.single(path, "not valid TOML: nested too deeply") from None


def read_settings(
    path: str | Path, known: Iterable[str], *, what: str = "settings file"
) -> SettingsTable:
    """The top table of a settings file, with a fresh collector for the file's problems.

    Call ``.col.raise_if_any()`` on the result once everything is read.
    """
    p = Path(path)
    raw = read_toml_input(p, what=what)
    return SettingsTable(ProblemCollector(str(p)), raw, "", set(known))


class SettingsTable:
    """Typed access to one TOML table, collecting problems under dotted key names.

    Unknown keys are problems as soon as the table is opened. :meth:`get` and :meth:`need`
    return the value, or the default (``None`` for ``need``) after recording why not.
    """

    def __init__(self, col: ProblemCollector, table: object, where: str, known: set[str]) -> None:
        self.col, self.where = col, where
        if not isinstance(table, dict):
            col.add("must be a table", field=where or "(top)")
            table = {}
        self.t: dict[str, object] = table
        for k in table:
            if k not in known:
                col.add(f"unknown key (known: {', '.join(sorted(known))})", field=self.key(k))

    def key(self, k: str) -> str:
        """The dotted name of key ``k`` of this table, as errors show it."""
        return f"{self.where}.{k}" if self.where else k

    def __contains__(self, k: str) -> bool:
        return k in self.t

    def get(
        self,
        k: str,
        kind: type,
        default: object = None,
        *,
        lo: float | None = None,
        hi: float | None = None,
    ) -> Any:
        """Key ``k`` as ``kind`` (``int`` is accepted for ``float``; TOML or ISO text for dates),
        within ``[lo, hi]`` when given; ``default`` if absent or bad (a bad one is recorded)."""
        if k not in self.t:
            return default
        v = self.t[k]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if kind is dt.date:
            return self._date(k, v, default)
        if not isinstance(v, kind) or (kind is not bool and isinstance(v, bool)):
            self.col.add(f"{v!r} must be a {kind.__name__}", field=self.key(k))
            return default
        if isinstance(v, float) and not math.isfinite(v):
            self.col.add(f"{v!r} must be a finite number", field=self.key(k))
            return default
        if lo is not None and isinstance(v, (int, float)) and v < lo:
            self.col.add(f"{v!r} must be ≥ {lo:g}", field=self.key(k))
            return default
        if hi is not None and isinstance(v, (int, float)) and v > hi:
            self.col.add(f"{v!r} must be ≤ {hi:g}", field=self.key(k))
            return default
        return v

    def need(self, k: str, kind: type, *, lo: float | None = None, hi: float | None = None) -> Any:
        """Like :meth:`get`, but a missing key is a problem too."""
        if k not in self.t:
            self.col.add("missing", field=self.key(k))
            return None
        return self.get(k, kind, lo=lo, hi=hi)

    def _date(self, k: str, v: object, default: object) -> object:
        if isinstance(v, str):
            with contextlib.suppress(ValueError):  # not a date: reported below
                v = dt.date.fromisoformat(v)
        if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
            self.col.add(f"{v!r} is not a date like 2027-01-04", field=self.key(k))
            return default
        return v

    def table(self, k: str, known: set[str]) -> SettingsTable:
        """Sub-table ``k`` (empty if absent), checked against its own known keys."""
        return SettingsTable(self.col, self.t.get(k, {}), self.key(k), known)

    def tables(self, k: str, known: set[str]) -> list[SettingsTable]:
        """Array of tables ``k`` (``[[k]]``; a single table counts as one), each checked."""
        v = self.t.get(k, [])
        if isinstance(v, dict):
            v = [v]
        if not isinstance(v, list):
            self.col.add("must be an array of tables", field=self.key(k))
            return []
        return [SettingsTable(self.col, t, f"{self.key(k)}[{i}]", known) for i, t in enumerate(v)]
