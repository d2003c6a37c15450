"""The meeting pack (``python -m natality pack``) of the hostile-name extract: the slides' text
carries every name exactly as written (no escapes left in it), and the drawn figures (the PDF's
pages, drawn by Chromium from the same plotly figures as the PNGs of the PPTX) show the names
as text, not as markup."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.conftest import run_pack
from tests.hostile_names import EXTRACT_NAME, TOWNS, build_hostile_extract

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile_extract(tmp_path_factory.mktemp("hostile"))


def _pack(data: Path, out: Path, lang: str) -> None:
    done = run_pack(data, out, 2024, lang)
    assert done.returncode == 0, done.stderr


def test_pptx_slide_text_is_the_names_as_written(hostile, tmp_path):
    from pptx import Presentation

    out = tmp_path / "pack.pptx"
    _pack(hostile, out, "en")
    slides = list(Presentation(str(out)).slides)
    notes = [s.notes_slide.notes_text_frame.text for s in slides]
    titles = [s.shapes.title.text for s in slides]
    assert EXTRACT_NAME in notes[0]  # the title slide: the extract's name as given with --name
    ranking = next(n for n in notes if TOWNS[0] in n)
    for name in TOWNS:
        assert f"{name} " in ranking, name  # 'name births' for every township, as written
    for text in notes + titles:  # no escape of any sink left in the slides' text
        for escaped in ("&amp;", "&lt;b&gt;乡", "&lt;a", "\\*", "\\[", "\u2060"):
            assert escaped not in text, (escaped, text[:200])


def test_pdf_pages_draw_the_names_as_text(hostile, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "pack.pdf"
    _pack(hostile, out, "zh")
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(out)).pages]
    ranking = next(p for p in pages if "各乡镇出生人数排名" in p)
    # Drawn as written: tags, entities and Markdown of the names are text on the page (digits
    # are left out: the embedded font's digits do not extract as text). The axis shows each name
    # shortened to 24 columns ("…" extracts as "..."), the hover and table keep it whole.
    assert "www.example.com :red[红..." in ranking  # TOWNS[3], its "&lt;b&gt;" cut off
    assert "王店<b>乡</b><br>_斜_ `..." in ranking
    assert "城关镇**粗**[点此领取]..." in ranking
    assert "测试<a href='http://" in pages[0] and "名</a>**粗**$z$" in pages[0]
