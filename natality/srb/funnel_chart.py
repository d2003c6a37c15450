"""The SRB funnel plot: townships' SRB against births within control limits (Spiegelhalter 2005),
widened for over-dispersion when asked. Pure (DataFrame, texts) -> plotly Figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from natality.core import literal
from natality.core.i18n import t
from natality.core.label_places import place_labels
from natality.core.short_names import display_width, short_labels
from natality.core.theme import finish_figure
from natality.srb.dispersion import NO_ALLOWANCE, Allowance, adjusted_limits
from natality.srb.tables import LEVEL_INNER, LEVEL_OUTER, level_text

CLASS_STYLE = {  # colour, marker symbol: shape as well as colour tells the classes apart
    "above": ("#D55E00", "triangle-up"),
    "below": ("#0072B2", "triangle-down"),
    "expected": ("#52606D", "circle"),
    "too_few": ("#A0AAB4", "circle-open"),
}
MANY_TOWNSHIPS = 30  # above this, label only the outliers and the largest townships
LARGEST_LABELLED = 5
MAX_OUTLIERS_LABELLED = 20  # hundreds of townships can put dozens outside: name the furthest
SHORT_LABEL = 6  # characters: Chinese township names are 2-4, English ones 10-20
HEIGHT = 600
BOTTOM = 80  # the house's bottom margin (theme.house_layout)
# The plot's width the labels are placed for: a 1,366 px laptop's (a wider screen spreads the
# points further apart, so what does not overlap here does not overlap there; a phone thins the
# labels again for its width: export.narrow)
PLOT_WIDTH = 800
LABEL_SIZE = 12


def _funnel_grid(max_births: int) -> np.ndarray:
    top = max(int(max_births * 1.08), 50)
    return np.unique(np.concatenate([np.arange(1, 60), np.linspace(60, top, 240).round()]).astype(int))


def _labels_meta(rows: pl.DataFrame) -> dict:
    """The labelled points of a trace (their places in it), with their full names and codes: what
    a narrow screen needs to shorten the labels again (``export.narrow``); only these, so that a
    province's 2,000 points do not carry their names twice."""
    shown = rows.with_row_index("index").filter(pl.col("show_label"))
    return {
        "index": shown["index"].to_list(),
        "names": shown["raw_label"].to_list(),
        "codes": shown["township_code"].cast(pl.String).to_list(),
    }


def _labelled(table: pl.DataFrame, allowance: Allowance = NO_ALLOWANCE) -> list[bool]:
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
    low95, high95 = adjusted_limits(table["births"].to_list(), table["reference"][0], LEVEL_INNER, allowance)
    outside95 = [
        j and s is not None and ((lo is not None and s < lo) or (hi is not None and s > hi))
        for j, s, lo, hi in zip(judged, table["srb"], low95, high95, strict=True)
    ]
    return (outlier | pl.Series(outside95) | largest).to_list()


def _placed(table: pl.DataFrame, x_top: float, y_range: tuple[float, float], plot_height: float) -> pl.DataFrame:
    """``show_label`` kept only where the label fits beside its point without meeting another
    (``core.label_places``, at ``PLOT_WIDTH`` x ``plot_height`` px), and its ``label_position``:
    the outliers furthest from the reference placed first, then the other labelled townships by
    their distance, then the largest."""
    distance = pl.col("z").abs() if "z" in table.columns else (pl.col("srb") - pl.col("reference")).abs()
    rows = (
        table.with_row_index("row")
        .filter(pl.col("show_label") & pl.col("srb").is_not_null())
        .with_columns(
            outlier=pl.col("classification").cast(pl.String).is_in(["above", "below"]),
            distance=distance.fill_nan(None).fill_null(0.0),
        )
        .sort(["outlier", "distance", "births"], descending=True)
    )
    low, high = y_range
    places = place_labels(
        (rows["births"] / x_top * PLOT_WIDTH).to_numpy(),
        ((high - rows["srb"]) / (high - low) * plot_height).to_numpy(),
        (rows.select(display_width("short_label"))["short_label"] * 0.55 * LABEL_SIZE + 4).to_numpy(),
        LABEL_SIZE * 1.3,
        PLOT_WIDTH,
        plot_height,
        below=(rows["srb"] < rows["reference"]).to_numpy(),
    )
    placed = pl.DataFrame({"row": rows["row"], "label_position": pl.Series(places, dtype=pl.String)})
    table = table.with_row_index("row").join(placed, on="row", how="left").sort("row").drop("row")
    return table.with_columns(
        show_label=pl.col("label_position").is_not_null(),
        label_position=pl.col("label_position").fill_null("top center"),
    )


def srb_funnel(
    table: pl.DataFrame,
    reference: float,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    level: float = LEVEL_OUTER,
    allowance: Allowance = NO_ALLOWANCE,
) -> go.Figure:
    """Townships' SRB against births, with control limits at ``level`` (and 95 % inside it)
    around the reference, widened for over-dispersion as ``allowance`` says.

    ``table`` is natality.srb.tables.township_srb_table output built with the same level and
    allowance. Townships with too few births are drawn hollow and grey; an undefined SRB (no
    girls) cannot be drawn and is in the table.
    """
    fig = go.Figure()
    grid = _funnel_grid(int(table["births"].max() or 0))
    levels = [(level, "dash", 2)] + ([(LEVEL_INNER, "dot", 1.5)] if level > LEVEL_INNER else [])
    for at, dash, width in levels:
        low, high = adjusted_limits(grid, reference, at, allowance)
        name = t("srb.limit_at", lang, level=level_text(at))
        for i, values in enumerate((high, low)):
            fig.add_scatter(
                x=grid,
                y=values,
                mode="lines",
                line={"color": "#7B8794", "dash": dash, "width": width},
                name=name,
                legendgroup=name,
                showlegend=i == 0,
                hoverinfo="skip",
            )
    fig.add_hline(y=reference, line={"color": "#1F2933", "width": 1.5})
    fig.add_annotation(  # at the left, where only small townships sit and labels are rare
        text=t("srb.reference_line", lang, value=f"{reference:.1f}"),
        xref="paper",
        x=0.005,
        xanchor="left",
        y=reference,
        yanchor="bottom",
        showarrow=False,
        font={"size": 12},
    )
    table = table.with_columns(pl.lit(reference).alias("reference"))
    # the point labels shortened (a 100-character name would cover the plot), the hover keeps ``label``
    table = table.with_columns(
        short_label=short_labels(table["label"], table["township_code"]), raw_label=pl.col("label")
    )
    judged = table.filter(~pl.col("too_few") & pl.col("srb").is_not_null())["srb"].to_list()
    y_range = (max(min([*judged, reference - 25.0]) - 6, 0.0), max([*judged, reference + 25.0]) + 8)
    # a two-line subtitle (reference; counts) and a legend that may wrap need more room on top, a
    # third line (the over-dispersion allowance) a little more
    top = 150 + 22 * max(0, subtitle.count("<br>") - 1)
    table = _placed(
        table.with_columns(show_label=pl.Series(_labelled(table, allowance))),
        float(grid[-1]),
        y_range,
        HEIGHT - top - BOTTOM,
    )
    for cls, (colour, symbol) in CLASS_STYLE.items():
        rows = table.filter((pl.col("classification") == cls) & pl.col("srb").is_not_null())
        if rows.is_empty():
            continue
        rows = rows.with_columns(literal.plot_expr("label"), literal.plot_expr("short_label"))
        fig.add_scatter(
            x=rows["births"].to_list(),
            y=rows["srb"].to_list(),
            mode="markers+text",
            name=t(f"srb.class.{cls}", lang),
            marker={"color": colour, "symbol": symbol, "size": 11 if cls != "too_few" else 8},
            text=[lab if show else "" for lab, show in zip(rows["short_label"], rows["show_label"], strict=True)],
            textposition=rows["label_position"].to_list(),
            textfont={"size": LABEL_SIZE, "color": colour, "shadow": "auto"},  # a halo: readable over other points
            # what a narrow screen needs to shorten the labels again (``export.narrow``)
            meta={"township_labels": _labels_meta(rows)},
            customdata=rows.select("label", "boys", "girls", "srb_low", "srb_high", "township_code").rows(),
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + t("common.births", lang)
            + " %{x:,} ("
            + t("common.boys", lang)
            + " %{customdata[1]:,}, "
            + t("common.girls", lang)
            + " %{customdata[2]:,})<br>"
            + t("srb.col.srb", lang)
            + " %{y:.1f}, "
            + t("srb.interval95", lang)
            + " %{customdata[3]:.1f}–%{customdata[4]:.1f}<extra></extra>",
        )
    fig.update_layout(  # the ranges set: the labels were placed for them
        xaxis={"title": t("srb.axis_births", lang), "range": [0, float(grid[-1])]},
        yaxis={"title": t("srb.axis_srb", lang), "range": list(y_range)},
    )
    fig = finish_figure(fig, title, subtitle, footnote, height=HEIGHT)
    return fig.update_layout(margin={"t": top})
