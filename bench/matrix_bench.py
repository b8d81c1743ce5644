"""Benchmark: travel-time matrices for 1,000 nodes on a synthetic city road graph.

Builds a seeded, noisy grid city (~40k vertices: residential streets, a primary arterial
every 8th line, one-way pairs, ~8 % of blocks missing), writes it as OSM XML and times:

1. the estimate matrix (no roads) for N nodes;
2. the road pipeline step by step: read the extract, build the graph (largest SCC), snap,
   contract pass-through vertices, pack weights, the N × N fastest-path matrix (scipy
   Dijkstra, one pass);
3. ``build_matrix(nodes, roads=...)`` end to end, cold cache and warm cache.

Goal (issue 2): the 1,000-node matrix in under 10 s.

Run: ``.venv/bin/python bench/matrix_bench.py [--side 200] [--nodes 1000] [--seed 7]
[--shape-points 0]`` (``--side 120 --shape-points 1`` for an OSM-like city of ~43k vertices
whose streets bend between junctions).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bookvan.data.travel import RoadProfile, build_matrix
from bookvan.data.travel.graph import build_graph, contract, snap_points
from bookvan.data.travel.osm import read_roads
from bookvan.data.travel.shortest import fastest_arrays, pack_weights

LAT0, LON0 = 25.05, 121.60  # somewhere around Xizhi / Keelung
STEP = 0.0009  # ~100 m blocks


def synthetic_city_osm(path: Path, side: int, seed: int, shape_points: int = 0) -> tuple[int, int]:
    """Write a noisy ``side × side`` grid city as OSM XML; return (OSM nodes, ways).

    ``shape_points`` extra nodes per block bend each street like a real OSM way (they are
    pass-through vertices that the matrix contracts away).
    """
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    lat = LAT0 + ii * STEP + rng.normal(0, STEP * 0.15, ii.shape)
    lon = LON0 + jj * STEP + rng.normal(0, STEP * 0.15, jj.shape)
    nid = 1 + ii * side + jj
    pos = {int(k): (a, b) for k, a, b in zip(nid.ravel(), lat.ravel(), lon.ravel(), strict=True)}
    next_id = side * side + 1
    ways: list[str] = []
    for axis in (0, 1):
        for line in range(side):
            refs = nid[line, :] if axis == 0 else nid[:, line]
            # each block: its start vertex, then its shape points
            blocks = []
            for k in range(side - 1):
                (a0, b0), (a1, b1) = pos[int(refs[k])], pos[int(refs[k + 1])]
                ids = [int(refs[k])]
                for t in np.arange(1, shape_points + 1) / (shape_points + 1):
                    pos[next_id] = (
                        a0 + t * (a1 - a0) + rng.normal(0, STEP * 0.1),
                        b0 + t * (b1 - b0) + rng.normal(0, STEP * 0.1),
                    )
                    ids.append(next_id)
                    next_id += 1
                blocks.append(ids)
            arterial = line % 8 == 0
            tags = {"highway": "primary" if arterial else "residential"}
            if not arterial and line % 8 in (3, 4):  # one-way couplets, opposite directions
                tags["oneway"] = "yes" if line % 8 == 3 else "-1"
            if arterial and line % 16 == 0:
                tags["maxspeed"] = "60"
            tg = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in tags.items())
            # cut the street into pieces where a block is missing (not on arterials)
            keep = np.ones(side - 1, dtype=bool) if arterial else rng.random(side - 1) > 0.08
            start = 0
            for k in range(side - 1):
                if not keep[k] or k == side - 2:
                    end = k + 1 if keep[k] else k
                    if end > start:
                        seq = [r for blk in blocks[start:end] for r in blk] + [int(refs[end])]
                        nds = "".join(f'<nd ref="{r}"/>' for r in seq)
                        ways.append(f'<way id="{len(ways) + 1}" version="1">{nds}{tg}</way>')
                    start = k + 1
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="bookvan-bench">',
    ]
    out += [
        f'<node id="{k}" version="1" lat="{a:.7f}" lon="{b:.7f}"/>' for k, (a, b) in pos.items()
    ]
    out += [*ways, "</osm>"]
    path.write_text("\n".join(out), encoding="utf-8")
    return len(pos), len(ways)


def random_nodes(n: int, side: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    return pd.DataFrame(
        {
            "node_id": [f"N{i:04d}" for i in range(n)],
            "lat": LAT0 + rng.uniform(0, (side - 1) * STEP, n),
            "lon": LON0 + rng.uniform(0, (side - 1) * STEP, n),
        }
    )


def timed(label: str, fn, results: dict[str, float]):
    """Run ``fn``; record and print wall and CPU seconds (the CPU figure shows machine load)."""
    t, c = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = time.perf_counter() - t
    results[label + " cpu"] = time.process_time() - c
    print(
        f"  {label:<42} {results[label]:7.2f} s wall {results[label + ' cpu']:7.2f} s cpu",
        flush=True,
    )
    return value


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--side", type=int, default=200, help="grid side (vertices ≈ side²; default 200)"
    )
    ap.add_argument(
        "--nodes", type=int, default=1000, help="network nodes in the matrix (default 1000)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--shape-points", type=int, default=0, help="extra OSM nodes bending each block (default 0)"
    )
    args = ap.parse_args()
    nodes = random_nodes(args.nodes, args.side, args.seed)
    r: dict[str, float] = {}
    print(
        f"matrix bench: {args.nodes} nodes, {args.side}×{args.side} grid city, "
        f"{args.shape_points} shape point(s) per block, seed {args.seed}"
    )

    est = timed(f"estimate matrix ({args.nodes}² pairs)", lambda: build_matrix(nodes), r)
    assert len(est) == args.nodes**2

    with tempfile.TemporaryDirectory() as tmp:
        osm = Path(tmp) / "city.osm"
        n_nodes, n_ways = timed(
            "write synthetic OSM XML",
            lambda: synthetic_city_osm(osm, args.side, args.seed, args.shape_points),
            r,
        )
        print(f"    {n_nodes:,} OSM nodes, {n_ways:,} ways, {osm.stat().st_size / 1e6:.1f} MB")
        prof = RoadProfile()
        seg = timed("read extract (pyosmium)", lambda: read_roads(osm), r)
        g = timed("build graph + largest SCC", lambda: build_graph(seg, prof), r)
        print(f"    graph: {g.n_vertices:,} vertices, {g.n_edges:,} directed edges")
        ids = nodes["node_id"].tolist()
        snap = timed(
            "snap nodes (cKDTree)",
            lambda: snap_points(g, nodes.lat.to_numpy(), nodes.lon.to_numpy(), ids, prof),
            r,
        )
        verts = np.unique(snap.vertex)
        small, index = timed("contract pass-through vertices", lambda: contract(g, verts), r)
        print(f"    contracted: {small.n_vertices:,} vertices, {small.n_edges:,} directed edges")
        packed = timed("pack weights (2 bounding Dijkstras)", lambda: pack_weights(small), r)
        timed(
            f"fastest-path matrix ({len(verts)} sources)",
            lambda: fastest_arrays(small, index[verts], index[verts], packed=packed),
            r,
        )

        cache = Path(tmp) / "cache"
        cold = timed(
            "build_matrix(roads=…) end to end, cold",
            lambda: build_matrix(nodes, roads=osm, cache_dir=cache),
            r,
        )
        warm = timed(
            "build_matrix(roads=…) warm cache",
            lambda: build_matrix(nodes, roads=osm, cache_dir=cache),
            r,
        )
        assert warm.attrs["cache"] == "hit" and len(cold) == args.nodes**2
        off = cold[cold.from_id != cold.to_id]
        km, minutes = off.distance_m.median() / 1000, off.duration_s.median() / 60
        print(f"    legs: median {km:.1f} km, {minutes:.1f} min")
    paths = f"fastest-path matrix ({len(verts)} sources)"
    e2e = "build_matrix(roads=…) end to end, cold"
    print(
        f"goal: {args.nodes}-node matrix < 10 s. shortest paths: {r[paths]:.2f} s wall "
        f"({r[paths + ' cpu']:.2f} s cpu); end to end incl. reading the extract: "
        f"{r[e2e]:.2f} s wall ({r[e2e + ' cpu']:.2f} s cpu)"
    )


if __name__ == "__main__":
    main()
