"""The births chart builders: pure (DataFrame, texts) -> plotly Figure, in the house theme."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from natality.core.i18n import t
from natality.core.theme import PALETTE, PARTIAL_OPACITY, PREVIOUS, finish_figure


def births_trend(df: pl.DataFrame, lang: str, title: str, footnote: str) -> go.Figure:
    """Annual births (bars; the partial year paler and marked) and crude birth rate (line)."""
    partial = df["is_partial"].to_list()
    opacity = [PARTIAL_OPACITY if p else 1.0 for p in partial]
    labels = [f"{y}*" if p else str(y) for y, p in zip(df["year"].to_list(), partial, strict=True)]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=df["births"].to_list(),
        name=t("common.births", lang),
        marker={"color": PALETTE[0], "opacity": opacity},
        hovertemplate="%{x}: %{y:,}<extra></extra>",
    )
    fig.add_scatter(
        x=labels,
        y=df["birth_rate"].to_list(),
        name=t("common.birth_rate", lang) + " (‰)",
        yaxis="y2",
        mode="lines+markers",
        line={"color": PALETTE[1], "width": 3},
        hovertemplate="%{x}: %{y:.2f}‰<extra></extra>",
    )
    fig.update_layout(
        yaxis={"title": t("charts.births_axis", lang), "rangemode": "tozero"},
        yaxis2={
            "title": t("charts.rate_axis", lang),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickformat": ".0f",
        },
        xaxis={"type": "category"},
    )
    subtitle = t("charts.partial_note", lang) if any(partial) else ""
    return finish_figure(fig, title, subtitle, footnote)


def township_births_bar(df: pl.DataFrame, lang: str, title: str, subtitle: str, footnote: str) -> go.Figure:
    """Births by township, largest at the top."""
    name_col = "township_name" if lang == "zh" else "township_name_en"
    ordered = df.sort("births")
    fig = go.Figure(
        go.Bar(
            x=ordered["births"].to_list(),
            y=ordered[name_col].to_list(),
            orientation="h",
            marker={"color": PALETTE[0]},
            text=[f"{v:,}" for v in ordered["births"].to_list()],
            textposition="outside",
            cliponaxis=False,
            customdata=ordered["township_code"].to_list(),
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(xaxis={"title": t("charts.births_axis", lang)}, yaxis={"type": "category"})
    return finish_figure(fig, title, subtitle, footnote, height=max(420, 26 * df.height + 170))


def monthly_comparison(df: pl.DataFrame, year: int, lang: str, title: str, subtitle: str, footnote: str) -> go.Figure:
    """Births month by month: the selected year against the year before."""
    months = list(range(1, 13))
    fig = go.Figure()
    for y, colour in ((year - 1, PREVIOUS), (year, PALETTE[0])):
        rows = dict(df.filter(pl.col("year") == y).select("month", "births").iter_rows())
        fig.add_bar(
            x=[t(f"charts.month_{m}", lang) for m in months],
            y=[rows.get(m) for m in months],
            name=str(y),
            marker={"color": colour},
            hovertemplate=f"{y} " + "%{x}: %{y:,}<extra></extra>",
        )
    fig.update_layout(barmode="group", yaxis={"title": t("charts.births_axis", lang), "rangemode": "tozero"})
    return finish_figure(fig, title, subtitle, footnote)


def stacked_by_year(
    df: pl.DataFrame,
    category: str,
    categories: list,
    names: list[str],
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
) -> go.Figure:
    """Births by year stacked by a category (birth order, mother's age band), with shares on hover."""
    years = sorted(df["year"].unique().to_list())
    totals = dict(df.group_by("year").agg(pl.col("births").sum()).iter_rows())
    fig = go.Figure()
    for i, (value, name) in enumerate(zip(categories, names, strict=True)):
        selected = df.filter(pl.col(category).is_null() if value is None else pl.col(category) == value)
        rows = dict(selected.select("year", "births").iter_rows())
        y = [rows.get(year, 0) for year in years]
        share = [100 * v / totals[year] if totals.get(year) else 0 for v, year in zip(y, years, strict=True)]
        fig.add_bar(
            x=[str(year) for year in years],
            y=y,
            name=name,
            customdata=share,
            marker={"color": PALETTE[i % len(PALETTE)]},
            hovertemplate=f"{name} " + "%{x}: %{y:,} (%{customdata:.1f}%)<extra></extra>",
        )
    fig.update_layout(barmode="stack", yaxis={"title": t("charts.births_axis", lang)}, xaxis={"type": "category"})
    return finish_figure(fig, title, subtitle, footnote)
