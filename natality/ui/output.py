"""Chart output and downloads: every plotly chart reaches the page through ``show_figure`` (phone,
presentation, desktop), with its images, its table as CSV and Excel, and the leaders' notes under it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from natality.births import charts as births_charts
from natality.core import i18n, theme
from natality.core.context import Ctx
from natality.export import narrow, render
from natality.ui.cached import township_names
from natality.ui.figures import Built, figure
from natality.ui.lang import language
from natality.ui.notes import chart_notes
from natality.ui.phone import is_phone
from natality.ui.present import presenting
from natality.ui.run import page_context
from natality.ui.selectors import find_township

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def for_display(fig: go.Figure) -> go.Figure:
    """The figure as this session shows it: larger type in presentation mode (a copy: a shared
    ``Built`` figure is never changed)."""
    if not presenting():
        return fig
    return theme.presentation_figure(fig.full() if isinstance(fig, Built) else fig)


def show_figure(fig: go.Figure, key: str, desktop_config: dict | None = None, **select: Any) -> Any:
    """``st.plotly_chart`` as this session's screen wants it: on a phone laid out for the width
    (``narrow.phone_figure``: wrapped title, legend below, no floating toolbar), larger type in
    presentation mode, else as built (with ``desktop_config``, else the slide toolbar).
    ``select``: ``on_select`` / ``selection_mode``."""
    shown = for_display(fig)
    if is_phone():
        return st.plotly_chart(narrow.phone_figure(shown), key=key, config=narrow.PHONE_CONFIG, **select)
    return st.plotly_chart(shown, key=key, config=desktop_config or theme.EXPORT_CONFIG, **select)


def show_chart(
    fig: go.Figure,
    key: str,
    table: pl.DataFrame | None = None,
    file_stem: str = "table",
    links_townships: bool = False,
) -> Any:
    """A plotly chart (``show_figure``) with its images to download (slide and portrait), the
    table behind it for download, and the leaders' notes on it (``chart_notes``).

    ``links_townships``: the figure's points carry township codes as customdata, and a click
    opens that township's profile.
    """
    if links_townships:
        event = show_figure(fig, key, on_select="rerun", selection_mode="points")
        open_township_profile(clicked_township(event, set(township_names(page_context()))))
    else:
        event = show_figure(fig, key)
    image_downloads(fig, key, file_stem if table is not None else key)
    if table is not None:
        show_table_downloads(table, key=key, file_stem=file_stem)
    chart_notes(key)
    return event


@st.cache_resource(show_spinner=False)
def _export_problem() -> str:
    """Why this server cannot render images ("" when it can): checked once per process."""
    try:
        render.cjk_font_file()
        render.chromium_path()
    except render.ExportError as exc:
        return str(exc)
    return ""


def slide_png(fig: go.Figure) -> bytes:
    """The chart as a 1920 x 1080 slide image (960 x 540 at scale 2)."""
    return render.figure_png(go.Figure(fig).update_layout(width=render.SLIDE_PX[0], height=render.SLIDE_PX[1]))


def portrait_png(fig: go.Figure) -> bytes:
    """The chart as a portrait image for a chat group: 1080 px wide, title and footnote inside."""
    portrait = narrow.portrait_figure(fig)
    return render.figure_png(portrait, (narrow.PORTRAIT_WIDTH, int(portrait.layout.height)))


def image_downloads(fig: go.Figure, key: str, file_stem: str) -> None:
    """The chart's two images as download buttons in a popover: the slide (1920 x 1080, also the
    desktop toolbar's camera) and the portrait for phones; rendered by kaleido when tapped. The
    buttons are made only while the popover is open (a closed one is one element per view)."""
    lang = language()
    problem = _export_problem()
    box = st.popover(i18n.t("export.images", lang), icon=":material/image:", key=f"{key}_images", on_change="rerun")
    if not box.open:
        return  # the buttons are made only while the popover is open
    with box:
        if problem:
            st.caption(i18n.t("export.image_unavailable", lang, reason=problem))
        for kind, make in (("slide", slide_png), ("portrait", portrait_png)):
            st.download_button(
                i18n.t(f"export.image_{kind}", lang),
                lambda make=make: make(fig),
                file_name=f"{file_stem}_{kind}.png",
                mime="image/png",
                key=f"{key}_{kind}_png",
                on_click="ignore",
                disabled=bool(problem),
                icon=":material/download:",
            )


def clicked_township(event: Any, codes: set[str]) -> str | None:
    """The township code of the first clicked point, if any: a map's location, else whichever of
    the point's customdata values is one of ``codes`` (charts put the code where their hover allows)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        data = point.get("customdata")
        candidates = [point.get("location"), *(data if isinstance(data, list | tuple) else [data])]
        for value in candidates:
            if isinstance(value, str) and value in codes:
                return value
    return None


def open_township_profile(code: str | None) -> None:
    """Open the Township page on ``code`` (nothing when None)."""
    if code:
        st.switch_page("pages/township.py", query_params={"township": code, "lang": language()})


def show_table_downloads(table: pl.DataFrame, key: str, file_stem: str, expanded: bool = False) -> None:
    """The table in an expander, with CSV (UTF-8 with BOM) and Excel downloads made when clicked.
    The table and the buttons are sent only while the expander is open (``on_change="rerun"``):
    a closed one is one element per view, not a table's Arrow bytes and two buttons."""
    lang = language()
    box = st.expander(i18n.t("common.show_table", lang), expanded=expanded, key=f"{key}_table_box", on_change="rerun")
    if not box.open:
        return
    with box:
        st.dataframe(arrow(table), hide_index=True, key=f"{key}_table", placeholder="–")  # never "None"
        left, right = st.columns(2)
        # The files are made when the button is clicked (a callable), not on every rerun: at 2,000
        # townships an Excel file takes about a second. UTF-8 with BOM so that Excel opens Chinese CSV.
        left.download_button(
            i18n.t("common.download_csv", lang),
            lambda: table.write_csv().encode("utf-8-sig"),
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
        right.download_button(
            i18n.t("common.download_xlsx", lang),
            lambda: excel_bytes(table),
            file_name=f"{file_stem}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
        )


def show_township_grid(shown: Any, codes: pl.Series, key: str, year: int) -> None:
    """A table of townships (``shown``: a frame or a pandas Styler, rows in the order of ``codes``),
    every row without scrolling up to ~30; a row picked opens that township's profile for ``year``."""
    event = st.dataframe(
        shown,
        hide_index=True,
        height=min(36 * (len(codes) + 1) + 3, 1100),
        key=key,
        on_select="rerun",
        selection_mode="single-row",
    )
    if event.selection.rows:
        code = codes[event.selection.rows[0]]
        st.switch_page("pages/township.py", query_params={"township": code, "year": year, "lang": language()})


def xlsx_download(label: str, make: Callable[[], bytes], file_name: str, key: str) -> None:
    """A download button of an Excel file made by ``make`` when clicked (not on every rerun)."""
    st.download_button(label, make, file_name=file_name, mime=XLSX_MIME, key=key, on_click="ignore")


def arrow(table: Any) -> Any:
    """A polars frame as the Arrow table ``st.dataframe`` shows: given a polars frame, Streamlit
    converts it to pandas on every view (a third of a table's cost, and the conversion ran
    inside polars while holding the interpreter lock: one half of a freeze under load)."""
    return table.to_arrow() if isinstance(table, pl.DataFrame) else table


def excel_bytes(table: pl.DataFrame) -> bytes:
    """The table as an .xlsx file's bytes, columns fitted to their contents."""
    buffer = io.BytesIO()
    table.write_excel(buffer, autofit=True)
    return buffer.getvalue()


def show_township_ranking(
    ctx: Ctx,
    by_town: pl.DataFrame,
    key: str,
    find_key: str,
    title: str,
    subtitle: str,
    table: pl.DataFrame,
    file_stem: str,
) -> None:
    """Townships ranked by births (``births_by_township_year``): the find-a-township box (only the
    ends are drawn when there are many), the bar chart with what was found marked, its downloads."""
    found = find_township(ctx, by_town.height, find_key)
    fig = figure(
        births_charts.township_births_bar, by_town, ctx.lang, title, subtitle, ctx.footnote(), find=found.codes
    )
    show_chart(fig, key, table, file_stem, links_townships=True)
