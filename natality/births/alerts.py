"""Alerts on implausible township-months: data quality, never a refusal.

``queries/data_alerts_inputs.sql`` gives every township-month (zeros included) with the pooled
seasonal factor of its calendar month; ``neighbours`` adds the median of the deseasonalised
births of the 13 months from 6 before to 6 after it (a median: one typing mistake hardly moves
it) and the boys and girls of the other 12 months. Then, over whole columns:

- expected births ``E = level * factor``; the count a negative binomial of mean E and variance
  ``phi E (1 + pi / (2 n))`` (over-dispersion phi from the data, robust: winsorised squared
  Pearson residuals; the median of n neighbours adds about pi/(2n) of a month's variance);
- ``high`` / ``low``: births above / below the limits of that distribution;
- ``zero_run``: two or more months in a row without births where the neighbours say births
  happen (a report not sent): the joint probability of those zeros;
- ``srb_jump``: the month's boys among its births against the boys' share of the 12 months
  around it, beta-binomial (the reference share's own uncertainty included).

False alarms are bounded over the whole extract: every test runs at level
``BUDGET / (5 * township-months)`` (Bonferroni; 5 tests a township-month), so on clean data
fewer than ``BUDGET`` alerts are expected in all, however many townships there are.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from natality.births import distributions
from natality.core import db, extract
from natality.core.i18n import fmt_int, fmt_month, t

BUDGET = 0.5  # expected false alerts in the whole extract on clean data
TESTS_PER_CELL = 5  # high, low, zero run, SRB high, SRB low
MIN_EXPECTED = 1.0  # below this a month's count says nothing (a tiny township)
MIN_SRB_BIRTHS = 20  # a month's boys' share is judged from 20 births on
WINSOR = 9.0  # squared residuals capped at 3^2 for the robust phi
COLUMNS = ["township_code", "township_name", "month", "kind", "births", "expected", "upper", "reason"]
KINDS = ("high", "low", "zero_run", "srb_jump")


def _winsor_constant() -> float:
    """E[min(Z^2, 9)] for a standard normal Z: what the capped mean is for phi = 1."""
    return distributions.WINSOR_CONSTANT


def dispersion(expected: np.ndarray, births: np.ndarray, noise: np.ndarray) -> float:
    """Robust phi >= 1 from the cells with E >= 5: capped squared Pearson residuals."""
    keep = expected >= 5
    if keep.sum() < 30:
        return 1.0
    r2 = (births[keep] - expected[keep]) ** 2 / (expected[keep] * noise[keep])
    return max(1.0, float(np.minimum(r2, WINSOR).mean() / _winsor_constant()))


def level_text(level: float, lang: str) -> str:
    """'99.99%' for 1 - level: as many digits as needed to show it is not 100 %."""
    digits = max(1, math.ceil(-math.log10(level)) - 2)
    return f"{100 * (1 - level):.{digits}f}%"


WINDOW = 13  # months around a month (6 before, 6 after) that say what is plausible for it


def neighbours(grid: pl.DataFrame) -> pl.DataFrame:
    """``grid`` (township-months in order) with level (rolling median of births / factor over the
    13 months around, fewer at the ends), window_months (the other months in it), boys_around and
    girls_around (their boys and girls, the month itself left out)."""

    def around(expr: pl.Expr) -> pl.Expr:
        return expr.rolling_sum(window_size=WINDOW, min_samples=1, center=True).over("township_code")

    return grid.with_columns(
        level=(pl.col("births") / pl.col("factor"))
        .rolling_median(window_size=WINDOW, min_samples=1, center=True)
        .over("township_code"),
        window_months=around(pl.col("births").is_not_null().cast(pl.Int32)) - 1,
        boys_around=around(pl.col("boys")) - pl.col("boys"),
        girls_around=around(pl.col("girls")) - pl.col("girls"),
    )


def compute(inputs: pl.DataFrame) -> tuple[pl.DataFrame, float, float]:
    """(alerts without reasons, phi, per-test level) from the rows of ``neighbours``.

    Alert columns: township_code, township_name, township_name_en, month, kind, births, expected,
    upper (the limit crossed: upper for high, lower for low; boys for srb_jump), plus the numbers
    of the reason (boys, girls, srb, srb_around, run_months, last_month, p)."""
    cells = max(inputs.height, 1)
    level = BUDGET / (TESTS_PER_CELL * cells)
    births = inputs["births"].to_numpy().astype(float)
    expected = (inputs["level"] * inputs["factor"]).to_numpy()
    n = np.maximum(inputs["window_months"].to_numpy().astype(float), 1)
    noise = 1 + math.pi / (2 * n)
    phi = dispersion(expected, births, noise)
    judged = expected >= MIN_EXPECTED
    # Exact tails (negative binomial) only where a normal z comes within 2 of the level's z: the
    # upper tail is heavier than the normal's (so its alerts lie beyond the normal's too) and the
    # margin covers the lower one; the limits (quantiles: a search per value) only where alerted.
    spread = np.sqrt(phi * noise * np.maximum(expected, 1e-9))
    near = judged & (np.abs(births - expected) + 1 > (distributions.norm_isf(level) - 2) * spread)
    p_high, p_low = np.ones(births.shape), np.ones(births.shape)
    idx = np.flatnonzero(near)
    if idx.size:
        nb = distributions.negative_binomial(expected[idx], (phi * noise)[idx])
        p_high[idx] = nb.sf(births[idx] - 1)
        p_low[idx] = np.where(births[idx] > 0, nb.cdf(births[idx]), 1.0)
    high, low = p_high < level, p_low < level
    hit = np.flatnonzero(high | low)
    limits = np.full(births.shape, np.nan)
    if hit.size:
        few = distributions.negative_binomial(expected[hit], (phi * noise)[hit])
        limits[hit] = np.where(high[hit], few.isf(level), few.ppf(level))
    # zero months: joint probability of each run of zeros (log P(0) of the negative binomial)
    f = np.maximum(phi * noise, 1 + 1e-9)
    log_p0 = np.where(judged, -expected * np.log(f) / (f - 1), 0.0)
    frame = inputs.with_columns(
        expected=pl.Series(expected),
        limit=pl.Series(limits),
        p_high=pl.Series(p_high),
        p_low=pl.Series(p_low),
        is_high=pl.Series(high),
        is_low=pl.Series(low),
        log_p0=pl.Series(log_p0),
    )
    zero = pl.col("births") == 0
    runs = (
        frame.with_columns(run=(~zero).cast(pl.Int32).cum_sum().over("township_code"))
        .filter(zero)
        .group_by("township_code", "run")
        .agg(
            pl.col("township_name").first(),
            pl.col("township_name_en").first(),
            pl.col("month").min(),
            pl.col("month").max().alias("last_month"),
            pl.len().alias("run_months"),
            pl.col("expected").sum(),
            pl.col("log_p0").sum(),
        )
        .filter(pl.col("log_p0") < math.log(level))
    )
    run_alerts = runs.select(
        "township_code",
        "township_name",
        "township_name_en",
        "month",
        kind=pl.lit("zero_run"),
        births=pl.lit(0, dtype=pl.Int64),
        expected=pl.col("expected").round(1),
        upper=pl.lit(None, dtype=pl.Float64),
        run_months="run_months",
        last_month="last_month",
        p=pl.col("log_p0").exp(),
    )
    counts = frame.filter(pl.col("is_high") | pl.col("is_low")).select(
        "township_code",
        "township_name",
        "township_name_en",
        "month",
        kind=pl.when(pl.col("is_high")).then(pl.lit("high")).otherwise(pl.lit("low")),
        births="births",
        expected=pl.col("expected").round(1),
        upper=pl.col("limit"),
        run_months=pl.lit(None, dtype=pl.UInt32),
        last_month=pl.lit(None, dtype=pl.Date),
        p=pl.min_horizontal("p_high", "p_low"),
    )
    srb = _srb_alerts(inputs, level)
    alerts = pl.concat([counts, run_alerts, srb], how="diagonal_relaxed")
    return alerts.sort("township_code", "month", "kind"), phi, level


def _srb_alerts(inputs: pl.DataFrame, level: float) -> pl.DataFrame:
    n = (inputs["boys"] + inputs["girls"]).to_numpy()
    boys = inputs["boys"].to_numpy()
    a = inputs["boys_around"].to_numpy() + 0.5
    b = inputs["girls_around"].to_numpy() + 0.5
    judged = (n >= MIN_SRB_BIRTHS) & (a + b >= 5 * np.maximum(n, 1))
    # a normal z first (the beta-binomial's tails sum a pmf per value): only |z| beyond what the
    # level allows, less a margin for the skew, go to the exact beta-binomial
    share = a / (a + b)
    spread = np.sqrt(np.maximum(n, 1) * share * (1 - share) * (1 + np.maximum(n, 1) / (a + b)))
    z = np.abs(boys - np.maximum(n, 1) * share) / spread
    near = np.flatnonzero(judged & (z > max(distributions.norm_isf(level) - 1.0, 2.0)))
    rows, p_high, p_low, limit = near, np.zeros(0), np.zeros(0), np.zeros(0)
    if near.size:
        dist = distributions.BetaBinomial(np.maximum(n[near], 1), a[near], b[near])
        p_high, p_low = dist.sf(boys[near] - 1), dist.cdf(boys[near])
        alerted = np.minimum(p_high, p_low) < level
        rows, p_high, p_low = near[alerted], p_high[alerted], p_low[alerted]
        dist = distributions.BetaBinomial(np.maximum(n[rows], 1), a[rows], b[rows])
        limit = np.where(p_high < p_low, dist.isf(level), dist.ppf(level)) if rows.size else np.zeros(0)
    frame = inputs[rows].with_columns(
        expected=pl.Series(n[rows] * share[rows], dtype=pl.Float64),
        upper=pl.Series(limit, dtype=pl.Float64),
        p=pl.Series(np.minimum(p_high, p_low), dtype=pl.Float64),
    )
    return frame.select(
        "township_code",
        "township_name",
        "township_name_en",
        "month",
        kind=pl.lit("srb_jump"),
        births=pl.col("boys"),
        expected=pl.col("expected").round(1),
        upper="upper",
        run_months=pl.lit(None, dtype=pl.UInt32),
        last_month=pl.lit(None, dtype=pl.Date),
        p="p",
        month_births=pl.col("boys") + pl.col("girls"),
        srb_around=100 * pl.col("boys_around") / pl.col("girls_around"),
    )


def reasons(alerts: pl.DataFrame, lang: str, level: float) -> list[str]:
    """One sentence per alert in ``lang`` (a list over the alerts, which are few)."""
    name_col = "township_name" if lang == "zh" else "township_name_en"
    limit = level_text(level, lang)
    out = []
    for r in alerts.iter_rows(named=True):
        month = fmt_month(r["month"].year, r["month"].month, lang)
        common = {
            "name": r[name_col],
            "month": month,
            "births": fmt_int(r["births"], lang),
            "level": limit,
            "expected": fmt_int(r["expected"], lang),
            "limit": fmt_int(r["upper"], lang),
        }
        if r["kind"] == "zero_run":
            last = r["last_month"]
            common.update(last=fmt_month(last.year, last.month, lang), n=r["run_months"])
        if r["kind"] == "srb_jump":
            total = r.get("month_births") or 0
            common.update(
                total=fmt_int(total, lang),
                share=f"{100 * r['births'] / total:.0f}" if total else "–",
                around=f"{100 * r['expected'] / total:.0f}" if total else "–",
            )
        out.append(t(f"alerts.reason_{r['kind']}", lang, **common))
    return out


def data_alerts(
    version_dir: str | Path, lang: str = "zh", region: str | None = None
) -> tuple[pl.DataFrame, float, int]:
    """The alerts of the extract (or ``region``): COLUMNS (+ township_name_en, p, ...), phi and the
    number of township-months judged."""
    inputs = neighbours(db.run_query("data_alerts_inputs", str(version_dir), region=region))
    alerts, phi, level = compute(inputs)
    alerts = alerts.with_columns(reason=pl.Series(reasons(alerts, lang, level), dtype=pl.String))
    return alerts, phi, inputs.height


def data_alerts_query(data_dir: str | Path | None = None, lang: object = "zh", region: object = None) -> pl.DataFrame:
    """``python -m natality query data_alerts [-p lang=en] [-p region=CODE]``."""
    version_dir = extract.live_version_dir(data_dir)
    alerts, _, _ = data_alerts(version_dir, "en" if lang == "en" else "zh", region or None)
    return alerts.select(COLUMNS)


def alerts_table(alerts: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The Data page's list: township, month (YYYY-MM), kind, value, expected, limit, why."""
    name_col = "township_name" if lang == "zh" else "township_name_en"
    kinds = {k: t(f"alerts.kind_{k}", lang) for k in KINDS}
    return alerts.select(
        pl.col(name_col).alias(t("alerts.col_township", lang)),
        pl.col("month").dt.strftime("%Y-%m").alias(t("alerts.col_month", lang)),
        pl.col("kind").replace_strict(kinds, default=pl.col("kind")).alias(t("alerts.col_kind", lang)),
        pl.col("births").alias(t("alerts.col_births", lang)),
        pl.col("expected").alias(t("alerts.col_expected", lang)),
        pl.col("upper").alias(t("alerts.col_limit", lang)),
        pl.col("reason").alias(t("alerts.col_reason", lang)),
    )


def heatmap_marks(alerts: pl.DataFrame, year: int) -> pl.DataFrame:
    """township_code, month_number of every alerted month of ``year`` (each month of a zero run)."""
    if alerts.is_empty():
        return pl.DataFrame(schema={"township_code": pl.String, "month_number": pl.Int32})
    months = alerts.select(
        "township_code",
        month=pl.date_ranges("month", pl.coalesce("last_month", "month"), interval="1mo"),
    ).explode("month")
    return (
        months.filter(pl.col("month").dt.year() == year)
        .select("township_code", month_number=pl.col("month").dt.month().cast(pl.Int32))
        .unique()
        .sort("township_code", "month_number")
    )


def new_alerts(alerts: pl.DataFrame, cutoff_month: str) -> list[str]:
    """The reasons of the alerts on the cut-off month (``YYYY-MM``): what the latest import brought."""
    year, month = int(cutoff_month[:4]), int(cutoff_month[5:7])
    last = pl.coalesce("last_month", "month")
    latest = alerts.filter((last.dt.year() == year) & (last.dt.month() == month))
    return latest["reason"].to_list()
