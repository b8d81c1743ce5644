"""Crate ids: one stable id per physical crate, printed on its label and on its manifest line.

A crate id is ``<transfer id>-C<n>``: the transfer the crate belongs to and its number within
that transfer, zero-padded to two digits (three when a transfer has 100 crates or more), e.g.
``T0007-C02`` is the second crate of transfer ``T0007``. In hub mode a transfer is written as
one row per leg; the crate keeps the id of the original transfer (``leg_of``) on every leg,
because it is the same box on the same label. Ids depend only on the plan, so printing the
same plan twice gives the same ids.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["consolidated_crates", "crate_id", "crate_ids", "parse_crate_id"]


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


def consolidated_crates(stops: pd.DataFrame, transfers: pd.DataFrame, items_per_crate: int) -> pd.DataFrame:
    """Physical crates as couriers pack them: one table row per crate (``crates.parquet``).

    Items that travel together between the same two stops on the same run share crates: a
    consolidation group is (van, run, pickup node, delivery node), and it needs
    ⌈items ÷ items_per_crate⌉ crates, filled one after another (transfers in id order, a
    transfer may continue in the next crate). The routing counts each transfer's crates on its
    own, so the van's load in ``stops`` is an upper bound of the physical crates on board.
    A group's crate ids are ``<van>-R<run>-G<group>-C<n>`` (groups numbered in pickup order).
    """
    cols = ["crate_id", "vehicle_id", "trip", "group", "crate_no", "crates_in_group", "origin_id",
            "destination_id", "items", "transfer_ids", "transfer_items"]
    if stops.empty or transfers.empty:
        return pd.DataFrame(columns=cols)
    items = dict(zip(transfers["transfer_id"].astype(str), transfers["items"].astype(int), strict=True))
    rows = []
    for (van, trip), run in stops.sort_values(["vehicle_id", "trip", "seq"]).groupby(["vehicle_id", "trip"]):
        picked: dict[str, str] = {}
        groups: dict[tuple[str, str], list[str]] = {}
        for r in run.itertuples(index=False):
            for t in r.pickup_ids:
                picked[str(t)] = str(r.node_id)
            for t in r.delivery_ids:
                if str(t) in picked:
                    groups.setdefault((picked[str(t)], str(r.node_id)), []).append(str(t))
        for g, ((o, d), ids) in enumerate(groups.items(), start=1):
            parts = _fill(sorted(ids), items, items_per_crate)
            base = f"{van}-R{trip}-G{g:02d}"
            for k, content in enumerate(parts, start=1):
                rows.append({
                    "crate_id": crate_id(base, k, len(parts)), "vehicle_id": van, "trip": int(trip), "group": g,
                    "crate_no": k, "crates_in_group": len(parts), "origin_id": o, "destination_id": d,
                    "items": sum(n for _, n in content), "transfer_ids": [t for t, _ in content],
                    "transfer_items": [n for _, n in content],
                })
    return pd.DataFrame(rows, columns=cols)


def _fill(ids: list[str], items: dict[str, int], per_crate: int) -> list[list[tuple[str, int]]]:
    """Fill crates one after another; ⌈total ÷ per_crate⌉ crates (one for an empty group)."""
    total = sum(items.get(t, 0) for t in ids)
    crates: list[list[tuple[str, int]]] = [[] for _ in range(max(1, math.ceil(total / per_crate)))]
    k, room = 0, per_crate
    for t in ids:
        left = items.get(t, 0)
        if left == 0:
            crates[k].append((t, 0))
        while left > 0:
            take = min(left, room)
            crates[k].append((t, take))
            left -= take
            room -= take
            if room == 0 and k + 1 < len(crates):
                k, room = k + 1, per_crate
    return crates
