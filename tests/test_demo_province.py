"""The demo at other sizes: ``--townships 19`` is the county as it always was, N != 19 a province.

Real builds into tmp_path: the county unchanged (against a fingerprint of the tables as built
before the province code existed), a 60-township province checked table by table and through
the region hierarchy DuckDB derives, the benchmark's 2,000 townships for scale, bad sizes.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import polars as pl
import pytest
import shapely

from natality import cli
from natality.core import db, extract
from natality.demo import county as demo
from natality.demo import province as demo_province

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("births", "population", "reported", "targets")
CJK = re.compile(r"[\u4e00-\u9fff]")
UTM_49N = 32649  # metres around the province's centre (113.6 E)

# sha256 of each table's CSV for the default county demo (seed 20, to 2026-09), as built by
# natality/importing/demo.py (now natality/demo/county.py) before the province code existed (commit 35b5094).
COUNTY_FINGERPRINT = {
    "births": (51627, "3c635c37d2b4539136231b76774bda1577ecfb3499b3486001dd43a7fcc29321"),
    "population": (228, "d0fb6eafb1204ed2914119f2f746c1446fc744dc2b6acfd8c76db9913ae2097a"),
    "reported": (228, "14b612bfcf8a5ff3894cb289237ef499b6017705ebd7c2d979aa3ad8bb305914"),
    "targets": (1062, "ab2892dccbddeae4d69fa5a628f913d3cb1c961d07e15af173527090e2af1171"),
}
COUNTY_HOTSPOTS = ["419901104000", "419901106000", "419901119000"]


def _same_tables(a: demo.DemoTables, b: demo.DemoTables) -> bool:
    frames = all(getattr(a, name).equals(getattr(b, name)) for name in TABLES)
    regions = (a.regions is None and b.regions is None) or (
        a.regions is not None and b.regions is not None and a.regions.equals(b.regions)
    )
    return frames and regions and a.townships.equals(b.townships) and a.hotspots == b.hotspots


# --- 1. the county: unchanged by the province code --------------------------------------------


@pytest.fixture(scope="module")
def county():
    return demo.build_tables()


def test_townships_19_is_the_default_county(county):
    explicit = demo.build_tables(townships=19)
    assert demo.DEFAULT_TOWNSHIPS == 19
    assert _same_tables(county, explicit)
    assert county.regions is None and explicit.regions is None
    assert (county.region_code, county.region_name_en) == (demo.COUNTY_CODE, "Demo County")
    assert list(county.townships.columns) == [
        "township_code",
        "name",
        "name_en",
        "parent_code",
        "geometry",
        "geometry_display",
    ]


def test_county_tables_are_those_built_before_the_province_code(county):
    for name, (rows, digest) in COUNTY_FINGERPRINT.items():
        frame = getattr(county, name)
        assert frame.height == rows, name
        assert hashlib.sha256(frame.write_csv().encode()).hexdigest() == digest, f"{name} changed"
    assert county.hotspots == COUNTY_HOTSPOTS


def test_cli_default_and_townships_19_write_identical_files(tmp_path):
    assert cli.main(["demo", "--out", str(tmp_path / "default"), "--until", "2019-04"]) == cli.EXIT_OK
    assert cli.main(["demo", "--out", str(tmp_path / "n19"), "--until", "2019-04", "--townships", "19"]) == 0
    a, b = extract.live_version_dir(tmp_path / "default"), extract.live_version_dir(tmp_path / "n19")
    files = sorted(p.name for p in a.iterdir() if p.is_file())  # derived/: the scorecard, keyed by file times
    assert files == sorted(p.name for p in b.iterdir() if p.is_file())
    assert "regions.parquet" not in files
    for name in files:
        if name != "manifest.json":
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (a, b))
    for manifest in (ma, mb):
        del manifest["created_at"], manifest["version"]
    assert ma == mb
    assert ma["region_code"] == demo.COUNTY_CODE and "regions" not in ma["row_counts"]


def test_province_is_deterministic_for_a_seed():
    first = demo.build_tables(seed=5, until="2021-03", townships=60)
    again = demo.build_tables(seed=5, until="2021-03", townships=60)
    assert _same_tables(first, again)
    other = demo.build_tables(seed=6, until="2021-03", townships=60)
    assert not other.births.equals(first.births)
    assert not other.townships.geometry.geom_equals(first.townships.geometry).all()


# --- 2. a province of 60 townships ------------------------------------------------------------


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province") / "p60"
    assert cli.main(["demo", "--out", str(out), "--townships", "60"]) == cli.EXIT_OK
    return out


@pytest.fixture(scope="module")
def live(province) -> Path:
    return extract.live_version_dir(province)


@pytest.fixture(scope="module")
def towns(live) -> gpd.GeoDataFrame:
    return gpd.read_parquet(live / "townships.parquet")


@pytest.fixture(scope="module")
def region_file(live) -> pl.DataFrame:
    return pl.read_parquet(live / "regions.parquet")


def test_sixty_townships_with_unique_codes_inside_their_counties(towns):
    codes = towns["township_code"].tolist()
    assert len(codes) == 60 and len(set(codes)) == 60
    assert all(isinstance(c, str) and re.fullmatch(r"99\d{10}", c) and c.endswith("000") for c in codes)
    assert all(c[:6] == parent for c, parent in zip(codes, towns["parent_code"], strict=True))
    counties = set(towns["parent_code"])
    assert len(counties) == demo_province.hierarchy_sizes(60)[0]
    # Each county's seat is 城关镇, coded 101.
    seats = towns[towns["township_code"].str[6:9] == "101"]
    assert sorted(seats["parent_code"]) == sorted(counties) and set(seats["name"]) == {"城关镇"}


def test_manifest_names_the_province(live, region_file):
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["region_code"] == "990000"
    assert (manifest["region_name"], manifest["region_name_en"]) == ("示范省", "Demo Province")
    assert manifest["row_counts"]["townships"] == 60 and manifest["row_counts"]["regions"] == region_file.height
    assert all(code.startswith("99") for code in manifest["demo_hotspots"])


def test_regions_file_is_the_province_its_cities_and_counties(towns, region_file):
    counties = set(towns["parent_code"])
    cities = {c[:4] + "00" for c in counties}
    assert region_file.columns == ["region_code", "name", "name_en"]
    assert region_file["region_code"].is_unique().all()
    assert set(region_file["region_code"]) == {"990000"} | cities | counties
    assert region_file.height == len(counties) + len(cities) + 1
    assert cities.isdisjoint(counties) and len(cities) == demo_province.hierarchy_sizes(60)[1]
    # The townships' parent names are the counties' names in the regions file.
    names = dict(
        zip(region_file["region_code"], zip(region_file["name"], region_file["name_en"], strict=True), strict=True)
    )
    for code, zh, en in towns[["parent_code", "parent_name", "parent_name_en"]].itertuples(index=False):
        assert names[code] == (zh, en)


def test_query_regions_counts_every_level(province, towns, region_file):
    regions = db.run_query("regions", province)
    assert set(regions["region_code"]) == set(region_file["region_code"])
    level = {row["region_code"]: row["level"] for row in regions.iter_rows(named=True)}
    province_rows = regions.filter(pl.col("level") == "province")
    assert province_rows.rows() == [("990000", "province", "示范省", "Demo Province", 60)]
    assert regions.filter(pl.col("level") == "city")["townships"].sum() == 60
    assert regions.filter(pl.col("level") == "county")["townships"].sum() == 60
    per_county = towns.groupby("parent_code").size().to_dict()
    for row in regions.filter(pl.col("level") == "county").iter_rows(named=True):
        code = row["region_code"]
        assert row["townships"] == per_county[code]
        assert level[code[:4] + "00"] == "city" and level[code[:2] + "0000"] == "province"


def test_township_regions_put_each_township_in_county_city_province(live):
    con = db.connection(str(live))
    rows = con.sql("select township_code, region_code from township_regions").pl()
    assert rows.height == 3 * 60
    grouped = rows.group_by("township_code").agg(pl.col("region_code").sort())
    for code, regions in grouped.iter_rows():
        assert regions == sorted([code[:2] + "0000", code[:4] + "00", code[:6]])


def test_every_region_has_its_names_from_the_regions_file(province, region_file):
    regions = db.run_query("regions", province).join(region_file, on="region_code", suffix="_file")
    assert regions.height == region_file.height
    for row in regions.iter_rows(named=True):
        code = row["region_code"]
        assert (row["name"], row["name_en"]) == (row["name_file"], row["name_en_file"])
        assert row["name"] != code and CJK.search(row["name"]), row
        assert row["name_en"] != code and re.fullmatch(r"[A-Z][A-Za-z' ]+", row["name_en"]), row
        suffix = {"province": ("省", " Province"), "city": ("市", " City")}.get(row["level"])
        if suffix:
            assert row["name"].endswith(suffix[0]) and row["name_en"].endswith(suffix[1])
        else:
            assert row["name"][-1] in "区县" and row["name_en"].endswith((" District", " County"))
    assert regions["name"].is_unique().all() and regions["name_en"].is_unique().all()


def test_births_and_population_for_every_township_and_year(live, towns):
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    last_year = int(manifest["cutoff_month"][:4])
    years = list(range(2015, last_year + 1))
    codes = set(towns["township_code"])
    births = pl.read_parquet(live / "births.parquet")
    assert births["township_code"].dtype == pl.String and (births["births"] > 0).all()
    assert str(births["month"].max())[:7] == manifest["cutoff_month"]
    annual = births.group_by("township_code", pl.col("month").dt.year().alias("year")).agg(pl.col("births").sum())
    assert annual.height == len(codes) * len(years)
    assert set(annual["township_code"]) == codes and sorted(annual["year"].unique()) == years
    population = pl.read_parquet(live / "population.parquet")
    assert population.height == len(codes) * len(years)
    assert population.select("township_code", "year").is_unique().all()
    assert set(population["township_code"]) == codes and sorted(population["year"].unique()) == years
    assert (population["population"] > 0).all()
    # The county model's birth rates: about 12 per mille in 2015, about 6 in 2023.
    rate = (
        annual.join(population, on=["township_code", "year"])
        .group_by("year")
        .agg((pl.col("births").sum() / pl.col("population").sum() * 1000).alias("rate"))
    )
    by_year = dict(rate.iter_rows())
    assert 10 < by_year[2015] < 14 and 5 < by_year[2023] < 8
    reported = pl.read_parquet(live / "reported.parquet")
    assert reported.height == len(codes) * 6 * 2 and sorted(reported["year"].unique()) == list(range(2015, 2021))


def test_targets_for_townships_and_every_region(live, towns, region_file):
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    years = range(2015, int(manifest["cutoff_month"][:4]) + 1)
    targets = pl.read_parquet(live / "targets.parquet")
    assert targets.schema == {
        "township_code": pl.String,
        "year": pl.Int32,
        "indicator": pl.String,
        "target": pl.Float64,
    }
    keys = list(targets.select("township_code", "year", "indicator").iter_rows())
    assert len(keys) == len(set(keys))
    every_year = ("births", "birth_rate", "srb")
    plan_years = ("policy_compliance", "stats_accuracy", "long_acting_contraception")
    codes, region_codes = list(towns["township_code"]), list(region_file["region_code"])
    expected = (
        {(c, y, i) for c in codes for y in years for i in every_year}
        | {(c, y, i) for c in codes for y in years if y <= 2020 for i in plan_years}
        | {(r, y, i) for r in region_codes for y in years for i in every_year}
    )
    assert set(keys) == expected
    assert targets.height == (len(codes) + len(region_codes)) * len(years) * 3 + len(codes) * 6 * 3
    # A region's births target is the sum of its townships' plans (each township's rounded).
    births = targets.filter(pl.col("indicator") == "births")
    town = births.filter(pl.col("township_code").is_in(codes)).with_columns(
        pl.col("township_code").str.slice(0, 6).alias("county"),
        (pl.col("township_code").str.slice(0, 4) + "00").alias("city"),
        pl.lit("990000").alias("province"),
    )
    region = {
        (r, y): t
        for r, y, t in births.filter(pl.col("township_code").is_in(region_codes))
        .select("township_code", "year", "target")
        .iter_rows()
    }
    for level in ("county", "city", "province"):
        sums = town.group_by(level, "year").agg(pl.col("target").sum(), pl.len())
        for code, year, total, n in sums.iter_rows():
            assert abs(region[code, year] - total) <= n / 2 + 0.5, (code, year)
    srb = targets.filter(pl.col("indicator") == "srb").group_by("year").agg(pl.col("target").n_unique())
    assert (srb["target"] == 1).all()


def test_map_is_a_valid_coverage_without_overlaps(towns):
    assert towns.crs.to_epsg() == 4326
    assert towns.geometry.is_valid.all() and not towns.geometry.is_empty.any()
    assert set(towns.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    display = gpd.GeoSeries(towns["geometry_display"], crs=4326)
    assert display.is_valid.all() and not display.is_empty.any()
    projected = towns.geometry.to_crs(UTM_49N)
    assert projected.area.sum() == pytest.approx(projected.union_all().area, rel=0.01)
    # Townships of about the county demo's size (0.0162 square degrees each, +-several times).
    area = shapely.area(towns.geometry.to_numpy())
    assert area.sum() == pytest.approx(60 * demo_province.AREA_PER_TOWNSHIP, rel=0.25)
    assert area.min() > 0.1 * demo_province.AREA_PER_TOWNSHIP
    # Each county is one connected piece.
    assert set(towns.dissolve("parent_code").geometry.geom_type) == {"Polygon"}


# --- 3. the benchmark's size: 2,000 townships -------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("province") / "p2000"
    start = time.perf_counter()
    demo.build_demo(out, townships=2000)
    return extract.live_version_dir(out), time.perf_counter() - start


def test_2000_townships_build_in_under_a_minute(big):
    _, seconds = big
    assert seconds < 60, f"2,000 townships took {seconds:.1f} s"


def test_2000_townships_scale(big):
    live, _ = big
    towns = pl.read_parquet(live / "townships.parquet", columns=["township_code", "parent_code"])
    assert towns.height == 2000 and towns["township_code"].is_unique().all()
    counties = towns["parent_code"].n_unique()
    assert 100 <= counties <= 200
    cities = towns["parent_code"].str.slice(0, 4).n_unique()
    births = pl.read_parquet(live / "births.parquet", columns=["births"])["births"].sum()
    assert 10_000_000 <= births <= 20_000_000
    regions = pl.read_parquet(live / "regions.parquet")
    assert regions.height == counties + cities + 1
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["townships"] == 2000 and manifest["row_counts"]["regions"] == regions.height


# --- 4. bad sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize("townships", ["0", "-5", "18", "10001"])
def test_bad_township_counts_exit_2_and_write_nothing(tmp_path, capsys, townships):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "--townships", townships]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: --townships:") and f"got {townships}" in err and "Traceback" not in err
    assert "19 (the demo county) or 20-10,000" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_township_count_from_the_command_line(tmp_path):
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "natality", "demo", "--out", str(out), "--townships", "-3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "--townships: expected 19 (the demo county) or 20-10,000, got -3" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_build_tables_rejects_bad_sizes():
    for n in (0, -1, 1, 18, 10_001):
        with pytest.raises(ValueError, match="--townships"):
            demo.build_tables(townships=n)
