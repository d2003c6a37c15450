"""Scorecard: townships against the targets the county set them; every verdict explained."""

from functools import partial

import streamlit as st

from natality import ui
from natality.births import projection_view
from natality.core import literal, ranking
from natality.scorecard import bump_chart
from natality.scorecard import charts as scorecard_charts
from natality.scorecard import reasons as scorecard_reasons
from natality.scorecard import rules as scorecard_rules
from natality.scorecard import table as scorecard_table

ctx = ui.page_context()
st.title(ctx.t("scorecard.title"))
year = ui.year_select(ctx, key="year")
data = ui.scorecard_data(ctx)
card, status, reg = data.card_for(year), data.status_for(year), data.registry
if card.is_empty():
    st.info(ctx.t("scorecard.no_targets", year=year))
    st.stop()
period = ctx.period(year)
months, fraction = data.fraction_for(year)
st.markdown(f"**{scorecard_reasons.summary_text(card, reg, period, ctx.lang)}**")
if months < 12:
    basis = scorecard_reasons.basis_text(months, fraction, ctx.lang)
    st.info(ctx.t("scorecard.partial_note", month=ctx.cutoff_text(), basis=basis))
st.caption(f"{scorecard_table.legend(ctx.lang)}　{ctx.t('scorecard.table_help')}")

wide = scorecard_table.wide_table(card, status, reg)
forecast = ui.births_projection(ctx, year) if months < 12 else None
extra = []
if forecast is not None:  # the partial year: each township's projected total and chance of its target
    columns = projection_view.scorecard_columns(forecast.townships, ctx.lang)
    wide, extra = wide.join(columns, on="township_code", how="left"), columns.columns[1:]
    st.caption(ctx.t("projection.scorecard_caption", period=period))
box, show_all = st, False
if wide.height > ranking.TOP + ranking.BOTTOM:  # a city: the ends of the ranking, the rest on demand
    box, right = st.columns([3, 1])
    show_all = right.toggle(ctx.t("scorecard.show_all", n=f"{wide.height:,}"), key="scorecard_all")
found = ui.find_township(ctx, wide.height, "scorecard_find", box)
ranked = ranking.top_bottom(wide, "rank", descending=False, keep=found.codes)
grid = wide if show_all or not ranked.cut else ranked.rows.drop("position", "matched")
if grid.height < wide.height:
    st.caption(ctx.t("scorecard.grid_cut", year=year, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{wide.height:,}"))
styled = scorecard_table.styled_table(grid, reg, ctx.lang, extra)
ui.show_township_grid(styled, grid["township_code"], "scorecard_grid", year)
vetoes = scorecard_reasons.veto_markdown(card, ctx.lang)
many = vetoes.count("\n- ") + vetoes.startswith("- ")  # a province's list: folded, not a wall of text
if vetoes:
    box = st.expander(ctx.t("scorecard.veto_fold", n=f"{many:,}")) if many > ranking.TOP else st
    box.markdown(vetoes)
title = f"{ctx.t('scorecard.title')} {period}"
excel = partial(scorecard_table.excel_bytes, wide, reg, ctx.lang, title, ctx.footnote())  # made on click
ui.xlsx_download(ctx.t("scorecard.download_xlsx"), excel, f"scorecard_{year}.xlsx", "scorecard_xlsx")
st.caption(ctx.footnote(literal.md))

# The rules and every verdict are made only while their expander is open (most views do not).
rules = st.expander(ctx.t("scorecard.rules.title"), key="scorecard_rules_box", on_change="rerun")
if rules.open:
    rules.markdown(scorecard_rules.rules_markdown(reg, ctx.lang, months, fraction))
verdicts = st.expander(ctx.t("scorecard.verdicts_title"), key="scorecard_verdicts_box", on_change="rerun")
if verdicts.open:
    verdicts.dataframe(
        ui.arrow(scorecard_table.verdict_table(status, ctx.lang)), hide_index=True, key="scorecard_verdicts"
    )

history = data.card.filter(data.card["year"] <= year)
first, last = history["year"].min(), history["year"].max()
cut = ctx.t("scorecard.bump_cut", year=year, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{card.height:,}")
subtitle = ctx.t("scorecard.bump_subtitle") + (f"<br>{cut}" if ranked.cut else "")
texts = ctx.t("scorecard.bump_title", first=first, last=last), subtitle, ctx.footnote()
highlight = scorecard_table.bump_highlight(card)
fig = ui.figure(bump_chart.rank_bump, history, ctx.lang, *texts, highlight, ctx.partial_year, find=found.codes)
ranks = history.select("year", "township_code", "township_name", "score", "rank")
ui.show_chart(fig, "scorecard_bump", ranks, "scorecard_ranks", links_townships=True)
fig = ui.figure(
    scorecard_charts.score_distribution,
    card,
    reg,
    ctx.lang,
    ctx.t("scorecard.dist_title", period=period),
    ctx.t("scorecard.dist_subtitle"),
    ctx.footnote(),
)
ui.show_chart(fig, "scorecard_dist", card, f"scorecard_{year}")
