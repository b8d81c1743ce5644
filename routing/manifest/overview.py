"""The day overview: one self-contained HTML file (inline CSS and SVG, no script, no network).

Unassigned transfers with their reasons come first, in red, because they are what a
coordinator must act on before the vans leave; then totals, a map of all vans and a timeline
of each van's stops against the stops' opening hours and the driver's break.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

import pandas as pd

from bookvan.routing.manifest.mapgeo import MapFrame, group_points, place_labels
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.runs import Run, StopLine, fmt_duration, fmt_hm
from bookvan.routing.manifest.words import day_text, kind_word, node_name, word

__all__ = ["VAN_COLOURS", "day_map_svg", "overview_html", "write_overview"]

# Okabe–Ito colours: distinguishable for colour-blind readers; trips also differ by dash
VAN_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_DASH = ("", "7 4", "2 3", "10 3 2 3")
_SVG_NS = "http://www.w3.org/2000/svg"


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _el(tag: str, body: str | None = None, /, **attrs: object) -> str:
    """An element; ``stroke_width`` → ``stroke-width``, ``class_`` → ``class``; body is markup."""
    a = "".join(f' {k.rstrip("_").replace("_", "-")}="{_e(v)}"' for k, v in attrs.items() if v is not None)
    return f"<{tag}{a}/>" if body is None else f"<{tag}{a}>{body}</{tag}>"


def _title(text: str) -> str:
    return _el("title", _e(text))


def _colour(vans: list[str], van: str) -> str:
    return VAN_COLOURS[vans.index(van) % len(VAN_COLOURS)] if van in vans else "#555"


def _map_svg(plan: Plan, runs: list[Run], vans: list[str], lang: str) -> str:
    w, h = 920, 560
    pts = [p for r in runs for leg in r.legs for p in leg]
    pts += [(s.lon, s.lat) for r in runs for s in r.stops]
    every = [(float(lon), float(lat)) for lon, lat in zip(plan.nodes["lon"], plan.nodes["lat"], strict=True)]
    frame = MapFrame.fit(pts or every, w, h, pad=40)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = frame.xy(lon, lat)
        return round(x, 1), round(h - y, 1)

    out = [_el("rect", x=0, y=0, width=w, height=h, fill="#fbfbf8", stroke="#999")]
    for r in runs:
        col, dash = _colour(vans, r.vehicle_id), _DASH[(r.trip - 1) % len(_DASH)]
        lines = [
            _el(
                "polyline",
                _title(f"{r.vehicle_id} #{r.trip}"),
                points=" ".join(f"{x},{y}" for x, y in (xy(*p) for p in leg)),
                fill="none",
                stroke=col,
                stroke_width=2.5,
                stroke_dasharray=dash or None,
                stroke_opacity=0.85,
            )
            for leg in r.legs
        ]
        out.append(_el("g", "".join(lines), class_="run", data_van=r.vehicle_id, data_trip=r.trip))
    places: dict[str, tuple[float, float, str]] = {}
    for r in runs:
        for s in r.stops:
            places[s.node_id] = (s.lon, s.lat, s.kind)
    # nodes without a visit today, in grey, where they fall inside the frame
    visited = set(places)
    spare = [
        (float(n.lon), float(n.lat), str(n.node_id))
        for n in plan.nodes.itertuples(index=False)
        if n.node_id not in visited
    ]
    for lon, lat, ids in group_points(spare):
        x, y = xy(lon, lat)
        if 0 < x < w and 0 < y < h:
            tip = _title(", ".join(ids) + f" ({word('nothing', lang)})")
            out.append(_el("circle", tip, cx=x, cy=y, r=3, fill="#ccc", stroke="#999", class_="idle"))
            out.append(_el("text", _e(" / ".join(ids)), x=x + 6, y=y + 4, class_="idle"))
    labels = []
    for lon, lat, ids in group_points((lon, lat, nid) for nid, (lon, lat, _) in places.items()):
        x, y = xy(lon, lat)
        tip = _title(", ".join(ids))
        if any(places[i][2] == "depot" for i in ids):
            out.append(_el("rect", tip, x=x - 6, y=y - 6, width=12, height=12, fill="#000"))
        else:
            out.append(_el("circle", tip, cx=x, cy=y, r=5, fill="#fff", stroke="#000", stroke_width=1.5))
        # label box in y-up frame units: ~7 px per character of 11 px bold, 13 px per line
        labels.append((x, h - y, 7.0 * max(len(i) for i in ids) + 4, 13.0 * len(ids), ids))
    spots = place_labels([lab[:4] for lab in labels], w, h, gap=7)
    for (_, _, _, bh, ids), (lx, ly) in zip(labels, spots, strict=True):
        top = h - (ly + bh)  # back to SVG's y-down
        for k, nid in enumerate(ids):
            out.append(_el("text", _e(nid), x=round(lx + 2, 1), y=round(top + 11 + 13 * k, 1), class_="code"))
    _, length, label = frame.scale_bar(0.25)
    x1 = round(20 + length, 1)
    out.append(
        _el(
            "g",
            "".join(
                [
                    _el("line", x1=20, y1=h - 20, x2=x1, y2=h - 20, stroke="#000", stroke_width=2),
                    _el("line", x1=20, y1=h - 26, x2=20, y2=h - 14, stroke="#000"),
                    _el("line", x1=x1, y1=h - 26, x2=x1, y2=h - 14, stroke="#000"),
                    _el("text", _e(label), x=x1 + 8, y=h - 16),
                ]
            ),
            class_="scale",
        )
    )
    road = bool(runs) and all(r.road_geometry for r in runs)
    note = f"{word('road' if road else 'straight', lang)} · N ↑"
    out.append(_el("text", _e(note), x=20, y=22, class_="note"))
    return _el(
        "svg",
        "\n".join(out),
        id="map",
        xmlns=_SVG_NS,
        viewBox=f"0 0 {w} {h}",
        width="100%",
        role="img",
        aria_label=word("map", lang),
    )


def day_map_svg(plan: Plan, runs: list[Run], lang: str = "en") -> tuple[str, str]:
    """The overview's map and timeline as SVG markup, for other pages (the desk) to embed."""
    vans = list(dict.fromkeys([*map(str, plan.vehicles["vehicle_id"]), *(r.vehicle_id for r in runs)]))
    return _map_svg(plan, runs, vans, lang), _gantt_svg(plan, runs, vans, lang)


def _time_axis(plan: Plan, runs: list[Run]) -> tuple[pd.Timestamp, pd.Timestamp]:
    veh = plan.vehicles
    times = [t for r in runs for s in r.stops for t in (s.arrival, s.departure)]
    times += [t for c in ("shift_start", "shift_end") if c in veh for t in veh[c] if not pd.isna(t)]
    if not times:
        day = pd.Timestamp(plan.date.isoformat()).tz_localize("Asia/Taipei")
        times = [day + pd.Timedelta(hours=8), day + pd.Timedelta(hours=18)]
    return min(times).floor("h"), max(times).ceil("h")


def _van_row(
    van: str,
    runs: list[Run],
    veh: pd.DataFrame,
    y: float,
    row_h: float,
    x: Callable[[pd.Timestamp], float],
    col: str,
    lang: str,
) -> str:
    """One van's timeline row: its shift and break window, then each run's drives and stops."""
    out = [_el("text", f"■ {_e(van)}", x=6, y=y + 21, class_="rowlabel", fill=col)]
    v = veh.loc[van] if van in veh.index else None
    if v is not None:
        out += _shift_frames(v, y, row_h, x, lang)
    mine = [r for r in runs if r.vehicle_id == van]
    if not mine:
        out.append(
            _el(
                "text",
                _e(word("not_used", lang)),
                x=x(veh["shift_start"].min()) + 6 if len(veh) else 240,
                y=y + 21,
                class_="muted",
            )
        )
    for r in mine:
        out += _run_marks(r, y, row_h, x, col, lang)
    return _el("g", "".join(out), class_="van-row", data_van=van)


def _shift_frames(v: pd.Series, y: float, row_h: float, x: Callable[[pd.Timestamp], float], lang: str) -> list[str]:
    """The driver's shift (grey frame) and break window (dashed frame), where the van has them."""
    out = []
    if not pd.isna(v.get("shift_start")) and not pd.isna(v.get("shift_end")):
        a, b = v["shift_start"], v["shift_end"]
        out.append(
            _el(
                "rect",
                _title(f"shift {fmt_hm(a)}–{fmt_hm(b)}"),
                x=x(a),
                y=y + 4,
                width=x(b) - x(a),
                height=row_h - 8,
                fill="none",
                stroke="#bbb",
            )
        )
    if not pd.isna(v.get("break_earliest")) and not pd.isna(v.get("break_latest")):
        a, b = v["break_earliest"], v["break_latest"]
        out.append(
            _el(
                "rect",
                _title(f"{word('break', lang)} {fmt_hm(a)}–{fmt_hm(b)}"),
                x=x(a),
                y=y + 2,
                width=x(b) - x(a),
                height=row_h - 4,
                fill="none",
                stroke="#888",
                stroke_dasharray="3 3",
            )
        )
    return out


def _run_marks(
    r: Run, y: float, row_h: float, x: Callable[[pd.Timestamp], float], col: str, lang: str
) -> list[str]:
    """One run on the timeline: a line for each drive, a bar for each stop, and the run's number."""
    mid = y + row_h / 2
    out = [
        _el("line", x1=x(a.departure), y1=mid, x2=x(b.arrival), y2=mid, stroke=col, stroke_width=3)
        for a, b in zip(r.stops, r.stops[1:], strict=False)
    ]
    for i, s in enumerate(r.stops):
        out += _stop_marks(r, i, s, y, row_h, x, col, lang)
    out.append(_el("text", f"#{r.trip}", x=x(r.departure) + 2, y=y + 5, class_="tick"))
    return out


def _stop_marks(
    r: Run, i: int, s: StopLine, y: float, row_h: float, x: Callable[[pd.Timestamp], float], col: str, lang: str
) -> list[str]:
    """A stop: hatched waiting before opening, the service bar, and the break if it is taken here."""
    bar_y, bar_h = y + 7, row_h - 14
    out = []
    start = s.service_start if s.service_start is not None else s.arrival
    end = s.departure
    if s.break_start is not None and start <= s.break_start < s.departure:
        end = s.break_start  # the break is taken here, after the service
    if start > s.arrival:
        out.append(
            _el(
                "rect",
                _title(f"{s.node_id} {word('wait', lang)} {fmt_hm(start)}"),
                x=x(s.arrival),
                y=y + 10,
                width=max(x(start) - x(s.arrival), 0.5),
                height=row_h - 20,
                fill="url(#wait)",
                stroke=col,
                stroke_width=0.5,
            )
        )
    tip = (
        f"{r.vehicle_id} #{r.trip} · {i} {s.node_id} · {fmt_hm(s.arrival)}–"
        f"{fmt_hm(s.departure)} · {word('unload', lang)} {s.crates_unloaded} · "
        f"{word('load', lang)} {s.crates_loaded}"
    )
    out.append(
        _el(
            "rect",
            _title(tip),
            class_="stop",
            x=x(start),
            y=bar_y,
            width=max(x(end) - x(start), 1.5),
            height=bar_h,
            fill=col,
        )
    )
    if s.break_s and s.break_start is not None:
        b0, b1 = s.break_start, s.break_start + pd.Timedelta(seconds=s.break_s)
        out.append(
            _el(
                "rect",
                _title(f"{word('break', lang)} {fmt_hm(b0)}–{fmt_hm(b1)}"),
                class_="break",
                x=x(b0),
                y=bar_y,
                width=x(b1) - x(b0),
                height=bar_h,
                fill="#444",
            )
        )
        out.append(
            _el(
                "text",
                _e(word("break", lang)),
                x=(x(b0) + x(b1)) / 2,
                y=y + 21,
                text_anchor="middle",
                class_="brk",
            )
        )
    return out


def _node_row(
    nid: str,
    plan: Plan,
    runs: list[Run],
    vans: list[str],
    y: float,
    row_h: float,
    x: Callable[[pd.Timestamp], float],
    lang: str,
    label_w: float,
) -> str:
    n = plan.nodes.loc[nid]
    # one language in the row label (Chinese when both): two would be cut off
    name = node_name(str(n["name_zh"]), str(n["name_en"]), "en" if lang == "en" else "zh-TW")
    limit = 24 if lang == "en" else 13
    short = name if len(name) <= limit else name[: limit - 1] + "…"
    label = f"{_e(nid)} " + _el("tspan", _e(short), class_="muted")
    out = [_el("text", label, x=6, y=y + 14, class_="nodelabel")]
    opens, closes = n["opens"], n["closes"]
    if opens is None or pd.isna(opens):
        reason = n.get("closed_reason")
        text = word("closed", lang) + (f": {reason}" if isinstance(reason, str) and reason else "")
        out.append(_el("text", _e(text), x=label_w + 6, y=y + 14, class_="closed"))
    else:
        out.append(
            _el(
                "rect",
                _title(f"{fmt_hm(opens)}–{fmt_hm(closes)}"),
                x=x(opens),
                y=y + 3,
                width=x(closes) - x(opens),
                height=row_h - 6,
                fill="#e3eee3",
                stroke="#9b9",
            )
        )
    for r in runs:
        for s in r.stops:
            if s.node_id == nid:
                tip = f"{r.vehicle_id} #{r.trip} {fmt_hm(s.arrival)}–{fmt_hm(s.departure)}"
                out.append(
                    _el(
                        "rect",
                        _title(tip),
                        x=x(s.arrival),
                        y=y + 1,
                        width=max(x(s.departure) - x(s.arrival), 2),
                        height=row_h - 2,
                        fill=_colour(vans, r.vehicle_id),
                        stroke="#000",
                        stroke_width=0.5,
                    )
                )
    return _el("g", "".join(out), class_="node-row", data_node=nid)


def _gantt_svg(plan: Plan, runs: list[Run], vans: list[str], lang: str) -> str:
    t0, t1 = _time_axis(plan, runs)
    label_w, w = 230, 1000
    span = max((t1 - t0).total_seconds(), 3600)

    def x(t: pd.Timestamp) -> float:
        sec = (min(max(t, t0), t1) - t0).total_seconds()
        return round(label_w + (w - label_w - 24) * sec / span, 1)

    visited = list(dict.fromkeys(s.node_id for r in runs for s in r.stops if s.kind != "depot"))
    van_h, node_h, top = 34, 20, 26
    y0 = top + van_h * len(vans) + 20
    h = y0 + node_h * len(visited) + 10
    out = [
        '<defs><pattern id="wait" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0,4 L4,0" stroke="#888" stroke-width="1"/></pattern></defs>'
    ]
    hour = t0
    while hour <= t1:
        out.append(_el("line", x1=x(hour), y1=top - 6, x2=x(hour), y2=h - 6, stroke="#ddd"))
        out.append(_el("text", f"{hour:%H:%M}", x=x(hour), y=top - 10, text_anchor="middle", class_="tick"))
        hour += pd.Timedelta(hours=1)
    veh = plan.vehicles.set_index("vehicle_id", drop=False)
    for k, van in enumerate(vans):
        out.append(_van_row(van, runs, veh, top + k * van_h, van_h, x, _colour(vans, van), lang))
    out.append(_el("line", x1=0, y1=y0 - 8, x2=w, y2=y0 - 8, stroke="#999"))
    for k, nid in enumerate(visited):
        out.append(_node_row(nid, plan, runs, vans, y0 + k * node_h, node_h, x, lang, label_w))
    return _el("svg", "\n".join(out), id="gantt", xmlns=_SVG_NS, viewBox=f"0 0 {w} {h}", width="100%")


def _table(head: list[str], rows: list[str]) -> str:
    return _el(
        "table",
        _el("thead", _el("tr", "".join(_el("th", _e(c)) for c in head))) + _el("tbody", "".join(rows)),
    )


def _unassigned_html(plan: Plan, lang: str) -> str:
    items = plan.unassigned
    heading = _el("h2", f"{_e(word('unassigned', lang))}: {len(items)}")
    if not items:
        return _el("section", heading, id="unassigned", class_="ok")
    rows = []
    tr = plan.transfers
    for u in items:
        tid = str(u.get("transfer_id"))
        cells = [tid, "", "", "", str(u.get("reason", ""))]
        if tid in tr.index:
            t = tr.loc[tid]
            cells[1:4] = [
                f"{t['origin_id']} → {t['destination_id']}",
                kind_word(str(t["kind"]), lang),
                str(int(t["crates"])),
            ]
        rows.append(_el("tr", "".join(_el("td", _e(c)) for c in cells)))
    head = [word(k, lang) for k in ("transfer", "route", "kind", "crates", "reason")]
    return _el("section", heading + _table(head, rows), id="unassigned", class_="alert")


def _totals_html(plan: Plan, runs: list[Run], vans: list[str], lang: str, links: dict[str, dict[str, str]]) -> str:
    head = [word(k, lang) for k in ("van", "trip", "departure", "back", "stops", "crates", "distance", "driving")] + [
        word("files", lang)
    ]
    rows = []
    for van in vans:
        mine = [r for r in runs if r.vehicle_id == van]
        swatch = _el("td", _el("span", "■", style=f"color:{_colour(vans, van)}") + f" {_e(van)}")
        if not mine:
            rows.append(
                _el("tr", swatch + _el("td", _e(word("not_used", lang)), colspan=8, class_="muted"), data_van=van)
            )
        for r in mine:
            files = " · ".join(_el("a", _e(k), href=v) for k, v in links.get(r.key, {}).items())
            cells = [
                str(r.trip),
                fmt_hm(r.departure),
                fmt_hm(r.return_time),
                str(len(r.stops) - 2),
                str(r.crates_loaded),
                f"{r.distance_m / 1000:.1f} km",
                fmt_duration(r.driving_s),
            ]
            rows.append(
                _el(
                    "tr",
                    swatch + "".join(_el("td", _e(c)) for c in cells) + _el("td", files),
                    data_van=van,
                )
            )
    dist = sum(r.distance_m for r in runs)
    total = [
        "Σ",
        str(len(runs)),
        "",
        "",
        str(sum(len(r.stops) - 2 for r in runs)),
        str(sum(r.crates_loaded for r in runs)),
        f"{dist / 1000:.1f} km",
        fmt_duration(sum(r.driving_s for r in runs)),
        "",
    ]
    rows.append(_el("tr", "".join(_el("td", _e(c)) for c in total), class_="total"))
    info = plan.info
    solver = info.get("solver") or {}
    planned = info.get("transfers_planned", "–")
    facts = [
        (word("vans", lang), f"{len({r.vehicle_id for r in runs})} / {len(vans)}"),
        (word("runs", lang), str(len(runs))),
        (word("transfers", lang), f"{word('planned', lang)} {planned} · {word('left', lang)} {len(plan.unassigned)}"),
        (
            word("distance", lang),
            f"{float(info.get('total_distance_m', dist)) / 1000:.1f} km (plan.json)",
        ),
        (
            word("solver", lang),
            f"{solver.get('name', '–')} {solver.get('version', '')} · {solver.get('status', '')}",
        ),
    ]
    dl = "".join(_el("div", _el("dt", _e(k)) + _el("dd", _e(v))) for k, v in facts)
    return _el("section", _el("dl", dl, class_="facts") + _table(head, rows), id="totals")


_CSS = """
body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK TC","Microsoft JhengHei",sans-serif;
  margin:18px;color:#111;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:18px 0 6px}
.sub{color:#555;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:4px 0}
td,th{border:1px solid #bbb;padding:3px 7px;text-align:left}
th{background:#eee} tr.total td{font-weight:bold;border-top:2px solid #333}
.alert{border:2px solid #c00;background:#fff2f2;padding:6px 12px;color:#a00}
.alert h2{color:#c00;margin-top:4px} .alert td,.alert th{border-color:#e99} .ok h2{color:#070}
.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:6px 0}
.facts dt{font-size:11px;color:#666} .facts dd{margin:0;font-weight:bold}
svg text{font-size:12px;font-family:inherit}
svg .code{font-size:11px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}
svg .tick{font-size:10px;fill:#555} svg .rowlabel{font-size:13px;font-weight:bold}
svg .nodelabel{font-size:11px} svg .muted,.muted{fill:#777;color:#777} svg .closed{fill:#a00}
svg .brk{fill:#fff;font-size:10px} svg text.idle{fill:#999;font-size:10px} svg .note{fill:#555;font-size:11px}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
@media print{body{margin:0} section{break-inside:avoid}}
"""


def overview_html(plan: Plan, runs: list[Run], lang: str, links: dict[str, dict[str, str]] | None = None) -> str:
    """The overview page as one string; ``links`` maps a run key to {label: relative href}.

    The key ``"_day"`` holds the day's other files (labels, loading lists), listed under the title.
    """
    vans = list(dict.fromkeys([*map(str, plan.vehicles["vehicle_id"]), *(r.vehicle_id for r in runs)]))
    legend = "".join(
        _el("span", _el("b", "━━", style=f"color:{_colour(vans, v)}") + f" {_e(v)}", data_van=v) for v in vans
    ) + _el("span", "— trip 1 · - - trip 2 · ··· trip 3", class_="muted")
    title = f"{word('overview', lang)} {plan.date:%Y-%m-%d}"
    head = "".join(
        [
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',  # no favicon request
            _el("title", _e(title)),
            _el("style", _CSS),
        ]
    )
    body = "\n".join(
        [
            _el("h1", f"{_e(word('overview', lang))} · {_e(day_text(plan.date, lang))}"),
            _el(
                "div",
                _e(f"plan {plan.plan_id} · seed {plan.info.get('seed', '–')} · bookvan"),
                class_="sub",
            ),
            _el(
                "div",
                " · ".join(_el("a", _e(k), href=v) for k, v in (links or {}).get("_day", {}).items()),
                class_="sub files",
            ),
            _unassigned_html(plan, lang),
            _totals_html(plan, runs, vans, lang, links or {}),
            _el(
                "section",
                _el("h2", _e(word("map", lang)))
                + _el("div", legend, class_="legend")
                + _map_svg(plan, runs, vans, lang),
                id="map-section",
            ),
            _el(
                "section",
                _el("h2", _e(word("timeline", lang))) + _gantt_svg(plan, runs, vans, lang),
                id="timeline",
            ),
        ]
    )
    lang_tag = "en" if lang == "en" else "zh-Hant-TW"
    return "<!DOCTYPE html>\n" + _el("html", _el("head", head) + _el("body", body), lang=lang_tag)


def write_overview(plan: Plan, runs: list[Run], path: Path, lang: str, links: dict[str, dict[str, str]]) -> None:
    """Write the overview HTML (UTF-8)."""
    path.write_text(overview_html(plan, runs, lang, links), encoding="utf-8")
