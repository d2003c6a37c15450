"""The house theme and the births chart builders: pure (DataFrame, texts) -> plotly Figure.

Every figure carries its own title (with period and unit), subtitle (filters) and footnote
(data cut-off and source), so that a screenshot or an exported PNG explains itself.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from natality.i18n import t

# CJK-capable fonts first: exported images must render Chinese (Noto Sans CJK SC is what the
# Debian package fonts-noto-cjk installs; the others cover Windows and macOS viewers).
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#999999"]
PREVIOUS = "#9AA5B1"  # the comparison period is always the quieter colour
PARTIAL_OPACITY = 0.45
# Slide export: 960 x 540 at scale 2 is a 1920 x 1080 PNG with 14 px type drawn at 28 px.
EXPORT_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "width": 960, "height": 540, "scale": 2},
}


def finish_figure(fig: go.Figure, title: str, subtitle: str, footnote: str, height: int = 460) -> go.Figure:
    """Apply the house theme and put title, subtitle and footnote inside the figure."""
    fig.update_layout(
        template="plotly_white",
        colorway=PALETTE,
        font={"family": FONT_FAMILY, "size": 14, "color": "#1F2933"},
        title={
            "text": f"<b>{title}</b>",
            "subtitle": {"text": subtitle, "font": {"size": 14, "color": "#52606D"}},
            "x": 0.01,
            "xanchor": "left",
            # Pinned near the top edge in pixels, so that no export size cuts the title off.
            "y": 1 - 12 / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 18},
        },
        margin={"l": 60, "r": 30, "t": 90, "b": 80},
        height=height,
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    fig.add_annotation(
        text=footnote,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-62,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 12, "color": "#52606D"},
    )
    return fig


def presentation_figure(fig: go.Figure) -> go.Figure:
    """A copy with type large enough for a projector (presentation mode); the original is untouched."""
    big = go.Figure(fig)
    big.update_layout(
        font={"size": 18},
        title={"font": {"size": 24}, "subtitle": {"font": {"size": 18}}},
        legend={"font": {"size": 17}},
        height=round((fig.layout.height or 460) * 1.2),
        margin={"b": (fig.layout.margin.b or 80) + 24},
    )
    for annotation in big.layout.annotations:
        annotation.font.size = (annotation.font.size or 12) + 4
    return big


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
