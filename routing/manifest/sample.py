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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bookvan.data.fleet import Fleet, Vehicle, load_fleet
from bookvan.data.network import Network, bundled_network_dir, load_network
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


@dataclass
class _Runs:
    """The sample's runs: which van drives which tour, and what each stop picks up and drops.

    ``pick[i][node]`` / ``drop[i][node]`` list the transfer ids of run ``i`` at ``node``.
    """

    keys: list[tuple[Vehicle, int]]  # (van, trip)
    tours: list[list[str]]  # stops of each run, depot excluded
    pick: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    drop: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def carry(self, run: int, tid: str, origin: str, destination: str) -> None:
        self.pick.setdefault(run, {}).setdefault(origin, []).append(tid)
        self.drop.setdefault(run, {}).setdefault(destination, []).append(tid)


def write_sample_plan(out: str | Path, date: dt.date, *, seed: int = 7, network: str | Path | None = None) -> Path:
    """Write a plan folder for ``date`` on the bundled (or given) network into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    net_dir = Path(network) if network else bundled_network_dir()
    net = load_network(net_dir)
    fleet = load_fleet(net_dir / "fleet.toml", set(net.node_ids))
    ndf = _day_nodes(net, date)
    depot = fleet.vehicles[0].depot
    open_nodes, runs = _sweep(ndf, depot, fleet.vehicles)
    transfers, unassigned = _transfers(runs, ndf, depot, fleet, rng)
    crates_of = {t["transfer_id"]: t["crates"] for t in transfers}
    mrows, mat = _matrix(ndf, [depot, *open_nodes])
    stops, total_d = _drive(runs, ndf, depot, mat, crates_of, date)
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
    tables = {"nodes": ndf.reset_index(drop=True), "vehicles": _vehicles(fleet.vehicles, date),
              "transfers": _transfer_frame(transfers), "matrix": pd.DataFrame(mrows), "stops": sdf}
    return write_plan_folder(out, info, tables)


def _day_nodes(net: Network, date: dt.date) -> pd.DataFrame:
    """The nodes table with this date's hours, indexed (and keyed) by node id."""
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
    return pd.DataFrame(rows).set_index("node_id", drop=False)


def _sweep(ndf: pd.DataFrame, depot: str, vans: tuple[Vehicle, ...]) -> tuple[list[str], _Runs]:
    """Open nodes within 30 km, sorted by bearing around the depot and cut into one tour per run."""
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
    run_keys = [(vans[0], 1), (vans[-1], 1), (vans[0], 2)] if len(vans) > 1 else [(vans[0], 1), (vans[0], 2)]
    k = len(run_keys)
    tours = [open_nodes[i * len(open_nodes) // k : (i + 1) * len(open_nodes) // k] for i in range(k)]
    runs = _Runs(run_keys, tours, {i: {} for i in range(k)}, {i: {} for i in range(k)})
    return open_nodes, runs


def _transfers(
    runs: _Runs, ndf: pd.DataFrame, depot: str, fleet: Fleet, rng: random.Random
) -> tuple[list[dict], list[dict[str, str]]]:
    """The day's transfers, each put on a run (holds out, returns back, some rotations, one hub
    transfer in two legs), plus one too big for any van, left unassigned with its reason."""
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

    tours, k = runs.tours, len(runs.keys)
    for i, tour in enumerate(tours):
        for j, nid in enumerate(tour):
            runs.carry(i, add(depot, nid, "hold", rng.randint(1, 2)), depot, nid)
            runs.carry(i, add(nid, depot, "return", rng.randint(1, 3)), nid, depot)
            if j + 1 < len(tour) and rng.random() < 0.7:
                t = add(nid, tour[j + 1], rng.choice(["hold", "rotation"]), rng.randint(1, 2))
                runs.carry(i, t, nid, tour[j + 1])
    # hub mode: one transfer from run 0's first stop to the last run's first stop, via the depot
    if tours[0] and tours[-1] and k > 1:
        base = f"T{len(transfers) + 1:04d}"
        a = add(tours[0][0], depot, "hold", 2, tid=f"{base}.1", leg_of=base, leg=1)
        b = add(depot, tours[-1][0], "hold", 2, tid=f"{base}.2", leg_of=base, leg=2)
        runs.carry(0, a, tours[0][0], depot)
        runs.carry(k - 1, b, depot, tours[-1][0])
    unassigned_dest = tours[0][-1] if tours[0] else depot
    lost = add(depot, unassigned_dest, "balance", 30)
    unassigned = [
        {
            "transfer_id": lost,
            "reason": (
                f"30 crates to {ndf.loc[unassigned_dest, 'name_en']} do not fit in any van "
                f"({fleet.vehicles[0].capacity_crates} crates); split it or send it tomorrow"
            ),
        }
    ]
    return transfers, unassigned


def _matrix(ndf: pd.DataFrame, used: list[str]) -> tuple[list[dict], dict[tuple[str, str], tuple[float, int]]]:
    """Matrix rows for the plan folder and (distance_m, duration_s) by pair: great-circle × road factor."""
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
    return mrows, mat


def _drive(
    runs: _Runs,
    ndf: pd.DataFrame,
    depot: str,
    mat: dict[tuple[str, str], tuple[float, int]],
    crates_of: dict[str, int],
    date: dt.date,
) -> tuple[list[dict], float]:
    """Drive each run in order (a van's second run starts 10 minutes after its first ends):
    the stops rows with times, loads and one break per van, and the metres driven."""
    stops, total_d, free_at = [], 0.0, {}
    for i, (van, trip) in enumerate(runs.keys):
        t = max(_at(date, van.shift_start), free_at.get(van.vehicle_id, _at(date, van.shift_start)))
        seqs = [depot, *runs.tours[i], depot]
        load, took_break, prev = 0, trip > 1, None
        for s, nid in enumerate(seqs):
            pick = runs.pick[i].get(nid, []) if s < len(seqs) - 1 else []
            drop = runs.drop[i].get(nid, []) if s > 0 else []
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
    return stops, total_d


def _vehicles(vans: tuple[Vehicle, ...], date: dt.date) -> pd.DataFrame:
    """The vehicles table: every van of the fleet with its shift and break window on ``date``."""
    return pd.DataFrame([
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
    ])


def _transfer_frame(transfers: list[dict]) -> pd.DataFrame:
    """The transfers table, with null ``leg_of``/``leg`` for the transfers that are not legs."""
    tdf = pd.DataFrame(transfers)
    for c in ("leg_of", "leg"):
        if c not in tdf:
            tdf[c] = None
    tdf["leg_of"] = tdf["leg_of"].astype(object).where(tdf["leg_of"].notna(), None)
    tdf["leg"] = [None if pd.isna(x) else int(x) for x in tdf["leg"]]
    return tdf
