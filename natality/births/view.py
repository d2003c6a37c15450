"""Table shaping for the Births page (kept out of the page so the page stays thin)."""

from __future__ import annotations

import polars as pl

from natality.core.context import Ctx
from natality.core.extract import AGE_BANDS
from natality.core.i18n import t


def scope_name(names: dict[str, str], township: str | None, whole: str) -> str:
    """``whole`` (the region shown, e.g. '示范县') for all townships, or the township's display name."""
    if township is None:
        return whole
    return names.get(township, township)


def with_total(by_town: pl.DataFrame, ctx: Ctx) -> pl.DataFrame:
    """Births by township with a total row (of the region shown) at the bottom."""
    total = pl.DataFrame(
        {
            "township_code": [ctx.region_code or ctx.manifest.get("region_code", "")],
            "township_name": [t("common.total", "zh")],
            "township_name_en": [t("common.total", "en")],
            "year": by_town["year"].head(1).to_list() or [None],
            "births": [int(by_town["births"].sum())],
            "boys": [int(by_town["boys"].sum())],
            "girls": [int(by_town["girls"].sum())],
        },
        schema=by_town.schema,
    )
    return pl.concat([by_town, total])


def monthly_table(monthly: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per month: births of the year, of the year before, and the change."""
    wide = (
        pl.DataFrame({"month": list(range(1, 13))}, schema={"month": pl.Int32})
        .join(
            monthly.filter(pl.col("year") == year).select("month", pl.col("births").alias(str(year))),
            on="month",
            how="left",
        )
        .join(
            monthly.filter(pl.col("year") == year - 1).select("month", pl.col("births").alias(str(year - 1))),
            on="month",
            how="left",
        )
    )
    return wide.with_columns((pl.col(str(year)) - pl.col(str(year - 1))).alias("change"))


def order_categories(df: pl.DataFrame, ctx: Ctx) -> tuple[list, list[str]]:
    present = set(df["birth_order"].to_list())
    cats = [c for c in (1, 2, 3, None) if c in present]
    keys = {1: "common.order_1", 2: "common.order_2", 3: "common.order_3", None: "common.order_unknown"}
    return cats, [t(keys[c], ctx.lang) for c in cats]


def age_categories(df: pl.DataFrame, ctx: Ctx) -> tuple[list, list[str]]:
    present = set(df["mother_age_band"].to_list())
    cats = [b for b in AGE_BANDS if b in present] + ([None] if None in present else [])
    return cats, [t("common.age_unknown", ctx.lang) if c is None else c for c in cats]
