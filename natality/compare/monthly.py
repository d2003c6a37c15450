"""Changes since last month, for the Overview: the year to date up to the extract's cut-off month
against the year to date one month earlier (January-September against January-August).

Three questions, each over whole columns for every township at once (a province of 2,000
townships takes two queries and a few polars passes): which townships crossed a target line
(the scorecard's own rules, ``scoring.judge``, applied at both months), whose funnel status
changed (the Sex ratio page's 99.8 % limits around the region's SRB of the year to date), and the
largest movements (the month's births against the same month of the previous year). Both
months come from one scan of the births (queries/township_month_changes.sql).
``change_sentences`` says it in words, in either language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from natality.core.context import Ctx
from natality.core.i18n import fmt_int, fmt_num, t
from natality.scorecard import scoring
from natality.scorecard.indicators import Registry
from natality.srb.stats import funnel_limits_share, srb_from_share
from natality.srb.tables import MIN_BIRTHS

TOP_MOVES = 3  # the largest movements named in the panel
MAX_NAMED = 5  # townships named in one sentence; the rest are counted ("and 12 more")
FUNNEL_LEVEL = 0.998  # the limits the Sex ratio page flags townships at
# Indicators whose numerator and denominator the year-to-date counts of map_township_year give
# (by the registry's source query): those can cross a target line within a month. Reported
# indicators are annual and cannot.
SOURCES = {
    "indicator_births": ("births", None),
    "indicator_birth_rate": ("births", "population"),
    "indicator_srb": ("boys", "sexed"),
    "indicator_share_order3p": ("births_order3p", "births_order_known"),
}


@dataclass(frozen=True)
class MonthChanges:
    year: int
    month: int  # the cut-off month; the comparison is with month - 1
    births: int  # the region's births in the cut-off month
    births_last_year: int  # ... and in the same month of the previous year
    crossings: pl.DataFrame  # township_code, indicator, status_before, status (only those that crossed)
    funnel: pl.DataFrame  # township_code, funnel_before, funnel (only changes; values above/below/expected)
    reference_srb: float | None  # the region's SRB of the year to date: the funnel's centre
    moves: pl.DataFrame  # township_code, month_births, month_births_last_year, change (largest first)


def _values(towns: pl.DataFrame, registry: Registry, year: int) -> pl.DataFrame:
    """scoring.VALUE_SCHEMA rows of the year to date, for the indicators SOURCES can give."""
    towns = towns.with_columns(sexed=pl.col("boys") + pl.col("girls"))
    frames = [
        towns.select(
            "township_code",
            year=pl.lit(year, dtype=pl.Int32),
            indicator=pl.lit(ind.id),
            numerator=pl.col(SOURCES[ind.query][0]).cast(pl.Float64),
            denominator=pl.col(SOURCES[ind.query][1]).cast(pl.Float64)
            if SOURCES[ind.query][1]
            else pl.lit(None, dtype=pl.Float64),
        )
        for ind in registry.indicators  # a handful of indicators, never a loop over townships
        if ind.query in SOURCES
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=scoring.VALUE_SCHEMA)


def target_crossings(
    now: pl.DataFrame,
    before: pl.DataFrame,
    targets: pl.DataFrame,
    registry: Registry,
    year: int,
    month: int,
    fractions: tuple[float | None, float | None] = (None, None),
) -> pl.DataFrame:
    """Townships whose verdict on an indicator turned from good (met, on track) to bad (missed, at
    risk) or back between month - 1 and month. ``fractions``: the expected share of a year's births
    by each month (``scoring.year_fraction``), None for months / 12."""
    keys = ["township_code", "indicator"]
    targets = targets.filter(pl.col("year") == year)  # judge joins every year's targets otherwise
    judged = []
    for cut, fraction in zip((month, month - 1), fractions, strict=True):
        towns = now if cut == month else before
        verdicts = scoring.judge(_values(towns, registry, year), targets, registry, (year, cut), fraction)
        judged.append(verdicts.filter((pl.col("year") == year) & pl.col("status").is_in(scoring.JUDGED)))
    joined = (
        judged[0].select(*keys, "status").join(judged[1].select(*keys, status_before="status"), on=keys, how="inner")
    )
    good, good_before = pl.col("status").is_in(scoring.GOOD), pl.col("status_before").is_in(scoring.GOOD)
    return joined.filter(good != good_before).select(*keys, "status_before", "status").sort(keys)


def _funnel_status(towns: pl.DataFrame, p0: float) -> pl.Series:
    n = (towns["boys"] + towns["girls"]).to_numpy()
    low, high = funnel_limits_share(n, p0, FUNNEL_LEVEL)
    share = np.divide(towns["boys"].to_numpy(), n, out=np.zeros(len(n)), where=n > 0)
    status = np.where(share > high, "above", np.where(share < low, "below", "expected"))
    return pl.Series(np.where(n < MIN_BIRTHS, "too_few", status), dtype=pl.String)


def funnel_changes(now: pl.DataFrame, before: pl.DataFrame) -> tuple[pl.DataFrame, float | None]:
    """Townships whose place on the funnel (above, inside or below the 99.8 % limits, both months
    around the region's SRB of the year to date now) changed; a township that merely reached
    MIN_BIRTHS inside the limits is no news. Returns (changes, the reference SRB)."""
    boys, girls = int(now["boys"].sum()), int(now["girls"].sum())
    if boys + girls == 0:
        return pl.DataFrame(schema={"township_code": pl.String, "funnel_before": pl.String, "funnel": pl.String}), None
    p0 = boys / (boys + girls)
    a = now.select("township_code", funnel=_funnel_status(now, p0))
    b = before.select("township_code", funnel_before=_funnel_status(before, p0))
    joined = a.join(b, on="township_code", how="left").with_columns(pl.col("funnel_before").fill_null("too_few"))
    news = (pl.col("funnel") != pl.col("funnel_before")) & ~(
        (pl.col("funnel_before") == "too_few") & (pl.col("funnel") == "expected")
    )
    return joined.filter(news).select("township_code", "funnel_before", "funnel").sort("township_code"), srb_from_share(
        p0
    )


def largest_moves(now: pl.DataFrame, before: pl.DataFrame, top: int = TOP_MOVES) -> pl.DataFrame:
    """The ``top`` townships whose births of the month moved most against the same month last year."""
    month = now.select("township_code", "births", "births_prev").join(
        before.select("township_code", b="births", bp="births_prev"), on="township_code", how="left"
    )
    month = month.select(
        "township_code",
        month_births=pl.col("births") - pl.col("b").fill_null(0),
        month_births_last_year=pl.col("births_prev") - pl.col("bp").fill_null(0),
    ).with_columns(change=pl.col("month_births") - pl.col("month_births_last_year"))
    month = month.filter(pl.col("change") != 0).with_columns(size=pl.col("change").abs())
    return month.sort(["size", "township_code"], descending=[True, False]).head(top).drop("size")


COUNTS = ("births", "boys", "girls", "births_order3p", "births_order_known", "births_prev")


def split_months(both: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The township_month_changes query as (now, before): each with the columns of map_township_year
    the panel reads (township_code, the COUNTS, population)."""
    now = both.select("township_code", *COUNTS, "population")
    before = both.select("township_code", *(pl.col(f"{c}_before").alias(c) for c in COUNTS), "population")
    return now, before


def month_changes(
    now: pl.DataFrame,
    before: pl.DataFrame,
    targets: pl.DataFrame,
    registry: Registry,
    year: int,
    month: int,
    fractions: tuple[float | None, float | None] = (None, None),
) -> MonthChanges:
    """Everything the panel says. ``now`` and ``before``: the year to date of ``year`` up to ``month``
    and ``month - 1`` (month >= 2) as ``split_months`` gives them (or ``map_township_year`` with
    last_month = month and month - 1: the same columns); ``targets``: the scorecard_targets query."""
    funnel, reference = funnel_changes(now, before)
    return MonthChanges(
        year=year,
        month=month,
        births=int(now["births"].sum() - before["births"].sum()),
        births_last_year=int(now["births_prev"].sum() - before["births_prev"].sum()),
        crossings=target_crossings(now, before, targets, registry, year, month, fractions),
        funnel=funnel,
        reference_srb=reference,
        moves=largest_moves(now, before),
    )


def _names(codes: list[str], names: dict[str, str], lang: str) -> str:
    shown = [names.get(c, c) for c in codes[:MAX_NAMED]]
    text = ("、" if lang == "zh" else ", ").join(shown)
    more = t("changes.more", lang, rest=len(codes) - len(shown), total=len(codes)) if len(codes) > len(shown) else ""
    return text + more


def change_sentences(
    changes: MonthChanges, names: dict[str, str], registry: Registry, lang: str, scope: str
) -> list[str]:
    """The panel in words: the month's births, target lines crossed, funnel changes, largest movements."""
    month_name = t(f"charts.month_{changes.month}", lang)
    out = [
        t(
            "changes.births",
            lang,
            scope=scope,
            month_name=month_name,
            births=fmt_int(changes.births, lang),
            before=fmt_int(changes.births_last_year, lang),
            change=f"{changes.births - changes.births_last_year:+,}",
        )
    ]
    by_id = {ind.id: ind.name.get(lang, ind.id) for ind in registry.indicators}
    sep = "；" if lang == "zh" else "; "
    crossed = changes.crossings.with_columns(good=pl.col("status").is_in(scoring.GOOD))
    full = "_full" if changes.month == 12 else ""  # December: the year's verdicts, met or missed
    for indicator in sorted(set(crossed["indicator"].to_list()), key=list(by_id).index):
        rows = crossed.filter(pl.col("indicator") == indicator)
        parts = [
            t(f"{key}{full}", lang, names=_names(codes, names, lang))
            for good, key in ((False, "changes.target_lost"), (True, "changes.target_won"))
            if (codes := rows.filter(pl.col("good") == good)["township_code"].to_list())
        ]
        out.append(t("changes.target", lang, indicator=by_id[indicator], parts=sep.join(parts)))
    if crossed.is_empty():
        out.append(t("changes.target_none", lang))
    ref = fmt_num(changes.reference_srb)
    parts = [
        t(f"changes.funnel_{status}", lang, names=_names(codes, names, lang))
        for status in ("above", "below", "expected")
        if (codes := changes.funnel.filter(pl.col("funnel") == status)["township_code"].to_list())
    ]
    if parts:
        out.append(t("changes.funnel", lang, month=changes.month, ref=ref, parts=sep.join(parts)))
    else:
        out.append(t("changes.funnel_none", lang, ref=ref, month=changes.month))
    moves = [
        t(
            "changes.move",
            lang,
            name=names.get(r["township_code"], r["township_code"]),
            now=fmt_int(r["month_births"], lang),
            before=fmt_int(r["month_births_last_year"], lang),
            change=f"{r['change']:+,}",
        )
        for r in changes.moves.iter_rows(named=True)
    ]
    if moves:
        out.append(t("changes.moves", lang, month_name=month_name) + sep.join(moves) + ("。" if lang == "zh" else "."))
    return out


def overview_panel(ctx: Ctx, registry: Registry, query: Callable[..., pl.DataFrame]) -> tuple[str, list[str]]:
    """(heading, sentences) of the Overview's "changes since last month" for the extract's cut-off
    month; ``query(name, **params)`` runs a query in ``ctx``'s region (the pages pass the cached one).
    A cut-off in January has no earlier month in its year: one sentence says so."""
    year, month = ctx.cutoff_year, ctx.cutoff_month
    heading = t("changes.title", ctx.lang, before=ctx.period(year, max(month - 1, 1)), now=ctx.period(year, month))
    if month < 2:
        return t("changes.title_january", ctx.lang), [t("changes.january", ctx.lang, year=year)]
    now, before = split_months(query("township_month_changes", year=year, month=month))
    fractions = tuple(scoring.year_fraction(registry, (year, m), ctx.version_dir) for m in (month, month - 1))
    changes = month_changes(now, before, query("scorecard_targets"), registry, year, month, fractions)
    towns = query("township_list")  # display names: a province's repeated names disambiguated
    names = dict(zip(towns["township_code"].to_list(), towns[ctx.name_col].to_list(), strict=True))
    return heading, change_sentences(changes, names, registry, ctx.lang, ctx.region())
