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
found = ui.find_township(ctx, by_town.height, "births_find")  # only the ends are drawn: let the rest be found
fig = ui.figure(
    charts.township_births_bar,
    by_town,
    ctx.lang,
    ctx.t("births.by_township_title", period=period),
    ctx.t("births.county_total", scope=literal.plot(ctx.region()), total=f"{int(by_town['births'].sum()):,}"),
    ctx.footnote(),
    find=found.codes,
)
ui.show_chart(
    fig, "births_by_township", births_view.with_total(by_town, ctx), f"births_by_township_{year}", links_townships=True
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

by_order = ui.query(ctx, "births_by_order_year", township_code=township)
categories, names = births_view.order_categories(by_order, ctx)
fig = ui.figure(
    charts.stacked_by_year,
    by_order,
    "birth_order",
    categories,
    names,
    ctx.lang,
    ctx.t("births.order_title"),
    scope,
    ctx.footnote(),
)
ui.show_chart(fig, "births_order", by_order, "births_by_order")

by_age = ui.query(ctx, "births_by_age_year", township_code=township)
categories, names = births_view.age_categories(by_age, ctx)
fig = ui.figure(
    charts.stacked_by_year,
    by_age,
    "mother_age_band",
    categories,
    names,
    ctx.lang,
    ctx.t("births.age_title"),
    scope,
    ctx.footnote(),
)
ui.show_chart(fig, "births_age", by_age, "births_by_mother_age")
