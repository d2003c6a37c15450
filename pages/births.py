"""Births: by township, month by month against last year, by birth order and mother's age."""

import streamlit as st

from natality import ui
from natality.births import charts
from natality.births import view as births_view
from natality.core import literal

ctx = ui.page_context()
st.title(ctx.t("births.title"))

left, right = st.columns(2)
with left:
    year = ui.year_select(ctx, key="year")
with right:
    township = ui.township_select(ctx, key="township")
period = ctx.period(year)
scope_name = births_view.scope_name(ui.township_names(ctx), township, ctx.region())
scope = ctx.t("births.scope", scope=literal.plot(scope_name))

by_town = ui.query(ctx, "births_by_township_year", year=year)
ui.show_township_ranking(
    ctx,
    by_town,
    "births_by_township",
    "births_find",  # only the ends are drawn: let the rest be found
    ctx.t("births.by_township_title", period=period),
    ctx.t("births.county_total", scope=literal.plot(ctx.region()), total=f"{int(by_town['births'].sum()):,}"),
    births_view.with_total(by_town, ctx),
    f"births_by_township_{year}",
)

monthly = ui.query(ctx, "births_by_month", year=year, township_code=township)
if monthly.is_empty():
    st.info(ctx.t("births.no_data"))
else:
    fig = ui.figure(
        charts.monthly_comparison,
        monthly,
        year,
        ctx.lang,
        ctx.t("births.monthly_title", year=year, prev=year - 1),
        scope,
        ctx.footnote(),
    )
    ui.show_chart(fig, "births_monthly", births_view.monthly_table(monthly, year), f"births_by_month_{year}")

for query, column, categories_of, title, key, stem in (
    (
        "births_by_order_year",
        "birth_order",
        births_view.order_categories,
        "births.order_title",
        "births_order",
        "births_by_order",
    ),
    (
        "births_by_age_year",
        "mother_age_band",
        births_view.age_categories,
        "births.age_title",
        "births_age",
        "births_by_mother_age",
    ),
):
    by = ui.query(ctx, query, township_code=township)
    categories, names = categories_of(by, ctx)
    fig = ui.figure(
        charts.stacked_by_year, by, column, categories, names, ctx.lang, ctx.t(title), scope, ctx.footnote()
    )
    ui.show_chart(fig, key, by, stem)
