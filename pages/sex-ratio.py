"""Sex ratio at birth: county trend and by order, township funnel plot and table, one township."""

import streamlit as st

from natality import ui
from natality.core import literal, ranking
from natality.srb import view as srb_view
from natality.srb.dispersion import ALLOWANCES
from natality.srb.tables import MIN_BIRTHS, level_text

ctx = ui.page_context()
st.title(ctx.t("srb.title"))
st.caption(ctx.t("srb.caption"))

by_year = ui.query(ctx, "srb_by_year")
targets = ui.query(ctx, "srb_targets", region_code=ctx.region_code or ctx.manifest.get("region_code", ""))
ui.show_chart(ui.figure(srb_view.trend_figure, ctx, by_year, targets), "srb_trend", by_year, "srb_by_year")
by_order = ui.query(ctx, "srb_by_year_order")
fig = ui.figure(srb_view.order_figure, ctx, by_order, by_year)
ui.show_chart(fig, "srb_order", by_order, "srb_by_year_order")

left, middle, right = st.columns(3)
with left:
    year = ui.year_select(ctx, key="year")
with middle:
    window = ui.url_select(ctx.t("srb.window"), [3, 1], "window", 3, lambda w: ctx.t(f"srb.window_{w}"))
year_from = year - window + 1
county = ui.query(ctx, "srb_county", year_from=year_from, year_to=year)
refs = srb_view.reference_options(ctx, county, targets, year)
with right:
    ref = ui.url_select(ctx.t("srb.reference"), list(refs), "ref", next(iter(refs)), lambda k: refs[k][1])
reference, reference_label = refs[ref]
when = srb_view.period(ctx, year_from, year)
levels = srb_view.level_options()
left, right = st.columns(2)
with left:
    level = levels[
        ui.url_select(ctx.t("srb.level"), list(levels), "level", "99.8", lambda k: ctx.t("srb.limit_at", level=k))
    ]
with right:
    choice = ui.url_select(
        ctx.t("srb.allowance"), list(ALLOWANCES), "od", "auto", lambda k: ctx.t(f"srb.allowance.{k}")
    )

towns = ui.query(ctx, "srb_by_township", year_from=year_from, year_to=year)
if int(towns["births"].sum()) == 0:
    st.info(ctx.t("srb.no_births"))
    st.stop()
allowance = srb_view.funnel_allowance(towns, choice)
table = srb_view.township_table(ctx, towns, reference, level, allowance)
fig = ui.figure(srb_view.funnel_figure, ctx, table, reference, reference_label, when, level, allowance)
ui.show_chart(fig, "srb_funnel", links_townships=True)
st.caption(srb_view.allowance_text(ctx, allowance))
st.caption(ctx.t("srb.funnel_caption", min=MIN_BIRTHS, level=level_text(level)))
st.markdown(literal.md(srb_view.flagged_text(ctx, table, level)))  # plain text with names in it

st.subheader(ctx.t("srb.table_title", period=when))
found = ui.find_township(ctx, table.height, "srb_find")  # only the ends are listed: let the rest be found
shown, cut = srb_view.ranked_display_table(ctx, table, found.codes, level)
if cut:
    st.caption(ctx.t("srb.table_cut", top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{table.height:,}"))
    st.dataframe(ui.arrow(shown), hide_index=True, key="srb_ranked", placeholder="–")
ui.show_table_downloads(
    srb_view.display_table(ctx, table, level), "srb_table", f"srb_by_township_{year_from}_{year}", expanded=not cut
)
st.caption(ctx.t("srb.table_note", scope=literal.md(ctx.region()), min=MIN_BIRTHS))

codes, names, default = srb_view.township_options(table)
township = ui.url_select(ctx.t("srb.township_select"), codes, "township", default, lambda c: names.get(c, c))
town_years = ui.query(ctx, "srb_township_by_year", township_code=township)
rolling = ui.query(ctx, "srb_rolling_12m", township_code=township)
county_rolling = ui.query(ctx, "srb_rolling_12m", township_code=None)
years_fig, rolling_fig = ui.figure(
    srb_view.township_figures, ctx, names[township], town_years, rolling, county_rolling, reference
)
ui.show_chart(years_fig, "srb_township_years", town_years, f"srb_{township}_by_year")
ui.show_chart(rolling_fig, "srb_township_rolling", rolling, f"srb_{township}_rolling_12m")
