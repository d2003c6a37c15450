"""Township profile: one township's indicators, births, SRB and ranks over the years; ?township=CODE."""

import streamlit as st

from natality import ui
from natality.births import charts, fan_chart, projection_view
from natality.core import literal
from natality.maps import charts as map_charts
from natality.scorecard import charts as scorecard_charts
from natality.scorecard import table as scorecard_table
from natality.srb import charts as srb_charts

ctx = ui.page_context()
names = ui.township_names(ctx)
left, right = st.columns(2)
code = ui.url_select(ctx.t("common.township"), list(names), "township", next(iter(names)), names.get, left)
year = ui.year_select(ctx, key="year", container=right)
name = literal.plot(names[code])  # the name in the figures' titles
st.title(ctx.t("scorecard.profile_title", name=literal.md(names[code])))
formed = scorecard_table.formed_from_text(ui.query(ctx, "township_formed_from", township_code=code), ctx.lang)
if formed:
    st.info(literal.md(formed))  # plain text with names in it
st.page_link("pages/scorecard.py", label=ctx.t("scorecard.back"), query_params={"year": year, "lang": ctx.lang})

data = ui.scorecard_data(ctx)
partial, footnote = ctx.partial_year, ctx.footnote()
card = data.card.filter(data.card["township_code"] == code)
status = data.status.filter(data.status["township_code"] == code)
info, where = st.columns([3, 1])
info.subheader(ctx.t("scorecard.profile_summary", period=ctx.period(year)))
score, rank, klass, veto = scorecard_table.profile_summary(card, year, ctx.lang)
for column, label, value in zip(info.columns([1, 2, 2]), ("score", "rank", "class"), (score, rank, klass), strict=True):
    column.metric(ctx.t(f"scorecard.{label}"), value, help=ctx.t("scorecard.rank_help") if label == "rank" else None)
if veto:
    info.warning(literal.md(veto))
with where:
    try:
        locator = ui.figure(map_charts.locator_map, ui.township_geojson(ctx), code, ctx.lang)
        ui.show_figure(locator, "township_locator", desktop_config={"displayModeBar": False})
    except (OSError, ValueError, KeyError):
        st.caption(ctx.t("scorecard.no_locator"))

first, last = status["year"].min(), status["year"].max()
texts = ctx.t("scorecard.ind_history_title", name=name, first=first, last=last), ctx.t("scorecard.ind_history_subtitle")
region = literal.plot(ctx.region())
history = scorecard_charts.indicator_history
fig = ui.figure(history, status, data.county, data.registry, ctx.lang, *texts, footnote, partial, county_name=region)
verdicts = scorecard_table.verdict_table(status, ctx.lang, with_year=True)
ui.show_chart(fig, "township_indicators", verdicts, f"township_{code}_indicators")

forecast = ui.births_projection(ctx, ctx.cutoff_year) if partial else None
own = forecast.townships.filter(forecast.townships["township_code"] == code) if forecast else None
if own is not None and own.height:  # this year's cumulative births and where they will end
    row, y = own.row(0, named=True), ctx.cutoff_year
    fan = projection_view.fan_frame(ui.query(ctx, "births_by_month", year=y, township_code=code), row, forecast.phi, y)
    title = ctx.t("projection.fan_title", name=name, year=y)
    sub = ctx.t("projection.fan_subtitle", prev=y - 1) + "<br>" + projection_view.sentence(row, ctx.lang)
    fig = ui.figure(fan_chart.projection_fan, fan, row["target"], y, ctx.lang, title, sub, footnote)
    ui.show_chart(fig, "township_projection", fan, f"township_{code}_projection_{y}")

by_order = ui.query(ctx, "births_by_order_year", township_code=code)
orders = [ctx.t("common.order_1"), ctx.t("common.order_2"), ctx.t("common.order_3")]
sub = ctx.t("scorecard.partial_sub", period=ctx.period(ctx.cutoff_year)) if partial else ""
title = ctx.t("scorecard.order_title", name=name, first=first, last=last)
fig = ui.figure(charts.stacked_by_year, by_order, "birth_order", [1, 2, 3], orders, ctx.lang, title, sub, footnote)
ui.show_chart(fig, "township_order", by_order, f"township_{code}_births_by_order")

srb = ui.query(ctx, "srb_township_by_year", township_code=code)
title, sub = ctx.t("scorecard.srb_title", name=name), ctx.t("scorecard.srb_subtitle")
fig = ui.figure(srb_charts.township_srb_years, srb, None, ctx.lang, title, sub, footnote, partial)
ui.show_chart(fig, "township_srb", srb, f"township_{code}_srb")

title, sub = ctx.t("scorecard.rank_title", name=name, n=len(names)), ctx.t("scorecard.rank_subtitle")
fig = ui.figure(scorecard_charts.rank_history, card, ctx.lang, title, sub, footnote, partial, len(names))
ranks = card.select("year", "score", "rank", "rank_low", "rank_high", "class_label", "vetoed")
ui.show_chart(fig, "township_rank", ranks, f"township_{code}_ranks")
