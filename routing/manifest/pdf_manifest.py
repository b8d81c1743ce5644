"""The driver's manifest: one A4 portrait PDF per run, black-and-white friendly.

Header (date, van, trip, times, crates, distance, driving time, blanks for the driver), a route
map, then the stops in driving order with the crates to unload and load at each, crate ids in
full so a scanned label finds its line, a check box and a signature cell.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from bookvan.routing.manifest.fonts import CJK_FONT, bold_font
from bookvan.routing.manifest.mapgeo import MapFrame, group_points, place_labels
from bookvan.routing.manifest.pdfkit import drawing, esc, latin_bold, numbered_canvas, styles, table_style
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.rest import replan_from
from bookvan.routing.manifest.runs import CrateLine, Run, StopLine, fmt_duration, fmt_hm
from bookvan.routing.manifest.words import day_text, kind_word, node_name, word

__all__ = ["route_map", "write_manifest_pdf"]

_MARGIN = 14 * mm
_GREY = colors.Color(0.35, 0.35, 0.35)


def route_map(run: Run, width: float, height: float, lang: str) -> Drawing:
    """The run drawn on a plane: legs, numbered stops (shared places merged), scale bar."""
    d = drawing(width, height)
    d.add(Rect(0, 0, width, height, strokeColor=colors.black, strokeWidth=0.6, fillColor=None))
    pts = [p for leg in run.legs for p in leg] + [(s.lon, s.lat) for s in run.stops]
    frame = MapFrame.fit(pts, width, height, pad=22)
    for leg in run.legs:
        xy = [c for p in leg for c in frame.xy(*p)]
        d.add(PolyLine(xy, strokeColor=colors.black, strokeWidth=1.1))
    last = len(run.stops) - 1
    items = [(s.lon, s.lat, "D" if i in (0, last) else str(i)) for i, s in enumerate(run.stops)]
    boxes = []
    for lon, lat, labels in group_points(items):
        x, y = frame.xy(lon, lat)
        labels = list(dict.fromkeys(labels))
        if "D" in labels:
            d.add(Rect(x - 4, y - 4, 8, 8, fillColor=colors.black, strokeColor=None))
            labels.remove("D")
            d.add(String(x - 2.6, y - 2.4, "D", fontName=bold_font(), fontSize=7, fillColor=colors.white))
        else:
            d.add(Circle(x, y, 2.6, fillColor=colors.black, strokeColor=None))
        if labels:
            text = ",".join(labels)
            boxes.append((x, y, stringWidth(text, bold_font(), 8) + 4, 10, text))
    spots = place_labels([b[:4] for b in boxes], width, height)
    for (_, _, w, h, text), (lx, ly) in zip(boxes, spots, strict=True):
        d.add(Rect(lx, ly, w, h, fillColor=colors.white, strokeColor=colors.black, strokeWidth=0.5))
        d.add(String(lx + 2, ly + 2.5, text, fontName=bold_font(), fontSize=8))
    _, length, label = frame.scale_bar(0.3)
    x0, y0 = 8, 8
    d.add(Line(x0, y0, x0 + length, y0, strokeWidth=1.4))
    for xx in (x0, x0 + length):
        d.add(Line(xx, y0 - 2, xx, y0 + 3, strokeWidth=1))
    d.add(String(x0 + length + 4, y0 - 2.5, label, fontName=CJK_FONT, fontSize=7))
    d.add(String(width - 12, height - 14, "N", fontName=bold_font(), fontSize=9))
    d.add(Line(width - 9, height - 32, width - 9, height - 17, strokeWidth=1))
    note = word("road" if run.road_geometry else "straight", lang)
    d.add(String(8, height - 12, note, fontName=CJK_FONT, fontSize=6.5, fillColor=_GREY))
    return d


def _crate_para(lines: tuple[CrateLine, ...], st: dict, lang: str, unloading: bool) -> list:
    if not lines:
        return [Paragraph(word("nothing", lang), st["base"])]
    out = []
    for c in lines:
        dest = c.final_destination_id
        via = ""
        if c.destination_id != c.final_destination_id:
            via = f" ({word('via', lang)})" if unloading else ""
        head = f"{latin_bold(c.base_id)} → {latin_bold(dest)}{esc(via)} {esc(kind_word(c.kind, lang))} ×{c.crates}"
        out.append(Paragraph(head, st["line"]))
        out.append(Paragraph(esc(" ".join(c.crate_ids)), st["ids"]))
    return out


def _checkbox() -> Drawing:
    d = drawing(12, 12)
    d.add(Rect(1, 1, 10, 10, strokeColor=colors.black, strokeWidth=0.8, fillColor=None))
    return d


def _stop_row(i: int, s: StopLine, last: int, st: dict, lang: str) -> list:
    when = fmt_hm(s.departure if i == 0 else s.arrival)
    time_lines = [Paragraph(latin_bold(when), st["big"])]
    if i == 0:
        time_lines.append(Paragraph(esc(word("departure", lang)), st["small"]))
    elif i == last:
        time_lines.append(Paragraph(esc(word("back", lang)), st["small"]))
    if 0 < i < last:
        if s.opens is None:
            time_lines.append(Paragraph(esc(word("closed", lang)), st["small"]))
        else:
            time_lines.append(Paragraph(esc(f"{fmt_hm(s.opens)}–{fmt_hm(s.closes)}"), st["small"]))
        if s.service_start is not None and s.service_start > s.arrival:
            time_lines.append(Paragraph(esc(f"{word('wait', lang)} {fmt_hm(s.service_start)}"), st["small"]))
    if s.break_s:
        time_lines.append(
            Paragraph(esc(f"{word('break', lang)} {fmt_hm(s.break_start)} ({fmt_duration(s.break_s)})"), st["small"])
        )
    name = node_name(s.name_zh, s.name_en, lang)
    stop = [Paragraph(esc(name), st["base"]), Paragraph(latin_bold(s.node_id), st["small"])]
    if s.address and s.address not in ("not found",):
        stop.append(Paragraph(esc(s.address), st["small"]))
    stop.append(Paragraph(esc(f"{word('on_board', lang)}: {s.load_after}"), st["small"]))
    no = "D" if i in (0, last) else str(i)
    return [
        Paragraph(latin_bold(no), st["big"]),
        time_lines,
        stop,
        _crate_para(s.unload, st, lang, True),
        _crate_para(s.load, st, lang, False),
        _checkbox(),
        Spacer(1, 30),
    ]


def _header(plan: Plan, run: Run, st: dict, lang: str) -> Table:
    blank = "_" * 22
    rows = [
        (word("date", lang, "\n"), day_text(plan.date, lang)),
        (word("van", lang, "\n"), f"{run.vehicle_id}    {word('trip', lang)} {run.trip}"),
        (
            word("departure", lang, "\n"),
            f"{fmt_hm(run.departure)}   ({word('back', lang)} {fmt_hm(run.return_time)})",
        ),
        (
            word("crates", lang, "\n"),
            f"{word('loaded', lang)} {run.crates_loaded} / {word('unloaded', lang)} {run.crates_unloaded}",
        ),
        (word("distance", lang, "\n"), f"{run.distance_m / 1000:.1f} km"),
        (word("driving", lang, "\n"), fmt_duration(run.driving_s)),
        (word("driver", lang, "\n"), blank),
        (word("odo_out", lang, "\n"), blank),
        (word("odo_in", lang, "\n"), blank),
    ]
    at = replan_from(plan)
    if at is not None:  # a re-plan: say from when, on top
        rows.insert(0, (word("replan_from", lang, "\n"), f"{fmt_hm(at)} · {word('rest_of_day', lang)}"))
    # labels are word(…, sep="\n"): with both languages Chinese above English, no word cut
    data = [[Paragraph(esc(k), st["small"]), Paragraph(esc(v), st["big"])] for k, v in rows]
    t = Table(data, colWidths=[30 * mm, 68 * mm])
    t.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return t


def write_manifest_pdf(plan: Plan, run: Run, path: str | Path, lang: str) -> None:
    """Write the manifest of ``run`` to ``path`` (the caller makes the folder atomic)."""
    st = styles()
    trip = f"{run.vehicle_id} {word('trip', lang)} {run.trip}"
    title = f"{word('title', lang)} · {trip} · {plan.date:%Y-%m-%d}"
    shown = f"{esc(word('title', lang))}<br/>{latin_bold(run.vehicle_id)} · "
    shown += f"{esc(word('trip', lang))} {run.trip}"

    def footer(c: rl_canvas.Canvas, page: int, pages: int) -> None:
        c.saveState()
        c.setFont(CJK_FONT, 7)
        c.setFillColor(_GREY)
        left = f"bookvan · {word('plan', lang)} {plan.plan_id} · {plan.date:%Y-%m-%d} · {trip}"
        c.drawString(_MARGIN, 8 * mm, left)
        c.drawRightString(A4[0] - _MARGIN, 8 * mm, word("page", lang).format(x=page, y=pages))
        c.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="bookvan",
        subject=f"plan {plan.plan_id}",
        invariant=True,
    )
    width = A4[0] - 2 * _MARGIN
    head = Table(
        [
            [
                [Paragraph(shown, st["title"]), Spacer(1, 4), _header(plan, run, st, lang)],
                route_map(run, width - 102 * mm, 74 * mm, lang),
            ]
        ],
        colWidths=[100 * mm, width - 100 * mm],
    )
    head.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    cols = ["no", "arrival", "stop", "unload", "load", "done", "sign"]
    header_row = [Paragraph(esc(word(k, lang, "\n")), st["head"]) for k in cols]
    last = len(run.stops) - 1
    rows = [header_row] + [_stop_row(i, s, last, st, lang) for i, s in enumerate(run.stops)]
    widths = [9 * mm, 22 * mm, 38 * mm, 43 * mm, 43 * mm, 9 * mm]
    widths.append(width - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                *[("BACKGROUND", (0, r), (-1, r), colors.Color(0.96, 0.96, 0.96)) for r in range(2, len(rows), 2)],
            ]
        )
    )
    doc.build([head, Spacer(1, 6), table], canvasmaker=numbered_canvas(footer))
