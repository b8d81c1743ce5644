"""A small, realistic plan folder built without the solver, for tests, the benchmark and demos.

synthetic: the bundled network's open nodes are swept by bearing around the depot into one
tour per run; holds leave the depot for every stop, returns come back, a few rotations go
between stops of the same tour, one transfer goes through the depot's sorting in two legs
(hub mode) and one is left unassigned with a reason. Distances are great-circle × 1.35 at
25 km/h. It follows the plan folder contract so manifests can be printed from it; it is not
an optimised plan.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pandas as pd

from bookvan.data.fleet import load_fleet
from bookvan.data.network import bundled_network_dir, load_network
from bookvan.data.planfolder import write_plan_folder
from bookvan.data.tables import TZ

__all__ = ["write_sample_plan"]

_ROAD_FACTOR = 1.35
_SPEED_MS = 25 / 3.6


def _hav(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _at(date: dt.date, t: dt.time | None) -> pd.Timestamp | None:
    return None if t is None else pd.Timestamp(dt.datetime.combine(date, t)).tz_localize(TZ)


def write_sample_plan(out: str | Path, date: dt.date, *, seed: int = 7, network: str | Path | None = None) -> Path:
    """Write a plan folder for ``date`` on the bundled (or given) network into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    net_dir = Path(network) if network else bundled_network_dir()
    net = load_network(net_dir)
    fleet = load_fleet(net_dir / "fleet.toml", set(net.node_ids))
    nodes = net.nodes.set_index("node_id", drop=False)

    rows = []
    for nid in net.node_ids:
        h = net.hours_on(nid, date)
        n = nodes.loc[nid]
        rows.append(
            {
                "node_id": nid,
                "name_zh": n["name_zh"],
                "name_en": n["name_en"],
                "kind": n["kind"],
                "lat": float(n["lat"]),
                "lon": float(n["lon"]),
                "opens": _at(date, h.opens),
                "closes": _at(date, h.closes),
                "service_s": int(n["service_s"]),
                "service_per_crate_s": int(n["service_per_crate_s"]),
                "address": n.get("address"),
                "coord_approx": bool(n.get("coord_approx", False)),
                "closed_reason": h.closed_reason,
            }
        )
    ndf = pd.DataFrame(rows).set_index("node_id", drop=False)
    depot = fleet.vehicles[0].depot
    dpos = (ndf.loc[depot, "lat"], ndf.loc[depot, "lon"])
    open_nodes = [
        nid
        for nid in ndf.index
        if nid != depot
        and ndf.loc[nid, "opens"] is not None
        and not pd.isna(ndf.loc[nid, "opens"])
        and _hav(dpos, (ndf.loc[nid, "lat"], ndf.loc[nid, "lon"])) < 30_000
    ]

    def bearing(nid: str) -> float:
        return math.atan2(ndf.loc[nid, "lat"] - dpos[0], ndf.loc[nid, "lon"] - dpos[1])

    open_nodes.sort(key=bearing)
    vans = fleet.vehicles
    run_keys = [(vans[0], 1), (vans[-1], 1), (vans[0], 2)] if len(vans) > 1 else [(vans[0], 1), (vans[0], 2)]
    k = len(run_keys)
    tours = [open_nodes[i * len(open_nodes) // k : (i + 1) * len(open_nodes) // k] for i in range(k)]

    transfers: list[dict] = []

    def add(o: str, d: str, kind: str, crates: int, **extra: object) -> str:
        tid = extra.pop("tid", None) or f"T{len(transfers) + 1:04d}"
        transfers.append(
            {
                "transfer_id": tid,
                "origin_id": o,
                "destination_id": d,
                "kind": kind,
                "crates": crates,
                "items": crates * fleet.items_per_crate - rng.randint(0, 12),
                **extra,
            }
        )
        return tid

    plan_pick: dict[int, dict[str, list[str]]] = {i: {} for i in range(k)}
    plan_drop: dict[int, dict[str, list[str]]] = {i: {} for i in range(k)}
    for i, tour in enumerate(tours):
        for j, nid in enumerate(tour):
            t = add(depot, nid, "hold", rng.randint(1, 2))
            plan_pick[i].setdefault(depot, []).append(t)
            plan_drop[i].setdefault(nid, []).append(t)
            t = add(nid, depot, "return", rng.randint(1, 3))
            plan_pick[i].setdefault(nid, []).append(t)
            plan_drop[i].setdefault(depot, []).append(t)
            if j + 1 < len(tour) and rng.random() < 0.7:
                t = add(nid, tour[j + 1], rng.choice(["hold", "rotation"]), rng.randint(1, 2))
                plan_pick[i].setdefault(nid, []).append(t)
                plan_drop[i].setdefault(tour[j + 1], []).append(t)
    # hub mode: one transfer from run 0's first stop to the last run's first stop, via the depot
    if tours[0] and tours[-1] and k > 1:
        base = f"T{len(transfers) + 1:04d}"
        a = add(tours[0][0], depot, "hold", 2, tid=f"{base}.1", leg_of=base, leg=1)
        b = add(depot, tours[-1][0], "hold", 2, tid=f"{base}.2", leg_of=base, leg=2)
        plan_pick[0].setdefault(tours[0][0], []).append(a)
        plan_drop[0].setdefault(depot, []).append(a)
        plan_pick[k - 1].setdefault(depot, []).append(b)
        plan_drop[k - 1].setdefault(tours[-1][0], []).append(b)
    unassigned_dest = tours[0][-1] if tours[0] else depot
    lost = add(depot, unassigned_dest, "balance", 30)
    unassigned = [
        {
            "transfer_id": lost,
            "reason": (
                f"30 crates to {ndf.loc[unassigned_dest, 'name_en']} do not fit in any van "
                f"({vans[0].capacity_crates} crates); split it or send it tomorrow"
            ),
        }
    ]
    crates_of = {t["transfer_id"]: t["crates"] for t in transfers}

    used = [depot, *open_nodes]
    pos = {n: (ndf.loc[n, "lat"], ndf.loc[n, "lon"]) for n in used}
    mrows, mat = [], {}
    for a in used:
        for b in used:
            if a != b:
                d = _hav(pos[a], pos[b]) * _ROAD_FACTOR
                mat[(a, b)] = (d, round(d / _SPEED_MS + 60))
                mrows.append(
                    {
                        "from_id": a,
                        "to_id": b,
                        "distance_m": round(d, 1),
                        "duration_s": float(mat[(a, b)][1]),
                        "source": "estimate",
                    }
                )

    stops, total_d, free_at = [], 0.0, {}
    for i, (van, trip) in enumerate(run_keys):
        t = max(_at(date, van.shift_start), free_at.get(van.vehicle_id, _at(date, van.shift_start)))
        seqs = [depot, *tours[i], depot]
        load, took_break, prev = 0, trip > 1, None
        for s, nid in enumerate(seqs):
            pick = plan_pick[i].get(nid, []) if s < len(seqs) - 1 else []
            drop = plan_drop[i].get(nid, []) if s > 0 else []
            if prev is not None and prev != nid:
                d, dur = mat[(prev, nid)]
                total_d += d
                t = t + pd.Timedelta(seconds=dur)
            arrival = t
            opens = ndf.loc[nid, "opens"]
            start = max(arrival, opens) if s not in (0, len(seqs) - 1) else arrival
            handled = sum(crates_of[x] for x in pick + drop)
            dep = start + pd.Timedelta(seconds=int(ndf.loc[nid, "service_s"]) + 30 * handled)
            brk = 0
            if not took_break and van.break_s and van.break_earliest and dep >= _at(date, van.break_earliest):
                brk, took_break = van.break_s, True
                dep = dep + pd.Timedelta(seconds=brk)
            load += sum(crates_of[x] for x in pick) - sum(crates_of[x] for x in drop)
            stops.append(
                {
                    "vehicle_id": van.vehicle_id,
                    "trip": trip,
                    "seq": s,
                    "node_id": nid,
                    "arrival": arrival,
                    "departure": dep,
                    "load_after": load,
                    "pickup_ids": pick,
                    "delivery_ids": drop,
                    "service_start": start,
                    "break_s": brk,
                }
            )
            t, prev = dep, nid
        free_at[van.vehicle_id] = t + pd.Timedelta(minutes=10)

    vrows = [
        {
            "vehicle_id": v.vehicle_id,
            "depot_id": v.depot,
            "capacity_crates": v.capacity_crates,
            "shift_start": _at(date, v.shift_start),
            "shift_end": _at(date, v.shift_end),
            "break_earliest": _at(date, v.break_earliest),
            "break_latest": _at(date, v.break_latest),
            "break_s": v.break_s,
            "max_trips": v.max_trips,
        }
        for v in vans
    ]
    tdf = pd.DataFrame(transfers)
    for c in ("leg_of", "leg"):
        if c not in tdf:
            tdf[c] = None
    tdf["leg_of"] = tdf["leg_of"].astype(object).where(tdf["leg_of"].notna(), None)
    tdf["leg"] = [None if pd.isna(x) else int(x) for x in tdf["leg"]]
    sdf = pd.DataFrame(stops)
    last = sdf.groupby("vehicle_id")["arrival"].max()
    first = sdf.groupby("vehicle_id")["departure"].min()
    info = {
        "date": date.isoformat(),
        "seed": seed,
        "time_limit_s": 0,
        "total_distance_m": round(total_d, 1),
        "total_duration_s": int(sum((last - first).dt.total_seconds())),
        "vehicles_used": int(sdf["vehicle_id"].nunique()),
        "transfers_planned": len(transfers) - len(unassigned),
        "unassigned": unassigned,
        "solver": {
            "name": "bookvan.routing.manifest.sample",
            "version": "synthetic",
            "status": "synthetic sample, not optimised",
            "wall_s": 0.0,
        },
    }
    tables = {"nodes": ndf.reset_index(drop=True), "vehicles": pd.DataFrame(vrows), "transfers": tdf,
              "matrix": pd.DataFrame(mrows), "stops": sdf}
    return write_plan_folder(out, info, tables)
