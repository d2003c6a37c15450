"""Data: what extract is live, how complete it is by township and month, its versions and import
log, and (admins) an upload and a rollback."""

import streamlit as st

from natality import ui
from natality.births import alerts
from natality.core import literal
from natality.versions import view as data_view

ctx = ui.page_context()
st.title(ctx.t("data.title"))

st.subheader(ctx.t("data.live_title"))
st.dataframe(ui.arrow(data_view.extract_facts(ctx.manifest, ctx.lang)), hide_index=True, key="data_facts")
counts = data_view.row_counts(ctx.manifest)
for column, (table, n) in zip(st.columns(len(counts)), counts, strict=True):
    column.metric(ctx.t(f"data.table_{table}"), f"{n:,}")
personal = data_view.personal_columns(ctx.manifest)
listed = "、".join(map(literal.md, personal))
st.caption(ctx.t("data.personal", columns=listed) if personal else ctx.t("data.personal_none"))
sources = data_view.sources_table(ctx.manifest, ctx.lang)
with st.expander(ctx.t("data.sources")):
    if sources.is_empty():
        st.caption(ctx.t("data.no_sources"))
    else:
        st.dataframe(ui.arrow(sources), hide_index=True, key="data_sources")

st.subheader(ctx.t("data.completeness_title"))
year = ui.year_select(ctx, key="year")
period = ctx.period(year)
grid = ui.query(ctx, "data_completeness", year=year)
found = ui.find_township(ctx, grid["township_code"].n_unique(), "data_find")  # only the gappiest drawn
flagged, phi, budget, cells = ui.data_alerts(ctx)
titles = ctx.t("data.heatmap_title", period=period), ctx.t("data.heatmap_subtitle"), ctx.footnote()
marks = alerts.heatmap_marks(flagged, year)
fig = ui.figure(data_view.completeness_heatmap, grid, ctx.name_col, ctx.lang, *titles, find=found.codes, marks=marks)
ui.show_chart(fig, "data_completeness", grid, f"completeness_{year}")
gaps = data_view.gap_count(grid)
st.caption(ctx.t("data.gaps", period=period, n=gaps) if gaps else ctx.t("data.no_gaps", period=period))

st.subheader(ctx.t("alerts.title"))
st.caption(ctx.t("alerts.help", cells=f"{cells:,}", budget=budget))
if flagged.is_empty():
    st.success(ctx.t("alerts.none"))
else:
    st.warning(ctx.t("alerts.count", n=flagged.height))
    st.dataframe(alerts.alerts_table(flagged, ctx.lang), hide_index=True, key="data_alerts")

st.subheader(ctx.t("data.versions_title"))
st.caption(ctx.t("data.versions_help"))
st.dataframe(ui.arrow(data_view.versions_table(ctx.data_dir, ctx.lang)), hide_index=True, key="data_versions")
with st.expander(ctx.t("data.log_title")):
    log = data_view.log_table(ctx.data_dir, ctx.lang)
    if log.height:
        st.dataframe(ui.arrow(log), hide_index=True, key="data_log")
    else:
        st.caption(ctx.t("data.log_empty"))

ui.admin_forms(ctx)
