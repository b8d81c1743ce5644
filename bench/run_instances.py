"""Solve a set of standard instances, verify every solution, print gaps to the best known.

One instance per core (``--jobs``, default 2), each engine at the same time limit:
``bookvan`` (the daily plan's engine), ``ortools-default`` (same model, plain OR-Tools
settings) and ``pyvrp`` (optional, skipped with a note when not installed).

Example::

    .venv/bin/python bench/run_instances.py ../shared/bench/lilim100 --only lc101,lr101 \\
        --time-limit 30 --engines bookvan,pyvrp,ortools-default --csv out/bench-lilim.csv
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bookvan.routing.bench.instances import read_instance
from bookvan.routing.bench.solve import ENGINES, solve_instance

HERE = Path(__file__).resolve().parent
DEFAULT_SETS = HERE.parent.parent / "shared" / "bench"


def _instances(paths: list[Path], only: set[str] | None) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix in (".txt", ".vrp") and f.stem != "README")
        else:
            files.append(p)
    if only:
        files = [f for f in files if f.stem in only or f.stem.lower() in only]
    return files


def _bks(path: Path, objective: str) -> tuple[int | None, float | None]:
    name = "bks_distance_only.csv" if objective == "distance" else "bks.csv"
    table = path.parent / name
    if not table.exists():
        table = path.parent / "bks.csv"
    if not table.exists():
        return None, None
    with table.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["instance"].lower() in (path.stem.lower(), path.stem):
                veh = row.get("vehicles")
                return (int(veh) if veh else None), float(row["distance"])
    return None, None


def _run(task: tuple[str, str, float, int, str]) -> dict:
    path, engine, limit, seed, objective = task
    inst = read_instance(path)
    sol = solve_instance(inst, time_limit_s=limit, seed=seed, objective=objective, engine=engine)
    v = sol.verdict
    return {
        "instance": inst.name,
        "engine": engine,
        "vehicles": v.vehicles,
        "distance": round(v.distance, 4),
        "feasible": v.feasible,
        "violations": "; ".join(v.violations[:3]),
        "wall_s": round(sol.wall_s, 2),
    }


def print_summary(rows: list[dict], engines: list[str], objective: str) -> None:
    """Per engine: feasible count, mean gap, vehicles over BKS, and the gap where vehicles match.

    ``mean gap`` averages every instance, so a solution with an extra vehicle and a shorter
    distance pulls it down; ``gap at bks veh`` averages only the instances solved with the
    BKS vehicle count (or fewer), the fair distance comparison under the hierarchical rank.
    """
    print()
    print(
        f"{'engine':>16} {'n':>3} {'feasible':>8} {'mean gap %':>10} {'veh over':>9} {'at bks veh':>10} "
        f"{'gap at bks veh %':>16}"
    )
    for e in engines:
        mine = [r for r in rows if r["engine"] == e]
        gaps = [r["gap_pct"] for r in mine if not math.isnan(r["gap_pct"])]
        over = [r["veh_over"] for r in mine if not math.isnan(r["veh_over"])]
        at_rows = [r for r in mine if not math.isnan(r["veh_over"]) and r["veh_over"] <= 0]
        at_gaps = [r["gap_pct"] for r in at_rows if not math.isnan(r["gap_pct"])]
        print(
            f"{e:>16} {len(mine):>3} {sum(bool(r['feasible']) for r in mine):>8} "
            f"{(sum(gaps) / len(gaps) if gaps else math.nan):>10.3f} "
            f"{(sum(over) / len(over) if over else math.nan):>9.2f} {len(at_rows):>10} "
            f"{(sum(at_gaps) / len(at_gaps) if at_gaps else math.nan):>16.3f}"
        )
    _print_head_to_head(rows, engines, objective)


def summarise_csv(path: Path, objective: str) -> int:
    """Print the summary of an earlier run's ``--csv`` file without solving anything."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["vehicles"] = int(r["vehicles"])
        r["distance"] = float(r["distance"])
        r["feasible"] = r["feasible"] == "True"
        r["gap_pct"] = float(r["gap_pct"]) if r["gap_pct"] not in ("", "nan") else math.nan
        r["veh_over"] = float(r["veh_over"]) if r["veh_over"] not in ("", "nan") else math.nan
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    print_summary(rows, engines, objective)
    return 0 if all(r["feasible"] for r in rows) else 1


def _print_head_to_head(rows: list[dict], engines: list[str], objective: str) -> None:
    """Each engine against ``bookvan`` on the same instances, ranked as the BKS tables rank.

    A mean distance gap alone flatters a solution with more vehicles; here an instance counts
    as better, same (distance within 0.01 %) or worse by (vehicles, distance) under the
    hierarchical objective and by distance alone under the distance objective.
    """
    if "bookvan" not in engines:
        return
    by = {(r["instance"], r["engine"]): r for r in rows}
    for other in (e for e in engines if e != "bookvan"):
        better = same = worse = 0
        gaps = []
        for (inst, eng), mine in by.items():
            theirs = by.get((inst, other))
            if eng != "bookvan" or theirs is None:
                continue
            rel = (mine["distance"] - theirs["distance"]) / theirs["distance"] if theirs["distance"] else 0.0
            if objective == "hierarchical" and mine["vehicles"] != theirs["vehicles"]:
                fewer = mine["vehicles"] < theirs["vehicles"]
                better, worse = better + fewer, worse + (not fewer)
                continue
            gaps.append(100 * rel)
            if abs(rel) <= 1e-4:
                same += 1
            elif rel < 0:
                better += 1
            else:
                worse += 1
        mean = sum(gaps) / len(gaps) if gaps else math.nan
        print(
            f"bookvan vs {other} ({'vehicles, then distance' if objective == 'hierarchical' else 'distance'}): "
            f"better {better}, same {same}, worse {worse}; "
            f"distance difference where vehicles agree {mean:+.3f} % (n={len(gaps)})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path, help="instance files or set folders (default: all shared sets)")
    ap.add_argument("--only", default="", help="comma-separated instance names to keep")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--objective", choices=("hierarchical", "distance"), default="hierarchical")
    ap.add_argument("--engines", default="bookvan,pyvrp,ortools-default")
    ap.add_argument("--jobs", type=int, default=2, help="instances solved at once (one core each)")
    ap.add_argument("--csv", type=Path, help="also write one row per (instance, engine) here")
    ap.add_argument("--summarise", type=Path, metavar="CSV", help="only print the summary of an earlier --csv file")
    args = ap.parse_args(argv)
    if args.summarise:
        return summarise_csv(args.summarise, args.objective)

    engines = [e for e in args.engines.split(",") if e]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}; one of {', '.join(ENGINES)}")
    if "pyvrp" in engines:
        from bookvan.routing.bench.pyvrp_side import pyvrp_available

        if not pyvrp_available():
            print("pyvrp not installed: skipping it (uv sync --group dev installs it)", file=sys.stderr)
            engines.remove("pyvrp")
    paths = args.paths or [DEFAULT_SETS / s for s in ("solomon", "lilim100", "cvrplib_x")]
    files = _instances(paths, {s.strip() for s in args.only.split(",") if s.strip()} or None)
    if not files:
        ap.error("no instance files found")
    tasks = [(str(f), e, args.time_limit, args.seed, args.objective) for f in files for e in engines]
    bks = {f.stem.lower(): _bks(f, args.objective) for f in files}
    print(
        f"{len(files)} instances × {len(engines)} engines, {args.time_limit:g} s each, "
        f"{args.jobs} at once, objective {args.objective}"
    )
    rows: list[dict] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for row in pool.map(_run, tasks):
            bv, bd = bks.get(row["instance"].lower(), (None, None))
            row["bks_vehicles"], row["bks_distance"] = bv, bd
            row["gap_pct"] = round(100 * (row["distance"] - bd) / bd, 3) if bd else math.nan
            row["veh_over"] = row["vehicles"] - bv if bv is not None else math.nan
            rows.append(row)
            flag = "" if row["feasible"] else f"  INFEASIBLE {row['violations']}"
            print(
                f"{row['instance']:>12} {row['engine']:>16}  veh {row['vehicles']:>3} (bks {bv})  "
                f"dist {row['distance']:>10.2f} (bks {bd})  gap {row['gap_pct']:>7.3f} %  "
                f"{row['wall_s']:>6.1f} s{flag}",
                flush=True,
            )
    print_summary(rows, engines, args.objective)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return 0 if all(r["feasible"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
