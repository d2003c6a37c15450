"""The rank bump chart: where each township stood year by year, its top and bottom panels."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from natality.core import literal, ranking
from natality.core.i18n import t
from natality.core.short_names import short_labels
from natality.core.theme import PALETTE, finish_figure
from natality.scorecard.charts import MUTED, year_label


def rank_bump(
    card: pl.DataFrame,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    highlight: list[str] | None = None,
    partial_year: int | None = None,
    find: Sequence[str] = (),
) -> go.Figure:
    """Rank by year per township (1 at the top); highlighted townships coloured, the rest grey.

    Past ``TOP + BOTTOM`` townships ranked in the last year a single panel would squeeze ten
    lines into a few pixels: the chart then has a panel for the last year's top ranks, one for
    the townships of ``find`` (codes) and one for the bottom ranks, each over its own ranks
    (a line that was outside them in an earlier year leaves the panel at its edge).
    """
    ranked = card.filter(pl.col("rank").is_not_null()).sort("year")
    years = sorted(ranked["year"].unique().to_list())
    last = years[-1] if years else None
    highlight = [*(highlight or []), *[c for c in find if c not in (highlight or [])]]
    final = ranked.filter(pl.col("year") == last)
    chosen = ranking.top_bottom(final, "rank", descending=False, keep=find)
    if not chosen.cut:
        return _bump_panel_figure(
            ranked, years, [(None, None)], highlight, lang, title, subtitle, footnote, partial_year
        )
    n = int(ranked["rank"].max() or 1)
    rows = chosen.rows
    top = rows.filter(pl.col("position") <= ranking.TOP)
    bottom = rows.filter(pl.col("position") > final.height - ranking.BOTTOM)
    ends = [*top["township_code"], *bottom["township_code"]]
    found = rows.filter(pl.col("matched") & ~pl.col("township_code").is_in(ends))
    panels = [(t("scorecard.bump_top", lang, n=ranking.TOP), top)]
    if found.height:
        panels.append((t("scorecard.bump_found", lang, n=found.height), found))
    panels.append((t("scorecard.bump_bottom", lang, n=ranking.BOTTOM, first=int(bottom["rank"].min()), last=n), bottom))
    # each panel at least as many ranks high as it has townships: ties (a province's hundreds at
    # 100 points share rank 1) would squeeze a panel to one rank, its names nudged out of it
    spans = []
    for k, (label, part) in enumerate(panels):
        lo, hi = int(part["rank"].min()), int(part["rank"].max())
        if k == len(panels) - 1:  # the bottom ranks: widened upwards
            spans.append((label, (max(1, min(lo, hi - part.height + 1)), hi)))
        else:
            spans.append((label, (lo, max(hi, lo + part.height - 1))))
    codes = set(rows["township_code"].to_list())
    return _bump_panel_figure(
        ranked.filter(pl.col("township_code").is_in(codes)),
        years,
        spans,
        highlight,
        lang,
        title,
        subtitle,
        footnote,
        partial_year,
        label_all=True,
    )


def _bump_panel_figure(
    ranked: pl.DataFrame,
    years: list[int],
    spans: list[tuple[str | None, tuple[int, int] | None]],
    highlight: list[str],
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    partial_year: int | None,
    label_all: bool = False,
) -> go.Figure:
    """The bump lines in one panel per rank span (None: every rank), top to bottom."""
    last = years[-1] if years else None
    n = int(ranked["rank"].max() or 1)
    ranges = [span or (1, n) for _, span in spans]
    sizes = [hi - lo + 1 for lo, hi in ranges]
    rows_px = [max(24 * size, 120) for size in sizes]
    height = max(460, sum(rows_px) + 60 * (len(spans) - 1) + 170)
    fig = (
        make_subplots(
            rows=len(spans),
            cols=1,
            shared_xaxes=True,
            vertical_spacing=60 / height,
            row_heights=rows_px,
            subplot_titles=[label for label, _ in spans],
        )
        if len(spans) > 1
        else go.Figure()
    )
    groups = ranked.partition_by("township_code", as_dict=False, maintain_order=True)
    groups.sort(key=lambda g: g["township_code"][0] in highlight)  # highlighted ones drawn on top
    labels: dict[int, list[tuple[int, str, str]]] = {i: [] for i in range(len(spans))}
    x_labels = [year_label(y, partial_year) for y in years]
    # the names at the lines' ends shortened (the hover keeps the full name), once for the figure
    towns = ranked.unique("township_code", keep="first", maintain_order=True)
    short = dict(
        zip(
            towns["township_code"].to_list(),
            literal.plot_series(short_labels(towns["township_name"], towns["township_code"])).to_list(),
            strict=True,
        )
    )
    for group in groups:
        code, name = group["township_code"][0], literal.plot(group["township_name"][0])
        on = code in highlight
        colour = PALETTE[highlight.index(code) % len(PALETTE)] if on else MUTED
        vetoed = group["vetoed"].to_list()
        end = group.filter(pl.col("year") == last)
        end_rank = end["rank"][0] if end.height else None
        for i, (lo, hi) in enumerate(ranges):
            if len(spans) > 1 and not (end_rank is not None and lo <= end_rank <= hi):
                continue  # each township in the panel of its last rank only
            trace = go.Scatter(
                x=[year_label(y, partial_year) for y in group["year"].to_list()],
                y=group["rank"].to_list(),
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 3 if on else 1.5},
                marker={"color": colour, "size": 9 if on else 6, "symbol": ["x" if v else "circle" for v in vetoed]},
                customdata=group.select("score", "class_label", "township_code").rows(),
                hovertemplate=f"{name} " + "%{x}: " + t("scorecard.rank", lang) + " %{y} · %{customdata[0]:.1f} · "
                "%{customdata[1]}<extra></extra>",
                showlegend=False,
            )
            fig.add_trace(trace, row=i + 1, col=1) if len(spans) > 1 else fig.add_trace(trace)
            if (on or label_all) and end_rank is not None:
                labels[i].append((end_rank, short[code], colour if on else "#7B8794", code))
    # Names at the right end, nudged apart (at least one label's height) where ranks are close.
    for i in range(len(ranges)):
        per_rank = rows_px[i] / max(sizes[i], 1)  # pixels per rank in this panel
        slot, slots = float("-inf"), []
        for rank, *_ in sorted(labels[i]):
            slot = max(float(rank), slot + max(0.9, 15 / per_rank))
            slots.append(slot)
        # names nudged past the panel's last rank (ties there) moved up together, to end at it
        lift = max(0.0, (slots[-1] if slots else 0.0) - ranges[i][1])
        for slot, (_rank, name, colour, code) in zip(slots, sorted(labels[i]), strict=True):
            slot -= lift
            # x as the category index: a numeric-looking "2019" would be read as position 2019.
            ref = {} if len(spans) == 1 else {"xref": f"x{i + 1 if i else ''}", "yref": f"y{i + 1 if i else ''}"}
            fig.add_annotation(
                x=len(years) - 1,
                y=slot,
                text=name,
                xanchor="left",
                showarrow=False,
                xshift=10,
                font={"size": 12, "color": colour},
                name=f"township_label:{code}",  # a narrow screen shortens it again (``export.narrow``)
                **ref,
            )
    for i, (lo, hi) in enumerate(ranges):
        axis = {"range": [hi + 0.5, lo - 0.5], "title": t("scorecard.rank", lang), "dtick": 1 if hi - lo < 30 else None}
        fig.update_yaxes(**axis, row=i + 1, col=1) if len(spans) > 1 else fig.update_layout(yaxis=axis)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x_labels)
    labelled = {code for spots in labels.values() for *_, code in spots}
    full = towns.filter(pl.col("township_code").is_in(list(labelled))).select(
        code=pl.col("township_code").cast(pl.String), name=pl.col("township_name").fill_null(pl.col("township_code"))
    )
    names = dict(zip(full["code"], full["name"], strict=True))
    fig.update_layout(margin={"r": 140}, meta={"township_names": names})
    fig = finish_figure(fig, title, subtitle, footnote, height=height)
    if len(spans) > 1:  # panel titles in the theme's grey, at the panel's left
        titles = {label for label, _ in spans}
        for annotation in fig.layout.annotations:
            if annotation.text in titles:
                annotation.update(x=0, xanchor="left", font={"size": 13, "color": "#52606D"})
        fig.update_layout(margin={"t": 130})
    return fig
