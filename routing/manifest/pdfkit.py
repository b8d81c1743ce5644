"""What the manifest and label PDFs share: fonts, paragraph styles, page numbering, drawings.

Every font in every PDF is embedded (``pdffonts`` says ``yes`` for each): text, drawings and
the canvas all start in the embedded CJK font, never in reportlab's unembedded Helvetica.

"Page x of y" needs the page count before the first footer is drawn, so the canvas keeps each
page's state and draws all footers on save.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import TableStyle

from bookvan.routing.manifest.fonts import CJK_FONT, bold_font, register_cjk_font

__all__ = ["drawing", "esc", "latin_bold", "numbered_canvas", "styles", "table_style"]


def drawing(width: float, height: float) -> Drawing:
    """A reportlab Drawing whose default font is the embedded CJK one.

    reportlab starts every drawing in Helvetica, one of the 14 standard fonts it never embeds;
    a PDF with an unembedded font is not fit for archiving (PDF/A), so no drawing may use it.
    """
    register_cjk_font()
    return Drawing(width, height, initialFontName=CJK_FONT)


def table_style(commands: list[tuple]) -> TableStyle:
    """A table style whose cells start in the embedded CJK font (reportlab's default cell font
    is the unembedded Helvetica, set on the page even when every cell is a Paragraph)."""
    register_cjk_font()
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), CJK_FONT), *commands])


def esc(text: object) -> str:
    """Escape text for a reportlab Paragraph; newlines become line breaks."""
    return escape(str(text)).replace("\n", "<br/>")


def latin_bold(text: str) -> str:
    """Bold for ASCII text (a Latin bold font); the CJK font has no bold, so others stay plain."""
    return f'<font name="{bold_font()}">{esc(text)}</font>' if text.isascii() else esc(text)


def styles(base_size: float = 8) -> dict[str, ParagraphStyle]:
    """Paragraph styles in the embedded CJK font (CJK line breaking)."""
    register_cjk_font()
    base = ParagraphStyle("base", fontName=CJK_FONT, fontSize=base_size, leading=base_size * 1.25, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=base_size - 1.5, leading=(base_size - 1.5) * 1.2),
        # transfer lines break at spaces only, so a node code is never cut in two
        "line": ParagraphStyle("line", parent=base, wordWrap=None),
        # crate ids break only between ids, never inside one, so a scanned id is found whole
        "ids": ParagraphStyle(
            "ids",
            parent=base,
            fontSize=base_size - 1.5,
            leading=(base_size - 1.5) * 1.2,
            wordWrap=None,
        ),
        "head": ParagraphStyle("head", parent=base, fontSize=base_size, leading=base_size * 1.2),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=20),
        "big": ParagraphStyle("big", parent=base, fontSize=11, leading=14),
    }


def numbered_canvas(footer: Callable[[rl_canvas.Canvas, int, int], None]) -> type[rl_canvas.Canvas]:
    """A canvas class whose pages get ``footer(canvas, page, pages)`` once the count is known."""

    class _Numbered(rl_canvas.Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            # no unembedded Helvetica in the file; platypus passes initialFontName=None itself
            kwargs["initialFontName"] = kwargs.get("initialFontName") or CJK_FONT
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for i, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                footer(self, i, total)
                super().showPage()
            super().save()

    return _Numbered
