"""One line per run that a coordinator reads in a second: stops, crates, km, hours, slack.

Pure: the plan's tables in, :class:`RunLine` values out (kept in plan.json ``runs`` and printed
by ``bookvan plan`` and ``bookvan replan``). Slack is how much later the run could go before it
breaks something: the van's shift end (for its last run) and the tightest window on the run
(a node closing, a transfer due), so a coordinator sees which run has room for an urgent hold.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["RunLine", "run_lines"]


@dataclass(frozen=True)
class RunLine:
    vehicle_id: str
    trip: int
    stops: int
    crates: int
    km: float
    hours: float
    shift_slack_min: int
    window_slack_min: int | None  # None: no window on the run binds
    window_node: str | None

    @property
    def text(self) -> str:
        win = ("no window" if self.window_slack_min is None
               else f"{self.window_slack_min} min to the tightest window ({self.window_node})")
        return (f"{self.vehicle_id} run {self.trip}: {self.stops} stops, {self.crates} crates, {self.km:.1f} km, "
                f"{self.hours:.1f} h; {self.shift_slack_min} min to shift end, {win}")

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "text": self.text}


def _ids(x: object) -> list[str]:
    return [] if x is None or (isinstance(x, float) and pd.isna(x)) else [str(t) for t in list(x)]


def run_lines(plan: object) -> list[RunLine]:
    """A :class:`RunLine` per (van, run) of a :class:`~bookvan.routing.daily.DayPlan` (or anything with its tables)."""
    stops: pd.DataFrame = plan.stops  # type: ignore[attr-defined]
    if stops.empty:
        return []
    tr = plan.transfers.set_index("transfer_id", drop=False)  # type: ignore[attr-defined]
    nodes = plan.nodes.set_index("node_id", drop=False)  # type: ignore[attr-defined]
    vans = plan.vehicles.set_index("vehicle_id", drop=False)  # type: ignore[attr-defined]
    dist = {(a, b): d for a, b, d in plan.matrix[["from_id", "to_id", "distance_m"]].itertuples(index=False)}  # type: ignore[attr-defined]
    out = []
    for (van, trip), g in stops.sort_values(["vehicle_id", "trip", "seq"]).groupby(["vehicle_id", "trip"], sort=True):
        rows = g.to_dict("records")
        crates = sum(int(tr.at[t, "crates"]) for r in rows for t in _ids(r["pickup_ids"]) if t in tr.index)
        km = sum(dist.get((a["node_id"], b["node_id"]), 0.0) for a, b in itertools.pairwise(rows)
                 if a["node_id"] != b["node_id"]) / 1000
        hours = (rows[-1]["arrival"] - rows[0]["departure"]).total_seconds() / 3600
        last_back = stops.loc[stops["vehicle_id"] == van, "arrival"].max()
        shift = int((vans.at[van, "shift_end"] - last_back).total_seconds() // 60)
        best: tuple[float, str] | None = None
        for r in rows[1:-1]:
            start = r.get("service_start")
            start = r["arrival"] if start is None or pd.isna(start) else start
            closes = nodes.at[r["node_id"], "closes"]
            cands = [] if pd.isna(closes) else [(closes - start).total_seconds()]
            for t in _ids(r["delivery_ids"]):
                due = tr.at[t, "due"] if t in tr.index else None
                if due is not None and not pd.isna(due):
                    cands.append((due - start).total_seconds())
            for c in cands:
                if best is None or c < best[0]:
                    best = (c, str(r["node_id"]))
        out.append(RunLine(str(van), int(trip), max(len(rows) - 2, 0), crates, round(km, 1), round(hours, 2), shift,
                           None if best is None else int(best[0] // 60), None if best is None else best[1]))
    return out
