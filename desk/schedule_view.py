"""The desk's Schedule page: the network's standing weekly schedule and the branches' timetables.

Read from the network folder's ``schedule.csv`` (:func:`bookvan.data.schedule.load_schedule`);
the printable timetable is the one ``bookvan schedule build`` writes
(:func:`bookvan.scenarios.schedule_write.timetable_html`), one sheet per branch.
"""

from __future__ import annotations

from dataclasses import dataclass

from bookvan.data.hours import WEEKDAYS

__all__ = ["TIMETABLE_NOTE", "ScheduleView", "load_schedule_view", "timetable_page"]

TIMETABLE_NOTE = (
    "基隆市公共圖書館 物流車固定班表 · Keelung City Public Library standing van schedule. "
    "時間為預計到達時段，路況可能影響 · Times are the expected arrival window; traffic may vary."
)


@dataclass(frozen=True)
class ScheduleView:
    """What the page shows: the schedule file, one row per scheduled node, nodes left free."""

    source: str
    weekdays: tuple[str, ...]
    rows: list[dict[str, object]]  # timetable_rows' fields + "on" (weekday → bool) and "tolerance_min"
    unscheduled: list[str]  # nodes visited whenever open


def load_schedule_view(network_dir: str | None) -> ScheduleView | None:
    """The network's schedule as the page's rows; None when the network has no schedule.csv.

    Raises :class:`~bookvan.data.errors.InputError` (file/row/field) when the file is bad.
    """
    from bookvan.data.fleet import load_fleet
    from bookvan.data.network import load_network
    from bookvan.data.schedule import load_schedule
    from bookvan.scenarios.schedule_write import timetable_rows

    net = load_network(network_dir)
    fl = load_fleet(net.source_dir / "fleet.toml", set(net.node_ids))  # type: ignore[operator]
    sch = load_schedule(net.source_dir, node_ids=set(net.node_ids),
                        vehicle_ids={v.vehicle_id for v in fl.vehicles})
    if sch is None:
        return None
    rows: list[dict[str, object]] = []
    for r in timetable_rows(sch, net):
        ns = sch.get(r["node_id"])
        assert ns is not None  # timetable_rows lists scheduled nodes only
        rows.append({**r, "on": {d: d in ns.days.weekdays for d in WEEKDAYS},
                     "tolerance_min": ns.tolerance_s // 60, "skip_holidays": ns.days.skip_holidays})
    listed = {str(r["node_id"]) for r in rows}
    free = [n for n in net.node_ids if n not in listed and n not in set(net.depot_ids)]
    return ScheduleView(sch.source, WEEKDAYS, rows, free)


def timetable_page(network_dir: str | None, node_id: str | None = None) -> str | None:
    """The printable timetable (every branch, or one); None when there is no schedule or no such node."""
    from bookvan.scenarios.schedule_write import timetable_html

    view = load_schedule_view(network_dir)
    if view is None:
        return None
    keys = ("node_id", "name_zh", "name_en", "days", "days_zh", "days_en", "target_arrival", "window_from",
            "window_to", "vehicle_id")
    rows = [{k: str(r[k]) for k in keys} for r in view.rows if node_id is None or r["node_id"] == node_id]
    return timetable_html(rows, TIMETABLE_NOTE) if rows else None
