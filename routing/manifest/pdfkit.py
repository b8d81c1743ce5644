"""What the manifest and label PDFs share: fonts, paragraph styles, page numbering.

"Page x of y" needs the page count before the first footer is drawn, so the canvas keeps each
page's state and draws all footers on save.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as rl_canvas

from bookvan.routing.manifest.fonts import CJK_FONT, bold_font, register_cjk_font

__all__ = ["esc", "latin_bold", "numbered_canvas", "styles"]


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
            kwargs.setdefault("initialFontName", CJK_FONT)  # no unembedded Helvetica in the file
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
