"""SRB chart builders: pure (DataFrame, texts) -> plotly Figure, finished with the house theme.

Every SRB drawn carries its 95 % interval (a band or error bars) and the natural range 103-107,
so that a leader sees at once whether a movement is bigger than chance.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from natality.core.i18n import t
from natality.core.theme import PALETTE, PARTIAL_OPACITY, finish_figure
from natality.srb.stats import funnel_limits
from natality.srb.tables import LEVEL_INNER, LEVEL_OUTER, NATURAL_RANGE

CLASS_STYLE = {  # colour, marker symbol: shape as well as colour tells the classes apart
    "above": ("#D55E00", "triangle-up"),
    "below": ("#0072B2", "triangle-down"),
    "expected": ("#52606D", "circle"),
    "too_few": ("#A0AAB4", "circle-open"),
}
BAND_OPACITY = 0.18
MANY_TOWNSHIPS = 30  # above this, label only the outliers and the largest townships
LARGEST_LABELLED = 5
MAX_OUTLIERS_LABELLED = 20  # hundreds of townships can put dozens outside: name the furthest
SHORT_LABEL = 6  # characters: Chinese township names are 2-4, English ones 10-20
AXIS_CAP = 250.0


def _natural_range(fig: go.Figure, lang: str) -> None:
    low, high = NATURAL_RANGE
    fig.add_hrect(y0=low, y1=high, fillcolor="#009E73", opacity=0.12, line_width=0, layer="below")
    fig.add_annotation(
        text=t("srb.natural_range", lang), xref="paper", x=0.005, xanchor="left", y=(low + high) / 2,
        yanchor="middle", showarrow=False, font={"size": 12, "color": "#00734F"},
    )  # fmt: skip


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
            text=t("srb.not_computable", lang), xref="paper", yref="paper", x=0.5, y=0.92,
            showarrow=False, font={"size": 15, "color": "#52606D"},
        )  # fmt: skip


def _hex_rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _line_with_band(
    fig: go.Figure, x: list, df: pl.DataFrame, name: str, colour: str, lang: str, mode: str = "lines+markers"
) -> None:
    """The SRB line with its 95 % interval as a shaded band (gaps where undefined)."""
    fig.add_scatter(
        x=x, y=df["srb_high"].to_list(), mode="lines", line={"width": 0}, showlegend=False,
        hoverinfo="skip", legendgroup=name,
    )  # fmt: skip
    fig.add_scatter(
        x=x, y=df["srb_low"].to_list(), mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor=_hex_rgba(colour, BAND_OPACITY), name=f"{name} · {t('srb.interval95', lang)}",
        hoverinfo="skip", legendgroup=name,
    )  # fmt: skip
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
            x=x, y=target, mode="lines", line={"color": "#D55E00", "dash": "dash", "shape": "hvh"},
            name=t("srb.target", lang), hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )  # fmt: skip
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


def _funnel_grid(max_births: int) -> np.ndarray:
    top = max(int(max_births * 1.08), 50)
    return np.unique(np.concatenate([np.arange(1, 60), np.linspace(60, top, 240).round()]).astype(int))


def _labelled(table: pl.DataFrame) -> list[bool]:
    """Which points get a name: outliers (99.8 %) always. A county (<= 30 townships) with short
    names: every judged township; with long names: also those outside the 95 % limits and the
    largest few. Hundreds of townships: only the outliers (the ``MAX_OUTLIERS_LABELLED`` furthest
    from the reference) and the largest few; the rest are in the hover and the table (by chance
    alone 1 in 20 falls outside the 95 % limits)."""
    judged = ~table["too_few"]
    outlier = table["classification"].is_in(["above", "below"])
    largest = table["births"].rank("ordinal", descending=True) <= LARGEST_LABELLED
    if table.height > MANY_TOWNSHIPS:
        if "z" in table.columns and int(outlier.sum()) > MAX_OUTLIERS_LABELLED:
            distance = table["z"].abs().fill_null(0).fill_nan(0) * outlier
            outlier = distance.rank("ordinal", descending=True) <= MAX_OUTLIERS_LABELLED
        return (outlier | largest).to_list()
    if (table["label"].str.len_chars().median() or 0) <= SHORT_LABEL:
        return (judged | outlier).to_list()
    low95, high95 = funnel_limits(table["births"].to_list(), table["reference"][0], LEVEL_INNER)
    outside95 = [
        j and s is not None and ((lo is not None and s < lo) or (hi is not None and s > hi))
        for j, s, lo, hi in zip(judged, table["srb"], low95, high95, strict=True)
    ]
    return (outlier | pl.Series(outside95) | largest).to_list()


def _label_positions(births: pl.Series) -> list[str]:
    """Neighbours along the births axis alternate above and below, so labels collide less."""
    rank = births.rank("ordinal").to_list()
    return ["top center" if r % 2 else "bottom center" for r in rank]


def srb_funnel(
    table: pl.DataFrame,
    reference: float,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
) -> go.Figure:
    """Townships' SRB against births, with 95 % and 99.8 % control limits around the reference.

    ``table`` is natality.srb.tables.township_srb_table output. Townships with too few births
    are drawn hollow and grey; an undefined SRB (no girls) cannot be drawn and is in the table.
    """
    fig = go.Figure()
    grid = _funnel_grid(int(table["births"].max() or 0))
    for level, dash, width in ((LEVEL_OUTER, "dash", 2), (LEVEL_INNER, "dot", 1.5)):
        low, high = funnel_limits(grid, reference, level)
        name = t("srb.limit998" if level == LEVEL_OUTER else "srb.limit95", lang)
        for i, values in enumerate((high, low)):
            fig.add_scatter(
                x=grid, y=values, mode="lines", line={"color": "#7B8794", "dash": dash, "width": width},
                name=name, legendgroup=name, showlegend=i == 0, hoverinfo="skip",
            )  # fmt: skip
    fig.add_hline(y=reference, line={"color": "#1F2933", "width": 1.5})
    fig.add_annotation(  # at the left, where only small townships sit and labels are rare
        text=t("srb.reference_line", lang, value=f"{reference:.1f}"), xref="paper", x=0.005, xanchor="left",
        y=reference, yanchor="bottom", showarrow=False, font={"size": 12},
    )  # fmt: skip
    table = table.with_columns(pl.lit(reference).alias("reference"))
    table = table.with_columns(
        show_label=pl.Series(_labelled(table)), label_position=pl.Series(_label_positions(table["births"]))
    )
    for cls, (colour, symbol) in CLASS_STYLE.items():
        rows = table.filter((pl.col("classification") == cls) & pl.col("srb").is_not_null())
        if rows.is_empty():
            continue
        fig.add_scatter(
            x=rows["births"].to_list(),
            y=rows["srb"].to_list(),
            mode="markers+text",
            name=t(f"srb.class.{cls}", lang),
            marker={"color": colour, "symbol": symbol, "size": 11 if cls != "too_few" else 8},
            text=[lab if show else "" for lab, show in zip(rows["label"], rows["show_label"], strict=True)],
            textposition=rows["label_position"].to_list(),
            textfont={"size": 12, "color": colour},
            customdata=rows.select("label", "boys", "girls", "srb_low", "srb_high", "township_code").rows(),
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + t("common.births", lang) + " %{x:,} (" + t("common.boys", lang) + " %{customdata[1]:,}, "
            + t("common.girls", lang) + " %{customdata[2]:,})<br>"
            + t("srb.col.srb", lang) + " %{y:.1f}, " + t("srb.interval95", lang)
            + " %{customdata[3]:.1f}–%{customdata[4]:.1f}<extra></extra>",
        )  # fmt: skip
    judged = table.filter(~pl.col("too_few") & pl.col("srb").is_not_null())["srb"].to_list()
    low_y = min([*judged, reference - 25.0]) - 6
    high_y = max([*judged, reference + 25.0]) + 8
    fig.update_layout(
        xaxis={"title": t("srb.axis_births", lang), "rangemode": "tozero"},
        yaxis={"title": t("srb.axis_srb", lang), "range": [max(low_y, 0.0), high_y]},
    )
    fig = finish_figure(fig, title, subtitle, footnote, height=600)
    # a two-line subtitle (reference; counts) and a legend that may wrap need more room on top
    return fig.update_layout(margin={"t": 150})


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
        + t("common.births", lang) + " %{customdata[2]:,}<extra></extra>",
    )  # fmt: skip
    if reference is not None:
        fig.add_hline(y=reference, line={"color": "#1F2933", "width": 1.5})
    # births but no girls: the SRB has no value, only a lower limit; show that limit as an arrow
    open_rows = df.filter(pl.col("srb").is_null() & (pl.col("births") > 0))
    if open_rows.height:
        fig.add_scatter(
            x=year_labels(open_rows["year"].to_list(), partial_year), y=open_rows["srb_low"].to_list(),
            mode="markers", name=t("srb.no_girls", lang),
            marker={"symbol": "triangle-up-open", "size": 12, "color": PALETTE[0]},
            customdata=open_rows.select("boys", "srb_low").rows(),
            hovertemplate="%{x}: " + t("srb.no_girls_hover", lang) + "<extra></extra>",
        )  # fmt: skip
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
        x=county["month"].to_list(), y=county["srb"].to_list(), mode="lines",
        line={"color": "#7B8794", "dash": "dash"}, name=county_name or t("srb.county_srb", lang),
        hovertemplate="%{x|%Y-%m}: %{y:.1f}<extra></extra>",
    )  # fmt: skip
    axis = _srb_axis(lang, township["srb_low"].to_list(), township["srb_high"].to_list(), county["srb"].to_list())
    fig.update_layout(yaxis=axis, xaxis={"tickformat": "%Y"})
    return finish_figure(fig, title, subtitle, footnote)
