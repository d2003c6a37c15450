"""One value per map unit for an indicator and a year, with what a leader needs to trust it:
the denominator, the 95 % interval, "too few to judge", the target status, the hover text.

Rows are those of queries/map_township_year.sql, or of map_county_year.sql with the county's
code in township_code (a unit's code, whatever the unit). Rates and intervals use the same
functions as the scorecard (scoring.judge_one), SRB shrinkage is srb.shrink_srb, score and
target status come from scoring, so the map never disagrees with the other pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import polars as pl

from natality.core.i18n import fmt_num, t
from natality.core.literal import plot
from natality.scorecard import reasons, scoring
from natality.scorecard.indicators import load_registry
from natality.srb.stats import shrink_srb, srb_estimate

# indicator on the map -> indicator of the registry whose target and status it shows
TARGET_OF = {
    "births": "births",
    "birth_rate": "birth_rate",
    "srb": "srb",
    "srb_shrunk": "srb",
    "share_order3p": "share_order3p",
}
CHANGE_MIN_BIRTHS = 50  # a percent change on fewer births in the base period is mostly noise
DECIMALS = {"births": 0, "birth_rate": 2, "srb_shrunk": 1, "srb": 1, "share_order3p": 1, "change": 1, "score": 1}
COLUMNS = {
    "township_code": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "too_few": pl.Boolean,
    "met": pl.Boolean,
    "hover": pl.String,
}


def scorecard_data(version_dir: str, lang: str, region: str | None = None) -> scoring.ScorecardData:
    """The scorecard of the region (ranked within it), kept per version (``scoring.region_scorecard``)."""
    return scoring.region_scorecard(version_dir, lang, region)


def unit_values(
    rows: pl.DataFrame,
    indicator: str,
    year: int,
    months: int,
    lang: str,
    version_dir: str,
    county: bool,
    region: str | None = None,
) -> pl.DataFrame:
    """COLUMNS for every row; rows carry display_name. County rows get no target status
    (targets are set for townships) and a line with their births and townships. ``region``: the
    map's region, within which a township's score is ranked."""
    registry = load_registry(version_dir)
    build: dict[str, Callable] = {
        "births": _births,
        "birth_rate": _rate,
        "share_order3p": _rate,
        "srb": _srb,
        "srb_shrunk": _srb_shrunk,
        "change": _change,
        "score": functools.partial(_score, region=region),
    }
    records = build[indicator](rows, indicator, year, months, lang, registry, version_dir)
    out = pl.DataFrame(records, schema=COLUMNS, orient="row")
    if county:
        return out.with_columns(_county_lines(rows, lang))
    if indicator in TARGET_OF:
        return _with_status(out, indicator, year, lang, version_dir)
    return out


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
        level = "maps.hover.shrunk_to_all" if "townships" in rows.columns else "maps.hover.shrunk_to"  # counties
        hover += "<br>" + t(level, lang, mean=fmt_num(shrunk.mean_srb, 1))
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


def _score(rows, indicator, year, months, lang, registry, version_dir, region=None) -> list[tuple]:
    card = scorecard_data(version_dir, lang, region).card_for(year)
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
    status = scorecard_data(version_dir, lang).status_for(year).filter(pl.col("indicator") == TARGET_OF[indicator])
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
    return joined.with_columns(
        pl.col("met_status").alias("met"), (pl.col("hover") + _target_lines(joined, indicator, lang)).alias("hover")
    ).select(list(COLUMNS))


def _target_lines(joined: pl.DataFrame, indicator: str, lang: str) -> pl.Series:
    """The hover line "<br>Target 12.50: met" per row ("" where no target), for whole columns at once: no Python
    function inside a polars expression on the serving path (it froze the server under load)."""
    target = reasons.format_numbers(joined, {"target_s": ("target_used", DECIMALS.get(indicator, 1))})["target_s"]
    statuses = {s: t(f"maps.status.{s}", lang) for s in joined["status_id"].drop_nulls().unique().to_list()}
    status = pl.col("status_id").replace_strict(statuses, default=None, return_dtype=pl.String)
    line = reasons.fill(t("maps.hover.target", lang), target=pl.col("target_s"), status=status)
    texts = joined.select("target_used", "status_id").with_columns(target_s=target)
    return texts.select(
        pl.when(pl.col("target_used").is_not_null()).then(pl.lit("<br>") + line).fill_null("").alias("line")
    )["line"]


def _hover(lang: str, name: str, indicator: str, value: str) -> str:
    unit = t(f"maps.unit.{indicator}", lang)
    return f"<b>{plot(name)}</b><br>{t(f'maps.ind.{indicator}', lang)}: {value} {unit}"


def _interval(lang: str, low, high, decimals: int) -> str:
    if low is None or high is None:
        return ""
    return "<br>" + t("maps.hover.interval", lang, low=fmt_num(low, decimals), high=fmt_num(high, decimals))


def _county_lines(rows: pl.DataFrame, lang: str) -> pl.Expr:
    """A county's hover also gives its births and its townships, and says a click opens it."""
    lines = [
        "<br>" + t("maps.hover.county", lang, births=f"{r['births']:,}", n=r["townships"])
        for r in rows.iter_rows(named=True)
    ]
    return (pl.col("hover") + pl.Series(lines, dtype=pl.String)).alias("hover")
