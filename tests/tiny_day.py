"""A hand-made day small enough to reason about: one depot, two branches, one van.

Travel (both ways): depot–A 6 km / 600 s, depot–B 9 km / 900 s, A–B 4 km / 480 s.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bookvan.data.tables import TZ

DATE = dt.date(2026, 12, 1)
_LEGS = {("DEP", "A"): (6000, 600), ("DEP", "B"): (9000, 900), ("A", "B"): (4000, 480)}


def at(hhmm: str) -> pd.Timestamp:
    """A local time on :data:`DATE`."""
    return pd.Timestamp(f"{DATE} {hhmm}", tz=TZ)


def nodes(*, b_closed: bool = False) -> pd.DataFrame:
    """Depot open 07:00–19:00, A 09:00–17:00 (stop 300 s, 10 s a crate), B 10:00–16:00 (120 s, 20 s)."""
    b_open, b_close = (pd.NaT, pd.NaT) if b_closed else (at("10:00"), at("16:00"))
    return pd.DataFrame({
        "node_id": ["DEP", "A", "B"], "kind": ["depot", "branch", "branch"],
        "name_en": ["Depot", "Anle", "Baifu"],
        "opens": [at("07:00"), at("09:00"), b_open], "closes": [at("19:00"), at("17:00"), b_close],
        "service_s": [600, 300, 120], "service_per_crate_s": [5, 10, 20],
        "closed_reason": ["", "", "closed for stocktaking" if b_closed else ""],
    })  # fmt: skip


def vehicles(*, capacity: int = 10, max_trips: int = 1) -> pd.DataFrame:
    """One van at the depot, 08:00–17:00, no break."""
    return pd.DataFrame({
        "vehicle_id": ["V1"], "depot_id": ["DEP"], "capacity_crates": [capacity], "max_trips": [max_trips],
        "shift_start": [at("08:00")], "shift_end": [at("17:00")],
        "break_earliest": [pd.NaT], "break_latest": [pd.NaT], "break_s": [0],
    })  # fmt: skip


def transfers(rows: list[tuple[str, str, str, int, str]] | None = None) -> pd.DataFrame:
    """(transfer_id, origin, destination, crates, kind); default T1 A→B 2 hold, T2 B→DEP 3 return."""
    rows = rows or [("T1", "A", "B", 2, "hold"), ("T2", "B", "DEP", 3, "return")]
    return pd.DataFrame({
        "transfer_id": [r[0] for r in rows], "origin_id": [r[1] for r in rows],
        "destination_id": [r[2] for r in rows], "crates": [r[3] for r in rows], "items": [30 * r[3] for r in rows],
        "kind": [r[4] for r in rows], "release": [pd.NaT] * len(rows), "due": [pd.NaT] * len(rows),
    })  # fmt: skip


def matrix() -> pd.DataFrame:
    """The travel table of the three places, both directions."""
    recs = [{"from_id": a, "to_id": b, "distance_m": d, "duration_s": s}
            for (a, b), (d, s) in _LEGS.items() for a, b in ((a, b), (b, a))]
    return pd.DataFrame(recs)
