"""Tiny extracts written for a test: real Parquet and GeoParquet files, values chosen by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import polars as pl
import shapely

from natality.core import extract
from natality.importing.validate_births import BIRTHS_SCHEMA
from natality.srb.stats import srb_estimate


def square(i: int) -> shapely.Polygon:
    return shapely.box(114.0 + i * 0.1, 33.0, 114.1 + i * 0.1, 33.1)


def manifest(name: tuple[str, str], region_code: str, births: int, cutoff: str, synthetic: bool) -> dict:
    """The manifest of an extract written by hand: ``name`` (Chinese, English), no source files, no dropped columns."""
    return {
        "region_name": name[0],
        "region_name_en": name[1],
        "region_code": region_code,
        "synthetic": synthetic,
        "cutoff_month": cutoff,
        "population_basis": "mean",
        "source_files": [],
        "dropped_personal_columns": [],
        "row_counts": {"births": births},
    }


def make_extract(
    out: Path,
    townships: list[tuple[str, str, str]],
    births: list[tuple],
    population: list[tuple[str, int, int]] = (),
    targets: list[tuple[str, int, str, float]] = (),
    reported: list[tuple[str, int, str, float, float]] = (),
    cutoff: str = "2024-06",
    region_code: str = "419901",
    synthetic: bool = False,
    regions: list[tuple[str, str, str]] = (),
) -> Path:
    """Publish an extract at ``out``.

    townships: (code, name, name_en); births: (code, 'YYYY-MM', sex, order, age_band, compliant, births);
    regions: (region_code, name, name_en), written as regions.parquet when given.
    """

    def write(root: Path) -> dict:
        gdf = gpd.GeoDataFrame(
            {
                "township_code": [c for c, _, _ in townships],
                "name": [n for _, n, _ in townships],
                "name_en": [e for _, _, e in townships],
                "parent_code": [region_code] * len(townships),
            },
            geometry=[square(i) for i in range(len(townships))],
            crs="EPSG:4326",
        )
        gdf["geometry_display"] = gdf.geometry
        gdf.to_parquet(root / "townships.parquet", index=False)
        rows = [(c, date(int(m[:4]), int(m[5:7]), 1), s, o, a, p, n) for c, m, s, o, a, p, n in births]
        pl.DataFrame(rows, schema=BIRTHS_SCHEMA, orient="row").write_parquet(root / "births.parquet")
        pl.DataFrame(
            list(population),
            schema={"township_code": pl.String, "year": pl.Int32, "population": pl.Int64},
            orient="row",
        ).write_parquet(root / "population.parquet")
        pl.DataFrame(
            list(targets),
            schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String, "target": pl.Float64},
            orient="row",
        ).write_parquet(root / "targets.parquet")
        pl.DataFrame(
            list(reported),
            schema={
                "township_code": pl.String,
                "year": pl.Int32,
                "indicator": pl.String,
                "numerator": pl.Float64,
                "denominator": pl.Float64,
            },
            orient="row",
        ).write_parquet(root / "reported.parquet")
        if regions:
            pl.DataFrame(list(regions), schema=["region_code", "name", "name_en"], orient="row").write_parquet(
                root / "regions.parquet"
            )
        return manifest(("测试县", "Test County"), region_code, len(births), cutoff, synthetic)

    extract.publish(out, write)
    return out


# The two-county extract several tests share: 甲县 (419901) has townships A (甲一镇) and B (甲二乡),
# 乙县 (419902) has C (乙一镇), both in city 419900; squares side by side, A | B | C. Its births of
# 2024 (to March): A 10 boys 8 girls (January, first births), B 5 and 5 (February, second births),
# C 30 boys 20 girls (January, first births) and 3 boys (March, third births). Each test adds the
# rows of its own year before, population, targets and any further region.
TWO_COUNTY_CODES = ("419901001000", "419901002000", "419902001000")
_A, _B, _C = TWO_COUNTY_CODES
TWO_COUNTY_TOWNSHIPS = [(_A, "甲一镇", "Jia One"), (_B, "甲二乡", "Jia Two"), (_C, "乙一镇", "Yi One")]
TWO_COUNTY_REGIONS = [("419901", "甲县", "Jia County"), ("419902", "乙县", "Yi County")]
TWO_COUNTY_BIRTHS_2024 = [
    (_A, "2024-01", "M", 1, "25-29", None, 10), (_A, "2024-01", "F", 1, "25-29", None, 8),
    (_B, "2024-02", "M", 2, "30-34", None, 5), (_B, "2024-02", "F", 2, "30-34", None, 5),
    (_C, "2024-01", "M", 1, "25-29", None, 30), (_C, "2024-01", "F", 1, "20-24", None, 20),
    (_C, "2024-03", "M", 3, "35-39", None, 3),
]  # fmt: skip


def two_county_population(years: tuple[int, ...]) -> list[tuple[str, int, int]]:
    """A 1,000, B 2,000 and C 3,000 people in each of ``years``."""
    people = dict(zip(TWO_COUNTY_CODES, (1000, 2000, 3000), strict=True))
    return [(code, year, people[code]) for year in years for code in TWO_COUNTY_CODES]


def make_two_county_extract(
    out: Path,
    births_before: list[tuple],
    population: list[tuple[str, int, int]],
    targets: list[tuple[str, int, str, float]] = (),
    more_regions: list[tuple[str, str, str | None]] = (),
) -> Path:
    """Publish the two-county extract at ``out`` (cut off at 2024-03): the births of 2024 above and
    ``births_before`` (rows as for make_extract), with the regions file naming both counties."""
    return make_extract(
        out,
        TWO_COUNTY_TOWNSHIPS,
        [*TWO_COUNTY_BIRTHS_2024, *births_before],
        population=population,
        targets=targets,
        cutoff="2024-03",
        region_code="419900",
        regions=[*TWO_COUNTY_REGIONS, *more_regions],
    )


def srb_township_rows(rows: list[tuple[str, str, int, int]], en_suffix: str = "") -> pl.DataFrame:
    """Rows shaped as queries/srb_by_township.sql gives them, from (code, name, boys, girls): the
    English name is the name and ``en_suffix``; srb, srb_low, srb_high by srb.stats.srb_estimate."""
    out = []
    for code, name, boys, girls in rows:
        est = srb_estimate(boys, girls)
        out.append((code, name, f"{name}{en_suffix}", boys + girls, boys, girls, est.srb, est.low, est.high))
    cols = ["township_code", "township_name", "township_name_en", "births", "boys", "girls"]
    return pl.DataFrame(out, schema=[*cols, "srb", "srb_low", "srb_high"], orient="row")


TWO_TOWNSHIP_CODES = ("419901101000", "419901102000")


def make_two_township_extract(out: Path, years: tuple[int, ...] = (2024,)) -> Path:
    """城关镇 (A) and 王店乡 (B), cut off at 2024-01: in January 2024 7 boys to A and 3 girls to B,
    in January 2023 5 girls to A; 1,000 people in each township in each of ``years``."""
    a, b = TWO_TOWNSHIP_CODES
    return make_extract(
        out,
        [(a, "城关镇", "Chengguan"), (b, "王店乡", "Wangdian")],
        [
            (a, "2024-01", "M", 1, "25-29", None, 7),
            (b, "2024-01", "F", 1, "25-29", None, 3),
            (a, "2023-01", "F", 2, "30-34", None, 5),
        ],
        [(code, year, 1000) for year in years for code in TWO_TOWNSHIP_CODES],
        cutoff="2024-01",
    )
