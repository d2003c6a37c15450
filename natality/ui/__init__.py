"""Shared Streamlit pieces: page context, cached queries, URL-synced selectors, chart output.

The only part of the package that imports streamlit (with ``lang``, ``regions``, ``access``,
``notes``, ``phone`` and ``share`` beside it). Page state lives in the URL (``?lang=``, ``?year=``, ``?township=``) so
that a copied link opens the same view.

May import: natality.core, natality.geo, natality.importing, natality.demo, natality.srb, natality.scorecard,
natality.births, natality.maps, natality.compare, natality.export.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from natality.births import alerts, projection
from natality.compare import monthly
from natality.core import db, extract, i18n, literal, theme
from natality.core.context import Ctx
from natality.demo.county import build_demo
from natality.export import narrow, render
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring
from natality.ui.access import login_configured as login_configured
from natality.ui.access import require_login as require_login
from natality.ui.access import session_who as session_who
from natality.ui.figures import Built, SharedGeoJSON
from natality.ui.figures import figure as figure
from natality.ui.lang import language as language
from natality.ui.lang import language_selector as language_selector
from natality.ui.notes import PAGE_KEY as PAGE_KEY
from natality.ui.notes import chart_notes as chart_notes
from natality.ui.phone import is_phone as is_phone
from natality.ui.phone import narrow_css as narrow_css
from natality.ui.regions import REGION_KEY as REGION_KEY
from natality.ui.regions import _region_names, _regions, _requested_region
from natality.ui.regions import map_widget_key as map_widget_key
from natality.ui.regions import open_region as open_region
from natality.ui.regions import region_drilldown as region_drilldown
from natality.ui.share import copy_link_button as copy_link_button
from natality.ui.share import view_qr as view_qr
from natality.ui.warm import cache_data as version_cache_data
from natality.ui.warm import cache_resource as version_cache_resource
from natality.ui.warm import version_for_run
from natality.ui.warm import warm as warm_version
from natality.ui.warm import watch as watch_extract


@version_cache_data(max_entries=8)
def _manifest(version_dir: str) -> dict:
    return extract.read_manifest(version_dir)


def ensure_demo(data_dir: Path) -> None:
    """Build the demo extract on first start when the default extract is absent."""
    if data_dir == Path(extract.DEFAULT_DATA_DIR) and not (data_dir / "manifest.json").exists():
        with st.spinner("正在生成演示数据 / Building the demo county…"):
            build_demo(data_dir)


ROUTED = "_routed_by_dashboard"


PINNED = "_version_of_this_run"


def _ensure_routed() -> None:
    """Rerun through dashboard.py when Streamlit ran a page file on its own.

    With a ``pages/`` folder beside the entry script, Streamlit serves the very first request of
    a fresh server in its old folder mode, running e.g. ``pages/scorecard.py`` without the router
    (no sidebar, no language choice). One rerun goes through ``st.navigation`` and fixes it.
    """
    if st.session_state.get(ROUTED):
        return
    run = get_script_run_ctx()
    folder_mode = PagesManager.uses_pages_directory  # True only until st.navigation first runs
    if folder_mode and run is not None and Path(run.main_script_path).name == "dashboard.py":
        # What st.navigation itself does on its first call; the folder mode never set it.
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_context() -> Ctx:
    """Language, live extract and region for this run; stops the page with a clear message if no extract."""
    _ensure_routed()
    lang = language()
    data_dir = extract.default_data_dir()
    # One version per script run: the sidebar (dashboard.py) and the page read the version the
    # run started on, even when an import switches the live one in between.
    pinned = st.session_state.get(PINNED) if st.session_state.get(ROUTED) else None
    try:
        version_dir = version_for_run(data_dir, pinned, warm_overview)  # held while a new one warms
    except extract.ExtractError:
        st.error(i18n.t("app.no_extract", lang, path=literal.md(data_dir)))
        st.stop()
    if st.session_state.get(ROUTED):
        st.session_state[PINNED] = str(version_dir)
    watch_extract(data_dir, warm_overview)  # what every visitor shares, made in the background
    warm_version(str(version_dir), warm_overview)
    try:
        db.connection(str(version_dir))
    except db.DamagedExtract as exc:
        st.error(i18n.t("extract.damaged", lang, file=literal.md(exc.file), version=exc.version,
                        reason=literal.md(exc.reason)))  # fmt: skip
        kept = ", ".join(r["version"] + (" *" if r["live"] else "") for r in extract.list_versions(data_dir))
        st.info(i18n.t("extract.recover", lang, versions=kept or "—"))
        st.stop()
    manifest = _manifest(str(version_dir))
    code = _requested_region()
    names = _region_names(str(version_dir), manifest).get(code or "")
    return Ctx(
        lang=lang, data_dir=str(data_dir), version_dir=str(version_dir), manifest=manifest,
        region_code=code if names else None, region_names=names,
    )  # fmt: skip


def warm_overview(version_dir: str) -> None:
    """The Overview's shared parts for the whole extract in both languages (``ui.warm``): its
    queries, the month's changes and its map, the costliest parts of the page most leaders open first."""
    manifest = _manifest(version_dir)
    names = _region_names(version_dir, manifest).get("")
    for lang in ("zh", "en"):
        ctx = Ctx(lang=lang, data_dir=str(extract.data_dir_of(version_dir)), version_dir=version_dir,
                  manifest=manifest, region_code=None, region_names=names)  # fmt: skip
        year = ctx.cutoff_year
        query(ctx, "county_period_summary", year=year, month_to=ctx.months_in(year))
        query(ctx, "county_births_by_year", township_code=None)
        query(ctx, "births_by_township_year", year=year)
        query(ctx, "township_list")
        _regions(version_dir)
        month_changes(ctx)
        data_alerts(ctx)  # the changes panel names new alerts (seconds at 2,000 townships)
        if ctx.months_in(year) < 12:
            births_projection(ctx, year)  # the year-end tile
        figure(map_view.overview_births_map, version_dir, year, ctx.months_in(year), ctx.period(year),
               ctx.footnote(), lang)  # fmt: skip


def region_select(ctx: Ctx, container: Any = st) -> str | None:
    """The sidebar's region choice (URL ``region``): only regions that narrow the extract are offered.

    A county leader's link ``?region=CODE`` opens on that county on every page; an unknown code
    says so and shows the whole extract.
    """
    table = _regions(ctx.version_dir)
    everything = int(table["townships"].max() or 0)
    narrowing = table.filter(pl.col("townships") < everything)
    asked = _requested_region()
    if asked and asked not in set(table["region_code"].to_list()):
        container.warning(ctx.t("app.region_unknown", code=literal.md(asked[:40])))
        st.session_state[f"_kept_{REGION_KEY}"] = None
        st.query_params.pop(REGION_KEY, None)
    if narrowing.is_empty():
        return ctx.region_code
    depth = {"province": 0, "city": 1, "county": 2}
    labels = {
        r["region_code"]: "\u3000" * depth.get(r["level"], 2) + (r["name_en"] if ctx.lang == "en" else r["name"])
        + f" · {r['townships']}"
        for r in narrowing.rows(named=True)
    }  # fmt: skip
    options = [None, *labels]
    if ctx.region_code and ctx.region_code not in labels:
        options.append(ctx.region_code)
        labels[ctx.region_code] = ctx.region()
    whole = ctx.t("app.region_all", name=ctx.extract_name())
    return url_select(
        ctx.t("app.region"), options, REGION_KEY, None, lambda c: whole if c is None else labels.get(c, c), container
    )


@version_cache_data(max_entries=256)
def _query(version_dir: str, name: str, params: tuple) -> pl.DataFrame:
    return db.run_query(name, version_dir, **dict(params))


def scorecard_data(ctx: Ctx) -> scoring.ScorecardData:
    """Every year judged and scored (the Scorecard's numbers) for the session's region, ranked
    within it; kept per extract version, language and region (``scoring.region_scorecard``)."""
    return scoring.region_scorecard(ctx.version_dir, ctx.lang, ctx.region_code)


@version_cache_resource(max_entries=16)
def _township_geojson(version_dir: str, region: str | None = None) -> SharedGeoJSON:
    # shared, not copied per session (a province's is ~1 MB); figures know it by its fingerprint
    return SharedGeoJSON(layers.region_geojson(version_dir, region, "township"), (version_dir, region, "township"))


def township_geojson(ctx: Ctx) -> dict:
    """The region's townships' display geometry as GeoJSON, cached per extract version and
    region (never mutate it); coarser for a city or province, so 2,000 townships stay ~1 MB."""
    return _township_geojson(ctx.version_dir, ctx.region_code)


def query(ctx: Ctx, name: str, **params: Any) -> pl.DataFrame:
    """``db.run_query`` cached per extract version and region: a new import shows without a restart."""
    return _query(ctx.version_dir, name, tuple(sorted(ctx.scoped(name, params).items())))


def url_select(
    label: str,
    options: Sequence,
    key: str,
    default: Any,
    format_func: Callable[[Any], str] = str,
    container: Any = st,
) -> Any:
    """A selectbox whose value is kept in the URL parameter ``key`` (as ``str(value)``).

    The choice also follows the user across pages: the URL wins, then the last choice made on
    any page this session, then ``default``.
    """
    by_url = {"" if o is None else str(o): o for o in options}
    kept = f"_kept_{key}"
    if kept not in st.session_state or st.session_state[kept] not in options:
        url_value = st.query_params.get(key)
        st.session_state[kept] = by_url.get(url_value, default)
    # Set on every run: a widget with the same key on another page must not keep its own value.
    st.session_state[key] = st.session_state[kept]

    def remember() -> None:
        st.session_state[kept] = st.session_state[key]

    # Streamlit shows a None option as an empty choice: give it its own words instead.
    placeholder = format_func(None) if None in options else None
    value = container.selectbox(
        label, options, key=key, format_func=format_func, on_change=remember, placeholder=placeholder
    )
    if value is None or value == "":
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def year_select(ctx: Ctx, key: str = "year", container: Any = st) -> int:
    years = list(range(ctx.cutoff_year, 2014, -1))
    years = [y for y in years if y >= int(ctx.manifest.get("first_year", 2015))]

    def label(y: int) -> str:
        return f"{y} ({ctx.t('common.partial_short')})" if ctx.months_in(y) < 12 else str(y)

    return url_select(ctx.t("common.year"), years, key, ctx.cutoff_year, label, container)


@version_cache_data(max_entries=16)
def _month_changes(version_dir: str, region: str | None, lang: str, _ctx: Ctx) -> tuple[str, list[str]]:
    return monthly.overview_panel(_ctx, scorecard_data(_ctx).registry, lambda name, **p: query(_ctx, name, **p))


def month_changes(ctx: Ctx) -> tuple[str, list[str]]:
    """The Overview's "changes since last month" (heading, sentences), computed once per extract
    version, region and language."""
    return _month_changes(ctx.version_dir, ctx.region_code, ctx.lang, ctx)


def township_names(ctx: Ctx) -> dict[str, str]:
    """township_code -> display name in the session's language (ambiguous names disambiguated)."""
    towns = query(ctx, "township_list")
    return dict(zip(towns["township_code"].to_list(), towns[ctx.name_col].to_list(), strict=True))


def township_select(ctx: Ctx, key: str = "township", container: Any = st) -> str | None:
    """A township, or None for the whole county (shown as '全县' / 'Whole county')."""
    names = township_names(ctx)
    all_towns = ""  # a sentinel rather than None: a None option would render as an empty choice
    chosen = url_select(
        ctx.t("common.township"),
        [all_towns, *names],
        key,
        all_towns,
        lambda c: ctx.t("common.all_townships") if c == all_towns else names.get(c, c),
        container,
    )
    return chosen or None


def for_display(fig: go.Figure) -> go.Figure:
    """The figure as this session shows it: larger type in presentation mode (a copy: a shared
    ``Built`` figure is never changed)."""
    if not st.session_state.get("present"):
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
    desktop toolbar's camera) and the portrait for phones; rendered by kaleido when tapped."""
    lang = language()
    problem = _export_problem()
    with st.popover(i18n.t("export.images", lang), icon=":material/image:", key=f"{key}_images"):
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
    if code:
        st.switch_page("pages/township.py", query_params={"township": code, "lang": language()})


def show_table_downloads(table: pl.DataFrame, key: str, file_stem: str, expanded: bool = False) -> None:
    lang = language()
    with st.expander(i18n.t("common.show_table", lang), expanded=expanded):
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
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            on_click="ignore",
        )


def arrow(table: Any) -> Any:
    """A polars frame as the Arrow table ``st.dataframe`` shows: given a polars frame, Streamlit
    converts it to pandas on every view (a third of a table's cost, and the conversion ran
    inside polars while holding the interpreter lock: one half of a freeze under load)."""
    return table.to_arrow() if isinstance(table, pl.DataFrame) else table


def excel_bytes(table: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.write_excel(buffer, autofit=True)
    return buffer.getvalue()


# Presentation mode: the app's own chrome hidden, type enlarged, the sidebar collapsed on load.
PRESENT_CSS = """<style>
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stAppDeployButton"],
[data-testid="stMainMenu"], [data-testid="stElementToolbar"], [data-testid="stSidebarNav"] {display: none !important;}
[data-testid="stHeader"] {background: transparent; pointer-events: none;}
[data-testid="stHeader"] button {pointer-events: auto;}  /* the empty header lets taps through to the page */
.stMainBlockContainer {padding-top: 1.2rem; max-width: 100%;}
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label {font-size: 1.35rem !important;}
[data-testid="stMain"] h1 {font-size: 3rem;}
[data-testid="stMain"] h2, [data-testid="stMain"] h3 {font-size: 2.1rem;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 3.2rem !important;}
</style>"""


def presentation_requested() -> bool:
    """Whether the URL asks for presentation mode (``?present=1``), before any widget exists."""
    return st.session_state.get("present", st.query_params.get("present") in ("1", "true"))


def presentation_mode() -> bool:
    """Sidebar switch for presentation mode, kept in the URL as ``?present=1``."""
    if "present" not in st.session_state:
        st.session_state["present"] = st.query_params.get("present") in ("1", "true")
    lang = language()
    on = st.sidebar.toggle(i18n.t("export.present", lang), key="present", help=i18n.t("export.present_help", lang))
    if on:
        st.query_params["present"] = "1"
        st.html(PRESENT_CSS)
    else:
        st.query_params.pop("present", None)
    return on


@version_cache_resource(max_entries=16)
def _county_geojson(version_dir: str, region: str | None) -> SharedGeoJSON:
    return SharedGeoJSON(layers.region_geojson(version_dir, region, "county"), (version_dir, region, "county"))


def county_geojson(ctx: Ctx) -> dict:
    """The region's counties (dissolved from their townships) as GeoJSON, cached per extract
    version and region (never mutate it)."""
    return _county_geojson(ctx.version_dir, ctx.region_code)


def map_geojson(ctx: Ctx, unit: str) -> dict:
    """The GeoJSON of a map of ``unit`` ("township" or "county") for the session's region."""
    return county_geojson(ctx) if unit == "county" else township_geojson(ctx)


@version_cache_data(max_entries=32)
def _births_projection(version_dir: str, year: int, region: str | None) -> projection.Projection | None:
    try:
        return projection.projection(version_dir, year, None, region)
    except ValueError:  # a year the data cannot project (after the cut-off)
        return None


def births_projection(ctx: Ctx, year: int) -> projection.Projection | None:
    """The year-end projection of ``year`` at the cut-off for the session's region (None when the
    year cannot be projected), computed once per extract version, year and region."""
    return _births_projection(ctx.version_dir, year, ctx.region_code)


@version_cache_data(max_entries=16)
def _data_alerts(version_dir: str, lang: str, region: str | None) -> tuple[pl.DataFrame, float, float, int]:
    found, phi, cells = alerts.data_alerts(version_dir, lang, region)
    return found, phi, alerts.BUDGET, cells


def data_alerts(ctx: Ctx) -> tuple[pl.DataFrame, float, float, int]:
    """(alerts with reasons, phi, the false-alert budget, township-months judged) for the session's
    region and language, once per extract version."""
    return _data_alerts(ctx.version_dir, ctx.lang, ctx.region_code)
