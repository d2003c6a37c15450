"""Compare-years figures: a slope chart per township and a map of the change. Pure builders."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from natality.compare.comparison import COLUMNS
from natality.core import literal
from natality.core.i18n import t
from natality.core.short_names import short_labels
from natality.core.theme import PALETTE, PREVIOUS, finish_figure
from natality.maps.charts import MapTexts, township_choropleth

ROSE, FELL = PALETTE[0], PALETTE[3]


def _few(table: pl.DataFrame, indicator: str) -> pl.Expr:
    """Rows whose change is too noisy to colour: few births in the base, or an SRB on few births."""
    if indicator == "births":
        return pl.col("births_few")
    if indicator == "srb":
        return pl.col("srb_beyond_chance").is_null()
    return pl.lit(False)


def slope_chart(
    table: pl.DataFrame, indicator: str, labels: tuple[str, str], lang: str, title: str, subtitle: str, footnote: str
) -> go.Figure:
    """One line per township from the base period (left) to the current one (right).

    Lines that rose are blue, lines that fell vermilion; for the SRB only changes larger than
    chance are coloured, and townships too small to judge are grey.
    """
    base_col, now_col, _, decimals = COLUMNS[indicator]
    rows = table.filter(pl.col(base_col).is_not_null() & pl.col(now_col).is_not_null())
    rows = rows.with_columns(few=_few(rows, indicator), short=short_labels(rows["township"], rows["township_code"]))
    # the hover names the township in full; the label at the line's end is shortened
    rows = rows.with_columns(raw=pl.col("township"), code_text=pl.col("township_code").cast(pl.String))
    rows = rows.with_columns(literal.plot_expr("township"), literal.plot_expr("short")).sort(now_col)
    fig = go.Figure()
    fmt = f",.{decimals}f"
    for r in rows.iter_rows(named=True):
        before, after = r[base_col], r[now_col]
        if r["few"] or (indicator == "srb" and not r["srb_beyond_chance"]):
            colour, width = PREVIOUS, 1.5
        else:
            colour, width = (ROSE if after > before else FELL if after < before else PREVIOUS), 2.5
        fig.add_scatter(
            x=list(labels),
            y=[before, after],
            mode="lines+markers",
            line={"color": colour, "width": width},
            marker={"size": 7},
            name=r["township"],
            showlegend=False,
            customdata=[r["township_code"]] * 2,
            hovertemplate=f"{r['township']}<br>%{{x}}: %{{y:{fmt}}}<extra></extra>",
        )
    # names at the right end (the current value), nudged apart so they do not overlap
    ends = _spread(rows[now_col].to_list(), _min_gap(rows, base_col, now_col))
    fig.add_scatter(
        x=[labels[1]] * rows.height,
        y=ends,
        mode="text",
        text=[f"  {n} {v:{fmt}}" for n, v in zip(rows["short"], rows[now_col], strict=True)],
        textposition="middle right",
        textfont={"size": 14},
        hoverinfo="skip",
        showlegend=False,
        # what a narrow screen needs to shorten the names again (``export.narrow``): raw full names
        meta={
            "township_labels": {
                "names": rows["raw"].to_list(),
                "codes": rows["code_text"].to_list(),
                "prefix": "  ",
                "suffixes": [f" {v:{fmt}}" for v in rows[now_col]],
                "ends": True,  # at the lines' right ends: the x range makes room for them
            }
        },
    )
    for name, colour in (
        (t("compare.legend.rose", lang), ROSE),
        (t("compare.legend.fell", lang), FELL),
        (t(f"compare.legend.grey.{indicator}", lang), PREVIOUS),
    ):
        fig.add_scatter(x=[None], y=[None], mode="lines", line={"color": colour, "width": 3}, name=name)
    fig.update_layout(
        xaxis={"type": "category", "range": [-0.15, 1.9], "showgrid": False},
        yaxis={"title": t(f"compare.unit.{indicator}", lang), "tickformat": fmt},
    )
    return finish_figure(fig, title, subtitle, footnote, height=max(540, 24 * rows.height + 200))


def _min_gap(rows: pl.DataFrame, base_col: str, now_col: str) -> float:
    values = rows[base_col].to_list() + rows[now_col].to_list()
    span = (max(values) - min(values)) if values else 0.0
    # about one label height when the labels share the value range (14 px type, ~400 px plot)
    return span / max(rows.height, 1) if span else 1.0


def _spread(values: list[float], gap: float) -> list[float]:
    """Ascending values moved up just enough to be ``gap`` apart, then re-centred on the originals."""
    out: list[float] = []
    for v in values:
        out.append(max(v, out[-1] + gap) if out else v)
    shift = (sum(out) - sum(values)) / len(out) if out else 0.0
    return [v - shift for v in out]


def change_map(
    geojson: dict[str, Any], table: pl.DataFrame, indicator: str, lang: str, title: str, subtitle: str, footnote: str
) -> go.Figure:
    """Choropleth of the change per township on a diverging scale centred on no change."""
    base_col, now_col, change_col, decimals = COLUMNS[indicator]
    unit = t(f"compare.change_unit.{indicator}", lang)
    fmt = f"+,.{max(decimals, 1)}f"
    names = literal.plot_list(table["township"].to_list())
    hover = [
        f"<b>{name}</b><br>{_v(r[base_col], decimals)} → {_v(r[now_col], decimals)}"
        f"<br>{t('compare.change', lang)}: {'–' if r[change_col] is None else format(r[change_col], fmt)} {unit}"
        for name, r in zip(names, table.iter_rows(named=True), strict=True)
    ]
    frame = table.select(
        "township_code", pl.col(change_col).alias("value"), _few(table, indicator).alias("too_few")
    ).with_columns(hover=pl.Series(hover, dtype=pl.String))
    texts = MapTexts(
        title=title,
        subtitle=subtitle,
        footnote=footnote,
        legend_title=t("compare.map_legend", lang, unit=unit),
        no_data=t("compare.no_data", lang),
        too_few=t(f"compare.map_few.{indicator}", lang),
        value_format=fmt,
    )
    return township_choropleth(geojson, frame, "value", texts, lang, method="quantiles", diverging=True)


def _v(value: float | None, decimals: int) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"
