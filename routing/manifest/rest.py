"""The rest of a re-planned day: what the drivers still have to do, for printing again.

A re-plan folder (``bookvan replan``) marks the stops already driven (``driven``). Its manifests
list only what is still to do: a run driven to its end is left out; a run under way starts at
the stop where the van stood at the re-plan time, shown with the crates on board and nothing to
load or unload there (that was done), except the depot row of a run still loading, whose list
is what is being loaded; the stops after it follow as planned.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from bookvan.routing.manifest.plan import Plan

__all__ = ["replan_at", "replan_from", "rest_of_day"]


def replan_at(info: dict) -> pd.Timestamp | None:
    """The re-plan time in a plan.json (``replan.at``), None for any other plan."""
    at = (info.get("replan") or {}).get("at")
    return None if not at else pd.Timestamp(at)


def replan_from(plan: Plan) -> pd.Timestamp | None:
    """The re-plan time of a re-plan folder, None for any other plan."""
    return replan_at(plan.info)


def rest_of_day(plan: Plan) -> Plan:
    """``plan`` with the stops still to do (``plan`` itself when it is not a re-plan or nothing was driven)."""
    stops = plan.stops
    if replan_from(plan) is None or "driven" not in stops.columns or not stops["driven"].fillna(False).any():
        return plan
    keep = []
    for _, run in stops.sort_values(["vehicle_id", "trip", "seq"]).groupby(["vehicle_id", "trip"], sort=False):
        driven = run["driven"].fillna(False).astype(bool)
        if driven.all():
            continue
        if driven.any():
            here = run[driven].iloc[[-1]].copy()
            if int(here["seq"].iloc[0]) != 0:  # done there already: the row says where the van is
                here["pickup_ids"] = [[]]
                here["delivery_ids"] = [[]]
            run = pd.concat([here, run[~driven]])
        keep.append(run)
    rest = pd.concat(keep) if keep else stops.iloc[0:0]
    return replace(plan, stops=rest.reset_index(drop=True))
