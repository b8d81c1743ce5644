"""Small stand-ins for the routing engine in scenario tests that must not depend on its speed.

``fake_plan_day`` loads each van run by run up to its capacity (holds first), drives the
stops in a fixed order at matrix durations, and leaves the rest unassigned: crude, but
it obeys capacity and hours, so more vans move more and a closed node waits.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from bookvan.data.tables import TZ
from bookvan.routing.daily import DayPlan
from bookvan.scenarios.engine import Engine, real_engine


def _ts(date: dt.date, t: dt.time) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(date, t), tz=TZ)


def fake_plan_day(network, fleet, transfers, date, matrix, params) -> DayPlan:
    m = matrix.set_index(["from_id", "to_id"])
    todo = transfers.sort_values(["kind", "transfer_id"]).to_dict("records")  # hold < return
    stops, unassigned, left = [], [], list(todo)
    total = 0.0
    for v in fleet.vehicles:
        t = _ts(date, v.shift_start)
        end = _ts(date, v.shift_end)
        for trip in range(1, v.max_trips + 1):
            load, chosen, rest = 0, [], []
            for r in left:
                if load + r["crates"] <= v.capacity_crates:
                    chosen.append(r)
                    load += r["crates"]
                else:
                    rest.append(r)
            if not chosen:
                break
            route = [v.depot]
            for r in chosen:
                for n in (r["origin_id"], r["destination_id"]):
                    if n not in route:
                        route.append(n)
            route.append(v.depot)
            legs = list(itertools.pairwise(route))
            need = sum(float(m.at[(a, b), "duration_s"]) + 300 for a, b in legs)
            if t + pd.Timedelta(seconds=need) > end:
                break
            left = rest
            on = 0
            for seq, n in enumerate(route):
                if seq:
                    a = route[seq - 1]
                    t = t + pd.Timedelta(seconds=float(m.at[(a, n), "duration_s"]))
                    total += float(m.at[(a, n), "distance_m"])
                last = seq == len(route) - 1
                picks = [
                    r["transfer_id"]
                    for r in chosen
                    if (r["origin_id"] == n and not last and seq > 0)
                    or (seq == 0 and r["origin_id"] == n)
                ]
                drops = [r["transfer_id"] for r in chosen if r["destination_id"] == n and seq > 0]
                on += sum(r["crates"] for r in chosen if r["transfer_id"] in picks)
                on -= sum(r["crates"] for r in chosen if r["transfer_id"] in drops)
                stops.append(
                    {
                        "vehicle_id": v.vehicle_id,
                        "trip": trip,
                        "seq": seq,
                        "node_id": n,
                        "arrival": t,
                        "departure": t + pd.Timedelta(seconds=300 if seq else 0),
                        "service_start": t,
                        "load_after": on,
                        "pickup_ids": picks,
                        "delivery_ids": drops,
                    }
                )
                t = t + pd.Timedelta(seconds=300 if seq else 0)
    unassigned = [{"transfer_id": r["transfer_id"], "reason": "no van has room"} for r in left]
    st = pd.DataFrame(stops)
    summary = {
        "total_distance_m": total,
        "vehicles_used": int(st["vehicle_id"].nunique()) if len(st) else 0,
        "transfers_planned": len(todo) - len(left),
    }
    return DayPlan(
        date,
        network.nodes,
        pd.DataFrame(
            {
                "vehicle_id": [v.vehicle_id for v in fleet.vehicles],
                "capacity_crates": [v.capacity_crates for v in fleet.vehicles],
            }
        ),
        transfers,
        matrix,
        st,
        unassigned,
        summary,
    )


def fake_engine() -> Engine:
    """Real demand and travel matrix, fake router, no checker."""
    real = real_engine()
    return Engine(real.daily_transfers, real.build_matrix, fake_plan_day, None, name="fake-router")
