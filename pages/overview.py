"""Overview: headline numbers, the births trend, townships ranked by births."""

import polars as pl
import streamlit as st

from natality import ui
from natality.births import alerts, charts, overview, projection_view
from natality.core import literal
from natality.maps import view as map_view

ctx = ui.page_context()
st.title(ctx.t("overview.title", scope=literal.md(ctx.region())))
if ctx.manifest.get("synthetic"):
    st.caption(ctx.t("app.synthetic_banner"))

year = ui.year_select(ctx, key="year")
months = ctx.months_in(year)
period, previous = ctx.period(year), ctx.period(year - 1, months)

summary = ui.query(ctx, "county_period_summary", year=year, month_to=months)
kpis = overview.headline_kpis(summary, year, period, previous, ctx.lang)
births_status = ui.scorecard_data(ctx).status_for(year).filter(pl.col("indicator") == "births")
target = overview.births_target_kpi(births_status, months, ctx.lang)
tiles = kpis + ([target] if target else [])
forecast = ui.births_projection(ctx, year) if months < 12 else None
if forecast is not None and forecast.regions.height:  # the partial year: where will it end?
    now = summary.filter(pl.col("year") == year).to_dicts()
    boys, girls = (now[0]["boys"], now[0]["girls"]) if now else (None, None)
    tiles.append(projection_view.projection_kpi(forecast.scope_row(), forecast.phi, ctx.lang, boys, girls))
phone = ui.is_phone()
st.caption(ctx.t("overview.kpi_caption_phone" if phone else "overview.kpi_caption", period=period))
with st.container(key="tiles_overview"):  # two a row on a narrow screen (ui.phone.NARROW_CSS)
    for column, kpi in zip(st.columns(len(tiles) or 1), tiles, strict=False):
        column.metric(kpi.label, kpi.value, kpi.delta, help=kpi.help, delta_color=kpi.delta_color)
if phone:  # a phone has no hover: the tiles' counts and intervals a tap away
    with st.popover(ctx.t("overview.kpi_details")):
        st.markdown("\n".join(f"- **{kpi.label}**: {kpi.help}" for kpi in tiles if kpi.help))
for kpi in tiles:
    if kpi.note:
        st.caption(kpi.note)

if year == ctx.cutoff_year:  # the latest month's news: the cut-off month against the month before
    heading, sentences = ui.month_changes(ctx)
    with st.container(border=True, key="overview_changes"):
        st.subheader(literal.md(heading))  # plain text with names in it
        st.markdown("\n".join(f"- {literal.md(s)}" for s in sentences))
        new = alerts.new_alerts(ui.data_alerts(ctx)[0], ctx.manifest["cutoff_month"])
        if new:  # names from the data: plain text, never Markdown
            st.text(ctx.t("alerts.new", cutoff=ctx.cutoff_text(), n=len(new)) + "\n" + "\n".join(new))

trend = ui.query(ctx, "county_births_by_year", township_code=None)
if not trend.is_empty():
    fig = ui.figure(
        charts.births_trend,
        trend,
        ctx.lang,
        ctx.t("overview.trend_title", first=trend["year"].min(), last=trend["year"].max()),
        ctx.footnote(),
    )
    ui.show_chart(fig, key="overview_trend", table=trend, file_stem="births_by_year")

by_town = ui.query(ctx, "births_by_township_year", year=year)
total = int(by_town["births"].sum())
table = by_town.with_columns(pl.col("births").rank("min", descending=True).cast(pl.Int32).alias("rank"))
ui.show_township_ranking(
    ctx,
    by_town,
    "overview_rank",
    "overview_find",  # only the ends are drawn: let the rest be found
    ctx.t("overview.rank_title", period=period),
    ctx.t("overview.rank_total", scope=literal.plot(ctx.region()), total=f"{total:,}"),
    table,
    f"births_by_township_{year}",
)
ui.show_chart(
    ui.figure(map_view.overview_births_map, ctx.version_dir, year, months, period, ctx.footnote(), ctx.lang),
    "overview_map",
    links_townships=True,
)
