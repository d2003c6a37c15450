"""The meeting pack's content: one titled figure per slide plus notes carrying its numbers.

Built from the same queries and library functions as the pages (overview KPIs, births and SRB
charts, the funnel with the page's default 3-year window and county reference, the scorecard,
the maps and the compare page), so the pack never disagrees with what the app shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from natality.births import charts, overview, projection, projection_view
from natality.compare import charts as compare_charts
from natality.compare import comparison as compare
from natality.compare import view as compare_view
from natality.core import extract, literal, theme
from natality.core.context import Ctx, context_for
from natality.core.notes import notes_for_year
from natality.export.leader_notes import with_leader_notes
from natality.maps import view as map_view
from natality.maps.charts import township_choropleth
from natality.scorecard import charts as scorecard_charts
from natality.scorecard import scoring
from natality.srb import view as srb_view
from natality.srb.tables import MIN_BIRTHS


@dataclass(frozen=True)
class Slide:
    heading: str
    figure: go.Figure
    notes: str
    # The page chart this slide shows ("overview_trend", "srb_funnel", "map:birth_rate" ...):
    # where the leaders' notes written on that chart go (export/leader_notes.py).
    chart: str | None = None


def text_figure(title: str, lines: list[str], footnote: str, big: bool = False) -> go.Figure:
    """A slide of text only (title slide, headline numbers, summary sentences) in the house theme."""
    fig = go.Figure()
    size = 30 if big else 20
    y = 0.92
    for line in lines:
        # about 900 px of line: a Chinese character is as wide as the type size, a Latin letter half
        wrapped = _wrap(line, int(900 / (size * (1.0 if any("\u4e00" <= c <= "\u9fff" for c in line) else 0.5))))
        fig.add_annotation(
            text=wrapped,
            x=0.02,
            y=y,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            align="left",
            font={"size": size},
        )
        y -= (0.16 if big else 0.1) * (wrapped.count("<br>") + 1) + (0 if big else 0.03)
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False})
    return theme.finish_figure(fig, title, "", footnote, height=540)


def _wrap(text: str, width: int) -> str:
    """Break a long sentence of plotly text with <br> for an annotation (CJK has no spaces: cut by
    characters, never inside a tag or an entity such as an escaped name's ``&lt;``)."""
    if " " not in text:
        units = re.findall(r"<[^>]*>|&#?\w+;|.", text, flags=re.S)
        return "<br>".join("".join(units[i : i + width]) for i in range(0, len(units), width))
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*out, line])


def build_slides(data_dir: str | Path | None, year: int, lang: str, region: str | None = None) -> list[Slide]:
    """The pack's slides for ``year``, narrowed to ``region`` (None: the whole extract)."""
    version_dir = str(extract.live_version_dir(data_dir or extract.default_data_dir()))
    ctx = context_for(lang, version_dir, extract.read_manifest(version_dir), region)
    months, period = ctx.months_in(year), ctx.period(year)
    previous = ctx.period(year - 1, months)
    foot = ctx.footnote()
    slides = [
        Slide(
            ctx.t("export.title_heading"),
            text_figure(
                ctx.t("export.title", region=literal.plot(ctx.region())),
                [
                    ctx.t("export.title_period", period=period),
                    ctx.t("app.cutoff", month=ctx.cutoff_text()),
                    ctx.t("app.synthetic_banner") if ctx.manifest.get("synthetic") else "",
                ],
                foot,
                big=True,
            ),
            ctx.t("export.title_notes", region=ctx.region(), period=period, cutoff=ctx.cutoff_text()),
        )
    ]
    summary = ctx.query("county_period_summary", year=year, month_to=months)
    kpis = overview.headline_kpis(summary, year, period, previous, lang)
    births_status = scoring.region_scorecard(ctx.version_dir, lang, ctx.region_code).status_for(year)
    target = overview.births_target_kpi(births_status.filter(pl.col("indicator") == "births"), months, lang)
    kpis += [target] if target else []
    forecast = _projection_sentence(ctx, year, months)
    lines = [f"<b>{k.label}</b>: {k.value}" + (f"  ({k.delta})" if k.delta else "") for k in kpis]
    if forecast:  # the partial year: where it will end, with its interval and the chance of the target
        lines.append(f"<b>{ctx.t('projection.label')}</b>: {forecast}")
        kpis.append(overview.Kpi(ctx.t("projection.label"), forecast, None, ""))
    notes = "\n".join(f"{k.label}: {k.value}" + (f" ({k.delta})" if k.delta else "") + f". {k.help}" for k in kpis)
    slides.append(
        Slide(
            ctx.t("export.kpi_heading"),
            text_figure(
                ctx.t("export.kpi_title", period=period), [*lines, ctx.t("overview.versus", period=previous)], foot
            ),
            notes,
        )
    )

    trend = ctx.query("county_births_by_year", township_code=None)
    fig = charts.births_trend(
        trend, lang, ctx.t("overview.trend_title", first=trend["year"].min(), last=trend["year"].max()), foot
    )
    notes = "\n".join(f"{r['year']}: {r['births']:,}; {r['birth_rate']:.2f}‰" for r in trend.iter_rows(named=True))
    slides.append(Slide(ctx.t("export.trend_heading"), fig, notes, "overview_trend"))

    by_town = ctx.query("births_by_township_year", year=year)
    fig = charts.township_births_bar(
        by_town,
        lang,
        ctx.t("overview.rank_title", period=period),
        ctx.t("overview.rank_subtitle", total=f"{int(by_town['births'].sum()):,}"),
        foot,
    )
    slides.append(Slide(ctx.t("export.rank_heading"), fig, _pairs(by_town, ctx.name_col, "births", 0), "overview_rank"))

    slides += _srb_slides(ctx, year)
    slides += _scorecard_slides(ctx, year)
    slides += _map_slides(ctx, year, months, period)
    slides += _compare_slides(ctx, year, months, period, previous)
    return with_leader_notes(slides, notes_for_year(ctx.version_dir, year, ctx.region_code), ctx)


def _projection_sentence(ctx: Ctx, year: int, months: int) -> str | None:
    """'预计全年 6,650（90% 区间 6,480–6,820），达标可能性 84%' for a partial year, else None."""
    if months >= 12:
        return None
    forecast = projection.projection(ctx.version_dir, year, None, ctx.region_code)
    return projection_view.sentence(forecast.scope_row(), ctx.lang) if forecast.regions.height else None


def _pairs(df: pl.DataFrame, name_col: str, value_col: str, decimals: int) -> str:
    return "; ".join(
        f"{n} {v:,.{decimals}f}" for n, v in zip(df[name_col], df[value_col], strict=True) if v is not None
    )


def _srb_slides(ctx: Ctx, year: int) -> list[Slide]:
    by_year = ctx.query("srb_by_year")
    targets = ctx.query("srb_targets", region_code=ctx.region_code or ctx.manifest.get("region_code", ""))
    notes = "\n".join(
        f"{r['year']}: {r['srb']:.1f} (95% {r['srb_low']:.1f}–{r['srb_high']:.1f}; {r['births']:,})"
        for r in by_year.iter_rows(named=True)
        if r["srb"] is not None
    )
    out = [Slide(ctx.t("export.srb_heading"), srb_view.trend_figure(ctx, by_year, targets), notes, "srb_trend")]
    year_from = year - 2  # the Sex ratio page's default: three years pooled
    county = ctx.query("srb_county", year_from=year_from, year_to=year)
    reference, label = next(iter(srb_view.reference_options(ctx, county, targets, year).values()))
    towns = ctx.query("srb_by_township", year_from=year_from, year_to=year)
    allowance = srb_view.funnel_allowance(towns, "auto")  # the page's default, so pack and page agree
    table = srb_view.township_table(ctx, towns, reference, allowance=allowance)
    when = srb_view.period(ctx, year_from, year)
    fig = srb_view.funnel_figure(ctx, table, reference, label, when, allowance=allowance)
    judged = table.filter(pl.col("births") >= MIN_BIRTHS).sort("srb", descending=True)
    notes = (
        srb_view.flagged_text(ctx, table)
        + "\n"
        + srb_view.allowance_text(ctx, allowance)
        + "\n"
        + "; ".join(f"{r['label']} {r['srb']:.1f} ({r['births']:,})" for r in judged.iter_rows(named=True))
    )
    out.append(Slide(ctx.t("export.funnel_heading"), fig, notes, "srb_funnel"))
    return out


def _scorecard_slides(ctx: Ctx, year: int) -> list[Slide]:
    data = scoring.region_scorecard(ctx.version_dir, ctx.lang, ctx.region_code)
    card = data.card_for(year)
    if card.is_empty():
        return []
    period = ctx.period(year)
    title = ctx.t("scorecard.dist_title", period=period)
    fig = scorecard_charts.score_distribution(
        card, data.registry, ctx.lang, title, ctx.t("scorecard.dist_subtitle"), ctx.footnote()
    )
    notes = "; ".join(
        f"{r['rank']}. {r['township_name']} {r['score']:.1f} ({r['class_label'] or '–'})"
        for r in card.iter_rows(named=True)
        if r["score"] is not None
    )
    return [Slide(ctx.t("export.score_heading"), fig, notes, "scorecard_dist")]


def _map_slides(ctx: Ctx, year: int, months: int, period: str) -> list[Slide]:
    unit = map_view.map_unit(ctx.version_dir, ctx.region_code)  # counties for a region of several
    geojson = map_view.geojson_for(ctx.version_dir, ctx.region_code, unit)
    if not geojson["features"]:
        return []
    raw = ctx.query(map_view.QUERY[unit], year=year, last_month=months)
    missing = map_view.without_shape(ctx.version_dir, ctx.region_code)
    out = []
    for indicator in ("birth_rate", "srb_shrunk"):
        data = map_view.map_table(raw, indicator, year, months, ctx.lang, ctx.version_dir, ctx.region_code)
        texts = map_view.map_texts(
            indicator,
            "quantiles",
            period,
            ctx.footnote(),
            ctx.lang,
            partial=months < 12,
            unit=unit,
            without_shape=missing,
            scope=literal.plot(ctx.region()),
        )
        fig = township_choropleth(
            geojson,
            data,
            "value",
            texts,
            ctx.lang,
            method="quantiles",
            label_mode="name",
            code_col=map_view.UNIT_CODE[unit],
        )
        notes = _pairs(
            data.sort("value", descending=True, nulls_last=True), "name", "value", map_view.DECIMALS[indicator]
        )
        out.append(Slide(ctx.t(f"export.map_heading.{indicator}"), fig, notes, f"map:{indicator}"))
    return out


def _compare_slides(ctx: Ctx, year: int, months: int, period: str, previous: str) -> list[Slide]:
    base = year - 1
    now = ctx.query("map_township_year", year=year, last_month=months)
    before = ctx.query("map_township_year", year=base, last_month=months)
    towns = ctx.query("township_list")
    names = dict(zip(towns["township_code"], towns[ctx.name_col], strict=True))
    data = scoring.region_scorecard(ctx.version_dir, ctx.lang, ctx.region_code)
    table = compare.compare_table(
        now, before, months, names, compare.scores_of(data, year), compare.scores_of(data, base)
    )
    county = compare.county_change(now, before, months)
    scope = ctx.region() if ctx.region_code else None  # "the county" for the whole extract, as before
    sentences = compare.summary_sentences(county, table, period, previous, ctx.lang, scope=scope)
    forecast = _projection_sentence(ctx, year, months)
    if forecast:
        sentences.append(ctx.t("projection.pack_sentence", scope=ctx.region(), sentence=forecast))
    fig = text_figure(
        ctx.t("export.compare_title", period=period, period_base=previous),
        ["• " + literal.plot(s) for s in sentences],
        ctx.footnote(),
    )
    out = [Slide(ctx.t("export.compare_heading"), fig, "\n".join(sentences))]
    shown = compare_view.ranked_changes(table, "births")  # past 20 townships, the largest rises and falls
    unit = map_view.map_unit(ctx.version_dir, ctx.region_code)  # a city or province: by county
    texts = compare_view.chart_texts("births", period, previous, ctx.footnote(), ctx.lang, shown, unit)
    fig = compare_charts.slope_chart(shown.rows, "births", (previous, period), ctx.lang, *texts["slope"])
    notes = "; ".join(
        f"{r['township']} {r['births_base']:,} → {r['births']:,}" for r in shown.rows.iter_rows(named=True)
    )
    out.append(Slide(ctx.t("export.slope_heading"), fig, notes, "compare_slope"))
    geojson = map_view.geojson_for(ctx.version_dir, ctx.region_code, unit)
    if geojson["features"]:
        mapped = table
        if unit == "county":
            mapped = compare.county_compare_table(
                ctx.query("map_county_year", year=year, last_month=months),
                ctx.query("map_county_year", year=base, last_month=months),
                months,
                ctx.lang,
            )
        fig = compare_charts.change_map(geojson, mapped, "births", ctx.lang, *texts["map"])
        # The notes name what the map draws: counties, or at most the slope's townships.
        listed = mapped if unit == "county" or not shown.cut else shown.rows
        notes = "; ".join(
            f"{r['township']} {r['births_change_pct']:+.1f}%"
            for r in listed.iter_rows(named=True)
            if r["births_change_pct"] is not None
        )
        out.append(Slide(ctx.t("export.change_map_heading"), fig, notes, "compare_map"))
    return out
