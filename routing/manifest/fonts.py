"""Find and register a CJK TrueType font reportlab can embed, or say which package to install.

reportlab embeds TrueType outlines only (not the CFF outlines of Noto CJK), so the search list
holds TrueType collections from Debian packages. A missing font is a set-up problem, reported
as an :class:`~bookvan.data.errors.InputError` naming the package (the CLI exits 2), never
printed as empty boxes.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from bookvan.data.errors import InputError

__all__ = ["CJK_FONT", "CJK_FONT_CANDIDATES", "bold_font", "register_cjk_font"]

CJK_FONT = "BookvanCJK"
# (path, sub-font index in the collection, Debian package that installs it)
CJK_FONT_CANDIDATES: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic-bkai00mp/bkai00mp.ttf", 0, "fonts-arphic-bkai00mp"),
)
_ENV = "BOOKVAN_CJK_FONT"  # a path to another TrueType font with Traditional Chinese glyphs


def _candidates() -> list[tuple[str, int, str]]:
    extra = os.environ.get(_ENV)
    return ([(extra, 0, f"the file named by {_ENV}")] if extra else []) + list(CJK_FONT_CANDIDATES)


@cache
def register_cjk_font() -> str:
    """Register the first CJK font found under :data:`CJK_FONT`; return the file used."""
    tried = []
    for path, index, _package in _candidates():
        if not Path(path).is_file():
            tried.append(path)
            continue
        font = TTFont(CJK_FONT, path, subfontIndex=index)
        if ord("館") not in font.face.charToGlyph:
            tried.append(f"{path} (no Traditional Chinese glyphs)")
            continue
        pdfmetrics.registerFont(font)
        return path
    raise InputError.single(
        "CJK font",
        "no TrueType font with Traditional Chinese found (looked for "
        + ", ".join(tried)
        + "); install the Debian package fonts-wqy-zenhei (apt-get install fonts-wqy-zenhei) "
        "or fonts-arphic-uming, or set BOOKVAN_CJK_FONT to a .ttf/.ttc file",
    )


_LATIN_BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",  # fonts-dejavu-core
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",  # fonts-liberation
)
LATIN_BOLD = "BookvanBold"


@cache
def bold_font() -> str:
    """Name of an embedded bold Latin font for codes and times (the CJK font has no bold).

    Without one, falls back to the embedded CJK font (regular weight), never to the standard
    Helvetica-Bold, which reportlab does not embed.
    """
    for path in _LATIN_BOLD_CANDIDATES:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(LATIN_BOLD, path))
            return LATIN_BOLD
    register_cjk_font()
    return CJK_FONT
