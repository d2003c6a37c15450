"""The Township page's projection fan: pure (DataFrame, texts) -> plotly Figure."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from natality.core.i18n import t
from natality.core.theme import PALETTE, PREVIOUS, add_band, finish_figure


def projection_fan(
    fan: pl.DataFrame, target: float | None, year: int, lang: str, title: str, subtitle: str, footnote: str
) -> go.Figure:
    """This year's cumulative births, last year's, the projection's 90 % fan to December and the
    target line. ``fan``: month, this_year, last_year, mean, low, high (projection_view.fan_frame)."""
    x = [t(f"charts.month_{m}", lang) for m in fan["month"].to_list()]
    fig = go.Figure()
    if fan["last_year"].drop_nulls().len():
        fig.add_scatter(
            x=x,
            y=fan["last_year"].to_list(),
            name=t("projection.last_year", lang, year=year - 1),
            mode="lines",
            line={"color": PREVIOUS, "width": 2},
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    if fan["mean"].drop_nulls().len():
        add_band(
            fig,
            x,
            fan["low"].to_list(),
            fan["high"].to_list(),
            "rgba(0, 114, 178, 0.2)",
            {"name": "high"},
            {"name": t("projection.fan_band", lang), "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        )
        fig.add_scatter(
            x=x,
            y=fan["mean"].to_list(),
            name=t("projection.fan_mean", lang),
            mode="lines",
            line={"color": PALETTE[0], "dash": "dot", "width": 2},
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        )
    fig.add_scatter(
        x=x,
        y=fan["this_year"].to_list(),
        name=t("projection.this_year", lang, year=year),
        mode="lines+markers",
        line={"color": PALETTE[0], "width": 3},
        hovertemplate="%{x}: %{y:,}<extra></extra>",
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": PALETTE[3], "dash": "dash", "width": 2},
            annotation_text=t("projection.target_line", lang, target=f"{target:,.0f}"),
            annotation_position="top left",
        )
    fig.update_layout(xaxis={"type": "category"}, yaxis={"title": t("charts.births_axis", lang), "rangemode": "tozero"})
    return finish_figure(fig, title, subtitle, footnote)
