"""Township scoring: every indicator judged against its target, a score, a rank, a class, a veto.

The pipeline is ``indicator_values`` (SQL) -> ``judge`` (one verdict per township, year and
indicator) -> ``score`` (per township and year). ``scorecard(year)`` and ``indicator_status(year)``
are the public tables; the pages, the maps and ``python -m natality query scorecard`` all use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from natality.core.db import QueryError, run_query
from natality.core.extract import read_manifest
from natality.scorecard import reasons
from natality.scorecard.indicators import Indicator, Registry, RegistryError, load_registry
from natality.srb.stats import srb_estimate, wilson_interval

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


def judge(
    values: pl.DataFrame,
    targets: pl.DataFrame,
    registry: Registry,
    cutoff_ym: tuple[int, int],
    fraction: float | None = None,
) -> pl.DataFrame:
    """One verdict per township, year and indicator with a value or a target (up to the cut-off).

    ``fraction``: the share of a year's births expected by the cut-off month (see ``year_fraction``)."""
    cutoff_year, cutoff_month = cutoff_ym
    keys = ["township_code", "year", "indicator"]
    known = [ind.id for ind in registry.indicators]
    targets = targets.filter(pl.col("indicator").is_in(known)).select(*keys, "target")
    towns = values.select("township_code").unique()
    grid = values.join(targets, on=keys, how="full", coalesce=True).join(towns, on="township_code", how="semi")
    rows = []
    for row in grid.filter(pl.col("year") <= cutoff_year).iter_rows(named=True):
        ind = registry.indicator(row["indicator"])
        months = cutoff_month if row["year"] == cutoff_year else 12
        verdict = judge_one(ind, row["year"], row["numerator"], row["denominator"], row["target"], months, fraction)
        credit = 1.0 if verdict["status"] in GOOD else 0.0
        if verdict["status"] in ("missed", "at_risk") and registry.credit == "proportional":
            credit = min(verdict["achievement"] or 0.0, 1.0)
        extra = {"credit": credit, "weight": ind.weight, "veto": ind.veto, "months": months,
                 "fraction": fraction if months < 12 and fraction else months / 12}  # fmt: skip
        rows.append(row | verdict | extra)
    return pl.DataFrame(rows, schema=_JUDGED_SCHEMA).sort("year", "township_code", "indicator")


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
    # Vetoed townships rank below all others (一票否决) when the rules say so.
    penalty = 1000.0 if registry.vetoed_rank_last else 0.0
    key = pl.col("score") - pl.when(pl.col("vetoed")).then(penalty).otherwise(0.0)
    scored = scored.with_columns(rank=(-key).rank("min").over("year").cast(pl.Int32))
    previous = scored.select("township_code", (pl.col("year") + 1).alias("year"), prev_rank=pl.col("rank"))
    scored = scored.join(previous, on=["township_code", "year"], how="left").with_columns(
        rank_change=(pl.col("prev_rank") - pl.col("rank")).cast(pl.Int32)
    )
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
    """Everything the scorecard and township pages show, for every year (in one language)."""

    registry: Registry
    status: pl.DataFrame  # one row per township, year, indicator (see indicator_status)
    card: pl.DataFrame  # one row per township and scored year (see scorecard)
    county: pl.DataFrame  # year, indicator, value, low, high, target: the county as a whole
    cutoff: tuple[int, int]
    fraction: float  # share of a year's births expected by the cut-off month (1.0 for a full year)

    def fraction_for(self, year: int) -> tuple[int, float]:
        """(months of data, expected share of the year) for ``year``."""
        if year == self.cutoff[0] and self.cutoff[1] < 12:
            return self.cutoff[1], self.fraction
        return 12, 1.0

    def card_for(self, year: int) -> pl.DataFrame:
        return self.card.filter(pl.col("year") == year).drop("year")

    def status_for(self, year: int) -> pl.DataFrame:
        """Verdicts of ``year`` for the indicators that have a target in that year."""
        targeted = pl.col("target_annual").is_not_null().any().over("indicator")
        return self.status.filter(pl.col("year") == year).filter(targeted)


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


def scorecard_data(data_dir: str | Path | None = None, lang: str = "zh") -> ScorecardData:
    """Read, judge, score and explain every township-year of the extract."""
    registry = load_registry(data_dir)
    cut = cutoff(data_dir)
    values = indicator_values(registry, data_dir)
    targets = run_query("scorecard_targets", data_dir).cast({"year": pl.Int32})
    fraction = year_fraction(registry, cut, data_dir)
    judged = judge(values, targets, registry, cut, fraction)
    towns = township_names(data_dir, lang)
    region = read_manifest(data_dir).get("region_code", "")
    return ScorecardData(
        registry=registry,
        status=reasons.status_table(judged, towns, registry, lang),
        card=reasons.card_table(score(judged, registry), judged, towns, registry, lang),
        county=county_values(values, targets.filter(pl.col("township_code") == region), registry, cut, fraction),
        cutoff=cut,
        fraction=fraction or cut[1] / 12,
    )


def county_values(
    values: pl.DataFrame, county_targets: pl.DataFrame, registry: Registry, cut, fraction: float | None = None
) -> pl.DataFrame:
    """The county's own value per year and indicator (numerators and denominators summed)."""
    sums = values.group_by("year", "indicator").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    rows = []
    for row in sums.filter(pl.col("year") <= cut[0]).iter_rows(named=True):
        ind = registry.indicator(row["indicator"])
        months = cut[1] if row["year"] == cut[0] else 12
        den = row["denominator"] if ind.formula != "count" else None
        verdict = judge_one(ind, row["year"], row["numerator"], den, None, months, fraction)
        rows.append({k: row[k] for k in ("year", "indicator")} | {k: verdict[k] for k in ("value", "low", "high")})
    schema = {"year": pl.Int32, "indicator": pl.String, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64}
    targets = county_targets.select("year", "indicator", "target")
    return (
        pl.DataFrame(rows, schema=schema).join(targets, on=["year", "indicator"], how="left").sort("indicator", "year")
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
