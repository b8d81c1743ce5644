"""Van costs back to the library system: what moving one crate along a lane costs, and how long.

For every ordered pair of nodes (a *lane*), from the travel matrix, the fleet's one cost model
(:mod:`bookvan.data.costs`) and the standing schedule (:mod:`bookvan.data.schedule`, when the
network has one):

- ``ntd_per_crate`` = (km × ``per_km`` + driving hours × ``per_driver_hour``) ÷ the largest
  van's crates: a full van driving the lane once, shared by the crates it carries.
- ``days_in_transit``: an item ready on a weekday *r* (each weekday equally likely) leaves on
  the first day ≥ *r* its origin is visited and reaches its destination on the first day ≥
  that one the destination is visited (overnight at the depot in between); the expected
  number of days from ready to delivered. 0 for two nodes both visited every day (same day),
  about 1.3 when the destination is visited Tuesday, Thursday and Saturday.
- ``cost`` (Koha's ``transport_cost.cost``, NT$) = ``ntd_per_crate`` + ``day_value`` ×
  ``days_in_transit``: money plus waiting, both in NT$, so a lane served twice a week costs
  more than a daily one of the same length. ``day_value`` (default NT$ 100) is what a day of a
  patron's wait is worth against van money; it is an option of ``bookvan export costs``.
- ``disabled``: no van drives the lane: its origin or destination is never visited on a day
  it is open (closed all week, or the schedule and the opening days never meet).

Visit days are read over one reference week (``week_start``, a Monday): a weekday counts when
the node is open that date and the schedule visits it. The Evergreen proximity adjustment is
the same cost expressed in days (``cost ÷ day_value``), a relative adjustment added to the
org-tree distance; a disabled lane gets ``DISABLED_PROXIMITY``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from bookvan.data.costs import Costs
from bookvan.data.csv_safe import write_frame_csv
from bookvan.data.network import Network
from bookvan.data.schedule import Schedule

__all__ = [
    "COSTS_COLUMNS",
    "DEFAULT_DAY_VALUE",
    "DISABLED_PROXIMITY",
    "days_in_transit",
    "lane_costs",
    "visit_weekdays",
    "write_cost_tables",
]

DEFAULT_DAY_VALUE = 100.0
DISABLED_PROXIMITY = 99.0
MAX_KOHA_COST = 9999.99  # transport_cost.cost is decimal(6,2)
COSTS_COLUMNS = ("from_id", "to_id", "from_name", "to_name", "distance_km", "driving_min", "ntd_per_crate",
                 "days_in_transit", "cost", "disabled", "from_days", "to_days")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def visit_weekdays(network: Network, schedule: Schedule | None, week_start: dt.date) -> dict[str, frozenset[int]]:
    """Node id → weekdays (0 = Monday) it is open and scheduled, over the week from ``week_start``."""
    out = {}
    for n in network.node_ids:
        days = set()
        for k in range(7):
            d = week_start + dt.timedelta(days=k)
            if network.hours_on(n, d).is_open and (schedule is None or schedule.visits_on(n, d)):
                days.add(d.weekday())
        out[n] = frozenset(days)
    return out


def days_in_transit(origin_days: frozenset[int], dest_days: frozenset[int]) -> float:
    """Expected days from ready (uniform weekday) to delivered; ``inf`` if a side is never visited."""
    if not origin_days or not dest_days:
        return math.inf
    total = 0
    for ready in range(7):
        p = next(k for k in range(7) if (ready + k) % 7 in origin_days)
        q = next(k for k in range(p, p + 7) if (ready + k) % 7 in dest_days)
        total += q
    return total / 7


def lane_costs(
    network: Network,
    matrix: pd.DataFrame,
    costs: Costs,
    capacity_crates: int,
    schedule: Schedule | None,
    week_start: dt.date,
    day_value: float = DEFAULT_DAY_VALUE,
) -> pd.DataFrame:
    """One row per ordered lane (``COSTS_COLUMNS``); the formulas are the module docstring's."""
    days = visit_weekdays(network, schedule, week_start)
    names = dict(zip(network.nodes["node_id"], network.nodes["name_en"], strict=True))
    m = matrix[matrix["from_id"] != matrix["to_id"]]
    rows = []
    for r in m.itertuples(index=False):
        km, h = float(r.distance_m) / 1000, float(r.duration_s) / 3600
        ntd = (costs.distance_ntd(km) + costs.wages_ntd(h)) / capacity_crates if capacity_crates else math.inf
        wait = days_in_transit(days[r.from_id], days[r.to_id])
        disabled = not (math.isfinite(wait) and math.isfinite(ntd))
        cost = MAX_KOHA_COST if disabled else min(MAX_KOHA_COST, ntd + day_value * wait)
        rows.append({
            "from_id": r.from_id, "to_id": r.to_id, "from_name": names[r.from_id], "to_name": names[r.to_id],
            "distance_km": round(km, 2), "driving_min": round(h * 60, 1),
            "ntd_per_crate": round(ntd, 2) if math.isfinite(ntd) else None,
            "days_in_transit": round(wait, 2) if math.isfinite(wait) else None,
            "cost": round(cost, 2), "disabled": int(disabled),
            "from_days": ",".join(_DAYS[d] for d in sorted(days[r.from_id])),
            "to_days": ",".join(_DAYS[d] for d in sorted(days[r.to_id])),
        })
    return pd.DataFrame(rows, columns=list(COSTS_COLUMNS)).sort_values(["from_id", "to_id"], ignore_index=True)


def koha_table(lanes: pd.DataFrame) -> pd.DataFrame:
    """Koha's ``transport_cost`` rows: frombranch, tobranch, cost, disable_transfer."""
    return pd.DataFrame({"frombranch": lanes["from_id"], "tobranch": lanes["to_id"],
                         "cost": lanes["cost"].map(lambda c: f"{c:.2f}"), "disable_transfer": lanes["disabled"]})


def evergreen_table(lanes: pd.DataFrame, day_value: float) -> pd.DataFrame:
    """Evergreen ``actor.org_unit_proximity_adjustment`` rows: a relative adjustment per lane.

    The item's circulating library is the lane's origin, the hold's pickup library its
    destination; the adjustment is the lane's cost in days (``cost ÷ day_value``).
    """
    adj = [DISABLED_PROXIMITY if d else round(c / day_value, 2) for c, d in zip(lanes["cost"], lanes["disabled"],
                                                                                  strict=True)]
    return pd.DataFrame({"item_circ_lib": lanes["from_id"], "item_owning_lib": "", "copy_location": "",
                         "hold_pickup_lib": lanes["to_id"], "hold_request_lib": "", "circ_mod": "",
                         "pos": 0, "absolute_adjustment": "f", "prox_adjustment": adj})


def write_cost_tables(lanes: pd.DataFrame, folder: Path, day_value: float, info: dict) -> list[str]:
    """``transport_cost.csv`` (Koha), ``proximity_adjustment.csv`` (Evergreen), ``lane_costs.csv``, ``costs.json``."""
    import json

    write_frame_csv(koha_table(lanes), folder / "transport_cost.csv")
    write_frame_csv(evergreen_table(lanes, day_value), folder / "proximity_adjustment.csv")
    write_frame_csv(lanes, folder / "lane_costs.csv")
    (folder / "costs.json").write_text(json.dumps({**info, "day_value_ntd": day_value, "lanes": len(lanes),
                                                   "disabled": int(lanes["disabled"].sum())},
                                                  ensure_ascii=False, indent=2), encoding="utf-8")
    return ["transport_cost.csv", "proximity_adjustment.csv", "lane_costs.csv", "costs.json"]
