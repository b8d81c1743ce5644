"""The day's tables before solving: node hours on the date, vans, transfers split and legged.

Pure functions of network + fleet + transfers + date. The results are exactly the
``nodes``/``vehicles``/``transfers`` tables written to the plan folder, so the plan can be
checked later without the network files.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from bookvan.data.fleet import Fleet
from bookvan.data.network import Network
from bookvan.data.tables import TZ
from bookvan.data.transfers import is_transfers_frame, local_times, transfers_frame

__all__ = ["day_nodes", "day_vehicles", "legged_transfers", "local_ts", "split_oversize"]


def local_ts(date: dt.date, t: dt.time | None) -> pd.Timestamp | None:
    """A clock time on ``date`` as a tz-aware Asia/Taipei timestamp."""
    if t is None:
        return None
    return pd.Timestamp(dt.datetime.combine(date, t), tz=TZ)


_NODE_COLUMNS = ("node_id", "name_zh", "name_en", "kind", "lat", "lon", "opens", "closes", "service_s",
                 "service_per_crate_s", "address", "coord_approx", "closed_reason")  # fmt: skip
_VEHICLE_COLUMNS = ("vehicle_id", "depot_id", "capacity_crates", "shift_start", "shift_end",
                    "break_earliest", "break_latest", "break_s", "max_trips")  # fmt: skip


def day_nodes(network: Network, date: dt.date) -> pd.DataFrame:
    """Nodes with ``opens``/``closes`` of this date (null both when closed) and the reason.

    Read from whole columns into tuples (pandas row access costs more than the table itself).
    """
    t = network.nodes
    n = len(t)
    given = ("node_id", "name_zh", "name_en", "kind", "lat", "lon", "service_s", "service_per_crate_s")
    cols = [t[c].tolist() for c in given]
    cols += [t[c].tolist() if c in t.columns else [d] * n for c, d in (("address", ""), ("coord_approx", False))]
    rows = []
    for nid, zh, en, kind, lat, lon, svc, per, address, approx in zip(*cols, strict=True):
        h = network.hours_on(nid, date)
        rows.append((
            nid, zh, en, kind, float(lat), float(lon), local_ts(date, h.opens), local_ts(date, h.closes),
            int(svc), int(per), address, bool(approx), h.closed_reason,
        ))  # fmt: skip
    return local_times(pd.DataFrame.from_records(rows, columns=_NODE_COLUMNS), ("opens", "closes"))


def day_vehicles(fleet: Fleet, date: dt.date) -> pd.DataFrame:
    """The fleet as the plan folder's vehicles table, shifts and break windows on ``date``."""
    rows = [(
        v.vehicle_id, v.depot, v.capacity_crates, local_ts(date, v.shift_start), local_ts(date, v.shift_end),
        local_ts(date, v.break_earliest), local_ts(date, v.break_latest), v.break_s, v.max_trips,
    ) for v in fleet.vehicles]  # fmt: skip
    df = pd.DataFrame.from_records(rows, columns=_VEHICLE_COLUMNS)
    return local_times(df, ("shift_start", "shift_end", "break_earliest", "break_latest"))


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
    if is_transfers_frame(transfers):
        crates = transfers["crates"].to_numpy()
        whole = (crates <= max_crates) | (crates > (max_day_crates if max_day_crates is not None else 2**62))
        if whole.all():  # nothing to split (most days): the table as it came, not a remake of it
            return transfers.copy()
    recs = []
    for r in _records(transfers):
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
    the transfer's items, crates and kind, and ``leg_of`` names the original. Built from
    whole columns: a simulated hub year legs a table every day.
    """
    df = transfers if is_transfers_frame(transfers) else transfers_frame(_records(transfers))
    ids = df["transfer_id"].to_numpy(dtype=object)
    through = ((df["origin_id"] != depot_id) & (df["destination_id"] != depot_id)).to_numpy()
    if not through.any():
        return df.copy()
    row = np.repeat(np.arange(len(df)), np.where(through, 2, 1))
    out = df.iloc[row].reset_index(drop=True)
    legged = through[row]
    second = np.zeros(len(row), dtype=bool)
    second[1:] = legged[1:] & (row[1:] == row[:-1])
    first = legged & ~second
    tid = out["transfer_id"].to_numpy(dtype=object).copy()
    tid[first] = [f"{t}.1" for t in ids[row[first]]]
    tid[second] = [f"{t}.2" for t in ids[row[second]]]
    out["transfer_id"] = tid
    out.loc[first, "destination_id"] = depot_id
    out.loc[second, "origin_id"] = depot_id
    leg_of = out["leg_of"].astype(object).to_numpy().copy()
    leg_of[legged] = ids[row[legged]]
    out["leg_of"] = leg_of
    leg = out["leg"].copy()
    leg[first], leg[second] = 1, 2
    out["leg"] = leg
    out.loc[first, "due"] = pd.NaT
    out.loc[second, "release"] = pd.NaT
    return out


def _records(df: pd.DataFrame) -> list[dict[str, object]]:
    """The rows as dicts, as ``to_dict("records")`` gives them, read from whole columns (several times faster)."""
    names = list(df.columns)
    cols = [df.iloc[:, k].tolist() for k in range(len(names))]
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]
