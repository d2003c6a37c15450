"""Township profile: one township's indicators, births, SRB and ranks over the years; ?township=CODE."""

import streamlit as st

from natality import ui
from natality.births import charts
from natality.maps import charts as map_charts
from natality.scorecard import charts as scorecard_charts
from natality.scorecard import table as scorecard_table
from natality.srb import charts as srb_charts

ctx = ui.page_context()
names = ui.township_names(ctx)
left, right = st.columns(2)
with left:
    code = ui.url_select(ctx.t("common.township"), list(names), "township", next(iter(names)), names.get)
with right:
    year = ui.year_select(ctx, key="year")
name = names[code]
st.title(ctx.t("scorecard.profile_title", name=name))
formed = scorecard_table.formed_from_text(ui.query(ctx, "township_formed_from", township_code=code), ctx.lang)
if formed:
    st.info(formed)
st.page_link("pages/scorecard.py", label=ctx.t("scorecard.back"), query_params={"year": year, "lang": ctx.lang})

data = ui.scorecard_data(ctx)
partial = ctx.cutoff_year if ctx.months_in(ctx.cutoff_year) < 12 else None
card = data.card.filter(data.card["township_code"] == code)
status = data.status.filter(data.status["township_code"] == code)
info, where = st.columns([3, 1])
with info:
    st.subheader(ctx.t("scorecard.profile_summary", period=ctx.period(year)))
    score, rank, klass, veto = scorecard_table.profile_summary(card, year, ctx.lang)
    for column, label, value in zip(
        st.columns([1, 2, 2]), ("score", "rank", "class"), (score, rank, klass), strict=True
    ):
        column.metric(
            ctx.t(f"scorecard.{label}"), value, help=ctx.t("scorecard.rank_help") if label == "rank" else None
        )
    if veto:
        st.warning(veto)
with where:
    try:
        ui.show_figure(map_charts.locator_map(ui.township_geojson(ctx), code, ctx.lang), "township_locator",
                       desktop_config={"displayModeBar": False})  # fmt: skip
    except (OSError, ValueError, KeyError):
        st.caption(ctx.t("scorecard.no_locator"))

first, last = status["year"].min(), status["year"].max()
title = ctx.t("scorecard.ind_history_title", name=name, first=first, last=last)
sub = ctx.t("scorecard.ind_history_subtitle")
fig = scorecard_charts.indicator_history(
    status, data.county, data.registry, ctx.lang, title, sub, ctx.footnote(), partial, county_name=ctx.region()
)
ui.show_chart(fig, "township_indicators", scorecard_table.verdict_table(status, ctx.lang, with_year=True),
              f"township_{code}_indicators")  # fmt: skip

by_order = ui.query(ctx, "births_by_order_year", township_code=code)
fig = charts.stacked_by_year(
    by_order, "birth_order", [1, 2, 3], [ctx.t("common.order_1"), ctx.t("common.order_2"), ctx.t("common.order_3")],
    ctx.lang, ctx.t("scorecard.order_title", name=name, first=first, last=last), ctx.t("scorecard.partial_sub",
    period=ctx.period(ctx.cutoff_year)) if partial else "", ctx.footnote(),
)  # fmt: skip
ui.show_chart(fig, "township_order", by_order, f"township_{code}_births_by_order")

srb = ui.query(ctx, "srb_township_by_year", township_code=code)
title, sub = ctx.t("scorecard.srb_title", name=name), ctx.t("scorecard.srb_subtitle")
fig = srb_charts.township_srb_years(srb, None, ctx.lang, title, sub, ctx.footnote(), partial)
ui.show_chart(fig, "township_srb", srb, f"township_{code}_srb")

fig = scorecard_charts.rank_history(
    card, ctx.lang, ctx.t("scorecard.rank_title", name=name, n=len(names)), ctx.t("scorecard.rank_subtitle"),
    ctx.footnote(), partial, len(names),
)  # fmt: skip
ranks = card.select("year", "score", "rank", "rank_low", "rank_high", "class_label", "vetoed")
ui.show_chart(fig, "township_rank", ranks, f"township_{code}_ranks")
