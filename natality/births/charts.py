"""The births chart builders: pure (DataFrame, texts) -> plotly Figure, in the house theme."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from natality.core import literal, ranking
from natality.core.i18n import t
from natality.core.short_names import short_labels
from natality.core.theme import PALETTE, PARTIAL_OPACITY, PREVIOUS, finish_figure
from natality.srb.tables import unique_labels

HIGHLIGHT = PALETTE[1]  # townships found by the search


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


def township_births_bar(
    df: pl.DataFrame, lang: str, title: str, subtitle: str, footnote: str, find: Sequence[str] = ()
) -> go.Figure:
    """Births by township, largest at the top; past 20 townships only the 10 largest, the 10
    smallest and the townships of ``find`` (codes, drawn in the highlight colour), with a marked
    gap for the ones left out and a subtitle line that says so."""
    name_col = "township_name" if lang == "zh" else "township_name_en"
    ranked = ranking.top_bottom(df, "births", keep=find)
    names = ranked.rows[name_col].fill_null(ranked.rows["township_name"])
    # the axis shows a shortened name (a 100-character name would take the plot's width), the hover the full one
    rows = ranked.rows.with_columns(
        label=literal.plot_series(short_labels(names, ranked.rows["township_code"])),
        full_name=literal.plot_series(unique_labels(names, ranked.rows["township_code"])),
    )
    # the rows left out, on two short lines: on a phone the axis is as wide as its longest line
    gaps = {
        g.before: t("births.rank_gap_axis", lang, n=f"{g.count:,}", first=g.first, last=g.last) for g in ranked.gaps
    }
    order = []  # top to bottom, a gap's marker where its rows would be
    for i, label in enumerate([*rows["label"].to_list(), None]):
        order += [gaps[i]] if i in gaps else []
        order += [label] if label is not None else []
    drawn = rows.reverse()  # the first category is drawn at the bottom
    fig = go.Figure(
        go.Bar(
            x=drawn["births"].to_list(),
            y=drawn["label"].to_list(),
            orientation="h",
            showlegend=False,
            marker={"color": [HIGHLIGHT if m else PALETTE[0] for m in drawn["matched"]] if find else PALETTE[0]},
            text=[f"{v:,}" for v in drawn["births"].to_list()],
            textposition="outside",
            cliponaxis=False,
            customdata=drawn["township_code"].to_list(),
            hovertext=drawn["full_name"].to_list(),
            hovertemplate="%{hovertext}: %{x:,}<extra></extra>",
        )
    )
    if gaps:  # the rows left out: an empty, labelled slot where they would be
        fig.add_bar(x=[None] * len(gaps), y=list(gaps.values()), orientation="h", hoverinfo="skip", showlegend=False)
        subtitle = "<br>".join(s for s in (subtitle, _cut_note(ranked, lang)) if s)
    fig.update_layout(
        xaxis={"title": t("charts.births_axis", lang)},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
    fig = finish_figure(fig, title, subtitle, footnote, height=max(420, 26 * len(order) + 170))
    return fig.update_layout(margin={"t": 112}) if gaps else fig  # room for the subtitle's second line


def _cut_note(ranked: ranking.Ranking, lang: str) -> str:
    note = t("births.rank_cut", lang, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{ranked.total:,}")
    found = int(ranked.rows["matched"].sum())
    return note + (t("common.rank_found", lang, n=found) if found else "")


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
