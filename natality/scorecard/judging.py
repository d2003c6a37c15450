"""Judging: every indicator of every township and year against its target, with its credit.

``indicator_values`` (SQL: numerator and denominator per township, year and indicator) ->
``judge`` (one verdict per township, year and indicator: value, 95 % interval, the target used,
met / missed / on track / at risk, the reason code, the credit earned). ``judge_one`` is the same
rules for one row (the map's hover texts use it, and tests check the columns against it);
``county_values`` is the county's own value per year and indicator; ``year_fraction`` the
share of a year's births expected by the cut-off month of the partial year.

Every step works on whole columns (polars expressions), for every year at once, so a province of
2,000 townships is judged in well under a second after its SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from natality.core.db import run_query
from natality.core.extract import read_manifest
from natality.scorecard import reasons
from natality.scorecard.indicators import Indicator, Registry
from natality.srb.stats import Z95, srb_estimate, wilson_interval

JUDGED = ("met", "missed", "on_track", "at_risk")
GOOD = ("met", "on_track")
VALUE_SCHEMA = {
    "township_code": pl.String,
    "year": pl.Int32,
    "indicator": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}
_JUDGED_SCHEMA = {
    **VALUE_SCHEMA,
    "target": pl.Float64,
    "value": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "target_annual": pl.Float64,
    "direction": pl.String,
    "status": pl.String,
    "achievement": pl.Float64,
    "credit": pl.Float64,
    "reason_code": pl.String,
    "weight": pl.Float64,
    "veto": pl.Boolean,
    "months": pl.Int32,
    "fraction": pl.Float64,
}


def cutoff(data_dir: str | Path | None = None) -> tuple[int, int]:
    """The extract's data cut-off as (year, month)."""
    year, month = read_manifest(data_dir)["cutoff_month"].split("-")
    return int(year), int(month)


def indicator_values(registry: Registry, data_dir: str | Path | None = None) -> pl.DataFrame:
    """Numerator and denominator per township, year and indicator, from each indicator's source."""
    frames = []
    for ind in registry.indicators:
        name = ind.query or "indicator_reported"
        frame = run_query(name, data_dir, indicator=ind.reported or ind.id)
        frames.append(
            frame.select("township_code", "year", "numerator", "denominator")
            .with_columns(indicator=pl.lit(ind.id))
            .cast(VALUE_SCHEMA)
        )
    return pl.concat(frames, how="diagonal").select(list(VALUE_SCHEMA))


def estimate(ind: Indicator, numerator: float | None, denominator: float | None) -> tuple:
    """(value, low, high) in the display unit; None where undefined (never NaN or infinity)."""
    if numerator is None:
        return None, None, None
    if ind.formula == "count":
        return numerator * ind.scale, None, None
    if denominator is None or denominator <= 0 or numerator > denominator:
        return None, None, None
    if ind.formula == "srb":
        est = srb_estimate(round(numerator), round(denominator - numerator))
        return est.srb, est.low, est.high
    low, high = wilson_interval(numerator, denominator)  # type: ignore[misc]
    return numerator / denominator * ind.scale, low * ind.scale, high * ind.scale


def judge_one(
    ind: Indicator, year: int, numerator, denominator, target, months: int = 12, fraction: float | None = None
) -> dict:
    """The verdict on one township-year-indicator: value, target used, status and reason code.

    ``months`` < 12 marks the partial current year: statuses read on_track / at_risk; annual
    totals get their target times ``fraction`` (the share of a year's births expected by then:
    months / 12 unless given) and annualised values are divided by it.
    """
    value, low, high = estimate(ind, numerator, denominator)
    partial = months < 12
    fraction = fraction if partial and fraction else months / 12
    factor = 1 / fraction if partial and ind.partial_year == "annualise_value" else 1.0
    value, low, high = (None if v is None else v * factor for v in (value, low, high))
    target_used = target
    if target is not None and partial and ind.partial_year == "prorate_target":
        target_used = target * fraction
    direction = ind.direction(year)
    out = {
        "value": value,
        "low": low,
        "high": high,
        "target": target_used,
        "target_annual": target,
        "direction": direction,
        "status": "not_judged",
        "achievement": None,
    }
    if target is None:
        return out | {"reason_code": "no_target"}
    if value is None:
        return out | {"reason_code": "no_data"}
    if ind.formula != "count" and (denominator or 0) < ind.min_denominator:
        return out | {"reason_code": "small_denominator"}
    higher = direction == "higher"
    point_good = value >= target_used if higher else value <= target_used
    good, code = point_good, ("point_met" if point_good else "point_missed")
    if ind.judge == "interval" and low is not None and high is not None:
        # Missed only when the whole 95 % interval lies on the wrong side of the target.
        good = not (high < target_used if higher else low > target_used)
        code = "interval_missed" if not good else ("interval_met" if point_good else "interval_noise")
    if higher:
        achievement = value / target_used if target_used > 0 else None
    else:
        achievement = target_used / value if value > 0 else None
    status = ("on_track" if good else "at_risk") if partial else ("met" if good else "missed")
    return out | {"status": status, "reason_code": code, "achievement": achievement}


def _attributes(registry: Registry, years: Iterable[int]) -> pl.DataFrame:
    """One row per indicator and year: the registry's fields, with that year's direction."""
    rows = [
        (
            ind.id,
            year,
            ind.formula,
            ind.scale,
            ind.weight,
            ind.veto,
            ind.min_denominator,
            ind.judge,
            ind.partial_year,
            ind.direction(year),
            ind.credit,
            *(ind.floor or (None, None)),
        )
        for ind in registry.indicators
        for year in sorted(set(years))
    ]
    schema = {
        "indicator": pl.String,
        "year": pl.Int32,
        "formula": pl.String,
        "scale": pl.Float64,
        "weight": pl.Float64,
        "veto": pl.Boolean,
        "min_denominator": pl.Float64,
        "judge": pl.String,
        "partial_year": pl.String,
        "direction": pl.String,
        "credit_rule": pl.String,
        "floor_kind": pl.String,
        "floor_amount": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _with_estimates(frame: pl.DataFrame, z: float = Z95) -> pl.DataFrame:
    """``estimate`` for every row (needs numerator, denominator, formula, scale): adds value, low,
    high. The Wilson interval is ``srb.stats.wilson_interval`` operation for operation, on
    (boys, births) for an SRB and (numerator, denominator) for a rate, so the floats are the same."""
    num, den, formula = pl.col("numerator"), pl.col("denominator"), pl.col("formula")
    defined = num.is_not_null() & den.is_not_null() & (den > 0) & (num <= den)
    # SRB: boys and girls rounded half to even, as Python's round(); + 0.0 turns -0.0 into 0.0 as int() does.
    frame = frame.with_columns(_boys=num.round(0) + 0.0, _girls=(den - num).round(0) + 0.0, _defined=defined)
    boys, girls = pl.col("_boys"), pl.col("_girls")
    is_srb = pl.col("_defined") & (formula == "srb") & (boys + girls > 0)
    frame = frame.with_columns(_srb=is_srb, _rate=pl.col("_defined") & (formula == "rate"))
    k = pl.when(pl.col("_srb")).then(boys).otherwise(num)
    n = pl.when(pl.col("_srb")).then(boys + girls).otherwise(den)
    frame = frame.with_columns(_k=k, _n=n)
    k, n = pl.col("_k"), pl.col("_n")
    z2 = z * z
    frame = frame.with_columns(_p=k / n, _denom=1.0 + z2 / n)
    p, denom = pl.col("_p"), pl.col("_denom")
    frame = frame.with_columns(
        _centre=(p + z2 / (2 * n)) / denom, _half=z / denom * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    )
    lower, upper = pl.col("_centre") - pl.col("_half"), pl.col("_centre") + pl.col("_half")
    # max(0.0, x) and min(1.0, x) as Python evaluates them; the bounds are exact at 0 and n successes.
    frame = frame.with_columns(
        _low=pl.when(k == 0).then(0.0).when(lower > 0.0).then(lower).otherwise(0.0),
        _high=pl.when(k == n).then(1.0).when(upper < 1.0).then(upper).otherwise(1.0),
    )
    scale, is_srb, is_rate = pl.col("scale"), pl.col("_srb"), pl.col("_rate")

    def srb_from_share(share: pl.Expr) -> pl.Expr:  # srb.stats.srb_from_share: null where share >= 1
        return pl.when(share < 1.0).then(100.0 * pl.when(share < 0.0).then(0.0).otherwise(share) / (1.0 - share))

    value = (
        pl.when(num.is_null())
        .then(None)
        .when(formula == "count")
        .then(num * scale)
        .when(is_srb)
        .then(pl.when(girls > 0).then(100.0 * boys / girls))
        .when(is_rate)
        .then(num / den * scale)
    )
    low = pl.when(is_srb).then(srb_from_share(pl.col("_low"))).when(is_rate).then(pl.col("_low") * scale)
    high = pl.when(is_srb).then(srb_from_share(pl.col("_high"))).when(is_rate).then(pl.col("_high") * scale)
    frame = frame.with_columns(value=value, low=low, high=high)
    return frame.drop(
        "_boys", "_girls", "_defined", "_srb", "_rate", "_k", "_n", "_p", "_denom", "_centre", "_half", "_low", "_high"
    )


def _verdicts(frame: pl.DataFrame, cutoff_ym: tuple[int, int], fraction: float | None) -> pl.DataFrame:
    """``judge_one`` (and the credit) for every row at once; ``frame`` carries numerator, denominator,
    target and the ``_attributes`` columns. Adds value, low, high, target (the one used),
    target_annual, status, achievement, reason_code, credit, months, fraction."""
    cutoff_year, cutoff_month = cutoff_ym
    months = pl.when(pl.col("year") == cutoff_year).then(cutoff_month).otherwise(12).cast(pl.Int32)
    frame = frame.with_columns(months=months)
    partial = pl.col("months") < 12
    share = pl.when(partial).then(pl.lit(fraction)) if fraction else pl.lit(None, dtype=pl.Float64)
    frame = frame.with_columns(fraction=pl.coalesce(share, pl.col("months") / 12))
    frame = _with_estimates(frame)
    value, low, high = pl.col("value"), pl.col("low"), pl.col("high")
    annualise = partial & (pl.col("partial_year") == "annualise_value")
    factor = pl.when(annualise).then(1 / pl.col("fraction")).otherwise(1.0)
    target = pl.col("target")
    prorate = partial & (pl.col("partial_year") == "prorate_target")
    frame = frame.with_columns(
        value=value * factor,
        low=low * factor,
        high=high * factor,
        target_annual=target,
        target=pl.when(prorate).then(target * pl.col("fraction")).otherwise(target),
    )
    value, low, high, target = pl.col("value"), pl.col("low"), pl.col("high"), pl.col("target")
    higher = pl.col("direction") == "higher"
    point_good = pl.when(higher).then(value >= target).otherwise(value <= target)
    interval = (pl.col("judge") == "interval") & low.is_not_null() & high.is_not_null()
    good = pl.when(interval).then(~pl.when(higher).then(high < target).otherwise(low > target)).otherwise(point_good)
    small = (pl.col("formula") != "count") & (pl.col("denominator").fill_null(0) < pl.col("min_denominator"))
    code = (
        pl.when(target.is_null())
        .then(pl.lit("no_target"))
        .when(value.is_null())
        .then(pl.lit("no_data"))
        .when(small)
        .then(pl.lit("small_denominator"))
        .when(interval)
        .then(
            pl.when(~good)
            .then(pl.lit("interval_missed"))
            .when(point_good)
            .then(pl.lit("interval_met"))
            .otherwise(pl.lit("interval_noise"))
        )
        .when(point_good)
        .then(pl.lit("point_met"))
        .otherwise(pl.lit("point_missed"))
    )
    frame = frame.with_columns(reason_code=code, _good=good)
    judged = ~pl.col("reason_code").is_in(["no_target", "no_data", "small_denominator"])
    achievement = (
        pl.when(higher)
        .then(pl.when(target > 0).then(value / target))
        .otherwise(pl.when(value > 0).then(target / value))
    )
    status = (
        pl.when(~judged)
        .then(pl.lit("not_judged"))
        .when(partial)
        .then(pl.when(pl.col("_good")).then(pl.lit("on_track")).otherwise(pl.lit("at_risk")))
        .when(pl.col("_good"))
        .then(pl.lit("met"))
        .otherwise(pl.lit("missed"))
    )
    frame = frame.with_columns(status=status, achievement=pl.when(judged).then(achievement)).drop("_good")
    return frame.with_columns(credit=credit_earned())


def _clip01(x: pl.Expr) -> pl.Expr:
    return pl.when(x > 1.0).then(1.0).when(x < 0.0).then(0.0).otherwise(x)


def credit_earned() -> pl.Expr:
    """``Indicator.partial_credit`` over whole columns: 1 for met / on track; for missed / at risk
    under proportional credit, 1 at the target falling linearly to 0 at the floor (no floor:
    value vs target); else 0. Needs status, value, target, direction, achievement, credit_rule,
    floor_kind, floor_amount."""
    value, target, amount = pl.col("value"), pl.col("target"), pl.col("floor_amount")
    gap = pl.when(pl.col("floor_kind") == "points").then(amount).otherwise(target.abs() * amount / 100)
    short = pl.when(pl.col("direction") == "higher").then(target - value).otherwise(value - target)
    to_floor = pl.when(gap > 0).then(_clip01(1.0 - short / gap)).otherwise(0.0)
    ratio = _clip01(pl.col("achievement").fill_null(0.0))
    partial = pl.when(pl.col("floor_kind").is_null()).then(ratio).otherwise(to_floor)
    lost = pl.col("status").is_in(["missed", "at_risk"]) & (pl.col("credit_rule") == "proportional")
    return pl.when(pl.col("status").is_in(list(GOOD))).then(1.0).when(lost).then(partial.fill_null(0.0)).otherwise(0.0)


def judge(
    values: pl.DataFrame,
    targets: pl.DataFrame,
    registry: Registry,
    cutoff_ym: tuple[int, int],
    fraction: float | None = None,
) -> pl.DataFrame:
    """One verdict per township, year and indicator with a value or a target (up to the cut-off).

    The same verdicts as ``judge_one`` row by row, computed over whole columns at once.
    ``fraction``: the share of a year's births expected by the cut-off month (see ``year_fraction``)."""
    cutoff_year = cutoff_ym[0]
    keys = ["township_code", "year", "indicator"]
    known = [ind.id for ind in registry.indicators]
    targets = targets.filter(pl.col("indicator").is_in(known)).select(*keys, "target").cast({"year": pl.Int32})
    towns = values.select("township_code").unique()
    grid = values.join(targets, on=keys, how="full", coalesce=True).join(towns, on="township_code", how="semi")
    grid = grid.filter(pl.col("year") <= cutoff_year)
    attrs = _attributes(registry, grid["year"].unique().to_list())
    grid = grid.join(attrs, on=["indicator", "year"], how="left")
    out = _verdicts(grid, cutoff_ym, fraction)
    return reasons.sorted_by(
        out.select(list(_JUDGED_SCHEMA)).cast(_JUDGED_SCHEMA), "year", "township_code", "indicator"
    )


def year_fraction(registry: Registry, cut: tuple[int, int], data_dir: str | Path | None = None) -> float | None:
    """Share of a year's births expected by the cut-off month of the partial year.

    'seasonal': the county's own share in January..month over its last three complete years
    (births peak in winter, so a flat months / 12 would misjudge); 'linear' or no earlier
    complete year: None, meaning months / 12.
    """
    year, month = cut
    if month >= 12 or registry.prorate != "seasonal":
        return None
    share = run_query("scorecard_year_share", data_dir, year=year, month=month)
    return float(share["share"][0]) if share.height and share["share"][0] else None


def county_values(
    values: pl.DataFrame, county_targets: pl.DataFrame, registry: Registry, cut, fraction: float | None = None
) -> pl.DataFrame:
    """The county's own value per year and indicator (numerators and denominators summed)."""
    sums = values.group_by("year", "indicator").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    sums = sums.filter(pl.col("year") <= cut[0])
    sums = sums.join(_attributes(registry, sums["year"].to_list()), on=["indicator", "year"], how="inner")
    sums = sums.with_columns(
        denominator=pl.when(pl.col("formula") != "count").then(pl.col("denominator")),
        target=pl.lit(None, dtype=pl.Float64),
    )
    out = _verdicts(sums, cut, fraction)
    schema = {"year": pl.Int32, "indicator": pl.String, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    targets = county_targets.select("year", "indicator", "target")
    return (
        out.select(list(schema))
        .cast(schema)
        .join(targets, on=["year", "indicator"], how="left")
        .sort("indicator", "year")
    )
