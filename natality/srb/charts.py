"""SRB chart builders: pure (DataFrame, texts) -> plotly Figure, finished with the house theme.

Every SRB drawn carries its 95 % interval (a band or error bars) and the natural range 103-107,
so that a leader sees at once whether a movement is bigger than chance.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from natality.core.i18n import t
from natality.core.theme import PALETTE, PARTIAL_OPACITY, add_band, finish_figure
from natality.srb.tables import NATURAL_RANGE

BAND_OPACITY = 0.18
AXIS_CAP = 250.0


def _natural_range(fig: go.Figure, lang: str) -> None:
    low, high = NATURAL_RANGE
    fig.add_hrect(y0=low, y1=high, fillcolor="#009E73", opacity=0.12, line_width=0, layer="below")
    fig.add_annotation(
        text=t("srb.natural_range", lang),
        xref="paper",
        x=0.005,
        xanchor="left",
        y=(low + high) / 2,
        yanchor="middle",
        showarrow=False,
        font={"size": 12, "color": "#00734F"},
    )


def _srb_axis(lang: str, *series: list) -> dict:
    """A y axis that always shows the whole natural range and 100 as well as the data."""
    values = [v for s in series for v in s if v is not None]
    low, high = min([*values, 100.0]), max([*values, NATURAL_RANGE[1] + 2])
    pad = max(2.0, 0.05 * (high - low))
    # a tiny township's interval can reach several hundred: let it run off the chart, not squash it
    return {"title": t("srb.axis_srb", lang), "range": [max(low - pad, 0.0), min(high + pad, AXIS_CAP)]}


def _say_if_empty(fig: go.Figure, srb: list, lang: str) -> None:
    """An empty chart must say why rather than look broken."""
    if all(v is None for v in srb):
        fig.add_annotation(
            text=t("srb.not_computable", lang),
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.92,
            showarrow=False,
            font={"size": 15, "color": "#52606D"},
        )


def _hex_rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _line_with_band(
    fig: go.Figure, x: list, df: pl.DataFrame, name: str, colour: str, lang: str, mode: str = "lines+markers"
) -> None:
    """The SRB line with its 95 % interval as a shaded band (gaps where undefined)."""
    band = {"name": f"{name} · {t('srb.interval95', lang)}", "hoverinfo": "skip", "legendgroup": name}
    fillcolor = _hex_rgba(colour, BAND_OPACITY)
    add_band(fig, x, df["srb_low"].to_list(), df["srb_high"].to_list(), fillcolor, {"legendgroup": name}, band)
    fig.add_scatter(
        x=x,
        y=df["srb"].to_list(),
        mode=mode,
        name=name,
        legendgroup=name,
        line={"color": colour, "width": 3},
        customdata=df.select("srb_low", "srb_high", "births").rows(),
        hovertemplate=f"{name} %{{x}}: %{{y:.1f}} (%{{customdata[0]:.1f}}–%{{customdata[1]:.1f}})"
        f"<br>{t('common.births', lang)} %{{customdata[2]:,}}<extra></extra>",
    )


def year_labels(years: list[int], partial_year: int | None) -> list[str]:
    """Category labels for years; the partial (cut-off) year is starred."""
    return [f"{y}*" if y == partial_year else str(y) for y in years]


def srb_trend(
    df: pl.DataFrame,
    targets: pl.DataFrame,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None = None,
    series_name: str | None = None,
) -> go.Figure:
    """The region's SRB by year (``series_name``, default 'County SRB') with its 95 % band, the
    natural range and the target (a step line)."""
    x = year_labels(df["year"].to_list(), partial_year)
    fig = go.Figure()
    _natural_range(fig, lang)
    _line_with_band(fig, x, df, series_name or t("srb.county_srb", lang), PALETTE[0], lang)
    by_year = dict(targets.select("year", "target").iter_rows())
    target = [by_year.get(y) for y in df["year"].to_list()]
    if any(v is not None for v in target):
        fig.add_scatter(
            x=x,
            y=target,
            mode="lines",
            line={"color": "#D55E00", "dash": "dash", "shape": "hvh"},
            name=t("srb.target", lang),
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    axis = _srb_axis(lang, df["srb_low"].to_list(), df["srb_high"].to_list(), target)
    fig.update_layout(xaxis={"type": "category"}, yaxis=axis)
    return finish_figure(fig, title, subtitle, footnote)


def srb_by_order(
    df: pl.DataFrame,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None = None,
) -> go.Figure:
    """SRB by year for 1st, 2nd and 3rd+ births, each with its 95 % band."""
    fig = go.Figure()
    _natural_range(fig, lang)
    for i, order in enumerate((1, 2, 3)):
        rows = df.filter(pl.col("birth_order") == order).sort("year")
        x = year_labels(rows["year"].to_list(), partial_year)
        _line_with_band(fig, x, rows, t(f"common.order_{order}", lang), PALETTE[i], lang)
    axis = _srb_axis(lang, df["srb_low"].to_list(), df["srb_high"].to_list())
    fig.update_layout(xaxis={"type": "category"}, yaxis=axis)
    return finish_figure(fig, title, subtitle, footnote)


def township_srb_years(
    df: pl.DataFrame,
    reference: float | None,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None = None,
) -> go.Figure:
    """One township's SRB by year as points with 95 % error bars (years without an SRB left out)."""
    rows = df.filter(pl.col("srb").is_not_null())
    fig = go.Figure()
    _natural_range(fig, lang)
    _say_if_empty(fig, df["srb"].to_list(), lang)
    srb = rows["srb"].to_list()
    # an open upper end (no girls) cannot occur here: srb is null then and the row is left out
    plus = [hi - s for s, hi in zip(srb, rows["srb_high"].to_list(), strict=True)]
    minus = [s - lo for s, lo in zip(srb, rows["srb_low"].to_list(), strict=True)]
    partial = [y == partial_year for y in rows["year"].to_list()]
    fig.add_scatter(
        x=year_labels(rows["year"].to_list(), partial_year),
        y=srb,
        mode="markers",
        name=t("srb.col.srb", lang),
        marker={"color": PALETTE[0], "size": 10, "opacity": [PARTIAL_OPACITY if p else 1 for p in partial]},
        error_y={"type": "data", "array": plus, "arrayminus": minus, "color": PALETTE[0], "thickness": 1.5},
        customdata=rows.select("srb_low", "srb_high", "births").rows(),
        hovertemplate="%{x}: %{y:.1f} (%{customdata[0]:.1f}–%{customdata[1]:.1f})<br>"
        + t("common.births", lang)
        + " %{customdata[2]:,}<extra></extra>",
    )
    if reference is not None:
        fig.add_hline(y=reference, line={"color": "#1F2933", "width": 1.5})
    # births but no girls: the SRB has no value, only a lower limit; show that limit as an arrow
    open_rows = df.filter(pl.col("srb").is_null() & (pl.col("births") > 0))
    if open_rows.height:
        fig.add_scatter(
            x=year_labels(open_rows["year"].to_list(), partial_year),
            y=open_rows["srb_low"].to_list(),
            mode="markers",
            name=t("srb.no_girls", lang),
            marker={"symbol": "triangle-up-open", "size": 12, "color": PALETTE[0]},
            customdata=open_rows.select("boys", "srb_low").rows(),
            hovertemplate="%{x}: " + t("srb.no_girls_hover", lang) + "<extra></extra>",
        )
    fig.update_layout(
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": year_labels(df["year"].to_list(), partial_year),
        },
        yaxis=_srb_axis(lang, df["srb_low"].to_list(), rows["srb_high"].to_list(), [reference]),
    )
    return finish_figure(fig, title, subtitle, footnote)


def rolling_srb(
    township: pl.DataFrame,
    county: pl.DataFrame,
    name: str,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    county_name: str | None = None,
) -> go.Figure:
    """Rolling 12-month SRB of a township (with its 95 % band) against the region's
    (``county_name``, default 'County SRB')."""
    fig = go.Figure()
    _natural_range(fig, lang)
    _say_if_empty(fig, township["srb"].to_list(), lang)
    _line_with_band(fig, township["month"].to_list(), township, name, PALETTE[0], lang, mode="lines")
    fig.add_scatter(
        x=county["month"].to_list(),
        y=county["srb"].to_list(),
        mode="lines",
        line={"color": "#7B8794", "dash": "dash"},
        name=county_name or t("srb.county_srb", lang),
        hovertemplate="%{x|%Y-%m}: %{y:.1f}<extra></extra>",
    )
    axis = _srb_axis(lang, township["srb_low"].to_list(), township["srb_high"].to_list(), county["srb"].to_list())
    fig.update_layout(yaxis=axis, xaxis={"tickformat": "%Y"})
    return finish_figure(fig, title, subtitle, footnote)
