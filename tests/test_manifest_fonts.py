"""Every font in every manifest PDF is embedded (PDF/A-ready): none of reportlab's standard 14."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from bookvan.routing.manifest import write_manifests
from bookvan.routing.manifest.fonts import CJK_FONT
from bookvan.routing.manifest.pdfkit import drawing, table_style
from bookvan.routing.manifest.sample import write_sample_plan


def test_drawings_and_tables_start_in_the_embedded_font() -> None:
    assert drawing(10, 10).initialFontName == CJK_FONT
    cmds = table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]).getCommands()
    assert cmds[0] == ("FONTNAME", (0, 0), (-1, -1), CJK_FONT)


def _fonts(pdf) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_every_font_of_every_pdf_is_embedded(tmp_path) -> None:
    folder = write_sample_plan(tmp_path / "plan", dt.date(2026, 12, 1))
    out = write_manifests(folder, lang="both").out_dir
    pdfs = sorted(out.rglob("*.pdf"))
    assert len(pdfs) >= 2  # runs and labels
    for pdf in pdfs:
        fonts = _fonts(pdf)
        assert fonts, pdf
        # columns: name type [type…] encoding emb sub uni object ID; 'emb' is 5th from the end
        assert all(row[-5] == "yes" for row in fonts), (pdf, fonts)
        assert not any(row[0].startswith("Helvetica") for row in fonts), (pdf, fonts)
