"""Slide images through kaleido and the meeting pack (PPTX and PDF), opened and inspected."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageDraw, ImageFont

from natality.core.theme import finish_figure
from natality.export import render as export
from tests.conftest import run_pack

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
CJK = re.compile(r"[\u4e00-\u9fff]")
TITLE = "出生人数变化"
NO_CJK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # DejaVu has no Chinese glyphs


def ink(image: Image.Image) -> Image.Image:
    """Dark pixels (text) as a 1-bit mask."""
    return image.convert("L").point(lambda v: 255 if v < 110 else 0).convert("1")


def glyph_profile(mask: Image.Image) -> tuple[float, float]:
    """(share of the text box that is ink, share of ink pixels inside the box's outer 12 % frame)."""
    box = mask.getbbox()
    assert box, "no dark pixels at all"
    text = mask.crop(box)
    w, h = text.size
    pixels = text.load()
    dark = [(x, y) for x in range(w) for y in range(h) if pixels[x, y]]
    frame = sum(1 for x, y in dark if y < 0.12 * h or y > 0.88 * h)
    return len(dark) / (w * h), frame / len(dark)


def pillow_text(text: str, font_path: str, size: int) -> Image.Image:
    image = Image.new("RGB", (size * (len(text) + 2), size * 2), "white")
    ImageDraw.Draw(image).text((size // 2, size // 2), text, font=ImageFont.truetype(font_path, size), fill="black")
    return image


@pytest.mark.browser
def test_png_is_slide_size_and_its_chinese_title_has_real_glyphs():
    fig = finish_figure(go.Figure(go.Bar(x=["甲", "乙"], y=[3, 4])), TITLE, "全县", "数据截至2026年9月。来源：测试")
    png = export.figure_png(fig)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "export_title_zh.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1920, 1080)
    # The title: bold 18 px at scale 2, top left (x 0.01 of 1920, y from 3 % of the height).
    title = ink(image.crop((0, 0, 700, 52)))  # above the subtitle
    density, framed = glyph_profile(title)
    # The same text drawn by Pillow with a real CJK font and with one lacking CJK (empty boxes).
    cjk_font = str(export.cjk_font_file())
    _, real_framed = glyph_profile(ink(pillow_text(TITLE, cjk_font, 36)))
    _, box_framed = glyph_profile(ink(pillow_text(TITLE, NO_CJK_FONT, 36)))
    # Empty boxes put almost half their ink on the top and bottom edges; Chinese glyphs about a quarter.
    assert box_framed > 0.4 and real_framed < 0.3
    assert density > 0.1, "the title area is blank"
    assert framed < 0.33 and abs(framed - real_framed) < abs(framed - box_framed)


def test_no_cjk_font_fails_loudly(tmp_path, demo_data):
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    result = run_pack(demo_data, tmp_path / "p.pptx", 2025, "zh", {"FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 1
    assert "no CJK font found" in result.stderr and "fonts-noto-cjk" in result.stderr
    assert not (tmp_path / "p.pptx").exists()


@pytest.mark.parametrize(("out", "year", "message"), [("p.txt", 2025, ".pptx or .pdf"), ("p.pdf", 2031, "up to")])
def test_bad_pack_arguments_exit_2(tmp_path, demo_data, out, year, message):
    result = run_pack(demo_data, tmp_path / out, year, "en")
    assert result.returncode == 2 and message in result.stderr


HEADINGS_ZH = [
    "会议材料",
    "主要指标",
    "出生趋势",
    "各乡镇出生人数",
    "出生人口性别比趋势",
    "各乡镇性别比（漏斗图）",
    "考核评分",
    "出生率地图",
    "出生人口性别比地图",
    "与上年对比：要点",
    "各乡镇出生人数变化",
    "出生人数变化地图",
]


@pytest.fixture(scope="module")
def pptx_zh(demo_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "pack_2025_zh.pptx"
    result = run_pack(demo_data, out, 2025, "zh")
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.browser
def test_pptx_in_chinese(pptx_zh, demo_data):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from natality.core import db

    prs = Presentation(str(pptx_zh))
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    slides = list(prs.slides)
    assert [s.shapes.title.text for s in slides] == HEADINGS_ZH
    for slide in slides:
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        image = Image.open(io.BytesIO(pictures[0].image.blob))
        assert image.size == (1920, 1080)
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
    # the numbers in the notes are the pages' numbers
    trend = db.run_query("county_births_by_year", demo_data, township_code=None)
    births_2025 = trend.filter(trend["year"] == 2025)["births"][0]
    assert f"2025: {births_2025:,};" in slides[2].notes_slide.notes_text_frame.text
    summary = slides[9].notes_slide.notes_text_frame.text
    assert summary.startswith(f"全县出生{births_2025:,}人") and CJK.search(summary)


@pytest.mark.browser
def test_pdf_in_english(demo_data, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "pack_2025_en.pdf"
    result = run_pack(demo_data, out, 2025, "en")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(out))
    assert len(reader.pages) == 12
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) * 9 == pytest.approx(float(box.height) * 16)
        assert page.get("/Annots"), "each page carries its numbers as a note"
    titles = [item.title for item in reader.outline]
    assert titles[:3] == ["Meeting pack", "Headline numbers", "Births trend"] and len(titles) == 12
    # Chromium's PDF maps letters back to text but not the CJK font's digits: compare words only.
    text = unicodedata.normalize("NFKC", reader.pages[2].extract_text())
    assert "Births and crude birth rate by year" in text and "Source: synthetic demo data" in text
    assert not CJK.search(unicodedata.normalize("NFKC", reader.pages[1].extract_text()))
