"""Township scoring: every indicator judged against its target, a score, a rank, a class, a veto.

The pipeline is ``indicator_values`` (SQL) -> ``judge`` (one verdict per township, year and
indicator) -> ``score`` (per township and year). ``scorecard(year)`` and ``indicator_status(year)``
are the public tables; the pages, the maps and ``python -m natality query scorecard`` all use them.

Every step works on whole columns (polars expressions; DuckDB formats the numbers of the
reasons), for every year at once, so a province of 2,000 townships is judged in well under a
second after its SQL; ``judge_one`` and ``reasons.reason_text`` are the same rules for one row
(the map's hover texts use them, and tests check the columns against them). ``scorecard_data``
is computed once per extract version and language in a process. ``ScorecardData.for_townships``
narrows it to a region and ranks within it without judging again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from natality.core import once
from natality.core.db import QueryError, run_query
from natality.core.extract import live_version_dir, read_manifest
from natality.scorecard import reasons, stored, uncertainty
from natality.scorecard.indicators import DEFAULT_REGISTRY, Indicator, Registry, RegistryError, load_registry
from natality.srb.stats import Z95, srb_estimate, wilson_interval

JUDGED = ("met", "missed", "on_track", "at_risk")
GOOD = ("met", "on_track")
VALUE_SCHEMA = {"township_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                "numerator": pl.Float64, "denominator": pl.Float64}  # fmt: skip
_JUDGED_SCHEMA = {
    **VALUE_SCHEMA, "target": pl.Float64, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64,
    "target_annual": pl.Float64, "direction": pl.String, "status": pl.String, "achievement": pl.Float64,
    "credit": pl.Float64, "reason_code": pl.String, "weight": pl.Float64, "veto": pl.Boolean, "months": pl.Int32,
    "fraction": pl.Float64,
}  # fmt: skip


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
    out = {"value": value, "low": low, "high": high, "target": target_used, "target_annual": target,
           "direction": direction, "status": "not_judged", "achievement": None}  # fmt: skip
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
        (ind.id, year, ind.formula, ind.scale, ind.weight, ind.veto, ind.min_denominator, ind.judge,
         ind.partial_year, ind.direction(year), ind.credit, *(ind.floor or (None, None)))
        for ind in registry.indicators for year in sorted(set(years))
    ]  # fmt: skip
    schema = {"indicator": pl.String, "year": pl.Int32, "formula": pl.String, "scale": pl.Float64,
              "weight": pl.Float64, "veto": pl.Boolean, "min_denominator": pl.Float64, "judge": pl.String,
              "partial_year": pl.String, "direction": pl.String, "credit_rule": pl.String,
              "floor_kind": pl.String, "floor_amount": pl.Float64}  # fmt: skip
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
        pl.when(num.is_null()).then(None)
        .when(formula == "count").then(num * scale)
        .when(is_srb).then(pl.when(girls > 0).then(100.0 * boys / girls))
        .when(is_rate).then(num / den * scale)
    )  # fmt: skip
    low = pl.when(is_srb).then(srb_from_share(pl.col("_low"))).when(is_rate).then(pl.col("_low") * scale)
    high = pl.when(is_srb).then(srb_from_share(pl.col("_high"))).when(is_rate).then(pl.col("_high") * scale)
    frame = frame.with_columns(value=value, low=low, high=high)
    return frame.drop("_boys", "_girls", "_defined", "_srb", "_rate", "_k", "_n", "_p", "_denom", "_centre", "_half",
                      "_low", "_high")  # fmt: skip


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
        value=value * factor, low=low * factor, high=high * factor, target_annual=target,
        target=pl.when(prorate).then(target * pl.col("fraction")).otherwise(target),
    )  # fmt: skip
    value, low, high, target = pl.col("value"), pl.col("low"), pl.col("high"), pl.col("target")
    higher = pl.col("direction") == "higher"
    point_good = pl.when(higher).then(value >= target).otherwise(value <= target)
    interval = (pl.col("judge") == "interval") & low.is_not_null() & high.is_not_null()
    good = pl.when(interval).then(~pl.when(higher).then(high < target).otherwise(low > target)).otherwise(point_good)
    small = (pl.col("formula") != "count") & (pl.col("denominator").fill_null(0) < pl.col("min_denominator"))
    code = (
        pl.when(target.is_null()).then(pl.lit("no_target"))
        .when(value.is_null()).then(pl.lit("no_data"))
        .when(small).then(pl.lit("small_denominator"))
        .when(interval).then(
            pl.when(~good).then(pl.lit("interval_missed"))
            .when(point_good).then(pl.lit("interval_met"))
            .otherwise(pl.lit("interval_noise"))
        )
        .when(point_good).then(pl.lit("point_met"))
        .otherwise(pl.lit("point_missed"))
    )  # fmt: skip
    frame = frame.with_columns(reason_code=code, _good=good)
    judged = ~pl.col("reason_code").is_in(["no_target", "no_data", "small_denominator"])
    achievement = (
        pl.when(higher)
        .then(pl.when(target > 0).then(value / target))
        .otherwise(pl.when(value > 0).then(target / value))
    )
    status = (
        pl.when(~judged).then(pl.lit("not_judged"))
        .when(partial).then(pl.when(pl.col("_good")).then(pl.lit("on_track")).otherwise(pl.lit("at_risk")))
        .when(pl.col("_good")).then(pl.lit("met"))
        .otherwise(pl.lit("missed"))
    )  # fmt: skip
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


def _ranked(scored: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """rank (ties share the best place), prev_rank (last year's, among the same rows) and rank_change,
    from score and vetoed: the one ranking rule, for the whole extract and for any selection of it."""
    # Vetoed townships rank below all others (一票否决) when the rules say so.
    penalty = 1000.0 if registry.vetoed_rank_last else 0.0
    key = pl.col("score") - pl.when(pl.col("vetoed")).then(penalty).otherwise(0.0)
    scored = scored.with_columns(rank=(-key).rank("min").over("year").cast(pl.Int32))
    # Ties shown as ties: a rank that another township of the selection shares that year.
    scored = scored.with_columns(tied=pl.col("rank").is_not_null() & (pl.len().over("year", "rank") > 1))
    previous = scored.select("township_code", (pl.col("year") + 1).alias("year"), prev_rank=pl.col("rank"))
    return scored.join(previous, on=["township_code", "year"], how="left").with_columns(
        rank_change=(pl.col("prev_rank") - pl.col("rank")).cast(pl.Int32)
    )


def score(judged: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Per township and year (years with targets): score 0-100, rank (ties share), rank change, class, veto."""
    is_judged = pl.col("status").is_in(JUDGED)
    per_town = judged.filter(pl.col("target").is_not_null().any().over("year")).group_by("township_code", "year")
    scored = per_town.agg(
        weight_judged=pl.col("weight").filter(is_judged).sum(),
        points=(pl.col("weight") * pl.col("credit")).filter(is_judged).sum(),
        n_judged=is_judged.sum().cast(pl.Int32),
        n_met=pl.col("status").is_in(GOOD).sum().cast(pl.Int32),
        vetoed=(pl.col("veto") & (pl.col("status") == "missed")).any(),
    ).with_columns(
        score=pl.when(pl.col("weight_judged") > 0)
        .then((100 * pl.col("points") / pl.col("weight_judged")).round(registry.score_decimals))
        .otherwise(None)
    )
    scored = _ranked(scored, registry)
    cls = pl.lit(None, dtype=pl.String)
    for c in reversed(registry.classes):
        cls = pl.when(pl.col("score") >= c.min_score).then(pl.lit(c.id)).otherwise(cls)
    cls = (
        pl.when(pl.col("vetoed"))
        .then(pl.lit(registry.veto_class))
        .when(pl.col("score").is_null())
        .then(None)
        .otherwise(cls)
    )
    return scored.with_columns(cls.alias("class")).drop("points", "weight_judged")


def township_names(data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """township_code, township_name in ``lang``; a repeated name shows its parent: "name (parent)"."""
    suffix = "" if lang == "zh" else "_en"
    towns = run_query("scorecard_townships", data_dir).with_columns(
        plain=pl.coalesce(pl.col(f"township_name{suffix}"), pl.col("township_name")),
        parent=pl.coalesce(pl.col(f"parent_name{suffix}"), pl.col("parent_name"), pl.col("parent_code")),
    )
    repeated = pl.col("plain").count().over("plain") > 1
    towns = towns.with_columns(
        township_name=pl.when(repeated).then(pl.format("{} ({})", "plain", "parent")).otherwise("plain")
    )
    # Same name under the same parent: the township's own code tells them apart.
    again = pl.col("township_name").count().over("township_name") > 1
    label = pl.when(again).then(pl.format("{} [{}]", "township_name", "township_code")).otherwise("township_name")
    return towns.select("township_code", township_name=label)


@dataclass(frozen=True)
class ScorecardData:
    """Everything the scorecard and township pages show, for every year (in one language).

    ``for_townships(codes)`` narrows it to a region (a county inside a province, say) and ranks
    again within it. What is absolute and what is relative to the selection:

    - absolute (each township against its own targets, the same whatever else is shown): every
      verdict of ``status`` (value, interval, target, met / missed, reason), the score, n_judged,
      n_met, the veto and its reasons, and the class (classes are score bands: the registry's
      ``classes`` have a ``min_score``, none depends on rank); the partial year's expected share
      of a year's births (``fraction``) stays the whole extract's;
    - relative to the selection: rank (1 = best of the selection, ties share), prev_rank and
      rank_change (last year's rank within the same selection), the years scored (those in which
      a township of the selection has a target), ``status_for``'s indicators (those with a target
      in the selection) and ``county``, the reference values (numerators and denominators summed
      over the selection; target: the region's own, when a region code is given).
    """

    registry: Registry
    status: pl.DataFrame  # one row per township, year, indicator (see indicator_status)
    card: pl.DataFrame  # one row per township and scored year (see scorecard)
    county: pl.DataFrame  # year, indicator, value, low, high, target: the county as a whole
    cutoff: tuple[int, int]
    fraction: float  # share of a year's births expected by the cut-off month (1.0 for a full year)
    # What for_townships needs to narrow: indicator values of every township (VALUE_SCHEMA), the
    # targets set for codes that are not townships (a county's or region's own), and the selection.
    values: pl.DataFrame | None = None
    region_targets: pl.DataFrame | None = None
    townships: frozenset[str] | None = None  # None: every township of the extract
    region_code: str | None = None  # the code whose own targets ``county`` carries
    simulation: uncertainty.SimulatedScores | None = None  # every township-year's scores, redrawn

    def fraction_for(self, year: int) -> tuple[int, float]:
        """(months of data, expected share of the year) for ``year``."""
        if year == self.cutoff[0] and self.cutoff[1] < 12:
            return self.cutoff[1], self.fraction
        return 12, 1.0

    def card_for(self, year: int, townships: Iterable[str] | None = None) -> pl.DataFrame:
        """The scorecard of ``year``, best rank first; ``townships``: ranked within those codes only."""
        data = self if townships is None else self.for_townships(townships)
        return data.card.filter(pl.col("year") == year).drop("year")

    def status_for(self, year: int) -> pl.DataFrame:
        """Verdicts of ``year`` for the indicators that have a target in that year."""
        targeted = pl.col("target_annual").is_not_null().any().over("indicator")
        return self.status.filter(pl.col("year") == year).filter(targeted)

    def for_townships(self, codes: Iterable[str], region_code: str | None = None) -> ScorecardData:
        """The same verdicts and scores for the townships ``codes`` only, ranked among themselves.

        Nothing is judged again (see the class docstring for what is absolute and what is
        relative); ``region_code``: whose own targets the reference values carry (the county a
        leader chose, say), else none. Codes that are not townships of the extract are ignored."""
        chosen = frozenset(codes)
        inside = pl.col("township_code").is_in(sorted(chosen))
        status = self.status.filter(inside)
        targeted_years = status.filter(pl.col("target_annual").is_not_null())["year"].unique()
        card = self.card.filter(inside & pl.col("year").is_in(targeted_years.implode()))
        card = _ranked(card.drop("rank", "prev_rank", "rank_change", "tied"), self.registry)
        card = uncertainty.with_rank_intervals(card, self.simulation)
        card = reasons.sorted_by(card, "year", "rank", "township_code", nulls_last=True).select(self.card.columns)
        county = self.county.clear()
        if self.values is not None:
            own = self.region_targets if self.region_targets is not None else _EMPTY_TARGETS
            own = own.filter(pl.col("township_code") == region_code) if region_code else own.clear()
            values = self.values.filter(inside)
            county = county_values(values, own, self.registry, self.cutoff, self.fraction)
        return replace(self, status=status, card=card, county=county, townships=chosen, region_code=region_code)


_EMPTY_TARGETS = pl.DataFrame(schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                                      "target": pl.Float64})  # fmt: skip


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


@dataclass(frozen=True)
class _Judged:
    """The language-free part of a scorecard: read, judged and scored once per extract version."""

    registry: Registry
    cutoff: tuple[int, int]
    fraction: float | None
    values: pl.DataFrame
    targets: pl.DataFrame
    judged: pl.DataFrame
    scored: pl.DataFrame
    region_code: str
    simulation: uncertainty.SimulatedScores


def _stamp(data_dir: str | Path | None) -> tuple:
    """The live version's directory and the size and time of each of its files (and of the default
    registry): a published version never changes, but an extract written in place (tests) may."""
    root = live_version_dir(data_dir)
    files = tuple(sorted((p.name, s.st_mtime_ns, s.st_size) for p in root.iterdir() if p.is_file() for s in [p.stat()]))
    default = DEFAULT_REGISTRY.stat()
    return str(root), files, (default.st_mtime_ns, default.st_size)


@once.cache(maxsize=4)
def _judged(stamp: tuple) -> _Judged:
    data_dir = stamp[0]
    registry = load_registry(data_dir)
    cut = cutoff(data_dir)
    values = indicator_values(registry, data_dir)
    targets = run_query("scorecard_targets", data_dir).cast({"year": pl.Int32})
    fraction = year_fraction(registry, cut, data_dir)
    judged = judge(values, targets, registry, cut, fraction)
    region = read_manifest(data_dir).get("region_code", "")
    simulation = uncertainty.simulate_scores(judged, registry)
    scored = uncertainty.with_rank_intervals(score(judged, registry), simulation)
    return _Judged(registry, cut, fraction, values, targets, judged, scored, region, simulation)


@once.cache(maxsize=8)
def _scorecard_data(stamp: tuple, lang: str) -> ScorecardData:
    """Read from the version's ``derived/`` folder when an earlier process stored it, else
    computed and stored there (``stored``)."""
    kept = _load_stored(stamp, lang)
    if kept is not None:
        return kept
    data = _compute_scorecard_data(stamp, lang)
    _store(stamp, lang, data)
    return data


_SHARED_TABLES = ("values", "county", "region_targets")


def _store(stamp: tuple, lang: str, data: ScorecardData) -> None:
    version_dir, sim = stamp[0], data.simulation
    if not (Path(version_dir) / stored.DERIVED / stored.key(stamp)).is_dir():
        tables = {name: getattr(data, name) for name in _SHARED_TABLES} | {"simulation_keys": sim.keys}
        meta = {"cutoff": list(data.cutoff), "fraction": data.fraction, "region_code": data.region_code,
                "decimals": sim.decimals}  # fmt: skip
        stored.save(version_dir, stored.key(stamp), tables, {"ranking": sim.ranking}, meta)
    stored.save(version_dir, stored.key(stamp, lang), {"status": data.status, "card": data.card}, {}, {})


def _load_stored(stamp: tuple, lang: str) -> ScorecardData | None:
    shared, texts = stored.load(stamp[0], stored.key(stamp)), stored.load(stamp[0], stored.key(stamp, lang))
    if shared is None or texts is None:
        return None
    (tables, arrays, meta), (own, _, _) = shared, texts
    simulation = uncertainty.SimulatedScores(tables["simulation_keys"], arrays["ranking"], meta["decimals"])
    return ScorecardData(
        registry=load_registry(stamp[0]), status=own["status"], card=own["card"], county=tables["county"],
        cutoff=tuple(meta["cutoff"]), fraction=meta["fraction"], values=tables["values"],
        region_targets=tables["region_targets"], region_code=meta["region_code"], simulation=simulation,
    )  # fmt: skip


def prepare(data_dir: str | Path | None = None) -> None:
    """Compute and store the live version's scorecard in both languages (after an import, and in
    the background when a server starts or sees a new version), so that no visitor waits for it."""
    for lang in ("zh", "en"):
        scorecard_data(data_dir, lang)


def _compute_scorecard_data(stamp: tuple, lang: str) -> ScorecardData:
    j = _judged(stamp)
    towns = township_names(stamp[0], lang)
    judged = j.judged.with_columns(reason=reasons.reason_texts(j.judged, j.registry, lang))
    towns_known = j.values.select("township_code").unique()
    own_targets = j.targets.filter(pl.col("township_code") == j.region_code)
    return ScorecardData(
        registry=j.registry,
        status=reasons.status_table(judged, towns, j.registry, lang),
        card=reasons.card_table(j.scored, judged, towns, j.registry, lang),
        county=county_values(j.values, own_targets, j.registry, j.cutoff, j.fraction),
        cutoff=j.cutoff,
        fraction=j.fraction or j.cutoff[1] / 12,
        values=j.values,
        region_targets=j.targets.join(towns_known, on="township_code", how="anti"),
        region_code=j.region_code or None,
        simulation=j.simulation,
    )


def scorecard_data(data_dir: str | Path | None = None, lang: str = "zh") -> ScorecardData:
    """Read, judge, score and explain every township-year of the extract.

    Computed once per extract version (and once more per language for the texts), over whole
    columns; later calls in the process return the same object. ``clear_cache()`` forgets it."""
    return _scorecard_data(_stamp(data_dir), lang)


def region_scorecard(data_dir: str | Path | None = None, lang: str = "zh", region: str | None = None) -> ScorecardData:
    """``scorecard_data`` narrowed to the townships of ``region`` (a county, city or province
    code; None: the whole extract) and ranked within it; its reference values carry the region's
    own targets. Kept per extract version, language and region."""
    stamp = _stamp(data_dir)
    if not region:
        return _scorecard_data(stamp, lang)
    return _region_scorecard(stamp, lang, region)


@once.cache(maxsize=32)
def _region_scorecard(stamp: tuple, lang: str, region: str) -> ScorecardData:
    codes = run_query("township_list", stamp[0], region=region)["township_code"]
    return _scorecard_data(stamp, lang).for_townships(codes, region)


def clear_cache() -> None:
    """Forget the scorecards computed in this process (for timing a cold computation)."""
    _judged.cache_clear()
    _scorecard_data.cache_clear()
    _region_scorecard.cache_clear()


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


def scorecard(year: int, data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """One row per township scored in ``year``: township_code, township_name, score, rank, class,
    vetoed, veto_reason, then rank_change, prev_rank, class_label, n_judged, n_met, veto_risk_reason."""
    return scorecard_data(data_dir, lang).card_for(year)


def indicator_status(year: int, data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """One row per township and indicator with a target in ``year``: township_code, indicator,
    value, target, denominator, status (met, missed, not_judged, on_track, at_risk), reason, and
    low, high (95 % interval), target_annual, achievement, reason_code, weight, veto, months."""
    return scorecard_data(data_dir, lang).status_for(year)


def scorecard_query(data_dir: str | Path | None = None, year: str | int | None = None, lang: str = "zh"):
    """``python -m natality query scorecard -p year=YYYY``: the page's scorecard table."""
    if year is None or not str(year).isdigit():
        raise QueryError(f"query 'scorecard' needs parameter year=YYYY (e.g. -p year=2019), got {year!r}")
    try:
        return scorecard(int(year), data_dir, lang)
    except RegistryError as exc:  # a malformed indicators.yaml is input the user can fix
        raise QueryError(str(exc)) from exc


# Query names the CLI answers with Python instead of queries/<name>.sql (read-only mapping).
COMPUTED_QUERIES = {"scorecard": scorecard_query}
