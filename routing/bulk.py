"""Flexible bulk moves: collections that may travel on any day of a window, placed where vans have room.

Two inputs, both CSV:

- a list of bulk moves: ``move_id, origin_id, destination_id, items, window_start, window_end[, kind]``
  (dates YYYY-MM-DD, both ends allowed);
- a Koha-style stock-rotation rota: stages ``rota_id, position, branch, duration_days[, cyclical]``
  (Koha ``stockrotationstages``: ordered, each a library and a duration) with the items on it,
  ``item_id, rota_id, position, arrived`` (``stockrotationitems`` plus the day the item reached
  its stage). An item's stage ends ``duration_days`` after it arrived; it then moves to the next
  stage's library (the first again when the rota is cyclical, else it stays) within ``slack_days``.
  Items of one rota leaving the same library for the same library in the same window are one move.

Placement (:func:`place_moves`): earliest window end first, a move takes the spare crates of
each day of its window in date order on which both ends are visited (the schedule, opening
hours), as many as it still needs; a move too big for one day is split across days, and what
does not fit by the window's end is left unplaced with a reason, never put after the window.
A day's spare room is the fleet's crates a day (each van's capacity × the runs it makes, one by
default) minus the day's forecast crates; what the router then cannot fit in a day waits for the next day by the
schedule's carry-over (``bookvan plan --carry-over``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bookvan.data.errors import ProblemCollector

__all__ = ["BulkMove", "Placement", "moves_from_rota", "place_moves", "placement_rows", "read_moves", "read_rota"]


@dataclass(frozen=True)
class BulkMove:
    move_id: str
    origin_id: str
    destination_id: str
    items: int
    window_start: dt.date
    window_end: dt.date
    kind: str = "rotation"
    item_ids: tuple[str, ...] = ()


@dataclass
class Placement:
    """Per day, the parts placed (``(move, crates, items)``); the moves left out with reasons."""

    parts: dict[dt.date, list[tuple[BulkMove, int, int]]] = field(default_factory=dict)
    unplaced: list[tuple[BulkMove, int, str]] = field(default_factory=list)

    def crates_on(self, day: dt.date) -> int:
        return sum(c for _, c, _ in self.parts.get(day, []))


def _csv(path: Path, needed: tuple[str, ...]) -> list[dict[str, str]]:
    from bookvan.data.input_rows import read_csv_rows

    return read_csv_rows(path, needed)


def _date(col: ProblemCollector, text: str, row: int, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        col.add(f"'{text}' is not a date like 2026-12-01", row=row, field=name)
        return None


def _int(col: ProblemCollector, text: str, row: int, name: str, lo: int = 0) -> int | None:
    try:
        v = int(text.strip())
    except ValueError:
        v = None
    if v is None or v < lo:
        col.add(f"'{text}' is not a whole number ≥ {lo}", row=row, field=name)
        return None
    return v


def read_moves(path: Path, node_ids: set[str]) -> list[BulkMove]:
    """A bulk-move list; every bad field is reported at once (file, row, field)."""
    rows = _csv(path, ("move_id", "origin_id", "destination_id", "items", "window_start", "window_end"))
    col = ProblemCollector(str(path))
    out = []
    for i, r in enumerate(rows, start=1):
        for f in ("origin_id", "destination_id"):
            if r[f].strip() not in node_ids:
                col.add(f"unknown node '{r[f]}'", row=i, field=f)
        n = _int(col, r["items"], i, "items", 1)
        a, b = _date(col, r["window_start"], i, "window_start"), _date(col, r["window_end"], i, "window_end")
        if a and b and b < a:
            col.add("the window ends before it starts", row=i, field="window_end")
        if n is not None and a and b:
            out.append(BulkMove(r["move_id"].strip(), r["origin_id"].strip(), r["destination_id"].strip(), n, a, b,
                                (r.get("kind") or "rotation").strip() or "rotation"))
    col.raise_if_any()
    return out


@dataclass(frozen=True)
class Stage:
    rota_id: str
    position: int
    branch: str
    duration_days: int


def read_rota(stages_path: Path, items_path: Path, node_ids: set[str]) -> tuple[dict, list[dict]]:
    """Stages per rota (ordered, with ``cyclical``) and the rota's items (id, rota, position, arrived)."""
    col = ProblemCollector(str(stages_path))
    rotas: dict[str, dict] = {}
    for i, r in enumerate(_csv(stages_path, ("rota_id", "position", "branch", "duration_days")), start=1):
        pos = _int(col, r["position"], i, "position", 1)
        dur = _int(col, r["duration_days"], i, "duration_days", 1)
        if r["branch"].strip() not in node_ids:
            col.add(f"unknown node '{r['branch']}'", row=i, field="branch")
        rid = r["rota_id"].strip()
        rota = rotas.setdefault(rid, {"stages": {}, "cyclical": False})
        rota["cyclical"] = rota["cyclical"] or (r.get("cyclical") or "").strip().lower() in ("1", "true", "yes")
        if pos is not None and pos in rota["stages"]:
            col.add(f"rota '{rid}' has position {pos} twice", row=i, field="position")
        elif pos is not None and dur is not None:
            rota["stages"][pos] = Stage(rid, pos, r["branch"].strip(), dur)
    col.raise_if_any()
    col = ProblemCollector(str(items_path))
    items = []
    for i, r in enumerate(_csv(items_path, ("item_id", "rota_id", "position", "arrived")), start=1):
        rid, pos = r["rota_id"].strip(), _int(col, r["position"], i, "position", 1)
        arrived = _date(col, r["arrived"], i, "arrived")
        if rid not in rotas:
            col.add(f"unknown rota '{rid}'", row=i, field="rota_id")
        elif pos is not None and pos not in rotas[rid]["stages"]:
            col.add(f"rota '{rid}' has no stage {pos}", row=i, field="position")
        elif pos is not None and arrived is not None:
            items.append({"item_id": r["item_id"].strip(), "rota_id": rid, "position": pos, "arrived": arrived})
    col.raise_if_any()
    return rotas, items


def moves_from_rota(rotas: dict, items: list[dict], slack_days: int) -> list[BulkMove]:
    """Each item's next stage as a move due in [stage end, stage end + slack]; grouped per lane and window."""
    groups: dict[tuple, list[str]] = {}
    for it in items:
        stages = rotas[it["rota_id"]]["stages"]
        order = sorted(stages)
        here = stages[it["position"]]
        k = order.index(it["position"])
        if k + 1 < len(order):
            nxt = stages[order[k + 1]]
        elif rotas[it["rota_id"]]["cyclical"]:
            nxt = stages[order[0]]
        else:
            continue  # the last stage of a non-cyclical rota: the item stays
        if nxt.branch == here.branch:
            continue
        start = it["arrived"] + dt.timedelta(days=here.duration_days)
        key = (it["rota_id"], here.branch, nxt.branch, start)
        groups.setdefault(key, []).append(it["item_id"])
    out = []
    for (rid, o, d, start), ids in sorted(groups.items()):
        out.append(BulkMove(f"{rid}:{o}>{d}@{start:%m%d}", o, d, len(ids), start,
                            start + dt.timedelta(days=slack_days), "rotation", tuple(ids)))
    return out


def place_moves(
    moves: list[BulkMove],
    room: Mapping[dt.date, int],
    items_per_crate: int,
    can_visit: Callable[[str, dt.date], bool] = lambda _n, _d: True,
) -> Placement:
    """Place ``moves`` on the days of their windows with spare crates (see the module docstring).

    ``room`` gives the spare crates of each day known (a day absent has none).
    """
    left = dict(room)
    out = Placement()
    for m in sorted(moves, key=lambda m: (m.window_end, m.window_start, -m.items, m.move_id)):
        need_items = m.items
        day = m.window_start
        while need_items > 0 and day <= m.window_end:
            spare = left.get(day, 0)
            if spare > 0 and can_visit(m.origin_id, day) and can_visit(m.destination_id, day):
                crates = min(spare, math.ceil(need_items / items_per_crate))
                items = min(need_items, crates * items_per_crate)
                out.parts.setdefault(day, []).append((m, crates, items))
                left[day] = spare - crates
                need_items -= items
            day += dt.timedelta(days=1)
        if need_items > 0:
            out.unplaced.append((m, need_items, f"{need_items} of {m.items} items find no van room by "
                                               f"{m.window_end:%Y-%m-%d}, the window's end"))
    return out


def placement_rows(p: Placement, items_per_crate: int) -> list[dict[str, object]]:
    """``bulk_moves.csv``: one row per part (day, move, crates, items; part n of N)."""
    counts: dict[str, int] = {}
    for day in sorted(p.parts):
        for m, _, _ in p.parts[day]:
            counts[m.move_id] = counts.get(m.move_id, 0) + 1
    seen: dict[str, int] = {}
    taken: dict[str, int] = {}
    rows = []
    for day in sorted(p.parts):
        for m, crates, items in p.parts[day]:
            seen[m.move_id] = seen.get(m.move_id, 0) + 1
            first = taken.get(m.move_id, 0)
            taken[m.move_id] = first + items
            rows.append({"date": day.isoformat(), "move_id": m.move_id, "origin_id": m.origin_id,
                         "destination_id": m.destination_id, "kind": m.kind, "items": items, "crates": crates,
                         "part": seen[m.move_id], "parts": counts[m.move_id],
                         "window_start": m.window_start.isoformat(), "window_end": m.window_end.isoformat(),
                         "item_ids": " ".join(m.item_ids[first:first + items])})
    return rows
