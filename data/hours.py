"""Opening hours: weekday hours, monthly closing days, public holidays and closures by date.

Answers one question for the router and the checker: is this node open on this date, from
when to when, and if not, why (a sentence a coordinator understands).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "DAY_S",
    "WEEKDAYS",
    "Closure",
    "DayHours",
    "day_hours",
    "is_last_weekday_of_month",
    "parse_clock",
    "parse_span",
    "tw_holidays",
]

DAY_S = 24 * 3600
"""Seconds in a day."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
CLOSURE_RULES = {"", "last-thursday"}


def parse_clock(text: str) -> dt.time:
    """``"09:30"`` → ``time(9, 30)``; ``"24:00"`` is kept as 23:59:59 (end of day)."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a time of day like 09:00")
    h, mi = int(m.group(1)), int(m.group(2))
    if h == 24:
        if mi:
            raise ValueError(f"'{text}' is past the end of the day")
        return dt.time(23, 59, 59)
    return dt.time(h, mi)


def parse_span(text: str) -> tuple[dt.time, dt.time] | None:
    """``"09:00-21:00"`` → (09:00, 21:00); ``"closed"`` → None."""
    t = str(text).strip().lower()
    if t in {"closed", "休", "休館", "-"}:
        return None
    parts = re.split(r"\s*[-–~]\s*", t)
    if len(parts) != 2:
        raise ValueError(f"'{text}' is neither 'closed' nor hours like 09:00-17:00")
    opens, closes = parse_clock(parts[0]), parse_clock(parts[1])
    if closes <= opens:
        raise ValueError(f"'{text}' closes before it opens")
    return opens, closes


@lru_cache(maxsize=32)
def tw_holidays(year: int) -> dict[dt.date, str]:
    """Taiwan's national holidays of ``year`` (the ``holidays`` package), date → English name."""
    import holidays

    return dict(holidays.country_holidays("TW", years=year, language="en_US"))


def is_last_weekday_of_month(date: dt.date) -> bool:
    return (date + dt.timedelta(days=7)).month != date.month


@dataclass(frozen=True)
class Closure:
    """A node closed from ``start`` to ``end`` inclusive (works, a move), with a reason."""

    node_id: str
    start: dt.date
    end: dt.date
    reason: str


@dataclass(frozen=True)
class DayHours:
    """Hours of one node on one date: ``opens``/``closes`` or ``closed_reason``."""

    opens: dt.time | None
    closes: dt.time | None
    closed_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.opens is not None


def day_hours(
    *,
    name: str,
    weekly: dict[str, tuple[dt.time, dt.time] | None],
    date: dt.date,
    closure_rule: str = "",
    closed_on_holidays: bool = False,
    closures: tuple[Closure, ...] = (),
) -> DayHours:
    """Hours of a node on ``date``; when closed, the reason names the node and the rule."""
    for c in closures:
        if c.start <= date <= c.end:
            return DayHours(None, None, f"{name} is closed {c.start:%Y-%m-%d} to {c.end:%Y-%m-%d}: {c.reason}")
    if closed_on_holidays:
        hol = tw_holidays(date.year).get(date)
        if hol:
            return DayHours(None, None, f"{name} is closed on public holidays ({hol})")
    if closure_rule == "last-thursday" and date.weekday() == 3 and is_last_weekday_of_month(date):
        return DayHours(None, None, f"{name} is closed on the last Thursday of the month")
    span = weekly[WEEKDAYS[date.weekday()]]
    if span is None:
        return DayHours(None, None, f"{name} is closed on {WEEKDAY_NAMES[date.weekday()]}")
    return DayHours(span[0], span[1])
