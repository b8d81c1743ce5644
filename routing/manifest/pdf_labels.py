"""Crate labels on a common A4 label sheet: 2 × 7 labels of 99.1 × 38.1 mm (Avery L7163 layout).

One label per crate: from → to codes in large type, the destination's Chinese name, transfer
id, kind, crate n of m, a Code 128 barcode and a QR code, both encoding the crate id that the
manifest prints on the crate's line. In hub mode a crate keeps one label for all its legs, so
it shows the first origin and the final destination. When the plan came from an item-level
list, two small lines name the item ids packed in the crate (``packing.csv`` has them all,
with titles).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from bookvan.routing.manifest.fonts import CJK_FONT, bold_font, register_cjk_font
from bookvan.routing.manifest.packing import crate_contents
from bookvan.routing.manifest.pdfkit import numbered_canvas
from bookvan.routing.manifest.plan import Plan
from bookvan.routing.manifest.runs import Run
from bookvan.routing.manifest.words import kind_word, word

__all__ = ["SHEET", "CrateLabel", "crate_labels", "write_labels_pdf"]

# label sheet geometry (mm): columns, rows, label size, left/top margin, pitch
SHEET = {
    "cols": 2,
    "rows": 7,
    "w": 99.1,
    "h": 38.1,
    "left": 4.65,
    "top": 15.15,
    "dx": 101.6,
    "dy": 38.1,
}


@dataclass(frozen=True)
class CrateLabel:
    """What one label says."""

    crate_id: str
    transfer_id: str
    n: int
    of: int
    origin_id: str
    destination_id: str
    destination_zh: str
    destination_en: str
    kind: str
    vehicle_id: str
    trip: int
    items: tuple[str, ...] = ()  # item ids packed in this crate (item-level plans)


def crate_labels(plan: Plan, runs: list[Run]) -> list[CrateLabel]:
    """Labels of every crate picked up today, in pickup time order (then van, trip, stop).

    A hub transfer's crate is labelled once, with its first origin and final destination.
    """
    pickups = sorted(
        ((stop.arrival, run.vehicle_id, run.trip, stop.seq, run, stop) for run in runs for stop in run.stops),
        key=lambda x: x[:4],
    )
    out, seen = [], set()
    nodes = plan.nodes
    contents = crate_contents(plan)
    for *_, run, stop in pickups:
        for c in stop.load:
            if c.base_id in seen:
                continue
            seen.add(c.base_id)
            dest = nodes.loc[c.final_destination_id]
            for n, cid in enumerate(c.crate_ids, start=1):
                out.append(
                    CrateLabel(
                        crate_id=cid,
                        transfer_id=c.base_id,
                        n=n,
                        of=c.crates,
                        origin_id=c.first_origin_id,
                        destination_id=c.final_destination_id,
                        destination_zh=str(dest["name_zh"]),
                        destination_en=str(dest["name_en"]),
                        kind=c.kind,
                        vehicle_id=run.vehicle_id,
                        trip=run.trip,
                        items=tuple(str(x["item_id"]) for x in contents.get(cid, [])),
                    )
                )
    return out


def _fit(text: str, font: str, size: float, width: float, min_size: float = 6) -> float:
    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw_qr(c: rl_canvas.Canvas, text: str, x: float, y: float, size: float, quiet: int = 2) -> None:
    """A QR code (level M) as one filled path, one rectangle per run of dark modules.

    reportlab's QR widget builds a shape object per run and encodes twice; drawing the module
    matrix directly is several times faster for a sheet of labels.
    """
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    n = qr.getModuleCount()
    box = size / (n + 2 * quiet)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            k = len(list(run))
            if dark:
                path.rect(x + (col + quiet) * box, y + size - (r + quiet + 1) * box, k * box, box)
            col += k
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)


def _draw_label(c: rl_canvas.Canvas, lab: CrateLabel, x: float, y: float, lang: str) -> None:
    w, h = SHEET["w"] * mm, SHEET["h"] * mm
    pad = 3 * mm
    qr_size = h - 2 * pad
    text_w = w - 3 * pad - qr_size
    bold = bold_font()
    c.setStrokeColor(colors.Color(0.8, 0.8, 0.8))
    c.setLineWidth(0.3)
    c.roundRect(x + 0.5, y + 0.5, w - 1, h - 1, 2 * mm, stroke=1, fill=0)
    _draw_qr(c, lab.crate_id, x + w - pad - qr_size, y + pad, qr_size)
    # from → to, as large as fits
    tx, top = x + pad, y + h - pad
    route = f"{lab.origin_id} → {lab.destination_id}"
    size = _fit(route, bold, 15, text_w)
    c.setFillColor(colors.black)
    c.setFont(bold, size)
    c.drawString(tx, top - size, f"{lab.origin_id} ")
    arrow_x = tx + stringWidth(f"{lab.origin_id} ", bold, size)
    c.setFont(CJK_FONT, size)
    c.drawString(arrow_x, top - size, "→")
    c.setFont(bold, size)
    c.drawString(arrow_x + stringWidth("→ ", CJK_FONT, size), top - size, lab.destination_id)
    line = top - size - 2
    name = lab.destination_zh if lang != "en" else lab.destination_en
    c.setFont(CJK_FONT, 10)
    c.drawString(tx, line - 10, _clip(name, CJK_FONT, 10, text_w))
    line -= 12
    count = {"zh-TW": f"箱 {lab.n}/{lab.of}", "en": f"crate {lab.n} of {lab.of}"}.get(
        lang, f"箱 crate {lab.n}/{lab.of}"
    )
    info = f"{lab.transfer_id} · {kind_word(lab.kind, lang)} · {count}"
    c.setFont(CJK_FONT, 7.5)
    c.drawString(tx, line - 8, _clip(info, CJK_FONT, 7.5, text_w))
    if lab.items:
        _draw_items(c, lab.items, tx, line - 15, text_w)
    # Code 128 along the bottom, its human-readable id beneath
    bar_h = 8.5 * mm
    bc = Code128(lab.crate_id, barWidth=0.3 * mm, barHeight=bar_h, humanReadable=False, quiet=True)
    if bc.width > text_w:
        bc = Code128(
            lab.crate_id,
            barWidth=0.3 * mm * text_w / bc.width,
            barHeight=bar_h,
            humanReadable=False,
            quiet=True,
        )
    bc.drawOn(c, tx - bc.lquiet, y + pad + 8)
    c.setFont(bold, 7.5)
    c.drawString(tx, y + pad, lab.crate_id)
    c.setFont(CJK_FONT, 6)
    c.drawRightString(x + w - pad - qr_size - 2, y + pad, f"{lab.vehicle_id} #{lab.trip}")


def item_lines(items: tuple[str, ...], width: float, font: str = CJK_FONT, size: float = 5) -> list[str]:
    """At most two lines ``n items: a b c`` that fit ``width``; ids that do not fit are ``+k``."""
    head = f"{len(items)} items:"
    lines, shown = [head], 0
    for it in items:
        cand = f"{lines[-1]} {it}"
        if stringWidth(cand, font, size) <= width:
            lines[-1], shown = cand, shown + 1
        elif len(lines) < 2 and stringWidth(it, font, size) <= width:
            lines.append(it)
            shown += 1
        else:
            break
    while shown < len(items):
        tail = f" +{len(items) - shown}"
        if stringWidth(lines[-1] + tail, font, size) <= width or lines[-1] in ("", head):
            lines[-1] += tail
            break
        rest, _, _ = lines[-1].rpartition(" ")
        lines[-1] = rest if len(lines) == 1 or rest else ""
        shown -= 1
    return [line.strip() for line in lines if line.strip()]


def _draw_items(c: rl_canvas.Canvas, items: tuple[str, ...], x: float, y: float, width: float) -> None:
    c.setFont(CJK_FONT, 5)
    for i, text in enumerate(item_lines(items, width)):
        c.drawString(x, y - 5.5 * i, text)


def write_labels_pdf(plan: Plan, labels: list[CrateLabel], path: str | Path, lang: str) -> None:
    """Write all labels to ``path``, 14 to a page, with page x of y and the plan id on top."""
    register_cjk_font()
    per_page = SHEET["cols"] * SHEET["rows"]

    def header(c: rl_canvas.Canvas, page: int, pages: int) -> None:
        c.saveState()
        c.setFont(CJK_FONT, 7)
        c.setFillColor(colors.Color(0.35, 0.35, 0.35))
        c.drawString(
            SHEET["left"] * mm,
            A4[1] - 9 * mm,
            f"bookvan · {word('plan', lang)} {plan.plan_id} · {plan.date:%Y-%m-%d} · "
            f"{len(labels)} {word('crate', lang)} · A4 2×7 99.1×38.1 mm",
        )
        c.drawRightString(A4[0] - SHEET["left"] * mm, A4[1] - 9 * mm, word("page", lang).format(x=page, y=pages))
        c.restoreState()

    canvas_cls = numbered_canvas(header)
    c = canvas_cls(str(path), pagesize=A4, invariant=1)
    c.setTitle(f"crate labels {plan.date:%Y-%m-%d}")
    c.setAuthor("bookvan")
    c.setSubject(f"plan {plan.plan_id}")
    for i, lab in enumerate(labels):
        k = i % per_page
        if i and k == 0:
            c.showPage()
        col, row = k % SHEET["cols"], k // SHEET["cols"]
        x = (SHEET["left"] + col * SHEET["dx"]) * mm
        y = A4[1] - (SHEET["top"] + row * SHEET["dy"] + SHEET["h"]) * mm
        _draw_label(c, lab, x, y, lang)
    c.showPage()
    c.save()
