"""Writers of the meeting pack: PPTX (python-pptx) and PDF (kaleido pages merged with pypdf).

16:9 throughout. PPTX: a title on every slide (CJK font set for East Asian text too), the chart
as a 1920 x 1080 PNG, the numbers in the speaker notes. PDF: each slide is a vector page drawn
by Chromium, so Chinese stays text in the embedded Noto Sans CJK; headings become bookmarks and
the numbers a note on the page.
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text

from natality.export import CJK_FAMILY, Renderer
from natality.export_slides import Slide

SLIDE_W, SLIDE_H = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in: exactly 16:9
TITLE_ONLY = 5  # layout index of "Title Only" in python-pptx's default template


def _set_font(run, size: int, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = CJK_FAMILY
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):  # East Asian text needs its own typeface entry
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", CJK_FAMILY)


def write_pptx(slides: list[Slide], renderer: Renderer, lang: str) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = slides[0].heading if slides else ""
    prs.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    title_h = Inches(0.8)
    for slide in slides:
        page = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        title = page.shapes.title
        title.left, title.top, title.width, title.height = Inches(0.4), Inches(0.1), SLIDE_W - Inches(0.8), title_h
        title.text_frame.text = slide.heading
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                _set_font(run, 26, bold=True)
        png = renderer.render(slide.figure, "png")
        height = SLIDE_H - title_h - Inches(0.2)
        width = Emu(int(height * 16 / 9))
        page.shapes.add_picture(io.BytesIO(png), (SLIDE_W - width) // 2, title_h + Inches(0.1), width, height)
        notes = page.notes_slide.notes_text_frame
        notes.text = slide.notes
        for paragraph in notes.paragraphs:
            for run in paragraph.runs:
                _set_font(run, 12)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def write_pdf(slides: list[Slide], renderer: Renderer, lang: str) -> bytes:
    writer = PdfWriter()
    for i, slide in enumerate(slides):
        page = PdfReader(io.BytesIO(renderer.render(slide.figure, "pdf"))).pages[0]
        writer.add_page(page)
        writer.add_outline_item(slide.heading, i)
        if slide.notes:
            box = page.mediabox
            note = Text(text=slide.notes, rect=(float(box.right) - 40, float(box.top) - 40, float(box.right) - 16,
                                                float(box.top) - 16), open=False)  # fmt: skip
            writer.add_annotation(page_number=i, annotation=note)
    writer.add_metadata({"/Title": slides[0].heading if slides else "", "/Lang": "zh-CN" if lang == "zh" else "en"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
