"""Scorecard figures: score distribution, a township's indicators and ranks (the rank bump: ``bump_chart``).

Pure builders: (DataFrame, texts) -> plotly Figure, titled, subtitled and footnoted in the figure.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from natality.core import literal
from natality.core.i18n import t
from natality.core.theme import PALETTE, PARTIAL_OPACITY, finish_figure
from natality.scorecard.indicators import Registry

# Traffic lights, colour-blind safe (blue / orange / grey, never red-green) and always with a mark.
STATUS_COLOUR = {"met": "#0072B2", "on_track": "#56B4E9", "missed": "#D55E00", "at_risk": "#E69F00",
                 "not_judged": "#9AA5B1"}  # fmt: skip
STATUS_FILL = {"met": "#C6DBEF", "on_track": "#E1EEF8", "missed": "#F8C9A4", "at_risk": "#FCE3BF",
               "not_judged": "#E4E7EB"}  # fmt: skip
STATUS_MARK = {"met": "✓", "on_track": "✓", "missed": "✗", "at_risk": "!", "not_judged": "–"}
STATUS_SYMBOL = {"met": "circle", "on_track": "circle-open", "missed": "x", "at_risk": "triangle-up",
                 "not_judged": "circle-open"}  # fmt: skip
CLASS_COLOUR = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#999999"]
MUTED = "#C3CAD3"


def year_label(year: int, partial_year: int | None) -> str:
    return f"{year}*" if year == partial_year else str(year)


# Above this many townships at one score, the dots would stack past the chart's height (a
# province's 2,000 put 1,600 at 100): townships are counted in bars of one point instead.
MAX_STACK = 20
TALL_BAR = 4  # a bar more than this many times the next tallest is cut at the axis's top


def score_distribution(card: pl.DataFrame, registry: Registry, lang: str, title: str, subtitle: str, footnote: str):
    """Each township's score as a dot on the 0-100 line, coloured by class, with class thresholds;
    where more than ``MAX_STACK`` share a score, bars of one point counting the townships."""
    scored = card.filter(pl.col("score").is_not_null()).sort("score")
    size = 16 if scored.height <= 60 else 10 if scored.height <= 300 else 7  # a city's dots must not merge
    top = int(scored.group_by("score").len()["len"].max() or 1) if scored.height else 1
    if top > MAX_STACK:
        return _score_bars(scored, registry, lang, title, subtitle, footnote)
    fig = go.Figure()
    for i, cls in enumerate(registry.classes):
        rows = scored.filter(pl.col("class") == cls.id)
        stack = rows.with_columns(level=pl.col("score").cum_count().over("score"))
        fig.add_scatter(
            x=stack["score"].to_list(),
            y=stack["level"].to_list(),
            mode="markers",
            name=f"{cls.name[lang]} ({rows.height})",
            marker={
                "color": CLASS_COLOUR[i % len(CLASS_COLOUR)],
                "size": size,
                "line": {"color": "white", "width": 1},
                "symbol": ["x" if v else "circle" for v in stack["vetoed"].to_list()],
            },
            customdata=stack.select(literal.plot_expr("township_name"), "rank").rows(),
            hovertemplate="%{customdata[0]}: %{x:.1f} (" + t("scorecard.rank", lang) + " %{customdata[1]})"
            "<extra></extra>",
        )
    _class_lines(fig, registry)
    fig.update_layout(
        xaxis={"title": t("scorecard.score_axis", lang), "range": [-3, 103]},
        yaxis={"title": t("scorecard.count_axis", lang), "range": [0, top + 1], "dtick": 1},
    )
    return finish_figure(fig, title, subtitle, footnote, height=420)


def _class_lines(fig: go.Figure, registry: Registry) -> None:
    """The classes' lower bounds: a dotted line each, its score written at the top."""
    for cls in registry.classes:
        if cls.min_score > 0:
            fig.add_vline(x=cls.min_score, line={"color": "#52606D", "dash": "dot", "width": 1})
            fig.add_annotation(
                x=cls.min_score,
                y=1,
                yref="paper",
                text=f"{cls.min_score:g}",
                showarrow=False,
                xanchor="left",
                yanchor="top",
                font={"size": 12, "color": "#52606D"},
            )


def _score_bars(scored: pl.DataFrame, registry: Registry, lang: str, title: str, subtitle: str, footnote: str):
    """The townships counted per point of score (a score of 72.4 in the bar from 72 to 73, 100 in
    its own), stacked by class; the vetoed ones hatched with "x". One bar trace per class and
    veto, counted by polars: no Python per township."""
    bins = scored.with_columns(low=pl.col("score").floor().clip(0, 100), vetoed=pl.col("vetoed").fill_null(False))
    counts = (
        bins.group_by("class", "vetoed", "low")
        .len()
        .sort("low")
        .with_columns(
            span=pl.when(pl.col("low") >= 100)
            .then(pl.lit("100"))
            .otherwise(pl.format("{}–{}", pl.col("low").cast(pl.Int64), (pl.col("low") + 1).cast(pl.Int64)))
        )
    )
    fig = go.Figure()
    for i, cls in enumerate(registry.classes):
        colour = CLASS_COLOUR[i % len(CLASS_COLOUR)]
        name = f"{cls.name[lang]} ({int((scored['class'] == cls.id).sum())})"
        shown = False
        for vetoed in (False, True):
            rows = counts.filter((pl.col("class") == cls.id) & (pl.col("vetoed") == vetoed))
            if rows.is_empty():
                continue
            fig.add_bar(
                x=(rows["low"] + 0.5).to_list(),
                y=rows["len"].to_list(),
                width=0.9,
                name=name,
                legendgroup=cls.id,
                showlegend=not shown,
                marker={"color": colour, "pattern": {"shape": "x" if vetoed else "", "fgcolor": "white"}},
                customdata=rows.select("span").rows(),
                hovertemplate=literal.plot(cls.name[lang])
                + (" ×" if vetoed else "")
                + ", %{customdata[0]}: %{y:,}<extra></extra>",
            )
            shown = True
    _class_lines(fig, registry)
    yaxis = {"title": t("scorecard.count_axis", lang), "rangemode": "tozero"}
    # one bar far above every other (a province's 1,600 at 100 points, the next 60) would flatten
    # the rest to nothing: the axis stops above the others and that bar is cut, its count on it
    totals = counts.group_by("low").agg(pl.col("len").sum()).sort("len", descending=True)
    if totals.height > 1 and totals["len"][0] > TALL_BAR * totals["len"][1]:
        top = totals["len"][1] * 1.6
        yaxis["range"] = [0, top]
        fig.add_annotation(
            x=float(totals["low"][0]) + 0.5,
            y=top,
            text=f"{int(totals['len'][0]):,} ↑",
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font={"size": 12, "color": "#1F2933"},
        )
    fig.update_layout(
        barmode="stack",
        bargap=0,
        xaxis={"title": t("scorecard.score_axis", lang), "range": [-3, 103]},
        yaxis=yaxis,
    )
    return finish_figure(fig, title, subtitle, footnote, height=420)


def indicator_history(
    status: pl.DataFrame,
    county: pl.DataFrame,
    registry: Registry,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None = None,
    county_name: str | None = None,
) -> go.Figure:
    """One panel per indicator: the township's value by year (marked by verdict, 95 % interval as
    error bars), its target (dashed) and the value of the region shown (grey; ``county_name``,
    default 'County')."""
    inds = [
        ind for ind in registry.indicators if status.filter(pl.col("indicator") == ind.id)["value"].is_not_null().any()
    ]
    cols = 2
    rows = max(1, math.ceil(len(inds) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        vertical_spacing=0.5 / rows,
        horizontal_spacing=0.08,
        subplot_titles=[f"{ind.name[lang]} ({ind.unit[lang]})" for ind in inds],
    )
    shown: set[str] = set()
    for i, ind in enumerate(inds):
        r, c = i // cols + 1, i % cols + 1
        town = status.filter(pl.col("indicator") == ind.id).sort("year")
        x = [year_label(y, partial_year) for y in town["year"].to_list()]
        county_rows = county.filter(pl.col("indicator") == ind.id).sort("year")
        if ind.formula != "count" and county_rows.height:
            county_x = [year_label(y, partial_year) for y in county_rows["year"].to_list()]
            _legend_trace(
                fig,
                shown,
                "county",
                county_name or t("common.county", lang),
                r,
                c,
                x=county_x,
                y=county_rows["value"].to_list(),
                mode="lines",
                line={"color": "#7B8794", "width": 1.5},
            )
        _legend_trace(
            fig,
            shown,
            "target",
            t("scorecard.target", lang),
            r,
            c,
            x=x,
            y=town["target"].to_list(),
            mode="markers",
            marker={
                "symbol": "line-ew-open",
                "size": 22,
                "color": "#1F2933",
                "line": {"width": 2.5, "color": "#1F2933"},
            },
            hovertemplate="%{x}: " + t("scorecard.target", lang) + " %{y}<extra></extra>",
        )
        value, low, high = town["value"].to_list(), town["low"].to_list(), town["high"].to_list()
        status_list, years = town["status"].to_list(), town["year"].to_list()
        # The partial year is drawn as a paler point, not joined to the full years by the line.
        line_y = [None if y == partial_year else v for y, v in zip(years, value, strict=True)]
        _legend_trace(
            fig,
            shown,
            "value_line",
            t("scorecard.township_value", lang),
            r,
            c,
            x=x,
            y=line_y,
            mode="lines",
            line={"color": PALETTE[0], "width": 2},
            hoverinfo="skip",
        )
        marker = {
            "size": 10,
            "color": [STATUS_COLOUR[s] for s in status_list],
            "symbol": [STATUS_SYMBOL[s] for s in status_list],
            "opacity": [PARTIAL_OPACITY if y == partial_year else 1 for y in years],
        }
        fig.add_scatter(
            x=x,
            y=value,
            mode="markers",
            marker=marker,
            error_y=_error_bars(value, low, high),
            customdata=town.select("reason").rows(),
            hovertemplate="%{x}: %{customdata[0]}<extra></extra>",
            showlegend=False,
            row=r,
            col=c,
        )
        fig.update_xaxes(type="category", row=r, col=c)
    fig.update_annotations(font={"size": 13})
    height = 260 * rows + 200
    fig = finish_figure(fig, title, subtitle, footnote, height=height)
    # Legend under the subtitle, above the panel titles (the house default would overlap them).
    fig.update_layout(
        margin={"t": 150},
        legend={"yref": "container", "y": 1 - 78 / height, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return fig


def _error_bars(value: list, low: list, high: list) -> dict | None:
    """Asymmetric error bars for a 95 % interval; None when no value has one."""
    if all(lo is None for lo in low):
        return None
    pairs = list(zip(value, low, high, strict=True))
    return {
        "type": "data",
        "color": PALETTE[0],
        "thickness": 1,
        "array": [None if v is None or h is None else h - v for v, _, h in pairs],
        "arrayminus": [None if v is None or lo is None else v - lo for v, lo, _ in pairs],
    }


def _legend_trace(fig, shown: set[str], group: str, name: str, row: int, col: int, **kwargs) -> None:
    fig.add_scatter(name=name, legendgroup=group, showlegend=group not in shown, row=row, col=col, **kwargs)
    shown.add(group)


def rank_history(
    card: pl.DataFrame,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None = None,
    n_townships: int | None = None,
) -> go.Figure:
    """One township's rank by year (1 at the top), labelled with score and class; a bar through
    each point spans the rank's 90 % interval (rank_low..rank_high) when the card carries it."""
    rows = card.filter(pl.col("rank").is_not_null()).sort("year")
    fig = go.Figure()
    if "rank_low" in rows.columns and rows["rank_low"].is_not_null().any():
        error_y = {
            "type": "data",
            "symmetric": False,
            "color": PALETTE[0],
            "thickness": 1.2,
            "width": 6,
            "array": (rows["rank_high"] - rows["rank"]).fill_null(0).to_list(),
            "arrayminus": (rows["rank"] - rows["rank_low"]).fill_null(0).to_list(),
        }
    else:
        error_y = None
    fig.add_scatter(
        x=[year_label(y, partial_year) for y in rows["year"].to_list()],
        y=rows["rank"].to_list(),
        mode="lines+markers+text",
        text=[f"{s:.0f}" for s in rows["score"].to_list()],
        textposition="top center",
        marker={"size": 11, "color": PALETTE[0], "symbol": ["x" if v else "circle" for v in rows["vetoed"].to_list()]},
        line={"color": PALETTE[0]},
        error_y=error_y,
        customdata=rows.select("score", "class_label").rows(),
        hovertemplate="%{x}: " + t("scorecard.rank", lang) + " %{y} · %{customdata[0]:.1f} · %{customdata[1]}"
        "<extra></extra>",
        showlegend=False,
    )
    top = n_townships or int(rows["rank"].max() or 1)
    yaxis = {"range": [top + 0.5, 0.5], "title": t("scorecard.rank", lang), "dtick": max(1, top // 10)}
    fig.update_layout(xaxis={"type": "category"}, yaxis=yaxis)
    return finish_figure(fig, title, subtitle, footnote, height=420)
