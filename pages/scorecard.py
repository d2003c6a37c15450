"""Scorecard: townships against the targets the county set them; every verdict explained."""

import streamlit as st

from natality import ui
from natality.births import projection_view
from natality.core import literal, ranking
from natality.scorecard import charts as scorecard_charts
from natality.scorecard import reasons as scorecard_reasons
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
find, show_all = "", False
if wide.height > ranking.TOP + ranking.BOTTOM:  # a city: the ends of the ranking, the rest on demand
    f1, f2 = st.columns([3, 1])
    find = f1.text_input(ctx.t("common.find_township"), key="scorecard_find",
                         placeholder=ctx.t("common.find_placeholder"), help=ctx.t("common.find_help"))  # fmt: skip
    show_all = f2.toggle(ctx.t("scorecard.show_all", n=f"{wide.height:,}"), key="scorecard_all")
found = ranking.find_townships(ui.query(ctx, "township_list"), find, ctx.name_col)
if ranking.find_note(found, ctx.lang):
    st.caption(ranking.find_note(found, ctx.lang))
ranked = ranking.top_bottom(wide, "rank", descending=False, keep=found.codes)
grid = wide if show_all or not ranked.cut else ranked.rows.drop("position", "matched")
if grid.height < wide.height:
    st.caption(ctx.t("scorecard.grid_cut", year=year, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{wide.height:,}"))
event = st.dataframe(
    scorecard_table.styled_table(grid, reg, ctx.lang, extra),
    hide_index=True,
    height=min(36 * (grid.height + 1) + 3, 1100),  # every township without scrolling (up to ~30)
    key="scorecard_grid",
    on_select="rerun",
    selection_mode="single-row",
)
if event.selection.rows:
    code = grid["township_code"][event.selection.rows[0]]
    st.switch_page("pages/township.py", query_params={"township": code, "year": year, "lang": ctx.lang})
vetoes = scorecard_reasons.veto_markdown(card, ctx.lang)
if vetoes:
    st.markdown(vetoes)
title = f"{ctx.t('scorecard.title')} {period}"
st.download_button(
    ctx.t("scorecard.download_xlsx"),
    lambda: scorecard_table.excel_bytes(wide, reg, ctx.lang, title, ctx.footnote()),  # made on click
    file_name=f"scorecard_{year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="scorecard_xlsx",
    on_click="ignore",
)
st.caption(ctx.footnote(literal.md))

with st.expander(ctx.t("scorecard.rules.title")):
    st.markdown(scorecard_reasons.rules_markdown(reg, ctx.lang, months, fraction))
with st.expander(ctx.t("scorecard.verdicts_title")):
    st.dataframe(ui.arrow(scorecard_table.verdict_table(status, ctx.lang)), hide_index=True, key="scorecard_verdicts")

history = data.card.filter(data.card["year"] <= year)
first, last = history["year"].min(), history["year"].max()
partial = ctx.cutoff_year if ctx.months_in(ctx.cutoff_year) < 12 else None
cut = ctx.t("scorecard.bump_cut", year=year, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{card.height:,}")
fig = ui.figure(scorecard_charts.rank_bump,
    history, ctx.lang, ctx.t("scorecard.bump_title", first=first, last=last),
    ctx.t("scorecard.bump_subtitle") + (f"<br>{cut}" if ranked.cut else ""), ctx.footnote(),
    scorecard_table.bump_highlight(card), partial, find=found.codes,
)  # fmt: skip
ui.show_chart(fig, "scorecard_bump", history.select("year", "township_code", "township_name", "score", "rank"),
              "scorecard_ranks", links_townships=True)  # fmt: skip
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
