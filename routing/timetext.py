"""Times of a plan day as a coordinator reads them: ``14:00`` today, a date and time otherwise.

The router counts seconds from the plan day's midnight, so a due time the day before is a
negative count and a release the day after is more than 24 h; printed as a clock alone they
read as "due at -14:00" or "released at 33:00".
"""

from __future__ import annotations

import pandas as pd

from bookvan.data.hours import DAY_S

__all__ = ["day_time_text"]


def day_time_text(seconds: int | None, midnight: pd.Timestamp) -> str:
    """``seconds`` after ``midnight`` as ``HH:MM`` on that day, ``YYYY-MM-DD HH:MM`` on another.

    Examples
    --------
    >>> m = pd.Timestamp("2026-12-01", tz="Asia/Taipei")
    >>> day_time_text(14 * 3600, m), day_time_text(-10 * 3600, m), day_time_text(33 * 3600, m)
    ('14:00', '2026-11-30 14:00', '2026-12-02 09:00')
    """
    if seconds is None:
        return "?"
    s = int(seconds)
    if 0 <= s < DAY_S:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"
    return f"{midnight + pd.Timedelta(seconds=s):%Y-%m-%d %H:%M}"
