"""Texts of the Compare page and the meeting pack: headline metrics, chart titles, the table."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from natality.compare.comparison import CountyChange
from natality.core import ranking
from natality.core.i18n import fmt_num, t

# What ranks a township's change on the slope chart: the change in what the chart draws (births,
# not their percent, so that a 3-birth township doubling does not top a city's list), and for the
# SRB only a change with births enough to test it.
RANK_BY = {
    "births": pl.col("births_change"),
    "birth_rate": pl.col("rate_change"),
    "srb": pl.when(pl.col("srb_beyond_chance").is_not_null()).then(pl.col("srb_change")),
    "score": pl.col("score_change"),
}


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    delta: str | None
    help: str


def metrics(county: CountyChange, period: str, period_base: str, lang: str) -> list[Metric]:
    """Births, birth rate, SRB (with the test of its change) and townships with fewer births."""

    def helptext(base: str, now: str) -> str:
        return t("compare.metric.help", lang, period=period, period_base=period_base, base=base, now=now)

    pct = county.births_change_pct
    rate_delta = None
    if county.rate is not None and county.rate_base is not None:
        rate_delta = f"{county.rate - county.rate_base:+.2f}‰"
    s = county.srb
    verdict = t(
        "compare.too_few" if s.beyond_chance is None else "compare.beyond" if s.beyond_chance else "compare.within",
        lang,
    )
    return [
        Metric(
            t("compare.metric.births", lang),
            f"{county.births:,}",
            None if pct is None else f"{pct:+.1f}%",
            helptext(f"{county.births_base:,}", f"{county.births:,}"),
        ),
        Metric(
            t("compare.metric.rate", lang),
            fmt_num(county.rate, 2),
            rate_delta,
            helptext(fmt_num(county.rate_base, 2), fmt_num(county.rate, 2)),
        ),
        Metric(
            t("compare.metric.srb", lang),
            fmt_num(s.srb),
            None if s.change is None else f"{s.change:+.1f}",
            t(
                "compare.metric.srb_help",
                lang,
                period=period,
                period_base=period_base,
                base=fmt_num(s.srb_base),
                now=fmt_num(s.srb),
                verdict=verdict,
            ),
        ),
        Metric(
            t("compare.metric.fell", lang),
            t("compare.metric.fell_value", lang, fell=county.fell, n=county.townships),
            None,
            t("compare.metric.fell_help", lang, period=period, period_base=period_base),
        ),
    ]


def ranked_changes(table: pl.DataFrame, indicator: str, find: tuple[str, ...] = ()) -> ranking.Ranking:
    """The townships that rose most and fell most on ``indicator``, and those of ``find``
    (every township up to ``TOP + BOTTOM``), in that order."""
    keyed = table.with_columns(RANK_BY[indicator].alias("_change"))
    ranked = ranking.top_bottom(keyed, "_change", keep=find)
    if not ranked.cut:  # a county: every township, in the table's own order
        return ranking.Ranking(table, table.height, ())
    return ranking.Ranking(ranked.rows.drop("_change"), ranked.total, ranked.gaps)


def chart_texts(
    indicator: str,
    period: str,
    period_base: str,
    footnote: str,
    lang: str,
    shown: ranking.Ranking | None = None,
    map_unit: str = "township",
) -> dict[str, tuple]:
    """(title, subtitle, footnote) of the slope chart and of the change map; the slope's subtitle
    says so when it draws only the ends of ``shown``, the map's when it draws counties."""
    name = t(f"compare.ind.{indicator}", lang)
    unit = t(f"compare.change_unit.{indicator}", lang)
    subtitle = t(f"compare.slope_subtitle.{indicator}", lang)
    if shown is not None and shown.cut:
        cut = t("compare.slope_cut", lang, top=ranking.TOP, bottom=ranking.BOTTOM, n=f"{shown.total:,}")
        subtitle = f"{subtitle}<br>{cut}"
    slope = (
        t("compare.slope_title", lang, indicator=name, period=period, period_base=period_base),
        subtitle,
        footnote,
    )
    change = (
        t("compare.map_title", lang, indicator=name, unit=unit, period=period, period_base=period_base),
        t("compare.map_subtitle_county" if map_unit == "county" else "compare.map_subtitle", lang),
        footnote,
    )
    return {"slope": slope, "map": change}


def display_table(table: pl.DataFrame, period: str, period_base: str, lang: str) -> pl.DataFrame:
    """The table behind the page and its downloads, with headers in ``lang``."""

    def h(key: str, when: str = "") -> str:
        return t(f"compare.col.{key}", lang) + (f" {when}" if when else "")

    verdict = {True: t("compare.beyond", lang), False: t("compare.within", lang)}
    return table.select(
        pl.col("township").alias(h("township")),
        pl.col("births_base").alias(h("births", period_base)),
        pl.col("births").alias(h("births", period)),
        pl.col("births_change_pct").round(1).alias(h("births_pct")),
        pl.col("rate_base").round(2).alias(h("rate", period_base)),
        pl.col("rate").round(2).alias(h("rate", period)),
        pl.col("srb_base").round(1).alias(h("srb", period_base)),
        pl.col("srb").round(1).alias(h("srb", period)),
        pl.col("srb_change").round(1).alias(h("srb_change")),
        pl.col("srb_beyond_chance")
        .replace_strict(verdict, default=t("compare.too_few", lang), return_dtype=pl.String)
        .alias(h("srb_test")),
        pl.col("score_base").alias(h("score", period_base)),
        pl.col("score").alias(h("score", period)),
        pl.col("rank_base").alias(h("rank", period_base)),
        pl.col("rank").alias(h("rank", period)),
        pl.col("rank_change").alias(h("rank_change")),
        pl.col("rank_change_sure").replace_strict(verdict, default="–", return_dtype=pl.String).alias(h("rank_test")),
    )


def ranked_display_table(shown: ranking.Ranking, period: str, period_base: str, lang: str) -> pl.DataFrame:
    """``display_table`` of the rows of ``shown`` with a '… N more townships …' row at each gap."""
    table = display_table(shown.rows, period, period_base, lang)
    label = t("compare.col.township", lang)
    gap = lambda g: t("common.rank_gap", lang, n=f"{g.count:,}", first=g.first, last=g.last)  # noqa: E731
    return shown.with_gap_rows(label, gap, table)
