"""Crate ids: one stable id per physical crate, printed on its label and on its manifest line.

A crate id is ``<transfer id>-C<n>``: the transfer the crate belongs to and its number within
that transfer, zero-padded to two digits (three when a transfer has 100 crates or more), e.g.
``T0007-C02`` is the second crate of transfer ``T0007``. In hub mode a transfer is written as
one row per leg; the crate keeps the id of the original transfer (``leg_of``) on every leg,
because it is the same box on the same label. Ids depend only on the plan, so printing the
same plan twice gives the same ids.
"""

from __future__ import annotations

__all__ = ["crate_id", "crate_ids", "parse_crate_id"]


def crate_id(base_id: str, n: int, total: int) -> str:
    """Id of crate ``n`` (1-based) of ``total`` crates of transfer ``base_id``."""
    if not 1 <= n <= total:
        raise ValueError(f"crate {n} is outside 1..{total}")
    width = max(2, len(str(total)))
    return f"{base_id}-C{n:0{width}d}"


def crate_ids(base_id: str, total: int) -> tuple[str, ...]:
    """All crate ids of a transfer, in crate order."""
    return tuple(crate_id(base_id, n, total) for n in range(1, total + 1))


def parse_crate_id(cid: str) -> tuple[str, int]:
    """Split a scanned crate id back into (transfer id, crate number)."""
    base, sep, num = cid.rpartition("-C")
    if not sep or not base or not num.isdigit():
        raise ValueError(f"not a crate id: {cid!r}")
    return base, int(num)
