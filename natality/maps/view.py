"""The Map page's data: the table of one value per unit (``values``), the texts, the options,
which unit a region's map draws and the way back up, and the Overview's small map.

A map of one county draws its townships (queries/map_township_year.sql); a map of a larger
region draws its counties (queries/map_county_year.sql: the same counts added up per county).
Scores and targets belong to townships: a county map offers neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from natality.core.context import Ctx
from natality.core.db import run_query
from natality.core.i18n import t
from natality.geo import layers
from natality.maps.charts import MapTexts, township_choropleth
from natality.maps.values import COLUMNS, DECIMALS, TARGET_OF, scorecard_data, unit_values

__all__ = ["COLUMNS", "DECIMALS", "TARGET_OF"]  # the page, the pack and tests read these here

INDICATORS = ("births", "birth_rate", "srb_shrunk", "srb", "share_order3p", "change", "score")
METHODS = ("quantiles", "equal", "natural", "target")
# Map units: the query of each, and the column that names a unit (and its GeoJSON feature id).
QUERY = {"township": "map_township_year", "county": "map_county_year"}
UNIT_CODE = {"township": "township_code", "county": "county_code"}
TOWNSHIP_ONLY = ("score",)  # the scorecard scores townships; no county score exists
# The Map page's row of controls (year, indicator, classes, labels, compare-year) as st.columns
# weights. At 1,366 px (a county office's laptop; 842 px for the five columns, 16 px gaps) the year
# gets 842 x 1.7 / 8.5 = 168 px, and "2026 (不完整年度)" (109 px at 14 px in Chromium) needs 159 with
# the box's padding and arrow (50 px); with the weights before 7 December ([1, 2, 2, 1, 1]) it got
# 154 even at 1,600 px and was cut. The compare-year box holds only "不对比" or a year.
CONTROL_COLUMNS = (1.7, 2, 2, 1.2, 1.6)


def has_targets(version_dir: str, indicator: str, year: int) -> bool:
    """Whether the target classification (met / missed) exists for this indicator and year."""
    if indicator not in TARGET_OF:
        return False
    status = scorecard_data(version_dir, "zh").status_for(year)
    return not status.filter(pl.col("indicator") == TARGET_OF[indicator]).is_empty()


def has_score(version_dir: str, year: int) -> bool:
    return not scorecard_data(version_dir, "zh").card_for(year).is_empty()


def map_table(
    raw: pl.DataFrame, indicator: str, year: int, months: int, lang: str, version_dir: str, region: str | None = None
) -> pl.DataFrame:
    """township_code, name, value, denominator, low, high, too_few, met (target), hover.

    raw: the rows of map_township_year for `year` (months 1..`months`). A null value means no
    data; too_few marks a value drawn grey because its denominator is below the registry's minimum.
    Rows of map_county_year give the same table for counties, keyed by county_code (no target
    status: targets are set for townships). ``region``: the map's region (scores ranked within it).
    """
    if "county_code" in raw.columns:
        # the builders below name a unit's code township_code; a county's code goes in and out
        rows = raw.rename({"county_code": "township_code"})
        table = _unit_table(rows, indicator, year, months, lang, version_dir, True, region)
        return table.rename({"township_code": "county_code"})
    return _unit_table(raw, indicator, year, months, lang, version_dir, False, region)


def _unit_table(
    raw: pl.DataFrame,
    indicator: str,
    year: int,
    months: int,
    lang: str,
    version_dir: str,
    county: bool,
    region: str | None = None,
) -> pl.DataFrame:
    if county and indicator in TOWNSHIP_ONLY:
        raise ValueError(f"{indicator!r} exists for townships only, not on a county map")
    name_col = "name_en" if lang == "en" else "name"
    rows = raw.with_columns(pl.coalesce(pl.col(name_col), pl.col("name")).alias("display_name"))
    out = unit_values(rows, indicator, year, months, lang, version_dir, county, region)
    return rows.select("township_code", pl.col("display_name").alias("name")).join(out, on="township_code", how="left")


def map_texts(
    indicator: str,
    method: str,
    period: str,
    footnote: str,
    lang: str,
    shared_scale: bool = False,
    partial: bool = False,
    unit: str = "township",
    without_shape: int = 0,
    scope: str | None = None,
) -> MapTexts:
    """Title with unit and period, legend title, footnote, and the legend's fixed entries.

    unit: "township" or "county" (a map of counties says so in its title and notes).
    without_shape: townships of the map's region that have no shape, named in the footnote.
    scope: the region's name for the title (a screenshot of a county opened from a province
    must say which county it is).
    """
    name, unit_text = t(f"maps.ind.{indicator}", lang), t(f"maps.unit.{indicator}", lang)
    county = unit == "county"
    sep = "；" if lang == "zh" else "; "
    about_units = county and indicator in ("srb", "srb_shrunk")  # their notes speak of townships
    note = f"maps.note_county.{indicator}" if about_units else f"maps.note.{indicator}"
    subtitle = t(method_key(method, unit), lang) + sep + t(note, lang)
    if shared_scale:
        subtitle += sep + t("maps.shared_scale", lang)
    if county:  # in the footnote: the subtitle is one line on a slide and already full
        footnote += "<br>" + t("maps.note_county", lang)
    if without_shape > 0:
        footnote += "<br>" + t("maps.footnote_without_shape", lang, n=without_shape)
    decimals = DECIMALS[indicator]
    title = ("maps.title_county" if county else "maps.title") + ("_in" if scope else "")
    return MapTexts(
        title=t(title, lang, indicator=name, unit=unit_text, period=period, scope=scope or ""),
        subtitle=subtitle,
        footnote=footnote,
        legend_title=t("maps.legend_title", lang, unit=unit_text, period=period)
        if method != "target"
        else t("maps.target_legend", lang),
        no_data=t("maps.no_data", lang),
        too_few=t("maps.too_few", lang),
        met=t("maps.on_track" if partial else "maps.met", lang),
        missed=t("maps.at_risk" if partial else "maps.missed", lang),
        value_format=f",.{decimals}f",
        outside=t("maps.outside", lang),
        panel_counts=t("maps.panel_counts_county" if county else "maps.panel_counts", lang),
    )


def geojson_for(version_dir: str, region: str | None = None, unit: str = "township") -> dict:
    """Display GeoJSON of the townships (or counties) of a region of an extract version (None:
    all of it), at the level of detail its map needs; kept per version, so never mutate it."""
    return layers.region_geojson(version_dir, region, unit)


def indicator_options(version_dir: str, year: int, unit: str = "township") -> list[str]:
    """The map's indicators; the score only on a township map in a year the scorecard scored."""
    if unit == "county":
        return [i for i in INDICATORS if i not in TOWNSHIP_ONLY]
    return [i for i in INDICATORS if i != "score" or has_score(version_dir, year)]


def method_options(version_dir: str, indicator: str, year: int, unit: str = "township") -> list[str]:
    """Classification methods; "target" only on a township map where the indicator has targets."""
    if unit == "county":
        return [m for m in METHODS if m != "target"]
    return [m for m in METHODS if m != "target" or has_targets(version_dir, indicator, year)]


def map_frames(
    ctx: Ctx, query: Callable[..., pl.DataFrame], unit: str, years: list[int], indicator: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The map's rows of each of ``years`` (``map_table``, a ``period`` column telling them apart)
    stacked, and the last year's query rows; ``query(name, **params)`` runs a query (cached in the UI)."""
    tables = []
    for year in years:  # one or two years
        raw = query(QUERY[unit], year=year, last_month=ctx.months_in(year))
        table = map_table(raw, indicator, year, ctx.months_in(year), ctx.lang, ctx.version_dir, ctx.region_code)
        tables.append(table.with_columns(pl.lit(ctx.period(year)).alias("period")))
    return pl.concat(tables), raw


def method_key(method: str, unit: str = "township") -> str:
    """The message key naming a classification method: quantile classes hold similar numbers of
    townships, or of counties on a county map."""
    return "maps.method_county.quantiles" if unit == "county" and method == "quantiles" else f"maps.method.{method}"


def click_hint(unit: str, profile: bool, phone: bool) -> str:
    """The message key of the caption under the map: what a click (a tap on a phone) does there."""
    hint = "maps.click_hint" if profile else "maps.click_hint_highlight"
    return ("maps.click_hint_county" if unit == "county" else hint) + ("_phone" if phone else "")


def clicked_code(event: object) -> str | None:
    """The township code of a click on the map (st.plotly_chart selection event), if any."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        code = point.get("location") or (point.get("customdata") or [None])[0]
        if code:
            return str(code)
    return None


def overview_births_map(
    version_dir: str, year: int, months: int, period: str, footnote: str, lang: str, region: str | None = None
) -> go.Figure:
    """The Overview's small map: births in the period, quantile classes, names; by township for
    one county, by county for a larger region (None: the whole extract)."""
    unit = map_unit(version_dir, region)
    geojson = layers.region_geojson(version_dir, region, unit)
    raw = run_query(QUERY[unit], version_dir, year=year, last_month=months, region=region)
    table = map_table(raw, "births", year, months, lang, version_dir, region)
    total, shaped = layers.shaped_count(version_dir, region)
    texts = map_texts("births", "quantiles", period, footnote, lang, unit=unit, without_shape=total - shaped)
    return township_choropleth(geojson, table, "value", texts, lang, k=4, height=460, code_col=UNIT_CODE[unit])


def map_unit(version_dir: str, region: str | None) -> str:
    """What a map of the region draws: its townships when they lie in one county, else its
    counties (a city or province of hundreds of townships reads better, and draws faster, by county)."""
    return "county" if layers.county_count(version_dir, region) > 1 else "township"


def county_choices(raw: pl.DataFrame, lang: str) -> dict[str, str]:
    """County code -> name of the counties a county map can open (rows of map_county_year)."""
    rows = raw.filter(pl.col("is_county"))
    names = rows["name_en"] if lang == "en" else rows["name"]
    return dict(zip(rows["county_code"].to_list(), names.to_list(), strict=True))


def parent_region(regions: pl.DataFrame, code: str) -> str | None:
    """The region one level up from ``code`` that still narrows the extract; None: the whole extract.

    regions: the rows of queries/regions.sql. A city that holds only this county, or a
    province that holds everything, is passed over: going back to it would show the same map.
    """
    rows = {r["region_code"]: r["townships"] for r in regions.iter_rows(named=True)}
    everything = max(rows.values(), default=0)
    own = rows.get(code, 0)
    # GB/T 2260: county 419901 lies in city 419900 and province 410000
    up = [code[:4] + "00", code[:2] + "0000"] if re.fullmatch(r"[0-9]{6}", code) else []
    for parent in up:
        if parent != code and own < rows.get(parent, 0) < everything:
            return parent
    return None


def without_shape(version_dir: str, region: str | None) -> int:
    """Townships of the region that have no shape (drawn nowhere, counted everywhere)."""
    total, shaped = layers.shaped_count(version_dir, region)
    return total - shaped
