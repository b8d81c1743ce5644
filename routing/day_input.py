"""The day's tables before solving: node hours on the date, vans, transfers split and legged.

Pure functions of network + fleet + transfers + date. The results are exactly the
``nodes``/``vehicles``/``transfers`` tables written to the plan folder, so the plan can be
checked later without the network files.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.network import Network
from bookvan.data.tables import TZ
from bookvan.data.transfers import transfers_frame

__all__ = ["day_nodes", "day_vehicles", "legged_transfers", "local_ts", "split_oversize"]


def local_ts(date: dt.date, t: dt.time | None) -> pd.Timestamp | None:
    """A clock time on ``date`` as a tz-aware Asia/Taipei timestamp."""
    if t is None:
        return None
    return pd.Timestamp(dt.datetime.combine(date, t), tz=TZ)


def day_nodes(network: Network, date: dt.date) -> pd.DataFrame:
    """Nodes with ``opens``/``closes`` of this date (null both when closed) and the reason."""
    rows = []
    for _, r in network.nodes.iterrows():
        h = network.hours_on(r["node_id"], date)
        rows.append({
            "node_id": r["node_id"], "name_zh": r["name_zh"], "name_en": r["name_en"], "kind": r["kind"],
            "lat": float(r["lat"]), "lon": float(r["lon"]),
            "opens": local_ts(date, h.opens), "closes": local_ts(date, h.closes),
            "service_s": int(r["service_s"]), "service_per_crate_s": int(r["service_per_crate_s"]),
            "address": r.get("address", ""), "coord_approx": bool(r.get("coord_approx", False)),
            "closed_reason": h.closed_reason,
        })
    df = pd.DataFrame(rows)
    for c in ("opens", "closes"):
        df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert(TZ)
    return df


def day_vehicles(fleet: Fleet, date: dt.date) -> pd.DataFrame:
    """The fleet as the plan folder's vehicles table, shifts and break windows on ``date``."""
    rows = [{
        "vehicle_id": v.vehicle_id, "depot_id": v.depot, "capacity_crates": v.capacity_crates,
        "shift_start": local_ts(date, v.shift_start), "shift_end": local_ts(date, v.shift_end),
        "break_earliest": local_ts(date, v.break_earliest), "break_latest": local_ts(date, v.break_latest),
        "break_s": v.break_s, "max_trips": v.max_trips,
    } for v in fleet.vehicles]
    df = pd.DataFrame(rows)
    for c in ("shift_start", "shift_end", "break_earliest", "break_latest"):
        df[c] = pd.to_datetime(df[c], utc=True).dt.tz_convert(TZ)
    return df


def split_oversize(
    transfers: pd.DataFrame, max_crates: int, max_day_crates: int | None = None, items_per_crate: int | None = None
) -> pd.DataFrame:
    """Split a transfer bigger than the largest van into parts ``<id>/1``, ``<id>/2``… .

    Items are shared out in proportion to crates, so items and crates are both conserved. A
    transfer larger than ``max_day_crates`` (all vans, all runs of the day) stays whole: it
    cannot go today at all, and routing screens it out with its reason instead of being
    handed thousands of parts. With ``items_per_crate`` (and crates that follow from it) the
    parts take whole crates in list order, ``items_per_crate`` items each, so a part's items
    are exactly those packed in its crates (``items.parquet``'s ``crate_no``).
    """
    recs = []
    for r in transfers.to_dict("records"):
        if r["crates"] <= max_crates or (max_day_crates is not None and r["crates"] > max_day_crates):
            recs.append(r)
            continue
        n = math.ceil(r["crates"] / max_crates)
        crates_left, items_left = int(r["crates"]), int(r["items"])
        packed = items_per_crate is not None and crates_left == math.ceil(items_left / items_per_crate)
        for k in range(1, n + 1):
            c = min(max_crates, crates_left)
            if k == n:
                it = items_left
            elif packed:
                it = c * items_per_crate  # type: ignore[operator]
            else:
                it = round(r["items"] * c / r["crates"])
            recs.append({**r, "transfer_id": f"{r['transfer_id']}/{k}", "crates": c, "items": it,
                         "part_of": r["transfer_id"]})
            crates_left -= c
            items_left -= it
    return transfers_frame(recs)


def legged_transfers(transfers: pd.DataFrame, depot_id: str) -> pd.DataFrame:
    """Hub mode: every transfer not touching the depot becomes two legs through it.

    Leg ids are ``<id>.1`` (origin → depot) and ``<id>.2`` (depot → destination); both keep
    the transfer's items, crates and kind, and ``leg_of`` names the original.
    """
    recs = []
    for r in transfers.to_dict("records"):
        if depot_id in (r["origin_id"], r["destination_id"]):
            recs.append(r)
            continue
        first = {**r, "transfer_id": f"{r['transfer_id']}.1", "destination_id": depot_id,
                 "leg_of": r["transfer_id"], "leg": 1, "due": None}
        second = {**r, "transfer_id": f"{r['transfer_id']}.2", "origin_id": depot_id,
                  "leg_of": r["transfer_id"], "leg": 2, "release": None}
        recs += [first, second]
    return transfers_frame(recs)
