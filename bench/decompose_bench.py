"""Does splitting the 1,000-stop day into areas get VROOM-5's quality in two minutes? (issue 13)

Splits the requests of ``bench/scale.py``'s 1,000-stop day (seed 1, 2026-12-01) into
geographic parts (k-means or an angle sweep of one point per request: its outer end when the
other is the depot, else the pair's midpoint, or the pickup or delivery), gives each part
vans in proportion to its requests, solves each part with VROOM (grouped, one thread) or
PyVRP, merges the routes and prices them with ``day_bench.measure`` (bookvan's model, plan
and checker). Prints one JSON line; ``--out`` also writes it with the merged routes
(``--routes`` prices such saved routes again without solving).

    .venv/bin/python bench/decompose_bench.py --parts 4 --key mid --cluster kmeans --level 3

Results and why the engine does not split days: bench/README.md ("Library days", session 8).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from day_bench import measure, scale_day

from bookvan.routing.engine import SolveParams
from bookvan.routing.engine.extract import result_from_assignment
from bookvan.routing.engine.model import build_model
from bookvan.routing.engine.search import search_parameters
from bookvan.routing.engine.warm_start import assignment_from_visit_routes


def read_routes(p, routes, t0, cap_s=600.0):
    """Routes read into bookvan's model (as ``day_bench._read_routes``), with a generous safety cap."""
    params = SolveParams(deterministic=True, solution_limit=1, time_limit_s=cap_s)
    m = build_model(p)
    a = None if routes is None else assignment_from_visit_routes(m, routes, search_parameters(p, params))
    return result_from_assignment(m, a, params, t0)
from scale import CITIES, DEPOT  # noqa: E402

from bookvan.routing.day_adapter import build_day_problem  # noqa: E402
from bookvan.routing.engine.problem import RoutingProblem  # noqa: E402
from bookvan.routing.engine.warm_parts import area_problem  # noqa: E402
from bookvan.routing.engine.warm_pyvrp import RELOAD, pyvrp_routes  # noqa: E402
from bookvan.routing.engine.warm_vroom import vroom_routes  # noqa: E402

DATE = dt.date(2026, 12, 1)


def coords(stops: int, seed: int = 1) -> dict[str, tuple[float, float]]:
    """lat/lon of every node: replays synthetic_day's first random draws (same order)."""
    rng = np.random.default_rng(seed)
    codes = list(CITIES)
    shares = np.array([CITIES[c][1] for c in codes])
    city = rng.choice(len(codes), size=stops, p=shares / shares.sum())
    out = {"KL-MAIN": DEPOT}
    for i, c in enumerate(city):
        (clat, clon), _, spread = CITIES[codes[c]]
        la = clat + rng.normal(0, spread) / 111.0
        lo = clon + rng.normal(0, spread) / (111.0 * math.cos(math.radians(clat)))
        out[f"{codes[c]}-{i:04d}"] = (la, lo)
    return out


def request_points(p: RoutingProblem, locxy: np.ndarray, key: str) -> np.ndarray:
    """One (x, y) km point per request: its outer end if one end is the depot, else by key."""
    depots = set(p.depot_locations) | {v.start for v in p.vans}
    pts = []
    for r in p.requests:
        a, b = p.visits[r.pickup].location, p.visits[r.delivery].location
        if a in depots and b not in depots:
            pts.append(locxy[b])
        elif (b in depots and a not in depots) or key == "pickup":
            pts.append(locxy[a])
        elif key == "delivery":
            pts.append(locxy[b])
        else:
            pts.append((locxy[a] + locxy[b]) / 2)
    return np.asarray(pts)


def kmeans(pts: np.ndarray, k: int, seed: int = 0, iters: int = 100) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # k-means++ init
    c = [pts[rng.integers(len(pts))]]
    for _ in range(1, k):
        d2 = np.min(((pts[:, None, :] - np.asarray(c)[None]) ** 2).sum(-1), axis=1)
        c.append(pts[rng.choice(len(pts), p=d2 / d2.sum())])
    c = np.asarray(c)
    for _ in range(iters):
        lab = np.argmin(((pts[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
        new = np.asarray([pts[lab == j].mean(0) if (lab == j).any() else c[j] for j in range(k)])
        if np.allclose(new, c):
            break
        c = new
    return lab


def sweep(pts: np.ndarray, k: int, offset: float = 0.0) -> np.ndarray:
    """Angle sweep around the depot (origin), k sectors of equal request count."""
    ang = (np.arctan2(pts[:, 1], pts[:, 0]) - offset) % (2 * np.pi)
    order = np.argsort(ang, kind="stable")
    lab = np.empty(len(pts), dtype=int)
    for j, chunk in enumerate(np.array_split(order, k)):
        lab[chunk] = j
    return lab


def split_fleet(work: np.ndarray, nvans: int, slack: float) -> list[int]:
    """Vans per part ~ work share × total × slack (at most the fleet), at least 2."""
    share = work / work.sum()
    want = np.maximum(2, np.ceil(share * nvans * slack)).astype(int)
    while want.sum() > nvans:  # trim the biggest
        want[np.argmax(want - share * nvans)] -= 1
    return want.tolist()


def lpt_makespan(times: list[float], cores: int = 2) -> float:
    load = [0.0] * cores
    for t in sorted(times, reverse=True):
        load[load.index(min(load))] += t
    return max(load)


LOG: dict = {}


def make_engine(args, dp, xy):
    def engine(p: RoutingProblem):
        t0 = time.perf_counter()
        c0 = time.process_time()
        locxy = np.zeros((p.num_locations, 2))
        for i, nid in enumerate(dp.locations):
            la, lo = xy[nid]
            locxy[i] = ((lo - DEPOT[1]) * 111.0 * math.cos(math.radians(DEPOT[0])), (la - DEPOT[0]) * 111.0)
        pts = request_points(p, locxy, args.key)
        if args.cluster == "kmeans":
            lab = kmeans(pts, args.parts, seed=args.seed)
        else:
            lab = sweep(pts, args.parts, offset=args.offset)
        parts = [np.flatnonzero(lab == j).tolist() for j in range(args.parts)]
        parts = [q for q in parts if q]
        # work: per request, its service + a share of the trip out (distance from depot)
        dist_depot = np.linalg.norm(pts, axis=1)
        work = np.asarray([len(q) + args.dist_w * dist_depot[q].sum() for q in parts])
        nv = split_fleet(work, len(p.vans), args.slack)
        c_split = time.process_time() - c0
        routes = [[] for _ in p.vans]
        part_cpu, info = [], []
        if args.routes:  # re-price saved routes (no solve)
            saved = json.loads(Path(args.routes).read_text(encoding="utf-8"))
            routes, part_cpu, info = saved["routes_full"], [x["cpu"] for x in saved["parts"]], saved["parts"]
            parts = []
        first = 0
        for j, q in enumerate(parts):
            vans = list(range(first, first + nv[j]))
            first += nv[j]
            sub, vmap = area_problem(p, q, vans)
            c1, w1 = time.process_time(), time.perf_counter()
            if args.solver == "vroom":
                sr, _ = vroom_routes(sub, exploration_level=args.level, threads=1, group=True)
            else:
                sr = pyvrp_routes(sub, time_limit_s=None, seed=0, van_cost=[v.fixed_cost for v in sub.vans],
                                  iterations=args.iters, whole_fleet_polish=True, break_safe_return=True)
            ct = time.process_time() - c1
            part_cpu.append(ct)
            used = sum(1 for r in (sr or []) if r)
            info.append(dict(part=j, requests=len(q), vans_given=nv[j], vans_used=used,
                             visits_routed=sum(len(r) for r in (sr or [])), cpu=round(ct, 1),
                             wall=round(time.perf_counter() - w1, 1)))
            print("  part", info[-1], flush=True)
            for k, r in enumerate(sr or []):
                routes[vans[k]] = [v if v == RELOAD else vmap[v] for v in r]
        c2, w2 = time.process_time(), time.perf_counter()
        res = read_routes(p, routes, t0)
        c_read = time.process_time() - c2
        LOG.update(split_cpu=round(c_split, 2), parts=info, solve_cpu_sum=round(sum(part_cpu), 1),
                   solve_makespan2=round(lpt_makespan(part_cpu), 1), read_cpu=round(c_read, 1),
                   read_wall=round(time.perf_counter() - w2, 1), routes=routes)
        return res
    return engine


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--key", default="mid", choices=("mid", "pickup", "delivery"))
    ap.add_argument("--cluster", default="kmeans", choices=("kmeans", "sweep"))
    ap.add_argument("--offset", type=float, default=0.0)
    ap.add_argument("--solver", default="vroom", choices=("vroom", "pyvrp"))
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--slack", type=float, default=10.0, help="x work share of the fleet (capped at fleet)")
    ap.add_argument("--dist-w", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag", default="")
    ap.add_argument("--routes", default="", help="re-price the routes saved in this JSON file (from --out)")
    ap.add_argument("--out", default="", help="write the result and the merged routes to this JSON file")
    args = ap.parse_args()
    tables = scale_day(1000, DATE)
    nodes, vehicles, todo, matrix, costs, settings = tables
    dp = build_day_problem(date=DATE, nodes=nodes, vehicles=vehicles, transfers=todo, matrix=matrix, costs=costs,
                           settings=settings)
    xy = coords(1000)
    r = measure("decomp", dp, tables, make_engine(args, dp, xy), DATE)
    routes = LOG.pop("routes")
    out = {**vars(args), **{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()}, **LOG}
    print(json.dumps(out), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps({**out, "routes_full": routes}), encoding="utf-8")


if __name__ == "__main__":
    main()
