"""Benchmark: a day's manifests, labels, exports and overview for the bundled network (goal < 5 s).

    .venv/bin/python bench/manifest_bench.py                 # synthetic sample day (no solver)
    .venv/bin/python bench/manifest_bench.py --plan out/2026-12-01 --repeat 5

Without ``--plan`` it prints a seeded synthetic plan of the bundled Keelung network
(``bookvan.routing.manifest.sample``: every open node visited, 3 runs); with ``--plan`` it
prints a real plan folder. Times each phase and the whole ``write_manifests`` call (wall and
CPU seconds); the font is registered before the clock starts, as in a long-running process
it would be, and the first (cold) run is reported separately. Last, the whole
``bookvan manifest`` command is timed in a fresh process (Python start-up and imports included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bookvan.routing.manifest import write_manifests
from bookvan.routing.manifest.fonts import register_cjk_font
from bookvan.routing.manifest.plan import load_plan
from bookvan.routing.manifest.runs import build_runs
from bookvan.routing.manifest.sample import write_sample_plan


def _one(plan_dir: Path, out: Path, lang: str) -> tuple[float, float, dict[str, float]]:
    marks: list[tuple[str, float]] = []
    t0, c0 = time.perf_counter(), time.process_time()
    res = write_manifests(
        plan_dir, out, lang, progress=lambda m: marks.append((m, time.perf_counter()))
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    phases: dict[str, float] = {}
    edges = [("load + runs", t0), *marks, ("end", t0 + wall)]
    for (name, a), (_, b) in itertools.pairwise(edges):
        key = "manifests (PDF+GPX+GeoJSON)" if name.startswith("manifest ") else name
        phases[key] = phases.get(key, 0.0) + (b - a)
    phases["_files"] = res.files
    phases["_crates"] = res.crates
    return wall, cpu, phases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--plan", type=Path, help="plan folder (default: synthetic sample of the bundled network)"
    )
    ap.add_argument("--date", default="2026-12-01")
    ap.add_argument("--lang", default="both")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan_dir = args.plan or write_sample_plan(
            Path(tmp) / "plan", dt.date.fromisoformat(args.date)
        )
        plan = load_plan(plan_dir)
        runs = build_runs(plan)
        print(
            f"plan {plan.plan_id} {plan.date}: {len(runs)} runs, "
            f"{sum(len(r.stops) for r in runs)} stops, {len(plan.transfers)} transfer rows"
        )
        register_cjk_font()
        results = [_one(plan_dir, Path(tmp) / f"out{i}", args.lang) for i in range(args.repeat)]
        bookvan = Path(sys.executable).with_name("bookvan")  # the console script beside python
        cmd = [
            str(bookvan),
            "manifest",
            str(plan_dir),
            "--lang",
            args.lang,
            "--out",
            str(Path(tmp) / "cli"),
        ]
        t0, ru0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, capture_output=True)
        cli_wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    cold = results[0]
    warm = results[1:] or results
    print(f"files written: {cold[2]['_files']}, crate labels: {cold[2]['_crates']}")
    print(f"cold run: wall {cold[0]:.2f} s, CPU {cold[1]:.2f} s")
    print(
        f"warm runs (n={len(warm)}): median wall {statistics.median(w for w, _, _ in warm):.2f} s, "
        f"median CPU {statistics.median(c for _, c, _ in warm):.2f} s"
    )
    print("phases of the last run (wall s):")
    for k, v in results[-1][2].items():
        if not k.startswith("_"):
            print(f"  {k:32s} {v:6.2f}")
    print(
        f"`bookvan manifest` in a new process (start-up, all CLI imports, font, writing): "
        f"wall {cli_wall:.2f} s, CPU {cli_cpu:.2f} s"
    )
    verdict = "OK" if cold[0] < 5 else "SLOW"
    print(
        f"goal < 5 s for a day's manifests, labels and overview: {verdict} "
        f"(cold wall {cold[0]:.2f} s)"
    )


if __name__ == "__main__":
    main()
