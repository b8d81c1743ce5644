"""The supported size of a day's problem, in one place, and the checks that refuse beyond it.

Beyond these sizes a run would not fail cleanly: a 20,000-node network needs a 400-million-pair
travel matrix (a MemoryError after a minute at 6.6 GB), and the routing search has been
measured up to about 1,000 stops (``bench/scale.py``: 947 transfers, 573 MB). Refusing early,
with the limit named, is exit 2 instead of a traceback. The figures are documented in the
README's "Safety" section; change them there too.
"""

from __future__ import annotations

from pathlib import Path

from bookvan.data.errors import InputError

__all__ = [
    "MAX_ITEMS_PER_TRANSFER",
    "MAX_ITEM_ID_CHARS",
    "MAX_ITEM_ROWS",
    "MAX_NODES",
    "MAX_TRANSFERS",
    "check_count",
]

MAX_NODES = 1_000
"""Nodes in a network: the travel matrix has one row per ordered pair (1,000,000 at this size)."""

MAX_TRANSFERS = 1_000
"""Transfers of a day after grouping (two routing visits each): measured at 947 in bench/scale.py."""

MAX_ITEM_ROWS = 200_000
"""Rows of an item-level transfer list: grouped while read, but each item keeps a small record
(about 1 KB at the peak of reading: ~45 MB for 50,000 rows, see bench/items_bench.py)."""

MAX_ITEMS_PER_TRANSFER = 100_000
"""Items in one row of an aggregated transfer list: far beyond any van day, small enough for int64 sums."""

MAX_ITEM_ID_CHARS = 100
"""Characters of an item id (barcode) in an item-level list."""


def check_count(count: int, limit: int, *, file: str | Path, what: str) -> None:
    """Raise :class:`InputError` naming ``file`` and the limit when ``count`` exceeds ``limit``."""
    if count > limit:
        raise InputError.single(
            file,
            f"{count:,} {what}: more than the supported {limit:,} (see 'Safety' in the README); "
            "split the input or plan part of it",
        )
