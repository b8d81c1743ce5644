"""Write every printed and exported view of a plan folder into one output folder, atomically.

Layout of the output folder (default ``<plan>/manifests/``)::

    overview.html            day overview (self-contained)
    labels.pdf               one label per crate, A4 2 × 7 sheet, in pickup order
    runs/<van>_trip<n>.pdf   driver manifest of one run
    runs/<van>_trip<n>.gpx   GPX 1.1 route + waypoints
    runs/<van>_trip<n>.geojson  stops and legs
    loading/<node>.csv       crates loaded/unloaded at that node today, one row per crate
                             (file name: bookvan.data.file_names.file_stem of the node id)
    packing.csv              item-level plans only: the items in each crate, one row per item
    receiving/<node>.csv|.html  what the vans bring that node today (crates, items, expected time)
    packing/<node>.csv|.html    what that node has packed by its van's arrival
    index.json               what was written, per-run totals and the plan id
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bookvan.data.errors import InputError
from bookvan.data.outdir import check_out, output_folder
from bookvan.routing.manifest.branch_lists import write_branch_lists
from bookvan.routing.manifest.crates import __doc__ as _CRATE_RULE
from bookvan.routing.manifest.exports import geojson_text, gpx_text, write_loading_csvs
from bookvan.routing.manifest.fonts import register_cjk_font
from bookvan.routing.manifest.overview import write_overview
from bookvan.routing.manifest.packed import packed_labels, packing_csv, read_crates
from bookvan.routing.manifest.packing import write_packing_csv
from bookvan.routing.manifest.pdf_labels import CrateLabel, crate_labels, write_labels_pdf
from bookvan.routing.manifest.pdf_manifest import write_manifest_pdf
from bookvan.routing.manifest.plan import Plan, load_plan
from bookvan.routing.manifest.rest import replan_from, rest_of_day
from bookvan.routing.manifest.runs import Run, build_runs
from bookvan.routing.manifest.words import LANGS

__all__ = ["ManifestResult", "manifests_out", "write_manifests"]


@dataclass(frozen=True)
class ManifestResult:
    """Where things went and how much was written."""

    out_dir: Path
    plan_id: str
    runs: int
    crates: int
    files: int


def manifests_out(plan_dir: str | Path, out_dir: str | Path | None = None) -> Path:
    """The manifests folder of ``plan_dir`` (default ``<plan>/manifests``), never the plan or above it."""
    plan_dir = Path(plan_dir)
    out = Path(out_dir) if out_dir is not None else plan_dir / "manifests"
    p, o = plan_dir.resolve(), out.resolve()
    if o == p or o in p.parents:
        raise InputError.single(out, "the output folder would replace the plan folder; choose another --out")
    return out


def write_manifests(
    plan_dir: str | Path,
    out_dir: str | Path | None = None,
    lang: str = "zh-TW",
    progress: Callable[[str], None] | None = None,
    *,
    force: bool = False,
    whole_day: bool = False,
) -> ManifestResult:
    """Read the plan folder and write manifests, labels, GPX/GeoJSON, loading lists and overview.

    The output folder must be absent, empty or a bookvan manifests folder (checked before
    anything is drawn); ``force`` moves anything else aside. A re-plan folder prints the rest of
    the day only (:func:`~bookvan.routing.manifest.rest.rest_of_day`) unless ``whole_day``.
    """
    lang = _canonical_lang(lang)
    plan_dir = Path(plan_dir)
    out = manifests_out(plan_dir, out_dir)
    note = progress or (lambda _msg: None)
    register_cjk_font()  # fail before anything is written when the font is missing
    plan = load_plan(plan_dir)
    if not whole_day:
        plan = rest_of_day(plan)
    check_out(out, "manifests", force=force)
    runs = build_runs(plan)
    labels = crate_labels(plan, runs)
    index = _index_head(plan, lang, len(labels), whole_day=whole_day)
    links: dict[str, dict[str, str]] = {}
    with output_folder(out, "manifests", force=force) as tmp:
        (tmp / "runs").mkdir()
        for run in runs:
            note(f"manifest {run.vehicle_id} trip {run.trip}")
            links[run.key] = _write_run(plan, run, tmp, lang)
            index["runs"].append(_run_entry(run, links[run.key]))
        note("crate labels")
        packing = _write_labels(plan, plan_dir, labels, tmp, lang, index)
        note("loading lists")
        for p in write_loading_csvs(plan, runs, tmp / "loading"):
            index["loading"].append(f"loading/{p.name}")
        index["branch_lists"] = write_branch_lists(plan, runs, tmp)  # receiving/ and packing/ per node
        links["_day"] = {"labels.pdf": "labels.pdf", "index.json": "index.json"}
        links["_day"] |= {name: name for name in index["loading"]}
        if packing is not None:
            links["_day"]["packing.csv"] = "packing.csv"
        note("overview")
        write_overview(plan, runs, tmp / "overview.html", lang, links)
        (tmp / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
        n_files = sum(1 for f in tmp.rglob("*") if f.is_file())
    return ManifestResult(out, plan.plan_id, len(runs), len(labels), n_files)


def _canonical_lang(lang: str) -> str:
    """``lang`` as spelled in :data:`LANGS` (any case, ``_`` for ``-``); an input error if unknown."""
    canonical = {x.lower(): x for x in LANGS}
    if lang.lower().replace("_", "-") not in canonical:
        raise InputError.single("--lang", f"'{lang}' is not one of {', '.join(LANGS)}")
    return canonical[lang.lower().replace("_", "-")]


def _index_head(plan: Plan, lang: str, n_labels: int, *, whole_day: bool) -> dict:
    """index.json before anything is written: the plan, the crate id rule, empty run and loading lists."""
    index: dict = {
        "plan_id": plan.plan_id,
        "date": plan.date.isoformat(),
        "lang": lang,
        "crate_id_rule": " ".join(_CRATE_RULE.split("\n\n")[1].split()) if _CRATE_RULE else "",
        "overview": "overview.html",
        "labels": {"file": "labels.pdf", "crates": n_labels},
        "runs": [],
        "loading": [],
    }
    if replan_from(plan) is not None:
        index["replan_from"] = replan_from(plan).isoformat()
        index["rest_of_day"] = not whole_day
    return index


def _write_run(plan: Plan, run: Run, tmp: Path, lang: str) -> dict[str, str]:
    """One run's manifest PDF, GPX and GeoJSON; returns their paths in the folder, by suffix."""
    base = tmp / "runs" / run.key
    write_manifest_pdf(plan, run, base.with_suffix(".pdf"), lang)
    base.with_suffix(".gpx").write_text(gpx_text(plan, run), encoding="utf-8")
    base.with_suffix(".geojson").write_text(geojson_text(plan, run), encoding="utf-8")
    return {k: f"runs/{run.key}.{k}" for k in ("pdf", "gpx", "geojson")}


def _run_entry(run: Run, files: dict[str, str]) -> dict:
    """index.json's entry of one run: its totals and files."""
    return {
        "vehicle_id": run.vehicle_id,
        "trip": run.trip,
        "stops": len(run.stops),
        "departure": run.departure.isoformat(),
        "return": run.return_time.isoformat(),
        "crates_loaded": run.crates_loaded,
        "crates_unloaded": run.crates_unloaded,
        "distance_m": round(run.distance_m, 1),
        "driving_s": round(run.driving_s),
        "road_geometry": run.road_geometry,
        **{f"{k}_file": v for k, v in files.items()},
    }


def _write_labels(
    plan: Plan, plan_dir: Path, labels: list[CrateLabel], tmp: Path, lang: str, index: dict
) -> Path | None:
    """Crate labels, the item-level packing list and the packed crates' labels; noted in ``index``.

    Returns the packing list's path, ``None`` when the plan is not item-level.
    """
    write_labels_pdf(plan, labels, tmp / "labels.pdf", lang)
    packing = write_packing_csv(plan, [lab.crate_id for lab in labels], tmp / "packing.csv")
    if packing is not None:  # an item-level plan: what is in each crate, one row per item
        index["packing"] = "packing.csv"
    crates = read_crates(plan_dir)
    if crates is not None and len(crates):  # physical crates, packed together (crates.parquet)
        write_labels_pdf(plan, packed_labels(plan, crates), tmp / "packed-labels.pdf", lang)
        (tmp / "packed-crates.csv").write_text(packing_csv(crates), encoding="utf-8")
        index["packed_labels"] = {"file": "packed-labels.pdf", "crates": len(crates), "list": "packed-crates.csv"}
    return packing
