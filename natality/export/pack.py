"""The meeting pack (``python -m natality pack``): slides written as PPTX (python-pptx) or PDF (pypdf).

16:9 throughout. PPTX: a title on every slide (CJK font set for East Asian text too), the chart
as a 1920 x 1080 PNG, the numbers in the speaker notes. PDF: each slide is a vector page drawn
by Chromium, so Chinese stays text in the embedded Noto Sans CJK; headings become bookmarks and
the numbers a note on the page.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from pathlib import Path

from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text

from natality.core import extract
from natality.core.context import region_names
from natality.core.progress import Progress, Steps, terminal_progress
from natality.export.render import CJK_FAMILY, MIME, ExportError, Renderer
from natality.export.slides import Slide, build_slides

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


def write_pptx(slides: list[Slide], renderer: Renderer, lang: str, steps: Steps | None = None) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = slides[0].heading if slides else ""
    prs.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    title_h = Inches(0.8)
    for i, slide in enumerate(slides, 1):
        if steps is not None:
            steps.now("export.step.slide", i=i, n=len(slides), heading=slide.heading)
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
        if steps is not None:
            steps.did("export.step.slide", i=i, n=len(slides), heading=slide.heading)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def write_pdf(slides: list[Slide], renderer: Renderer, lang: str, steps: Steps | None = None) -> bytes:
    writer = PdfWriter()
    for i, slide in enumerate(slides):
        if steps is not None:
            steps.now("export.step.slide", i=i + 1, n=len(slides), heading=slide.heading)
        page = PdfReader(io.BytesIO(renderer.render(slide.figure, "pdf"))).pages[0]
        writer.add_page(page)
        writer.add_outline_item(slide.heading, i)
        if slide.notes:
            box = page.mediabox
            note = Text(
                text=slide.notes,
                rect=(float(box.right) - 40, float(box.top) - 40, float(box.right) - 16, float(box.top) - 16),
                open=False,
            )
            writer.add_annotation(page_number=i, annotation=note)
        if steps is not None:
            steps.did("export.step.slide", i=i + 1, n=len(slides), heading=slide.heading)
    writer.add_metadata({"/Title": slides[0].heading if slides else "", "/Lang": "zh-CN" if lang == "zh" else "en"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pack_bytes(
    data_dir: str | Path | None,
    year: int,
    lang: str,
    fmt: str,
    region: str | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The meeting pack of ``year`` in ``lang`` as PPTX or PDF bytes, for ``region`` (None: everything);
    ``progress`` is told of each step: the slides' numbers, then each slide drawn."""
    if fmt not in MIME:
        raise ExportError(f"unknown pack format {fmt!r}: expected pptx or pdf")
    steps = Steps(progress, 2)
    with Renderer() as renderer:
        steps.now("export.step.numbers")
        slides = build_slides(data_dir, year, lang, region)
        steps.total = len(slides) + 2
        steps.did("export.step.numbers_done", n=len(slides))
        data = (write_pptx if fmt == "pptx" else write_pdf)(slides, renderer, lang, steps)
    steps.did("export.step.done", kb=f"{len(data) / 1024:,.0f}")
    return data


def run_pack(args) -> int:
    """Exit 0 written; 2 bad input (format, year); 1 the pack cannot be made here (font, browser)."""
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in MIME:
        print(f"error: --out {out}: expected a .pptx or .pdf file name", file=sys.stderr)
        return 2
    try:
        version_dir = extract.live_version_dir(args.data or extract.default_data_dir())
        manifest = extract.read_manifest(version_dir)
    except extract.ExtractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    region = args.region or None
    if region and region not in region_names(str(version_dir), manifest):
        known = ", ".join(sorted(region_names(str(version_dir), manifest))[:12])
        print(
            f"error: --region {region[:40]}: not a county, city or province of this extract (e.g. {known})",
            file=sys.stderr,
        )
        return 2
    last = int(manifest["cutoff_month"][:4])
    if not 2000 <= args.year <= last:
        print(f"error: --year {args.year}: the extract has data up to {manifest['cutoff_month']}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        data = pack_bytes(args.data, args.year, args.lang, fmt, region, terminal_progress(args.lang))
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with contextlib.suppress(FileNotFoundError):
        out.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # a reader never sees half a file
    print(
        f"meeting pack written: {out} ({len(data) / 1024:,.0f} KB, {time.monotonic() - started:.1f} s)", file=sys.stderr
    )
    return 0
