"""The day overview: one self-contained HTML file (inline CSS and SVG, no script, no network).

Unassigned transfers with their reasons come first, in red, because they are what a
coordinator must act on before the vans leave; then totals, a map of all vans and a timeline
of each van's stops against the stops' opening hours and the driver's break.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
from bookvan.routing.manifest.mapgeo import MapFrame, group_points
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.runs import Run, fmt_duration, fmt_hm
from bookvan.routing.manifest.words import day_text, kind_word, node_name, word

__all__ = ["VAN_COLOURS", "overview_html"]

# Okabe–Ito colours: distinguishable for colour-blind readers; trips also differ by dash
VAN_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
_DASH = ("", "7 4", "2 3", "10 3 2 3")


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _colour(vans: list[str], van: str) -> str:
    return VAN_COLOURS[vans.index(van) % len(VAN_COLOURS)] if van in vans else "#555"


def _map_svg(plan: Plan, runs: list[Run], vans: list[str], lang: str) -> str:
    w, h = 920, 560
    pts = [p for r in runs for leg in r.legs for p in leg] + [
        (s.lon, s.lat) for r in runs for s in r.stops
    ]
    frame = MapFrame.fit(pts, w, h, pad=40)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = frame.xy(lon, lat)
        return round(x, 1), round(h - y, 1)

    out = [
        f'<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        f'role="img" aria-label="{_e(word("map", lang))}">',
        f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fbfbf8" stroke="#999"/>',
    ]
    for r in runs:
        col, dash = _colour(vans, r.vehicle_id), _DASH[(r.trip - 1) % len(_DASH)]
        out.append(f'<g class="run" data-van="{_e(r.vehicle_id)}" data-trip="{r.trip}">')
        for leg in r.legs:
            d = " ".join(f"{x},{y}" for x, y in (xy(*p) for p in leg))
            out.append(
                f'<polyline points="{d}" fill="none" stroke="{col}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}" stroke-opacity="0.85"><title>{_e(r.vehicle_id)} '
                f"#{r.trip}</title></polyline>"
            )
        out.append("</g>")
    seen: dict[str, tuple[float, float, str]] = {}
    for r in runs:
        for s in r.stops:
            seen[s.node_id] = (s.lon, s.lat, s.kind)
    kinds = {nid: k for nid, (_, _, k) in seen.items()}
    for lon, lat, ids in group_points((lon, lat, nid) for nid, (lon, lat, _) in seen.items()):
        x, y = xy(lon, lat)
        names = ", ".join(ids)
        if any(kinds[i] == "depot" for i in ids):
            out.append(
                f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#000"><title>{_e(names)}</title></rect>'
            )
        else:
            out.append(
                f'<circle cx="{x}" cy="{y}" r="5" fill="#fff" stroke="#000" stroke-width="1.5">'
                f"<title>{_e(names)}</title></circle>"
            )
        right = x > w - 140  # keep labels inside the frame
        for k, nid in enumerate(ids):
            tx, anchor = (x - 9, "end") if right else (x + 9, "start")
            out.append(
                f'<text x="{tx}" y="{y - 6 + 13 * k}" text-anchor="{anchor}" class="code">{_e(nid)}</text>'
            )
    metres, length, label = frame.scale_bar(0.25)
    out.append(
        f'<g class="scale"><line x1="20" y1="{h - 20}" x2="{20 + length:.1f}" y2="{h - 20}" '
        f'stroke="#000" stroke-width="2"/><line x1="20" y1="{h - 26}" x2="20" y2="{h - 14}" stroke="#000"/>'
        f'<line x1="{20 + length:.1f}" y1="{h - 26}" x2="{20 + length:.1f}" y2="{h - 14}" stroke="#000"/>'
        f'<text x="{28 + length:.1f}" y="{h - 16}">{_e(label)}</text></g>'
    )
    road = all(r.road_geometry for r in runs) and runs
    out.append(
        f'<text x="20" y="22" class="note">{_e(word("road" if road else "straight", lang))} · N ↑</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _gantt_svg(plan: Plan, runs: list[Run], vans: list[str], lang: str) -> str:
    veh = plan.vehicles.set_index("vehicle_id", drop=False)
    times = [t for r in runs for s in r.stops for t in (s.arrival, s.departure)]
    times += [t for c in ("shift_start", "shift_end") if c in veh for t in veh[c] if not pd.isna(t)]
    if not times:
        times = [
            pd.Timestamp(plan.date.isoformat()).tz_localize("Asia/Taipei") + pd.Timedelta(hours=h)
            for h in (8, 18)
        ]
    t0 = min(times).floor("h")
    t1 = max(times).ceil("h")
    label_w, w = 230, 1000
    span = max((t1 - t0).total_seconds(), 3600)

    def x(t: pd.Timestamp) -> float:
        sec = (min(max(t, t0), t1) - t0).total_seconds()
        return round(label_w + (w - label_w - 10) * sec / span, 1)

    nodes = plan.nodes
    visited = list(dict.fromkeys(s.node_id for r in runs for s in r.stops if s.kind != "depot"))
    van_h, node_h, top = 34, 20, 26
    h = top + van_h * len(vans) + 28 + node_h * len(visited) + 10
    out = [
        f'<svg id="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%">'
    ]
    hour = t0
    while hour <= t1:
        xx = x(hour)
        out.append(
            f'<line x1="{xx}" y1="{top - 6}" x2="{xx}" y2="{h - 6}" stroke="#ddd"/>'
            f'<text x="{xx}" y="{top - 10}" text-anchor="middle" class="tick">{hour:%H:%M}</text>'
        )
        hour += pd.Timedelta(hours=1)
    for k, van in enumerate(vans):
        y = top + k * van_h
        col = _colour(vans, van)
        out.append(f'<g class="van-row" data-van="{_e(van)}">')
        out.append(f'<text x="6" y="{y + 21}" class="rowlabel" fill="{col}">■ {_e(van)}</text>')
        if van in veh.index:
            v = veh.loc[van]
            if not pd.isna(v.get("shift_start")) and not pd.isna(v.get("shift_end")):
                out.append(
                    f'<rect x="{x(v["shift_start"])}" y="{y + 4}" width="{x(v["shift_end"]) - x(v["shift_start"])}" '
                    f'height="{van_h - 8}" fill="none" stroke="#bbb"><title>shift {fmt_hm(v["shift_start"])}–'
                    f"{fmt_hm(v['shift_end'])}</title></rect>"
                )
            be, bl = v.get("break_earliest"), v.get("break_latest")
            if be is not None and bl is not None and not pd.isna(be) and not pd.isna(bl):
                out.append(
                    f'<rect x="{x(be)}" y="{y + 2}" width="{x(bl) - x(be)}" height="{van_h - 4}" '
                    f'fill="none" stroke="#888" stroke-dasharray="3 3"><title>{_e(word("break", lang))} '
                    f"{fmt_hm(be)}–{fmt_hm(bl)}</title></rect>"
                )
        mine = [r for r in runs if r.vehicle_id == van]
        if not mine:
            out.append(f'<text x="{label_w + 6}" y="{y + 21}" class="muted">not used</text>')
        for r in mine:
            mid = y + van_h / 2
            for a, b in zip(r.stops, r.stops[1:], strict=False):
                out.append(
                    f'<line x1="{x(a.departure)}" y1="{mid}" x2="{x(b.arrival)}" y2="{mid}" stroke="{col}" stroke-width="3"/>'
                )
            for i, s in enumerate(r.stops):
                start = s.service_start if s.service_start is not None else s.arrival
                end = s.departure - pd.Timedelta(seconds=s.break_s)
                if start > s.arrival:
                    out.append(
                        f'<rect x="{x(s.arrival)}" y="{y + 10}" width="{max(x(start) - x(s.arrival), 0.5)}" '
                        f'height="{van_h - 20}" fill="url(#wait)" stroke="{col}" stroke-width="0.5">'
                        f"<title>{_e(s.node_id)} {word('wait', lang)} {fmt_hm(start)}</title></rect>"
                    )
                title = (
                    f"{r.vehicle_id} #{r.trip} · {i} {s.node_id} · {fmt_hm(s.arrival)}–{fmt_hm(s.departure)} · "
                    f"{word('unload', lang)} {s.crates_unloaded} · {word('load', lang)} {s.crates_loaded}"
                )
                out.append(
                    f'<rect class="stop" x="{x(start)}" y="{y + 7}" width="{max(x(end) - x(start), 1.5)}" '
                    f'height="{van_h - 14}" fill="{col}"><title>{_e(title)}</title></rect>'
                )
                if s.break_s:
                    out.append(
                        f'<rect x="{x(end)}" y="{y + 7}" width="{x(s.departure) - x(end)}" height="{van_h - 14}" '
                        f'fill="#444"><title>{_e(word("break", lang))} {fmt_duration(s.break_s)}</title></rect>'
                        f'<text x="{(x(end) + x(s.departure)) / 2}" y="{y + 21}" text-anchor="middle" '
                        f'class="brk">{_e(word("break", lang))}</text>'
                    )
            out.append(f'<text x="{x(r.departure) + 2}" y="{y + 5}" class="tick">#{r.trip}</text>')
        out.append("</g>")
    y0 = top + van_h * len(vans) + 20
    out.append(f'<line x1="0" y1="{y0 - 8}" x2="{w}" y2="{y0 - 8}" stroke="#999"/>')
    for k, nid in enumerate(visited):
        y = y0 + k * node_h
        n = nodes.loc[nid]
        name = node_name(str(n["name_zh"]), str(n["name_en"]), lang, " ")
        out.append(
            f'<g class="node-row" data-node="{_e(nid)}"><text x="6" y="{y + 14}" class="nodelabel">'
            f'{_e(nid)} <tspan class="muted">{_e(name[:18])}</tspan></text>'
        )
        opens, closes = n["opens"], n["closes"]
        if opens is None or pd.isna(opens):
            out.append(
                f'<text x="{label_w + 6}" y="{y + 14}" class="closed">{_e(word("closed", lang))}</text>'
            )
        else:
            out.append(
                f'<rect x="{x(opens)}" y="{y + 3}" width="{x(closes) - x(opens)}" height="{node_h - 6}" '
                f'fill="#e3eee3" stroke="#9b9"><title>{fmt_hm(opens)}–{fmt_hm(closes)}</title></rect>'
            )
        for r in runs:
            for s in r.stops:
                if s.node_id == nid:
                    out.append(
                        f'<rect x="{x(s.arrival)}" y="{y + 1}" width="{max(x(s.departure) - x(s.arrival), 2)}" '
                        f'height="{node_h - 2}" fill="{_colour(vans, r.vehicle_id)}" stroke="#000" stroke-width="0.5">'
                        f"<title>{_e(r.vehicle_id)} #{r.trip} {fmt_hm(s.arrival)}–{fmt_hm(s.departure)}</title></rect>"
                    )
        out.append("</g>")
    out.insert(
        1,
        '<defs><pattern id="wait" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0,4 L4,0" stroke="#888" stroke-width="1"/></pattern></defs>',
    )
    out.append("</svg>")
    return "\n".join(out)


def _unassigned_html(plan: Plan, lang: str) -> str:
    items = plan.unassigned
    if not items:
        return f'<section id="unassigned" class="ok"><h2>{_e(word("unassigned", lang))}: 0</h2></section>'
    rows = []
    tr = plan.transfers
    for u in items:
        tid = str(u.get("transfer_id"))
        route = crates = kind = ""
        if tid in tr.index:
            t = tr.loc[tid]
            route, crates, kind = (
                f"{t['origin_id']} → {t['destination_id']}",
                int(t["crates"]),
                kind_word(str(t["kind"]), lang),
            )
        rows.append(
            f"<tr><td>{_e(tid)}</td><td>{_e(route)}</td><td>{_e(kind)}</td><td>{_e(crates)}</td>"
            f"<td>{_e(u.get('reason', ''))}</td></tr>"
        )
    return (
        f'<section id="unassigned" class="alert"><h2>{_e(word("unassigned", lang))}: {len(items)}</h2>'
        f"<table><thead><tr><th>transfer</th><th>from → to</th><th>kind</th><th>{_e(word('crates', lang))}</th>"
        f"<th>reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _totals_html(
    plan: Plan, runs: list[Run], vans: list[str], lang: str, links: dict[str, dict[str, str]]
) -> str:
    head = (
        f"<tr><th>{_e(word('van', lang))}</th><th>{_e(word('trip', lang))}</th><th>{_e(word('departure', lang))}</th>"
        f"<th>{_e(word('back', lang))}</th><th>{_e(word('stops', lang))}</th><th>{_e(word('crates', lang))}</th>"
        f"<th>{_e(word('distance', lang))}</th><th>{_e(word('driving', lang))}</th><th>files</th></tr>"
    )
    rows = []
    for van in vans:
        mine = [r for r in runs if r.vehicle_id == van]
        col = _colour(vans, van)
        if not mine:
            rows.append(
                f'<tr data-van="{_e(van)}"><td><span style="color:{col}">■</span> {_e(van)}</td>'
                f'<td colspan="8" class="muted">not used</td></tr>'
            )
        for r in mine:
            files = " · ".join(
                f'<a href="{_e(href)}">{_e(k)}</a>' for k, href in links.get(r.key, {}).items()
            )
            rows.append(
                f'<tr data-van="{_e(van)}"><td><span style="color:{col}">■</span> {_e(van)}</td><td>{r.trip}</td>'
                f"<td>{fmt_hm(r.departure)}</td><td>{fmt_hm(r.return_time)}</td><td>{len(r.stops) - 2}</td>"
                f"<td>{r.crates_loaded}</td><td>{r.distance_m / 1000:.1f} km</td><td>{fmt_duration(r.driving_s)}</td>"
                f"<td>{files}</td></tr>"
            )
    dist = sum(r.distance_m for r in runs)
    rows.append(
        f'<tr class="total"><td>Σ</td><td>{len(runs)}</td><td></td><td></td>'
        f"<td>{sum(len(r.stops) - 2 for r in runs)}</td><td>{sum(r.crates_loaded for r in runs)}</td>"
        f"<td>{dist / 1000:.1f} km</td><td>{fmt_duration(sum(r.driving_s for r in runs))}</td><td></td></tr>"
    )
    info = plan.info
    solver = info.get("solver") or {}
    facts = [
        (word("vans", lang), f"{len({r.vehicle_id for r in runs})} / {len(vans)}"),
        (word("runs", lang), str(len(runs))),
        (
            word("transfers", lang),
            f"{info.get('transfers_planned', '–')} planned, {len(plan.unassigned)} unassigned",
        ),
        (
            word("distance", lang),
            f"{float(info.get('total_distance_m', dist)) / 1000:.1f} km (plan.json)",
        ),
        (
            "solver",
            f"{solver.get('name', '–')} {solver.get('version', '')} · {solver.get('status', '')}",
        ),
    ]
    dl = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    return f'<section id="totals"><dl class="facts">{dl}</dl><table>{head}{"".join(rows)}</table></section>'


_CSS = """
body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK TC","Microsoft JhengHei",sans-serif;margin:18px;color:#111;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:18px 0 6px} .sub{color:#555;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:4px 0} td,th{border:1px solid #bbb;padding:3px 7px;text-align:left}
th{background:#eee} tr.total td{font-weight:bold;border-top:2px solid #333}
.alert{border:2px solid #c00;background:#fff2f2;padding:6px 12px;color:#a00} .alert h2{color:#c00;margin-top:4px}
.alert td,.alert th{border-color:#e99} .ok h2{color:#070}
.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:6px 0} .facts dt{font-size:11px;color:#666} .facts dd{margin:0;font-weight:bold}
svg text{font-size:12px;font-family:inherit} svg .code{font-size:11px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .tick{font-size:10px;fill:#555} svg .rowlabel{font-size:13px;font-weight:bold} svg .nodelabel{font-size:11px}
svg .muted,.muted{fill:#777;color:#777} svg .closed{fill:#a00} svg .brk{fill:#fff;font-size:10px} svg .note{fill:#555;font-size:11px}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
@media print{body{margin:0} section{break-inside:avoid}}
"""


def overview_html(
    plan: Plan, runs: list[Run], lang: str, links: dict[str, dict[str, str]] | None = None
) -> str:
    """The overview page as one string; ``links`` maps a run key to {label: relative href}."""
    vans = list(
        dict.fromkeys([*map(str, plan.vehicles["vehicle_id"]), *(r.vehicle_id for r in runs)])
    )
    legend = "".join(
        f'<span data-van="{_e(v)}"><b style="color:{_colour(vans, v)}">━━</b> {_e(v)}</span>'
        for v in vans
    )
    html_lang = "en" if lang == "en" else "zh-Hant-TW"
    title = f"{word('overview', lang)} {plan.date:%Y-%m-%d}"
    parts = [
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(word('overview', lang))} · {_e(day_text(plan.date, lang))}</h1>",
        f'<div class="sub">plan {_e(plan.plan_id)} · seed {_e(plan.info.get("seed", "–"))} · bookvan</div>',
        _unassigned_html(plan, lang),
        _totals_html(plan, runs, vans, lang, links or {}),
        f'<section id="map-section"><h2>{_e(word("map", lang))}</h2><div class="legend">{legend} '
        f'<span class="muted">— trip 1 · - - trip 2 · ··· trip 3</span></div>{_map_svg(plan, runs, vans, lang)}</section>',
        f'<section id="timeline"><h2>{_e(word("timeline", lang))}</h2>'
        f"{_gantt_svg(plan, runs, vans, lang)}</section>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_overview(
    plan: Plan, runs: list[Run], path: Path, lang: str, links: dict[str, dict[str, str]]
) -> None:
    """Write the overview HTML (UTF-8)."""
    path.write_text(overview_html(plan, runs, lang, links), encoding="utf-8")
