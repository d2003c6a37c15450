"""Tiny extracts written for a test: real Parquet and GeoParquet files, values chosen by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import polars as pl
import shapely

from natality.core import extract

BIRTHS_SCHEMA = {
    "township_code": pl.String, "month": pl.Date, "sex": pl.String, "birth_order": pl.Int8,
    "mother_age_band": pl.String, "policy_compliant": pl.Boolean, "births": pl.Int64,
}  # fmt: skip


def square(i: int) -> shapely.Polygon:
    return shapely.box(114.0 + i * 0.1, 33.0, 114.1 + i * 0.1, 33.1)


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
            schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                    "numerator": pl.Float64, "denominator": pl.Float64},
            orient="row",
        ).write_parquet(root / "reported.parquet")  # fmt: skip
        if regions:
            pl.DataFrame(list(regions), schema=["region_code", "name", "name_en"], orient="row").write_parquet(
                root / "regions.parquet"
            )
        return {
            "region_name": "测试县", "region_name_en": "Test County", "region_code": region_code,
            "synthetic": synthetic, "cutoff_month": cutoff, "population_basis": "mean",
            "source_files": [], "dropped_personal_columns": [], "row_counts": {"births": len(births)},
        }  # fmt: skip

    extract.publish(out, write)
    return out
