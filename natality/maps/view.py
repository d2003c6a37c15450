"""The Map page's numbers: one value per township for an indicator and a year, with what a
leader needs to trust it (denominator, 95 % interval, "too few to judge") and the texts.

Values come from queries/map_township_year.sql; rates and intervals use the same functions as
the scorecard (scoring.judge_one), SRB shrinkage is srb.shrink_srb, score and target status
come from scoring, so the map never disagrees with the other pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from natality.core.db import run_query
from natality.core.i18n import fmt_num, t
from natality.geo.boundaries import township_geojson
from natality.maps.charts import MapTexts, township_choropleth
from natality.scorecard import scoring
from natality.scorecard.indicators import load_registry
from natality.srb.stats import shrink_srb, srb_estimate

INDICATORS = ("births", "birth_rate", "srb_shrunk", "srb", "share_order3p", "change", "score")
METHODS = ("quantiles", "equal", "natural", "target")
# indicator on the map -> indicator of the registry whose target and status it shows
TARGET_OF = {"births": "births", "birth_rate": "birth_rate", "srb": "srb", "srb_shrunk": "srb",
             "share_order3p": "share_order3p"}  # fmt: skip
CHANGE_MIN_BIRTHS = 50  # a percent change on fewer births in the base period is mostly noise
DECIMALS = {"births": 0, "birth_rate": 2, "srb_shrunk": 1, "srb": 1, "share_order3p": 1, "change": 1, "score": 1}
COLUMNS = {"township_code": pl.String, "value": pl.Float64, "denominator": pl.Float64, "low": pl.Float64,
           "high": pl.Float64, "too_few": pl.Boolean, "met": pl.Boolean, "hover": pl.String}  # fmt: skip


@functools.lru_cache(maxsize=4)
def _scorecard_data(version_dir: str, lang: str) -> scoring.ScorecardData:
    # An extract version never changes once published, so its scorecard can be kept.
    return scoring.scorecard_data(version_dir, lang)


def has_targets(version_dir: str, indicator: str, year: int) -> bool:
    """Whether the target classification (met / missed) exists for this indicator and year."""
    if indicator not in TARGET_OF:
        return False
    status = _scorecard_data(version_dir, "zh").status_for(year)
    return not status.filter(pl.col("indicator") == TARGET_OF[indicator]).is_empty()


def has_score(version_dir: str, year: int) -> bool:
    return not _scorecard_data(version_dir, "zh").card_for(year).is_empty()


def map_table(raw: pl.DataFrame, indicator: str, year: int, months: int, lang: str, version_dir: str) -> pl.DataFrame:
    """township_code, name, value, denominator, low, high, too_few, met (target), hover.

    raw: the rows of map_township_year for `year` (months 1..`months`). A null value means no
    data; too_few marks a value drawn grey because its denominator is below the registry's minimum.
    """
    registry = load_registry(version_dir)
    name_col = "name_en" if lang == "en" else "name"
    rows = raw.with_columns(pl.coalesce(pl.col(name_col), pl.col("name")).alias("display_name"))
    build: dict[str, Callable] = {
        "births": _births,
        "birth_rate": _rate,
        "share_order3p": _rate,
        "srb": _srb,
        "srb_shrunk": _srb_shrunk,
        "change": _change,
        "score": _score,
    }
    records = build[indicator](rows, indicator, year, months, lang, registry, version_dir)
    out = pl.DataFrame(records, schema=COLUMNS, orient="row")
    if indicator in TARGET_OF:
        out = _with_status(out, indicator, year, lang, version_dir)
    return rows.select("township_code", pl.col("display_name").alias("name")).join(out, on="township_code", how="left")


def map_texts(
    indicator: str,
    method: str,
    period: str,
    footnote: str,
    lang: str,
    shared_scale: bool = False,
    partial: bool = False,
) -> MapTexts:
    """Title with unit and period, legend title, footnote, and the legend's fixed entries."""
    name, unit = t(f"maps.ind.{indicator}", lang), t(f"maps.unit.{indicator}", lang)
    subtitle = t(f"maps.method.{method}", lang) + ("；" if lang == "zh" else "; ") + t(f"maps.note.{indicator}", lang)
    if shared_scale:
        subtitle += ("；" if lang == "zh" else "; ") + t("maps.shared_scale", lang)
    decimals = DECIMALS[indicator]
    return MapTexts(
        title=t("maps.title", lang, indicator=name, unit=unit, period=period),
        subtitle=subtitle,
        footnote=footnote,
        legend_title=t("maps.legend_title", lang, unit=unit, period=period)
        if method != "target"
        else t("maps.target_legend", lang),
        no_data=t("maps.no_data", lang),
        too_few=t("maps.too_few", lang),
        met=t("maps.on_track" if partial else "maps.met", lang),
        missed=t("maps.at_risk" if partial else "maps.missed", lang),
        value_format=f",.{decimals}f",
        outside=t("maps.outside", lang),
        panel_counts=t("maps.panel_counts", lang),
    )


# --- one builder per indicator: rows -> [(code, value, denominator, low, high, too_few, met, hover)]


def _births(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    out = []
    for r in rows.iter_rows(named=True):
        hover = _hover(lang, r["display_name"], indicator, fmt_num(r["births"], 0))
        hover += "<br>" + t("maps.hover.prev", lang, prev=f"{r['births_prev']:,}")
        out.append((r["township_code"], float(r["births"]), None, None, None, False, None, hover))
    return out


def _rate(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    ind = registry.indicator(indicator)
    num_col, den_col = (
        ("births", "population") if indicator == "birth_rate" else ("births_order3p", "births_order_known")
    )
    out = []
    for r in rows.iter_rows(named=True):
        num, den = r[num_col], r[den_col]
        verdict = scoring.judge_one(ind, year, num, den, None, months)
        value, low, high = verdict["value"], verdict["low"], verdict["high"]
        few = den is not None and 0 < den < ind.min_denominator
        d = DECIMALS[indicator]
        hover = _hover(lang, r["display_name"], indicator, fmt_num(value, d))
        hover += "<br>" + t(f"maps.hover.den.{indicator}", lang, num=f"{num:,}", den="–" if den is None else f"{den:,}")
        hover += _interval(lang, low, high, d)
        if indicator == "birth_rate" and months < 12:
            hover += "<br>" + t("maps.hover.annualised", lang, months=months)
        out.append((r["township_code"], value, den, low, high, few, None, hover))
    return out


def _srb(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    minimum = registry.indicator("srb").min_denominator
    out = []
    for r in rows.iter_rows(named=True):
        est = srb_estimate(r["boys"], r["girls"])
        hover = _hover(lang, r["display_name"], indicator, fmt_num(est.srb, 1))
        hover += "<br>" + t("maps.hover.srb_counts", lang, boys=f"{r['boys']:,}", girls=f"{r['girls']:,}")
        hover += _interval(lang, est.low, est.high, 1)
        few = 0 < est.births < minimum  # no births at all is "no data", not "too few"
        out.append((r["township_code"], est.srb, float(est.births), est.low, est.high, few, None, hover))
    return out


def _srb_shrunk(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    boys, girls = rows["boys"].to_list(), rows["girls"].to_list()
    shrunk = shrink_srb(boys, girls)
    out = []
    for r, value in zip(rows.iter_rows(named=True), shrunk.srb, strict=True):
        est = srb_estimate(r["boys"], r["girls"])
        hover = _hover(lang, r["display_name"], indicator, fmt_num(value, 1))
        hover += "<br>" + t("maps.hover.srb_raw", lang, raw=fmt_num(est.srb, 1), births=f"{est.births:,}")
        hover += _interval(lang, est.low, est.high, 1)
        hover += "<br>" + t("maps.hover.shrunk_to", lang, mean=fmt_num(shrunk.mean_srb, 1))
        out.append((r["township_code"], value, float(est.births), est.low, est.high, False, None, hover))
    return out


def _change(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    out = []
    for r in rows.iter_rows(named=True):
        prev, now = r["births_prev"], r["births"]
        value = 100.0 * (now - prev) / prev if prev > 0 else None
        hover = _hover(lang, r["display_name"], indicator, "–" if value is None else f"{value:+.1f}")
        hover += "<br>" + t("maps.hover.change", lang, now=f"{now:,}", prev=f"{prev:,}")
        few = 0 < prev < CHANGE_MIN_BIRTHS
        out.append((r["township_code"], value, float(prev), None, None, few, None, hover))
    return out


def _score(rows, indicator, year, months, lang, registry, version_dir) -> list[tuple]:
    card = _scorecard_data(version_dir, lang).card_for(year)
    by_code = {r["township_code"]: r for r in card.iter_rows(named=True)}
    out = []
    for r in rows.iter_rows(named=True):
        c = by_code.get(r["township_code"])
        value = None if c is None else c["score"]
        hover = _hover(lang, r["display_name"], indicator, fmt_num(value, 1))
        if c is not None:
            hover += "<br>" + t("maps.hover.rank", lang, rank=c["rank"], n=card.height, cls=c.get("class_label") or "–")
            if c.get("vetoed"):
                hover += "<br>" + t("maps.hover.vetoed", lang)
        out.append((r["township_code"], value, None, None, None, False, None, hover))
    return out


def _with_status(out: pl.DataFrame, indicator: str, year: int, lang: str, version_dir: str) -> pl.DataFrame:
    """met = True / False from the scorecard's verdict (on track / at risk in a partial year)."""
    status = _scorecard_data(version_dir, lang).status_for(year).filter(pl.col("indicator") == TARGET_OF[indicator])
    if status.is_empty():
        return out
    verdict = status.select(
        "township_code",
        pl.when(pl.col("status").is_in(scoring.GOOD))
        .then(True)
        .when(pl.col("status").is_in(("missed", "at_risk")))
        .then(False)
        .alias("met_status"),
        pl.col("target").alias("target_used"),
        pl.col("status").alias("status_id"),
    )
    joined = out.drop("met").join(verdict, on="township_code", how="left")
    target_text = pl.struct("target_used", "status_id").map_elements(
        lambda s: "" if s["target_used"] is None else "<br>" + _target_line(s, indicator, lang), return_dtype=pl.String
    )
    return joined.with_columns(
        pl.col("met_status").alias("met"), (pl.col("hover") + target_text.fill_null("")).alias("hover")
    ).select(list(COLUMNS))


def _target_line(s: dict, indicator: str, lang: str) -> str:
    target = fmt_num(s["target_used"], DECIMALS.get(indicator, 1))
    return t("maps.hover.target", lang, target=target, status=t(f"maps.status.{s['status_id']}", lang))


def _hover(lang: str, name: str, indicator: str, value: str) -> str:
    unit = t(f"maps.unit.{indicator}", lang)
    return f"<b>{name}</b><br>{t(f'maps.ind.{indicator}', lang)}: {value} {unit}"


def _interval(lang: str, low, high, decimals: int) -> str:
    if low is None or high is None:
        return ""
    return "<br>" + t("maps.hover.interval", lang, low=fmt_num(low, decimals), high=fmt_num(high, decimals))


@functools.lru_cache(maxsize=4)
def geojson_for(version_dir: str) -> dict:
    """Display GeoJSON of an extract version (versions are immutable: safe to keep; never mutate)."""
    return township_geojson(version_dir)


def indicator_options(version_dir: str, year: int) -> list[str]:
    """The map's indicators; the score only in a year the scorecard scored."""
    return [i for i in INDICATORS if i != "score" or has_score(version_dir, year)]


def method_options(version_dir: str, indicator: str, year: int) -> list[str]:
    """Classification methods; "target" only where the indicator has targets that year."""
    return [m for m in METHODS if m != "target" or has_targets(version_dir, indicator, year)]


def clicked_code(event: object) -> str | None:
    """The township code of a click on the map (st.plotly_chart selection event), if any."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        code = point.get("location") or (point.get("customdata") or [None])[0]
        if code:
            return str(code)
    return None


def overview_births_map(version_dir: str, year: int, months: int, period: str, footnote: str, lang: str) -> go.Figure:
    """The Overview's small map: births by township in the period, quantile classes, names."""
    geojson = geojson_for(version_dir)
    raw = run_query("map_township_year", version_dir, year=year, last_month=months)
    table = map_table(raw, "births", year, months, lang, version_dir)
    texts = map_texts("births", "quantiles", period, footnote, lang)
    return township_choropleth(geojson, table, "value", texts, lang, k=4, height=460)
