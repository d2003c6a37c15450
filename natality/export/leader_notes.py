"""Leaders' notes into the meeting pack: each note goes into the speaker notes of the slide that
shows its chart; notes on charts the pack has no slide for (a township's profile, the Births
page) go into the title slide's notes, each saying where it was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from natality.core.context import Ctx
from natality.core.notes import Note

# slides.Slide (heading, figure, notes, chart); not imported: slides imports this module.
Slide = Any

# Page url_path -> its name in the navigation (locales/common.yaml).
PAGE_NAMES = {
    "overview": "nav.overview",
    "births": "nav.births",
    "sex-ratio": "nav.sex_ratio",
    "scorecard": "nav.scorecard",
    "township": "nav.township",
    "map": "nav.map",
    "compare": "nav.compare",
}
MAP_DEFAULT = "births"  # the Map page's indicator when the URL names none


def slide_chart(note: Note) -> str:
    """The ``Slide.chart`` a note belongs on: the map's slides are one per indicator."""
    if note.page == "map":
        return f"map:{note.state.get('indicator', MAP_DEFAULT)}"
    return note.chart


def note_line(note: Note, ctx: Ctx, names: dict[str, str], where: bool = False) -> str:
    """'王主任（2026-12-03）：…' with, for a note shown away from its chart, the page and township."""
    line = ctx.t("notes.pack_line", author=note.author, date=note.created_at[:10], text=note.body)
    if not where:
        return "• " + line
    place = [ctx.t(PAGE_NAMES[note.page])] if note.page in PAGE_NAMES else [note.page]
    if note.township_code:
        place.append(names.get(note.township_code, note.township_code))
    return f"• [{' · '.join(place)}] {line}"


def with_leader_notes(slides: Sequence[Slide], notes: Sequence[Note], ctx: Ctx) -> list[Slide]:
    """``slides`` with the leaders' ``notes`` appended to their speaker notes (unchanged without notes)."""
    slides = list(slides)
    if not notes or not slides:
        return slides
    towns = ctx.query("township_list")
    names = dict(zip(towns["township_code"].to_list(), towns[ctx.name_col].to_list(), strict=True))
    charts = {s.chart for s in slides if s.chart}
    other = [n for n in notes if slide_chart(n) not in charts]
    heading = ctx.t("notes.pack_heading")
    out = []
    for i, slide in enumerate(slides):
        lines = [note_line(n, ctx, names) for n in notes if slide.chart and slide_chart(n) == slide.chart]
        if i == 0 and other:
            lines += [ctx.t("notes.pack_other"), *(note_line(n, ctx, names, where=True) for n in other)]
        if lines:
            slide = replace(slide, notes="\n".join([slide.notes, "", heading, *lines]).strip())
        out.append(slide)
    return out
