"""Township scoring: every indicator judged against its target, a score, a rank, a class, a veto.

The pipeline is ``indicator_values`` (SQL) -> ``judge`` (one verdict per township, year and
indicator) -> ``score`` (per township and year). ``scorecard(year)`` and ``indicator_status(year)``
are the public tables; the page, the maps and ``python -m natality query scorecard`` all use them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from natality import scorecard_reasons as reasons
from natality.db import run_query
from natality.extract import read_manifest
from natality.indicators import Indicator, Registry, load_registry
from natality.srb import srb_estimate, wilson_interval

JUDGED = ("met", "missed", "on_track", "at_risk")
GOOD = ("met", "on_track")
VALUE_SCHEMA = {"township_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                "numerator": pl.Float64, "denominator": pl.Float64}  # fmt: skip


def cutoff(data_dir: str | Path | None = None) -> tuple[int, int]:
    """The extract's data cut-off as (year, month)."""
    year, month = read_manifest(data_dir)["cutoff_month"].split("-")
    return int(year), int(month)


def indicator_values(
    registry: Registry, data_dir: str | Path | None = None
) -> pl.DataFrame:
    """Numerator and denominator per township, year and indicator, from each indicator's source."""
    frames = []
    for ind in registry.indicators:
        if ind.query:
            frame = run_query(ind.query, data_dir, indicator=ind.id)
        else:
            frame = run_query("indicator_reported", data_dir, indicator=ind.reported)
        frames.append(
            frame.select("township_code", "year", "numerator", "denominator")
            .with_columns(indicator=pl.lit(ind.id))
            .cast(VALUE_SCHEMA)
        )
    return pl.concat(frames, how="diagonal").select(list(VALUE_SCHEMA))


def targets(data_dir: str | Path | None = None) -> pl.DataFrame:
    return run_query("scorecard_targets", data_dir).cast({"year": pl.Int32})


def estimate(
    ind: Indicator, numerator: float | None, denominator: float | None
) -> tuple:
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
    ind: Indicator, year: int, numerator, denominator, target, months: int = 12
) -> dict:
    """The verdict on one township-year-indicator: value, target used, status and reason code.

    ``months`` < 12 marks the partial current year: statuses read on_track / at_risk, annual
    totals get a pro-rated target and annualised values are scaled to a full year.
    """
    value, low, high = estimate(ind, numerator, denominator)
    partial = months < 12
    factor = 12 / months if partial and ind.partial_year == "annualise_value" else 1.0
    value, low, high = (None if v is None else v * factor for v in (value, low, high))
    target_used = target
    if target is not None and partial and ind.partial_year == "prorate_target":
        target_used = target * months / 12
    direction = ind.direction(year)
    out = {"value": value, "low": low, "high": high, "target": target_used, "target_annual": target,
           "direction": direction, "status": "not_judged", "achievement": None, "credit": 0.0}  # fmt: skip
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
        code = (
            "interval_missed"
            if not good
            else ("interval_met" if point_good else "interval_noise")
        )
    if higher:
        achievement = value / target_used if target_used > 0 else None
    else:
        achievement = target_used / value if value > 0 else None
    status = (
        ("on_track" if good else "at_risk")
        if partial
        else ("met" if good else "missed")
    )
    return out | {"status": status, "reason_code": code, "achievement": achievement}


def judge(
    values: pl.DataFrame,
    target_rows: pl.DataFrame,
    registry: Registry,
    cutoff_ym: tuple[int, int],
) -> pl.DataFrame:
    """One verdict per township, year and indicator, for the years in which the indicator has a target."""
    cutoff_year, cutoff_month = cutoff_ym
    keyed = target_rows.select("township_code", "year", "indicator", "target")
    targeted = keyed.select("year", "indicator").unique()
    grid = values.join(targeted, on=["year", "indicator"], how="semi")
    missing_values = (
        keyed.join(
            values.select("township_code").unique(), on="township_code", how="semi"
        )
        .join(grid, on=["township_code", "year", "indicator"], how="anti")
        .select("township_code", "year", "indicator")
    )
    grid = pl.concat([grid, missing_values], how="diagonal").join(
        keyed, on=["township_code", "year", "indicator"], how="left"
    )
    rows = []
    for row in grid.filter(pl.col("year") <= cutoff_year).iter_rows(named=True):
        ind = (
            registry.indicator(row["indicator"])
            if _known(registry, row["indicator"])
            else None
        )
        if ind is None:
            continue
        months = cutoff_month if row["year"] == cutoff_year else 12
        verdict = judge_one(
            ind,
            row["year"],
            row["numerator"],
            row["denominator"],
            row["target"],
            months,
        )
        credit = 0.0
        if verdict["status"] in GOOD:
            credit = 1.0
        elif verdict["status"] in JUDGED and registry.credit == "proportional":
            credit = min(verdict["achievement"] or 0.0, 1.0)
        rows.append(
            row
            | verdict
            | {
                "credit": credit,
                "weight": ind.weight,
                "veto": ind.veto,
                "months": months,
            }
        )
    return pl.DataFrame(
        rows, schema=_JUDGED_SCHEMA, orient="row" if not rows else None
    ).sort("year", "township_code", "indicator")


def _known(registry: Registry, indicator_id: str) -> bool:
    return any(ind.id == indicator_id for ind in registry.indicators)


_JUDGED_SCHEMA = {
    **VALUE_SCHEMA, "target": pl.Float64, "value": pl.Float64, "low": pl.Float64, "high": pl.Float64,
    "target_annual": pl.Float64, "direction": pl.String, "status": pl.String,
    "achievement": pl.Float64, "credit": pl.Float64, "reason_code": pl.String,
    "weight": pl.Float64, "veto": pl.Boolean, "months": pl.Int32,
}  # fmt: skip


def score(judged: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Per township and year: score 0-100, rank (ties share), rank change, class, veto."""
    is_judged = pl.col("status").is_in(JUDGED)
    per_town = judged.group_by("township_code", "year").agg(
        weight_judged=pl.col("weight").filter(is_judged).sum(),
        points=(pl.col("weight") * pl.col("credit")).filter(is_judged).sum(),
        n_judged=is_judged.sum().cast(pl.Int32),
        n_met=pl.col("status").is_in(GOOD).sum().cast(pl.Int32),
        vetoed=(pl.col("veto") & (pl.col("status") == "missed")).any(),
        veto_risk=(pl.col("veto") & (pl.col("status") == "at_risk")).any(),
    )
    scored = per_town.with_columns(
        score=pl.when(pl.col("weight_judged") > 0)
        .then(
            (100 * pl.col("points") / pl.col("weight_judged")).round(
                registry.score_decimals
            )
        )
        .otherwise(None)
    )
    # Vetoed townships rank below all others (一票否决) when the rules say so.
    penalty = 1000.0 if registry.vetoed_rank_last else 0.0
    key = pl.col("score") - pl.when(pl.col("vetoed")).then(penalty).otherwise(0.0)
    scored = scored.with_columns(rank=(-key).rank("min").over("year").cast(pl.Int32))
    previous = scored.select(
        "township_code", (pl.col("year") + 1).alias("year"), prev_rank=pl.col("rank")
    )
    scored = scored.join(
        previous, on=["township_code", "year"], how="left"
    ).with_columns(rank_change=(pl.col("prev_rank") - pl.col("rank")).cast(pl.Int32))
    class_expr = pl.lit(None, dtype=pl.String)
    for cls in reversed(registry.classes):
        class_expr = (
            pl.when(pl.col("score") >= cls.min_score)
            .then(pl.lit(cls.id))
            .otherwise(class_expr)
        )
    class_expr = pl.when(pl.col("score").is_null()).then(None).otherwise(class_expr)
    class_expr = (
        pl.when(pl.col("vetoed"))
        .then(pl.lit(registry.veto_class))
        .otherwise(class_expr)
    )
    return scored.with_columns(**{"class": class_expr}).drop("points", "weight_judged")


def _scored_tables(
    data_dir, lang: str
) -> tuple[Registry, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    registry = load_registry(data_dir)
    judged = judge(
        indicator_values(registry, data_dir),
        targets(data_dir),
        registry,
        cutoff(data_dir),
    )
    townships = township_names(data_dir, lang)
    return registry, judged, score(judged, registry), townships


def township_names(
    data_dir: str | Path | None = None, lang: str = "zh"
) -> pl.DataFrame:
    """township_code, township_name in ``lang``; a repeated name shows its parent: "name (parent)"."""
    towns = run_query("scorecard_townships", data_dir)
    suffix = "" if lang == "zh" else "_en"
    name = pl.coalesce(pl.col(f"township_name{suffix}"), pl.col("township_name"))
    parent = pl.coalesce(
        pl.col(f"parent_name{suffix}"), pl.col("parent_name"), pl.col("parent_code")
    )
    towns = towns.with_columns(plain=name)
    repeated = pl.col("plain").count().over("plain") > 1
    label = (
        pl.when(repeated).then(pl.format("{} ({})", "plain", parent)).otherwise("plain")
    )
    # Still repeated (same name, same parent): add the township's own code.
    towns = towns.with_columns(township_name=label)
    again = pl.col("township_name").count().over("township_name") > 1
    towns = towns.with_columns(
        township_name=pl.when(again)
        .then(pl.format("{} [{}]", "township_name", "township_code"))
        .otherwise("township_name")
    )
    return towns.select("township_code", "township_name")


def scorecard_all_years(
    data_dir: str | Path | None = None, lang: str = "zh"
) -> pl.DataFrame:
    """Every scored township-year (for rank histories): the columns of ``scorecard`` plus year."""
    registry, judged, scored, towns = _scored_tables(data_dir, lang)
    return _present(scored, judged, towns, registry, lang)


def scorecard(
    year: int, data_dir: str | Path | None = None, lang: str = "zh"
) -> pl.DataFrame:
    """One row per township for ``year``: score, rank, class, veto and its reason (localised)."""
    return (
        scorecard_all_years(data_dir, lang).filter(pl.col("year") == year).drop("year")
    )


def indicator_status(
    year: int, data_dir: str | Path | None = None, lang: str = "zh"
) -> pl.DataFrame:
    """One row per township and indicator with a target in ``year``: value, target, status, reason."""
    registry, judged, _, towns = _scored_tables(data_dir, lang)
    return _status_table(judged.filter(pl.col("year") == year), towns, registry, lang)


def _status_table(
    judged: pl.DataFrame, towns: pl.DataFrame, registry: Registry, lang: str
) -> pl.DataFrame:
    order = {ind.id: i for i, ind in enumerate(registry.indicators)}
    texts = [
        reasons.reason_text(registry.indicator(r["indicator"]), r, lang)
        for r in judged.iter_rows(named=True)
    ]
    names = [registry.indicator(i).name[lang] for i in judged["indicator"]]
    return (
        judged.with_columns(
            reason=pl.Series(texts, dtype=pl.String),
            indicator_name=pl.Series(names, dtype=pl.String),
            indicator_order=pl.col("indicator").replace_strict(order, return_dtype=pl.Int32),
        )
        .join(towns, on="township_code", how="left")
        .sort("year", "township_code", "indicator_order")
        .select("year", "township_code", "township_name", "indicator", "indicator_name", "value", "low",
                "high", "target", "target_annual", "denominator", "numerator", "direction", "status",
                "reason_code", "reason", "achievement", "weight", "veto", "months")
    )  # fmt: skip


def _present(scored, judged, towns, registry: Registry, lang: str) -> pl.DataFrame:
    veto_texts = reasons.veto_texts(judged, registry, lang)
    labels = {c.id: c.name[lang] for c in registry.classes}
    return (
        towns.join(scored, on="township_code", how="inner")
        .join(veto_texts, on=["township_code", "year"], how="left")
        .with_columns(class_label=pl.col("class").replace_strict(labels, default=None, return_dtype=pl.String))
        .sort("year", "rank", "township_code", nulls_last=True)
        .select("year", "township_code", "township_name", "score", "rank", "class", "vetoed", "veto_reason",
                "rank_change", "prev_rank", "class_label", "n_judged", "n_met", "veto_risk_reason")
    )  # fmt: skip


def scorecard_query(
    data_dir: str | Path | None = None, year: str | int | None = None, lang: str = "zh"
):
    """``python -m natality query scorecard -p year=YYYY``: the page's scorecard table."""
    if year is None:
        raise ValueError("query 'scorecard' needs parameter: year (e.g. -p year=2019)")
    return scorecard(int(year), data_dir, lang)


# Query names the CLI answers with Python instead of queries/<name>.sql (read-only mapping).
COMPUTED_QUERIES = {"scorecard": scorecard_query}
