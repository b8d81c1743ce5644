"""Library-system (ILS) export vocabulary shared by every reader of such exports.

A **column-mapping file** is TOML: ``[columns]`` maps "their column" to "our column", and
other tables map values (``[event_types]`` for circulation events, ``[kinds]`` for transfer
reasons). The history readers (:mod:`bookvan.demand.ils`) and the item-level transfer reader
(:mod:`bookvan.data.items`) read the same file format through :func:`read_column_map`.
``REASON_KIND`` maps Koha ``branchtransfers.reason`` values (lower-cased) to transfer kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from bookvan.data.errors import InputError, read_toml_input

__all__ = ["REASON_KIND", "read_column_map", "renamed"]

REASON_KIND = {"reserve": "hold", "lostreserve": "hold", "return": "return",
               "stockrotationadvance": "rotation", "stockrotationrepatriation": "rotation",
               "rotatingcollection": "rotation"}


def read_column_map(path: str | Path | None, tables: Iterable[str] = ("columns",)) -> dict[str, dict[str, str]]:
    """The mapping file's ``tables`` (each name → name, keys stripped and lower-cased).

    A missing table is empty; a table that is not strings to strings is an
    :class:`InputError` naming the file and the table. ``None`` (no file) maps nothing.
    """
    tables = tuple(tables)
    if path is None:
        return {t: {} for t in tables}
    p = Path(path)
    data = read_toml_input(p, what="column mapping file")
    out = {}
    for name in tables:
        table = data.get(name, {})
        if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
            raise InputError.single(p, f"[{name}] must map names to names (strings)")
        out[name] = {k.strip().lower(): v.strip() for k, v in table.items()}
    return out


def renamed(header: Iterable[str], aliases: Mapping[str, str], mapping: Mapping[str, str]) -> list[str]:
    """Our name for each column of ``header``: the mapping file first, then the known aliases."""
    out = []
    for c in header:
        k = str(c).strip().lower()
        out.append(mapping.get(k) or aliases.get(k, k))
    return out
