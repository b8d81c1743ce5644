"""A small valid plan folder built by hand, for tests that need a plan without a solver.

The day (Tuesday 2026-12-01) and every number are worked out below, so a test can corrupt one
thing and know exactly what a checker must say. Reuse it: ``good_plan()`` gives the tables
(``check_plan_tables(**good_plan())`` passes), ``write_plan_dir(tables, path)`` writes them as
a plan folder in the contract's format.

Network: depot ``D`` (KL-MAIN) and branches ``A``, ``B``, ``C`` open 09:00–21:00; ``X`` is closed.
Matrix (symmetric, metres / seconds)::

    D–A 5000/600  D–B 7000/900  D–C 10000/1200  A–B 6000/720  A–C 6500/800  B–C 8000/1000
    (X rows exist but no van drives there)

VAN-1 (capacity 10, shift 08:00–17:00), two trips::

    trip 1: D dep 08:45 → A arr 08:55, service 09:00–09:10, picks T1 (3)         load 3
                        → B arr 09:22, 09:22–09:30, drops T1, picks T2 (2)        load 2
                        → D arr 09:45, 09:45–09:50, drops T2                      load 0
    trip 2: D arr 10:30 dep 10:40, picks T3 (4) and hub leg H1-2 (2)              load 6
                        → C arr 11:00, 11:00–11:15, drops T3, H1-2                load 0
                        → D arr 11:35, 45 min break, dep 12:20                    load 0
    distance 5000 + 6000 + 7000 + 10000 + 10000 = 38000 m

VAN-2 (capacity 8, shift 08:30–17:30), one trip::

    D dep 08:50 → A arr 09:00, 09:00–09:10, picks hub leg H1-1 (2)               load 2
               → C arr 09:24, 09:24–09:35, picks T4 (5)                          load 7
               → D arr 09:55, 09:55–10:00, drops H1-1 (leg 1 done 09:55), T4     load 0
    distance 5000 + 6500 + 10000 = 21500 m

Hub: H1 (A → C) goes as H1-1 (A → D, by VAN-2) and H1-2 (D → C, by VAN-1 at 10:30 ≥ 09:55).
T1 has release 09:00 and due 12:00. U1 (X → B) is unassigned: X is closed on Tuesdays.
Totals: 59500 m, 2 vans, 5 transfers planned (6 transfer rows, the hub pair counting once).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd

from bookvan.data.planfolder import write_plan_folder
from bookvan.data.tables import TZ

__all__ = ["DATE", "at", "good_plan", "stop_index", "write_plan_dir"]

DATE = "2026-12-01"
D, A, B, C, X = "KL-MAIN", "KL-ANLE", "KL-XINYI", "KL-BAIFU", "KL-CLOSED"


def at(clock: str | None) -> pd.Timestamp | None:
    """``"09:22"`` on the plan's date, Asia/Taipei; ``None`` stays ``None``."""
    return None if clock is None else pd.Timestamp(f"{DATE} {clock}", tz=TZ)


def _nodes() -> pd.DataFrame:
    rows = [
        (D, "總館", "Main Library (depot)", "depot", 25.1313, 121.7442, "08:00", "18:00"),
        (A, "安樂分館", "Anle Branch", "branch", 25.1414, 121.7078, "09:00", "21:00"),
        (B, "信義分館", "Xinyi Branch", "branch", 25.1258, 121.7726, "09:00", "21:00"),
        (C, "百福分館", "Baifu Branch", "branch", 25.1096, 121.6836, "09:00", "21:00"),
        (X, "休館分館", "Closed Branch", "branch", 25.1500, 121.7300, None, None),
    ]
    return pd.DataFrame(
        [
            {
                "node_id": n,
                "name_zh": zh,
                "name_en": en,
                "kind": k,
                "lat": la,
                "lon": lo,
                "opens": at(o),
                "closes": at(c),
                "service_s": 300,
                "closed_reason": "Closed Branch is closed on Tuesdays" if o is None else None,
            }
            for n, zh, en, k, la, lo, o, c in rows
        ]
    )


def _vehicles() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "vehicle_id": "VAN-1",
                "depot_id": D,
                "capacity_crates": 10,
                "shift_start": at("08:00"),
                "shift_end": at("17:00"),
                "break_s": 2700,
                "max_trips": 3,
            },
            {
                "vehicle_id": "VAN-2",
                "depot_id": D,
                "capacity_crates": 8,
                "shift_start": at("08:30"),
                "shift_end": at("17:30"),
                "break_s": 2700,
                "max_trips": 3,
            },
        ]
    )


def _transfers() -> pd.DataFrame:
    def t(tid, o, d, crates, kind="hold", **extra):
        return {
            "transfer_id": tid,
            "origin_id": o,
            "destination_id": d,
            "items": crates * 30,
            "crates": crates,
            "kind": kind,
            "release": None,
            "due": None,
            "leg_of": None,
            "leg": None,
            "part_of": None,
            **extra,
        }

    return pd.DataFrame(
        [
            t("T1", A, B, 3, release=at("09:00"), due=at("12:00")),
            t("T2", B, D, 2, "return"),
            t("T3", D, C, 4),
            t("T4", C, D, 5, "return"),
            t("H1-1", A, D, 2, leg_of="H1", leg=1),
            t("H1-2", D, C, 2, leg_of="H1", leg=2),
            t("U1", X, B, 1),
        ]
    )


_LEGS = {  # (a, b): (distance_m, duration_s), both directions
    (D, A): (5000, 600),
    (D, B): (7000, 900),
    (D, C): (10000, 1200),
    (A, B): (6000, 720),
    (A, C): (6500, 800),
    (B, C): (8000, 1000),
    (D, X): (4000, 500),
    (A, X): (3000, 400),
    (B, X): (5500, 700),
    (C, X): (9000, 1100),
}


def _matrix() -> pd.DataFrame:
    rows = []
    for (a, b), (dist, dur) in _LEGS.items():
        for f, t in ((a, b), (b, a)):
            rows.append(
                {
                    "from_id": f,
                    "to_id": t,
                    "distance_m": float(dist),
                    "duration_s": float(dur),
                    "source": "estimate",
                }
            )
    return pd.DataFrame(rows)


def _stops() -> pd.DataFrame:
    def s(van, trip, seq, node, arr, start, dep, load, picks=(), drops=(), brk=0):
        return {
            "vehicle_id": van,
            "trip": trip,
            "seq": seq,
            "node_id": node,
            "arrival": at(arr),
            "departure": at(dep),
            "load_after": load,
            "pickup_ids": list(picks),
            "delivery_ids": list(drops),
            "service_start": at(start),
            "break_s": brk,
        }

    return pd.DataFrame(
        [
            s("VAN-1", 1, 0, D, "08:45", "08:45", "08:45", 0),
            s("VAN-1", 1, 1, A, "08:55", "09:00", "09:10", 3, ["T1"]),
            s("VAN-1", 1, 2, B, "09:22", "09:22", "09:30", 2, ["T2"], ["T1"]),
            s("VAN-1", 1, 3, D, "09:45", "09:45", "09:50", 0, [], ["T2"]),
            s("VAN-1", 2, 0, D, "10:30", "10:30", "10:40", 6, ["T3", "H1-2"]),
            s("VAN-1", 2, 1, C, "11:00", "11:00", "11:15", 0, [], ["T3", "H1-2"]),
            s("VAN-1", 2, 2, D, "11:35", "11:35", "12:20", 0, brk=2700),
            s("VAN-2", 1, 0, D, "08:50", "08:50", "08:50", 0),
            s("VAN-2", 1, 1, A, "09:00", "09:00", "09:10", 2, ["H1-1"]),
            s("VAN-2", 1, 2, C, "09:24", "09:24", "09:35", 7, ["T4"]),
            s("VAN-2", 1, 3, D, "09:55", "09:55", "10:00", 0, [], ["H1-1", "T4"]),
        ]
    )


def _plan_json() -> dict[str, Any]:
    return {
        "date": DATE,
        "seed": 0,
        "time_limit_s": 1.0,
        "total_distance_m": 59500.0,
        "total_duration_s": 4 * 3600 + 45 * 60,
        "vehicles_used": 2,
        "transfers_planned": 5,
        "unassigned": [{"transfer_id": "U1", "reason": "Closed Branch is closed on Tuesdays"}],
        "solver": {"name": "by hand", "version": "0", "status": "feasible", "wall_s": 0.0},
    }


def good_plan() -> dict[str, Any]:
    """A fresh copy of the hand-made feasible plan: ``plan`` (plan.json) plus the five tables.

    Keys match :func:`bookvan.routing.check.check_plan_tables`, so
    ``check_plan_tables(**good_plan())`` works; mutate the copy freely.
    """
    return {
        "plan": copy.deepcopy(_plan_json()),
        "nodes": _nodes(),
        "vehicles": _vehicles(),
        "transfers": _transfers(),
        "matrix": _matrix(),
        "stops": _stops(),
    }


def stop_index(stops: pd.DataFrame, van: str, trip: int, seq: int) -> Any:
    """Row label of one stop, for ``stops.at[...]`` edits in tests."""
    hit = stops.index[
        (stops["vehicle_id"] == van) & (stops["trip"] == trip) & (stops["seq"] == seq)
    ]
    assert len(hit) == 1, (van, trip, seq)
    return hit[0]


def write_plan_dir(tables: dict[str, Any], path: str | Path) -> Path:
    """Write ``tables`` (as from :func:`good_plan`) as a plan folder with the contract's schemas."""
    return write_plan_folder(path, tables["plan"], tables)
