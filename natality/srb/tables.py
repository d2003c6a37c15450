"""Frame-level SRB results for the pages: the township table, references, display tables."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from natality.srb.dispersion import NO_ALLOWANCE, Allowance, adjusted_limits_share, adjusted_z
from natality.srb.stats import CLASSES, share_from_srb, shrink_srb

LEVEL_OUTER = 0.998  # the funnel's outer limits: outside them is worth a leader's attention
LEVEL_INNER = 0.95
LEVELS = (LEVEL_OUTER, 0.99, LEVEL_INNER)  # the page's choice of the outer (flagging) limits
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
    allowance: Allowance = NO_ALLOWANCE,
) -> pl.DataFrame:
    """Add the label, shrunk SRB, funnel limits, classification and ``z`` to srb_by_township rows.

    The classification uses the same limits as the funnel plot (exact binomial, widened for
    over-dispersion as ``allowance`` says), so table, plot and its labels agree. ``z``: how many
    standard errors (with the same allowance) the boys' share lies from the reference's (None
    without births), to tell the furthest outliers from the rest where there are too many to name.
    """
    name_col = "township_name" if lang == "zh" else "township_name_en"
    boys = df["boys"].to_numpy().astype(float)
    births = df["births"].to_numpy().astype(float)
    shrunk = shrink_srb(df["boys"].to_list(), df["girls"].to_list(), min_births_for_tau2=min_births)
    p0 = share_from_srb(reference_srb)
    low_p, high_p = adjusted_limits_share(births, p0, level, allowance)
    share = boys / np.where(births > 0, births, 1.0)
    too_few = (births <= 0) | (births < min_births)
    classes = np.where(
        too_few, "too_few", np.where(share > high_p, "above", np.where(share < low_p, "below", "expected"))
    )
    z = adjusted_z(boys, births, p0, allowance)
    return df.with_columns(
        label=unique_labels(df[name_col].fill_null(df["township_name"]), df["township_code"]),
        srb_shrunk=pl.Series(shrunk.srb, dtype=pl.Float64),
        limit_low=_srb_scale(low_p, births),
        limit_high=_srb_scale(high_p, births),
        classification=pl.Series(classes, dtype=pl.String).cast(pl.Enum(CLASSES)),
        too_few=pl.Series(too_few, dtype=pl.Boolean),
        z=pl.Series(z, dtype=pl.Float64).fill_nan(None),
    )


def _srb_scale(share: np.ndarray, births: np.ndarray) -> pl.Series:
    """Shares of boys as SRB, null where there are no births or the share is 1 (no finite SRB)."""
    ok = (births > 0) & (share < 1.0)
    srb = 100.0 * share / np.where(ok, 1.0 - share, 1.0)
    return pl.Series(np.where(ok, srb, np.nan), dtype=pl.Float64).fill_nan(None)


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


def level_text(level: float) -> str:
    """0.998 -> '99.8', 0.95 -> '95' (as the page's URL and every text write it)."""
    return f"{100 * level:.1f}".removesuffix(".0")


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


def township_table_display(table: pl.DataFrame, t: Callable[..., str], level: float = LEVEL_OUTER) -> pl.DataFrame:
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
            t("srb.col.class", level=level_text(level)): classes,
        }
    )
