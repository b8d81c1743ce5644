"""One self-contained HTML report: charts inlined as base64, tables; opens without a network."""

# ruff: noqa: E501  (the HTML template keeps its long lines)

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

import jinja2
import pandas as pd

from bookvan.data.atomic import atomic_file

__all__ = ["render_report"]

_TEMPLATE = jinja2.Template(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>bookvan scenario comparison</title>
<style>
 body{font-family:"Noto Sans","WenQuanYi Zen Hei",Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
 h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
 table{border-collapse:collapse;font-size:12px;margin:8px 0}
 th,td{border:1px solid #ddd;padding:3px 7px;text-align:right} th{background:#f2f2f2}
 td.n,th.n{text-align:left} .better{color:#1a7f37} .worse{color:#c0392b} .muted{color:#777}
 img{max-width:100%;border:1px solid #eee;margin:6px 0}
 .note{font-size:12px;color:#555;max-width:1000px}
</style></head><body>
<h1>Scenario comparison — Keelung library vans</h1>
<div class="note">Generated {{ generated }} by <code>bookvan scenario compare</code>. Baseline:
<b>{{ baseline }}</b>. Flows (km, hours, cost, CO2, crates) are per year (the horizon scaled to 365 days);
waits are item-weighted over every item moved (items still waiting at the end count with their wait so far).
± is the 95 % interval over replications (normal approximation; with 2–3 replications a guide, not a test).
Costs come from the network's <code>fleet.toml</code> <code>[costs]</code> (sources inside), with each
scenario's own <code>[costs]</code> overrides: {{ costs }}.</div>

<h2>Side by side</h2>
<table><tr><th class="n">scenario</th>{% for k in kpis %}<th>{{ k.label }}<br><span class="muted">{{ k.unit }}</span></th>{% endfor %}</tr>
{% for row in wide %}<tr><td class="n">{{ row.scenario }}</td>{% for c in row.cells %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</table>

<h2>Difference to {{ baseline }}</h2>
<table><tr><th class="n">scenario</th>{% for k in kpis %}<th>{{ k.label }}</th>{% endfor %}</tr>
{% for row in diffs %}<tr><td class="n">{{ row.scenario }}</td>{% for c in row.cells %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>
{% endfor %}</table>
<div class="note">Green: better than the baseline beyond its 95 % interval; red: worse; grey: within the noise.
Lower is better for every column except crates moved, utilisation, load factor and holds within 2 days.</div>

<h2>KPIs with replication spread</h2><img alt="KPI bars" src="data:image/png;base64,{{ img.bars }}">
<h2>Cost against hold wait</h2><img alt="cost vs hold wait" src="data:image/png;base64,{{ img.tradeoff }}">
<h2>Monthly van-km</h2><img alt="monthly van-km" src="data:image/png;base64,{{ img.monthly }}">

<h2>Scenarios</h2>
<table><tr><th class="n">scenario</th><th class="n">what it is</th><th>days</th><th>replications</th><th class="n">run on</th><th title="days whose route search the safety cap (simulation.time_limit_s) ended: they may plan differently on another machine">days capped</th></tr>
{% for s in scenarios %}<tr><td class="n">{{ s.name }}</td><td class="n">{{ s.description }}</td><td>{{ s.days }}</td><td>{{ s.reps }}</td><td class="n">{{ s.where }}</td><td{% if s.capped %} class="worse"{% endif %}>{{ s.capped }}</td></tr>
{% endfor %}</table>
</body></html>
""",
    autoescape=True,
)

_HIGHER_BETTER = {"crates_moved", "utilisation", "load_factor", "holds_within_2d"}


def _fmt(x: float, unit: str) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    if unit == "share":
        return f"{100 * x:.1f} %"
    if unit == "days":
        return f"{x:.2f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.1f}"


def _b64(p: Path) -> str:
    return base64.b64encode(p.read_bytes()).decode("ascii")


def render_report(
    table: pd.DataFrame,
    baseline: str,
    images: dict[str, Path],
    info: list[dict],
    path: Path,
    costs: dict[str, float] | None = None,
) -> Path:
    """Write ``report.html`` with the comparison table, the differences and the charts inlined."""
    names = list(dict.fromkeys(table["scenario"]))
    kpi_keys = list(dict.fromkeys(table["kpi"]))
    meta = table.drop_duplicates("kpi").set_index("kpi")
    kpis = [{"label": meta.at[k, "label"], "unit": meta.at[k, "unit"]} for k in kpi_keys]
    t = table.set_index(["scenario", "kpi"])
    wide, diffs = [], []
    for n in names:
        cells, dcells = [], []
        for k in kpi_keys:
            unit = meta.at[k, "unit"]
            r = t.loc[(n, k)]
            ci = f" ± {_fmt(r['ci95'], unit)}" if math.isfinite(r["ci95"]) else ""
            cells.append(_fmt(r["mean"], unit) + ci)
            if n == baseline:
                continue
            d, dci = r["diff"], r["diff_ci95"]
            if unit == "share":
                text = f"{100 * d:+.1f} pt" if math.isfinite(d) else "–"
            else:
                text = (
                    (f"{d:+,.0f}" if abs(d) >= 1000 else f"{d:+.2f}") if math.isfinite(d) else "–"
                )
                if math.isfinite(r["diff_pct"]):
                    text += f" ({r['diff_pct']:+.0f} %)"
            if math.isfinite(dci):
                text += f" ± {_fmt(dci, unit) if unit != 'share' else f'{100 * dci:.1f} pt'}"
            cls = "muted"
            if math.isfinite(d) and math.isfinite(dci) and abs(d) > dci:
                good = d > 0 if k in _HIGHER_BETTER else d < 0
                cls = "better" if good else "worse"
            elif math.isfinite(d) and not math.isfinite(dci) and abs(d) > 1e-9:
                cls = ""
            dcells.append({"text": text, "cls": cls})
        wide.append({"scenario": n, "cells": cells})
        if n != baseline:
            diffs.append({"scenario": n, "cells": dcells})
    scen = {}
    for run in info:
        sdesc = {s["name"]: s.get("description", "") for s in run.get("scenarios", [])}
        for r in run.get("runs", []):
            e = scen.setdefault(
                r["scenario"],
                {
                    "name": r["scenario"],
                    "description": sdesc.get(r["scenario"], ""),
                    "days": r["days"],
                    "reps": 0,
                    "where": run.get("where", ""),
                    "capped": 0,
                },
            )
            e["reps"] += 1
            e["capped"] += int(r.get("days_capped", 0))
    cost_text = ", ".join(f"{k} = {v:g}" for k, v in (costs or {}).items()) or "they differ by scenario (run.json)"
    doc = _TEMPLATE.render(
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        baseline=baseline,
        kpis=kpis,
        wide=wide,
        diffs=diffs,
        img={k: _b64(p) for k, p in images.items()},
        scenarios=[
            scen.get(n, {"name": n, "description": "", "days": "", "reps": "", "where": "", "capped": ""})
            for n in names
        ],
        costs=cost_text,
    )
    with atomic_file(path, "w", encoding="utf-8") as fh:
        fh.write(doc)  # type: ignore[attr-defined]
    return path
