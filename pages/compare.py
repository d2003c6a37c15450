"""Compare years: two periods side by side per township, a slope chart, a map of the change,
summary sentences built from the numbers shown; and the meeting pack download."""

import streamlit as st

from natality import ui
from natality.compare import charts as compare_charts
from natality.compare import comparison as compare
from natality.compare import view as compare_view
from natality.core import literal, ranking
from natality.export import pack as export
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
st.caption(ctx.t("compare.same_months", year=year, month=months) if months < 12
           else ctx.t("compare.full_years", period=period, period_base=period_base))  # fmt: skip

now = ui.query(ctx, "map_township_year", year=year, last_month=months)
before = ui.query(ctx, "map_township_year", year=base, last_month=months)
if int(now["births"].sum()) + int(before["births"].sum()) == 0:
    st.info(ctx.t("compare.no_births"))
    st.stop()
scores_now = compare.scores_of(ui.scorecard_data(ctx), year)  # the region's own ranks
scores_base = compare.scores_of(ui.scorecard_data(ctx), base)
table = compare.compare_table(now, before, months, ui.township_names(ctx), scores_now, scores_base)
county = compare.county_change(now, before, months)
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
find = ""
if table.height > ranking.TOP + ranking.BOTTOM:  # only the largest changes are drawn: let the rest be found
    find = st.text_input(ctx.t("common.find_township"), key="compare_find",
                         placeholder=ctx.t("common.find_placeholder"), help=ctx.t("common.find_help"))  # fmt: skip
found = ranking.find_townships(ui.query(ctx, "township_list"), find, ctx.name_col)
if ranking.find_note(found, ctx.lang):
    st.caption(ranking.find_note(found, ctx.lang))
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
        mapped = compare.county_compare_table(ui.query(ctx, "map_county_year", year=year, last_month=months),
                                              ui.query(ctx, "map_county_year", year=base, last_month=months),
                                              months, ctx.lang)  # fmt: skip
    fig = ui.figure(compare_charts.change_map, ui.map_geojson(ctx, unit), mapped, indicator, ctx.lang, *texts["map"])
    ui.show_chart(fig, "compare_map")

st.subheader(ctx.t("compare.table_title", period=period, period_base=period_base))
if shown.cut:
    st.caption(ctx.t("compare.table_cut", top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{table.height:,}"))
    st.dataframe(ui.arrow(compare_view.ranked_display_table(shown, period, period_base, ctx.lang)), hide_index=True,
                 key="compare_ranked", placeholder="–")  # fmt: skip
full = compare_view.display_table(table, period, period_base, ctx.lang)
ui.show_table_downloads(full, key="compare_table", file_stem=f"compare_{base}_{year}", expanded=not shown.cut)

st.subheader(ctx.t("compare.pack_title"))
p1, p2 = st.columns([1, 3])
fmt = p1.radio(ctx.t("compare.pack_format"), ["pptx", "pdf"], key="pack_format", horizontal=True)
p2.caption(ctx.t("compare.pack_help", year=year))
if p2.button(ctx.t("compare.pack_build"), key="pack_build"):
    with ui.work_progress(ctx.lang, ctx.t("compare.pack_build")) as progress:
        try:
            built = export.pack_bytes(ctx.version_dir, year, ctx.lang, fmt, ctx.region_code, progress)
            st.session_state["pack"] = (year, ctx.lang, fmt, ctx.region_code, built)
        except export.ExportError as exc:
            st.error(ctx.t("compare.pack_failed", error=str(exc)))
pack = st.session_state.get("pack")
if pack and pack[:4] == (year, ctx.lang, fmt, ctx.region_code):
    mime = export.MIME[fmt]
    stem = f"meeting_pack_{ctx.region_code}_{year}" if ctx.region_code else f"meeting_pack_{year}"
    p2.download_button(ctx.t("compare.pack_download"), pack[4], file_name=f"{stem}_{ctx.lang}.{fmt}",
                       mime=mime, key="pack_download", on_click="ignore", type="primary")  # fmt: skip
