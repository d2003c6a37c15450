"""The demo county generator: deterministic, consistent across tables, codes as strings."""

import json

import geopandas as gpd
import polars as pl
import pytest

from natality.core import db
from natality.demo import county as demo


@pytest.fixture(scope="module")
def tables():
    return demo.build_tables()


def test_same_seed_same_tables(tables):
    again = demo.build_tables()
    assert again.births.equals(tables.births)
    assert again.targets.equals(tables.targets)
    assert again.hotspots == tables.hotspots
    assert not demo.build_tables(seed=7).births.equals(tables.births)


def test_nineteen_townships_with_12_digit_string_codes(tables):
    codes = tables.townships["township_code"].tolist()
    assert len(codes) == 19 and len(set(codes)) == 19
    assert all(isinstance(c, str) and len(c) == 12 and c.startswith(demo.COUNTY_CODE) for c in codes)
    assert tables.births["township_code"].dtype == pl.String
    assert set(tables.births["township_code"].unique()) == set(codes)


def test_boundaries_tile_the_county(tables):
    gdf = tables.townships
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.is_valid.all()
    # No overlaps: the cells' areas add up to the area of their union.
    projected = gdf.geometry.to_crs(32650)
    assert projected.area.sum() == pytest.approx(projected.union_all().area, rel=1e-9)
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 114.4 < minx < maxx < 115.4 and 33.3 < miny < maxy < 34.1


def test_months_run_from_2015_to_the_cutoff(tables):
    months = tables.births["month"]
    assert str(months.min()) == "2015-01-01" and str(months.max()) == "2026-09-01"
    assert (tables.births["births"] > 0).all()
    short = demo.build_tables(until="2020-03")
    assert str(short.births["month"].max()) == "2020-03-01" and short.cutoff == "2020-03"


def test_population_about_1_2_million_and_birth_rate_shape(tables):
    pop2015 = tables.population.filter(pl.col("year") == 2015)["population"].sum()
    assert 1_150_000 < pop2015 < 1_250_000
    yearly = tables.births.group_by(pl.col("month").dt.year().alias("year")).agg(pl.col("births").sum())
    rate = {
        y: b / tables.population.filter(pl.col("year") == y)["population"].sum() * 1000 for y, b in yearly.iter_rows()
    }
    assert 10.5 < rate[2016] < 14 and 5 < rate[2023] < 8 and rate[2024] > rate[2023]


def test_compliance_only_until_2020(tables):
    b = tables.births.with_columns(pl.col("month").dt.year().alias("year"))
    assert b.filter(pl.col("year") <= 2020)["policy_compliant"].null_count() == 0
    assert b.filter(pl.col("year") > 2020)["policy_compliant"].null_count() == b.filter(pl.col("year") > 2020).height
    assert set(tables.reported["year"].unique()) == set(range(2015, 2021))


def test_written_extract_agrees_with_itself(tmp_path):
    live = demo.build_demo(tmp_path / "demo", until="2018-06")
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["cutoff_month"] == "2018-06"
    births = pl.read_parquet(live / "births.parquet")
    assert manifest["row_counts"]["births"] == births.height
    by_town = db.run_query("births_by_township_year", tmp_path / "demo", year=2017)
    county = db.run_query("county_births_by_year", tmp_path / "demo", township_code=None)
    assert by_town["births"].sum() == county.filter(pl.col("year") == 2017)["births"][0]
    assert by_town["boys"].sum() + by_town["girls"].sum() == by_town["births"].sum()
    gdf = gpd.read_parquet(live / "townships.parquet")
    assert all(isinstance(c, str) for c in gdf["township_code"]) and len(gdf) == 19
