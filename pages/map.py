"""Map: any indicator for a year, by township for one county and by county for a larger region
(a click or a choice opens a county), optionally two years side by side on one scale."""

from pathlib import Path

import streamlit as st

from natality import ui
from natality.core import literal
from natality.maps import view as map_view
from natality.maps.charts import township_choropleth

ctx = ui.page_context()
unit = map_view.map_unit(ctx.version_dir, ctx.region_code)  # "township" or "county"
st.title(ctx.t("maps.page_title" if unit == "township" else "maps.page_title_county"))
drill = st.container()

c1, c2, c3, c4, c5 = st.columns(list(map_view.CONTROL_COLUMNS))  # the year "2026 (不完整年度)" whole
year = ui.year_select(ctx, key="year", container=c1)
indicators = map_view.indicator_options(ctx.version_dir, year, unit)
indicator = ui.url_select(ctx.t("maps.indicator"), indicators, "indicator", "births", ctx.labeller("maps.ind"), c2)
methods = map_view.method_options(ctx.version_dir, indicator, year, unit)
method_label = lambda m: ctx.t(map_view.method_key(m, unit))  # noqa: E731
method = ui.url_select(ctx.t("maps.method"), methods, "classes", "quantiles", method_label, c3)
labels = ["name", "name_value", "none"]
label_mode = ui.url_select(ctx.t("maps.labels"), labels, "labels", "name", ctx.labeller("maps.labels"), c4)
years = [None, *(y for y in range(ctx.cutoff_year, 2014, -1) if y != year)]
none = ctx.t("maps.compare_none")
compare = ui.url_select(ctx.t("maps.compare"), years, "compare", None, lambda y: str(y) if y else none, c5)

geojson = ui.map_geojson(ctx, unit)
shown = sorted(y for y in (compare, year) if y)  # the earlier year on the left
data, raw = ui.map_frames(ctx, unit, shown, indicator)  # shared by every leader asking the same
code_col = map_view.UNIT_CODE[unit]
counties = map_view.county_choices(raw, ctx.lang) if unit == "county" else {}
ui.region_drilldown(ctx, counties, drill)
if not geojson["features"]:
    st.info(ctx.t("maps.no_boundaries"))
    st.stop()
missing = map_view.without_shape(ctx.version_dir, ctx.region_code)
texts = map_view.map_texts(
    indicator,
    method,
    " / ".join(ctx.period(y) for y in shown),
    ctx.footnote(),
    ctx.lang,
    shared_scale=len(shown) > 1,
    partial=ctx.months_in(year) < 12,
    unit=unit,
    without_shape=missing,
    scope=literal.plot(ctx.region()),
)
fig = ui.figure(
    township_choropleth,
    geojson,
    data,
    "met" if method == "target" else "value",
    texts,
    ctx.lang,
    method=method,
    label_mode=label_mode,
    code_col=code_col,
    panel_col="period" if len(shown) > 1 else None,
    diverging=indicator == "change",
    highlight=st.query_params.get("township") if unit == "township" else None,
)
event = ui.show_figure(fig, ui.map_widget_key(ctx, f"map_{unit}"), on_select="rerun", selection_mode="points")
ui.image_downloads(fig, "map", f"map_{indicator}_{year}")
has_profile = (Path(__file__).parent / "township.py").exists()
ui.follow_map_click(ctx, event, unit, counties, set(data[code_col]), has_profile)
st.caption(ctx.t(map_view.click_hint(unit, has_profile, ui.is_phone())))  # a phone has no hover: tap, or the table
if missing > 0:
    st.warning(ctx.t("maps.without_shape", n=missing))
size = "maps.size_caption_county" if unit == "county" else "maps.size_caption"
st.caption(ctx.t(size, kb=f"{geojson.size_bytes / 1024:,.1f}", n=len(geojson["features"])))
ui.show_table_downloads(data.drop("hover"), key="map", file_stem=f"map_{indicator}_{year}")
ui.chart_notes("map")
