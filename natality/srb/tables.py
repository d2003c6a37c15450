"""Frame-level SRB results for the pages: the township table, references, display tables."""

from __future__ import annotations

import math
from collections.abc import Callable

import polars as pl

from natality.srb.stats import CLASSES, classify_srb, funnel_limits, shrink_srb

LEVEL_OUTER = 0.998  # the funnel's outer limits: outside them is worth a leader's attention
LEVEL_INNER = 0.95
MIN_BIRTHS = 100  # below this a township's SRB is too noisy to judge (95 % interval ~ 70-160)
NATURAL_RANGE = (103.0, 107.0)
NATURAL_SRB = 105.0
REFERENCES = ("county", "natural", "target")


def township_srb_table(
    df: pl.DataFrame,
    reference_srb: float,
    *,
    min_births: int = MIN_BIRTHS,
    level: float = LEVEL_OUTER,
    lang: str = "zh",
) -> pl.DataFrame:
    """Add the label, shrunk SRB, funnel limits, classification and ``z`` to srb_by_township rows.

    The classification uses the same exact limits as the funnel plot, so table and plot agree.
    ``z``: how many standard errors the boys' share lies from the reference's (None without
    births), to tell the furthest outliers from the rest where there are too many to name.
    """
    name_col = "township_name" if lang == "zh" else "township_name_en"
    boys, girls = df["boys"].to_list(), df["girls"].to_list()
    births = df["births"].to_list()
    shrunk = shrink_srb(boys, girls, min_births_for_tau2=min_births)
    low, high = funnel_limits(births, reference_srb, level)
    classes = [
        classify_srb(b, g, reference_srb, level=level, min_births=min_births) for b, g in zip(boys, girls, strict=True)
    ]
    return df.with_columns(
        label=unique_labels(df[name_col].fill_null(df["township_name"]), df["township_code"]),
        srb_shrunk=pl.Series(shrunk.srb, dtype=pl.Float64),
        limit_low=pl.Series(low, dtype=pl.Float64),
        limit_high=pl.Series(high, dtype=pl.Float64),
        classification=pl.Series(classes, dtype=pl.Enum(CLASSES)),
        too_few=pl.Series([n < min_births or n == 0 for n in births], dtype=pl.Boolean),
        z=_z_scores(boys, births, reference_srb),
    )


def _z_scores(boys: list[int], births: list[int], reference_srb: float) -> pl.Series:
    p0 = reference_srb / (100.0 + reference_srb)
    se = [math.sqrt(p0 * (1 - p0) / n) if n else None for n in births]
    z = [(b / n - p0) / e if e else None for b, n, e in zip(boys, births, se, strict=True)]
    return pl.Series(z, dtype=pl.Float64)


def unique_labels(names: pl.Series, codes: pl.Series) -> pl.Series:
    """Names as given, except that a name still shared (same name, same parent) gets its code's
    township digits, or the whole code where those repeat too: every point, row and selector
    entry must be told apart."""
    names_list, codes_list = names.to_list(), codes.to_list()

    def tagged(tag) -> list[str]:
        seen = pl.Series(names_list).value_counts()
        repeated = set(seen.filter(pl.col("count") > 1)[seen.columns[0]].to_list())
        return [f"{n} [{tag(c)}]" if n in repeated else n for n, c in zip(names_list, codes_list, strict=True)]

    short = tagged(lambda c: c[6:9] or c)
    if len(set(short)) == len(short):
        return pl.Series("label", short, dtype=pl.String)
    return pl.Series("label", tagged(lambda c: c), dtype=pl.String)


def reference_value(choice: str, county_srb: float | None, target: float | None) -> float:
    """The reference SRB the funnel is drawn around; falls back to 105 when undefined."""
    if choice == "county" and county_srb is not None:
        return county_srb
    if choice == "target" and target is not None:
        return target
    return NATURAL_SRB


def target_for_year(targets: pl.DataFrame, year: int) -> float | None:
    """The county's SRB target for a year (srb_targets rows), or None when there is none."""
    row = targets.filter(pl.col("year") == year)
    return float(row["target"][0]) if row.height else None


def fmt_interval(low: float | None, high: float | None) -> str:
    """'93.1–118.7'; no upper limit (no girls) reads '≥ 130.2'; nothing at all reads '–'."""
    if low is None:
        return "–"
    return f"≥ {low:.1f}" if high is None else f"{low:.1f}–{high:.1f}"


CLASS_MARKS = {"above": "▲", "expected": "●", "below": "▼", "too_few": "○"}


def township_table_display(table: pl.DataFrame, t: Callable[..., str]) -> pl.DataFrame:
    """The township table as leaders read it: localised headers, interval text, marked classes.

    Rows stay numeric where a leader sorts (births, SRB, shrunk SRB); a township with too few
    births keeps its counts but its class says so, marked ○.
    """
    interval = [
        fmt_interval(lo, hi) for lo, hi in zip(table["srb_low"].to_list(), table["srb_high"].to_list(), strict=True)
    ]
    classes = [f"{CLASS_MARKS[c]} {t('srb.class.' + c)}" for c in table["classification"].to_list()]
    return pl.DataFrame(
        {
            t("common.township"): table["label"],
            t("common.births"): table["births"],
            t("common.boys"): table["boys"],
            t("common.girls"): table["girls"],
            t("srb.col.srb"): table["srb"].round(1),
            t("srb.col.interval"): interval,
            t("srb.col.shrunk"): table["srb_shrunk"].round(1),
            t("srb.col.class"): classes,
        }
    )
