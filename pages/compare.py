"""Compare years: two periods side by side per township, a slope chart, a map of the change,
summary sentences built from the numbers shown; and the meeting pack download."""

import streamlit as st

from natality import ui
from natality.compare import charts as compare_charts
from natality.compare import comparison as compare
from natality.compare import view as compare_view
from natality.core import literal, ranking
from natality.maps import view as map_view

ctx = ui.page_context()
st.title(ctx.t("compare.title"))
c1, c2, c3 = st.columns(3)
year = ui.year_select(ctx, key="year", container=c1)
bases = [y for y in range(year - 1, 2014, -1)] or [year]
base = ui.url_select(ctx.t("compare.base"), bases, "base", bases[0], str, c2)
indicator = ui.url_select(
    ctx.t("compare.indicator"), list(compare.INDICATORS), "indicator", "births", lambda i: ctx.t(f"compare.ind.{i}"), c3
)
months = compare.months_compared(year, ctx.cutoff_year, ctx.cutoff_month)
period = ctx.period(year)
period_base = ctx.period(base, months)
same = ctx.t("compare.same_months", year=year, month=months)
st.caption(same if months < 12 else ctx.t("compare.full_years", period=period, period_base=period_base))

births, table, county, scores_now, scores_base = ui.compare_frames(ctx, year, base, months)  # shared
if births == 0:
    st.info(ctx.t("compare.no_births"))
    st.stop()
with st.container(key="tiles_compare"):  # two a row on a narrow screen (ui.phone.NARROW_CSS)
    for column, metric in zip(st.columns(4), compare_view.metrics(county, period, period_base, ctx.lang), strict=True):
        column.metric(metric.label, metric.value, metric.delta, help=metric.help, delta_color="off")

st.subheader(ctx.t("compare.sentences"))
sentences = compare.summary_sentences(county, table, period, period_base, ctx.lang, scope=ctx.region())
st.markdown("\n".join(f"- {literal.md(s)}" for s in sentences))  # plain sentences with names in them
if months < 12 and not scores_now.is_empty():
    # Scores of a partial year judge pro-rated targets and read on track / at risk; the base
    # year's scores judge whole-year results: say so where both are set side by side.
    st.caption(ctx.t("compare.scores_unlike", year=year, base=base))
found = ui.find_township(ctx, table.height, "compare_find")  # only the largest changes are drawn
shown = compare_view.ranked_changes(table, indicator, found.codes)
if indicator == "score" and (scores_now.is_empty() or scores_base.is_empty()):
    st.info(ctx.t("compare.no_scores", year=year if scores_now.is_empty() else base))
else:
    # A city or province is mapped by county (scores exist for townships only).
    unit = "township" if indicator == "score" else map_view.map_unit(ctx.version_dir, ctx.region_code)
    texts = compare_view.chart_texts(indicator, period, period_base, ctx.footnote(), ctx.lang, shown, unit)
    fig = ui.figure(compare_charts.slope_chart, shown.rows, indicator, (period_base, period), ctx.lang, *texts["slope"])
    ui.show_chart(fig, "compare_slope")
    mapped = table
    if unit == "county":
        counties_now, counties_base = (
            ui.query(ctx, "map_county_year", year=y, last_month=months) for y in (year, base)
        )
        mapped = compare.county_compare_table(counties_now, counties_base, months, ctx.lang)
    fig = ui.figure(compare_charts.change_map, ui.map_geojson(ctx, unit), mapped, indicator, ctx.lang, *texts["map"])
    ui.show_chart(fig, "compare_map")

st.subheader(ctx.t("compare.table_title", period=period, period_base=period_base))
if shown.cut:
    st.caption(ctx.t("compare.table_cut", top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{table.height:,}"))
    ranked = compare_view.ranked_display_table(shown, period, period_base, ctx.lang)
    st.dataframe(ui.arrow(ranked), hide_index=True, key="compare_ranked", placeholder="–")
full = compare_view.display_table(table, period, period_base, ctx.lang)
ui.show_table_downloads(full, key="compare_table", file_stem=f"compare_{base}_{year}", expanded=not shown.cut)

ui.meeting_pack(ctx, year)
