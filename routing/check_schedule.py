"""Verify a plan against the schedule it claims to honour, from the plan folder alone.

plan.json's ``schedule`` block carries each node's pattern, target arrival and tolerance, and
the plan's unscheduled visits with their reasons. The checks re-derive from the date and the
patterns which nodes were due (the planner's own list is not trusted), and re-measure every
arrival from ``stops.parquet``:

* a stop at a node not due today must be listed in ``unscheduled_visits`` with a reason;
* a stop outside target ± tolerance is a violation in ``hard`` mode; in ``soft`` mode it must
  be listed in ``missed_window`` (the plan says which visits missed and by how much).

A plan without a ``schedule`` block (``--ignore-schedule``, older plans) has nothing to verify.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bookvan.data.errors import InputError
from bookvan.data.schedule import parse_visit_days

__all__ = ["SCHEDULE_KINDS", "schedule_problems"]

#: The checker's kinds for schedule violations (added to :data:`bookvan.routing.check.KINDS`).
SCHEDULE_KINDS = ("unscheduled_visit", "arrival_window")


def _minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def schedule_problems(plan: dict[str, Any], stops: pd.DataFrame, nodes: pd.DataFrame) -> list[tuple[str, str]]:
    """(kind, sentence) for every schedule violation; empty when the plan honours its schedule.

    Raises
    ------
    InputError
        The schedule block is malformed (a bad pattern, time or tolerance).
    """
    sch = plan.get("schedule")
    if not isinstance(sch, dict) or not sch.get("honoured") or stops is None or stops.empty:
        return []
    try:
        date = dt.date.fromisoformat(str(plan["date"]))
        pats = {
            n: (parse_visit_days(v["days"]), v.get("target_arrival"), int(v.get("tolerance_min") or 0))
            for n, v in (sch.get("nodes") or {}).items()
        }
        targets = {n: (_minutes(t) * 60, tol * 60) for n, (_, t, tol) in pats.items() if t}
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise InputError.single("plan.json", f"the schedule block is malformed ({e})", field="schedule") from None
    depots = set(nodes.loc[nodes["kind"] == "depot", "node_id"])
    excused = {
        str(u.get("node_id")) for u in sch.get("unscheduled_visits") or [] if str(u.get("reason") or "").strip()
    }
    listed = {(str(m.get("node_id")), str(m.get("arrival"))[:19]) for m in sch.get("missed_window") or []}
    soft = sch.get("windows") == "soft"
    when = stops["service_start"].fillna(stops["arrival"]) if "service_start" in stops else stops["arrival"]
    when = pd.to_datetime(when)
    if when.dt.tz is None:
        when = when.dt.tz_localize("Asia/Taipei")
    when = when.dt.tz_convert("Asia/Taipei")
    out: list[tuple[str, str]] = []
    flagged: set[str] = set()
    for (_, s), at in zip(stops.iterrows(), when, strict=True):
        n = str(s["node_id"])
        if n in depots:
            continue
        where = f"van {s['vehicle_id']} trip {s['trip']} stop {s['seq']} at {n}"
        due = n not in pats or pats[n][0].includes(date)
        if not due:
            if n not in excused and n not in flagged:
                flagged.add(n)
                out.append((
                    "unscheduled_visit",
                    f"{where}: {n} is scheduled {pats[n][0].text}, not on {date:%a %Y-%m-%d}, and the plan "
                    "gives no reason (schedule.unscheduled_visits)",
                ))
            continue
        if n not in targets or n in excused:
            continue
        target, tol = targets[n]
        sec = at.hour * 3600 + at.minute * 60 + at.second
        off = max(target - tol - sec, sec - target - tol, 0)
        if off and not (soft and (n, at.isoformat()[:19]) in listed):
            out.append((
                "arrival_window",
                f"{where}: arrives {at:%H:%M}, {off // 60} min {'late' if sec > target else 'early'} for "
                f"{target // 3600:02d}:{target % 3600 // 60:02d} ± {tol // 60} min"
                + ("" if not soft else " and not listed in schedule.missed_window"),
            ))
    return out
