"""Map: any indicator for a year, by township for one county and by county for a larger region
(a click or a choice opens a county), optionally two years side by side on one scale."""

from pathlib import Path

import polars as pl
import streamlit as st

from natality import ui
from natality.core import literal
from natality.maps import view as map_view
from natality.maps.charts import township_choropleth

ctx = ui.page_context()
st.title(ctx.t("maps.page_title"))
unit = map_view.map_unit(ctx.version_dir, ctx.region_code)  # "township" or "county"
drill = st.container()

c1, c2, c3, c4, c5 = st.columns([1, 2, 2, 1, 1])
year = ui.year_select(ctx, key="year", container=c1)
indicator = ui.url_select(
    ctx.t("maps.indicator"), map_view.indicator_options(ctx.version_dir, year, unit), "indicator", "births",
    lambda i: ctx.t(f"maps.ind.{i}"), c2,
)  # fmt: skip
method = ui.url_select(
    ctx.t("maps.method"), map_view.method_options(ctx.version_dir, indicator, year, unit), "classes", "quantiles",
    lambda m: ctx.t(f"maps.method.{m}"), c3,
)  # fmt: skip
label_mode = ui.url_select(
    ctx.t("maps.labels"), ["name", "name_value", "none"], "labels", "name", lambda m: ctx.t(f"maps.labels.{m}"), c4
)
years = [y for y in range(ctx.cutoff_year, 2014, -1) if y != year]
compare = ui.url_select(
    ctx.t("maps.compare"), [None, *years], "compare", None, lambda y: str(y) if y else ctx.t("maps.compare_none"), c5
)  # fmt: skip

geojson = ui.map_geojson(ctx, unit)
shown = [y for y in (compare, year) if y]  # the earlier year on the left
tables = []
for y in sorted(shown):
    raw = ui.query(ctx, map_view.QUERY[unit], year=y, last_month=ctx.months_in(y))
    table = map_view.map_table(raw, indicator, y, ctx.months_in(y), ctx.lang, ctx.version_dir, ctx.region_code)
    tables.append(table.with_columns(pl.lit(ctx.period(y)).alias("period")))
data = pl.concat(tables)
code_col = map_view.UNIT_CODE[unit]
counties = map_view.county_choices(raw, ctx.lang) if unit == "county" else {}
ui.region_drilldown(ctx, counties, drill)
if not geojson["features"]:
    st.info(ctx.t("maps.no_boundaries"))
    st.stop()
missing = map_view.without_shape(ctx.version_dir, ctx.region_code)
value_col = "met" if method == "target" else "value"
texts = map_view.map_texts(
    indicator, method, " / ".join(ctx.period(y) for y in sorted(shown)), ctx.footnote(), ctx.lang,
    shared_scale=len(shown) > 1, partial=ctx.months_in(year) < 12, unit=unit, without_shape=missing,
    scope=literal.plot(ctx.region()),
)  # fmt: skip
highlight = st.query_params.get("township") if unit == "township" else None
fig = ui.figure(township_choropleth,
    geojson, data, value_col, texts, ctx.lang, method=method, label_mode=label_mode, code_col=code_col,
    panel_col="period" if len(shown) > 1 else None, diverging=indicator == "change", highlight=highlight,
)  # fmt: skip
event = ui.show_figure(fig, ui.map_widget_key(ctx, f"map_{unit}"), on_select="rerun", selection_mode="points")
ui.image_downloads(fig, "map", f"map_{indicator}_{year}")
clicked = map_view.clicked_code(event)
has_profile = (Path(__file__).parent / "township.py").exists()
if unit == "county" and clicked in counties:
    ui.open_region(clicked)
elif unit == "township" and clicked and clicked != highlight and clicked in set(data[code_col]):
    if has_profile:
        st.switch_page("pages/township.py", query_params={"township": clicked, "lang": ctx.lang})
    st.query_params["township"] = clicked
    st.rerun()
hint = (
    "maps.click_hint_county" if unit == "county" else "maps.click_hint" if has_profile else "maps.click_hint_highlight"
)
st.caption(ctx.t(hint + ("_phone" if ui.is_phone() else "")))  # a phone has no hover: tap, or the table
if missing > 0:
    st.warning(ctx.t("maps.without_shape", n=missing))
size = "maps.size_caption_county" if unit == "county" else "maps.size_caption"
st.caption(ctx.t(size, kb=f"{geojson.size_bytes / 1024:,.1f}", n=len(geojson["features"])))
ui.show_table_downloads(data.drop("hover"), key="map", file_stem=f"map_{indicator}_{year}")
ui.chart_notes("map")
