"""The map at 2,000 townships (issue 10): counties dissolved from townships for a large region,
coloured by the counties' own sums; a county's own townships; the GeoJSON payload's size.

The hand-made extract has two counties: 419901 with townships A and B, 419902 with C (squares
side by side, A | B | C). Every expected number below is added up by hand from its rows.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from natality.core import db, extract
from natality.geo import boundaries, layers
from natality.maps import view as map_view
from natality.srb.stats import shrink_srb, srb_estimate
from tests.apptest_pages import open_page
from tests.factory import (
    BIRTHS_SCHEMA,
    TWO_COUNTY_CODES,
    make_extract,
    make_two_county_extract,
    manifest,
    two_county_population,
)

A, B, C = TWO_COUNTY_CODES


@pytest.fixture(scope="module")
def two_counties_data(tmp_path_factory) -> Path:
    before = [(A, "2023-01", "M", 1, "25-29", None, 4), (C, "2023-02", "F", 1, "25-29", None, 6)]
    return make_two_county_extract(tmp_path_factory.mktemp("scale") / "x", before, two_county_population((2024,)))


@pytest.fixture(scope="module")
def two_counties(two_counties_data) -> str:
    return str(extract.live_version_dir(two_counties_data))


def test_a_region_of_two_counties_draws_two_dissolved_counties(two_counties):
    assert map_view.map_unit(two_counties, None) == "county"
    fc = layers.region_geojson(two_counties, None, "county")
    assert [f["id"] for f in fc["features"]] == ["419901", "419902"]
    assert [f["properties"]["name"] for f in fc["features"]] == ["甲县", "乙县"]
    jia = shapely.geometry.shape(fc["features"][0]["geometry"])
    # A and B (two 0.1-degree squares side by side) become one rectangle: no seam left inside
    assert jia.geom_type == "Polygon" and len(jia.interiors) == 0
    assert jia.bounds == pytest.approx((114.0, 33.0, 114.2, 33.1))
    assert jia.area == pytest.approx(0.02)


def test_county_rows_are_the_sums_of_their_townships(two_counties):
    rows = db.run_query("map_county_year", two_counties, year=2024, last_month=3).rows()
    # county, name, name_en, townships, births, boys, girls, 3rd+, known order, births 2023,
    # population, is_county
    assert rows == [
        ("419901", "甲县", "Jia County", 2, 28, 15, 13, 0, 28, 4, 3000, True),  # A 10+8, B 5+5
        ("419902", "乙县", "Yi County", 1, 53, 33, 20, 3, 53, 6, 3000, True),  # C 30+20+3
    ]
    one = db.run_query("map_county_year", two_counties, year=2024, last_month=3, region="419902").rows()
    assert [r[0] for r in one] == ["419902"]


def test_county_values_births_srb_with_interval_and_shrinkage(two_counties):
    raw = db.run_query("map_county_year", two_counties, year=2024, last_month=3)
    births = map_view.map_table(raw, "births", 2024, 3, "zh", two_counties)
    assert births.columns[0] == "county_code"
    assert births["value"].to_list() == [28.0, 53.0]
    srb = map_view.map_table(raw, "srb", 2024, 3, "zh", two_counties)
    jia, yi = srb_estimate(15, 13), srb_estimate(33, 20)
    assert srb["value"].to_list() == pytest.approx([100 * 15 / 13, 100 * 33 / 20])
    assert srb["low"].to_list() == pytest.approx([jia.low, yi.low])
    assert srb["high"].to_list() == pytest.approx([jia.high, yi.high])
    assert srb["denominator"].to_list() == [28.0, 53.0]
    assert srb["too_few"].to_list() == [True, True]  # under the registry's 200 births
    hover = srb["hover"][0]
    assert "男婴 15，女婴 13" in hover and "95%区间" in hover and "出生 28 人" in hover and "2 个乡镇" in hover
    shrunk = map_view.map_table(raw, "srb_shrunk", 2024, 3, "en", two_counties)
    assert shrunk["value"].to_list() == pytest.approx(shrink_srb([15, 33], [13, 20]).srb)
    # birth rate from the summed population, annualised from 3 months: 28 * 4 / 3000 * 1000
    rate = map_view.map_table(raw, "birth_rate", 2024, 3, "en", two_counties)
    assert rate["value"].to_list() == pytest.approx([28 * 4 / 3000 * 1000, 53 * 4 / 3000 * 1000])
    assert rate["denominator"].to_list() == [3000.0, 3000.0]


def test_county_map_figure_title_and_options(two_counties):
    fig = map_view.overview_births_map(two_counties, 2024, 3, "2024年1-3月", "数据截至2024年3月", "zh")
    (choro,) = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert list(choro.locations) == ["419901", "419902"]
    assert "各县（市、区）出生人数" in fig.layout.title.text and "2024年1-3月" in fig.layout.title.text
    assert any("数据截至2024年3月" in (a.text or "") for a in fig.layout.annotations)
    assert isinstance(fig.data[0], go.Scattergeo)  # offline: no world TopoJSON fetched
    assert "score" not in map_view.indicator_options(two_counties, 2024, "county")
    assert "target" not in map_view.method_options(two_counties, "births", 2024, "county")


def map_page(data: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return open_page("pages/map.py", **{"lang": "zh", "year": 2024, **params})


def drawn(at: AppTest) -> list[str]:
    (choro,) = [t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t["type"] == "choropleth"]
    return choro["locations"]


def back(at: AppTest):
    (button,) = [b for b in at.button if b.key.startswith("map_back")]
    return button


def test_map_page_opens_a_county_and_goes_back(two_counties_data, monkeypatch):
    at = map_page(two_counties_data, monkeypatch)
    assert drawn(at) == ["419901", "419902"]
    assert "各县（市、区）" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    at.selectbox(key="map_open_county_all").set_value("419901").run()
    assert not at.exception, at.exception
    assert at.query_params["region"] == "419901"
    assert drawn(at) == [A, B]
    assert at.session_state["_kept_region"] == "419901"  # every page now shows this county
    back(at).click().run()
    assert "region" not in at.query_params
    assert drawn(at) == ["419901", "419902"]
    assert not [b for b in at.button if b.key.startswith("map_back")]  # at the top: no way further up
    # the county chosen before is not chosen again: the choice starts empty
    (choice,) = [s for s in at.selectbox if s.key.startswith("map_open_county")]
    assert choice.value is None


def test_a_bookmarked_county_opens_on_its_townships(two_counties_data, monkeypatch):
    at = map_page(two_counties_data, monkeypatch, region="419902", indicator="srb", labels="name_value")
    assert drawn(at) == [C]
    assert back(at).label == "返回测试县"  # the whole extract: its city holds nothing more


@pytest.mark.parametrize(("region", "codes"), [("419901", [A, B]), ("419902", [C])])
def test_a_single_county_draws_only_its_townships(two_counties, region, codes):
    assert map_view.map_unit(two_counties, region) == "township"
    assert [f["id"] for f in layers.region_geojson(two_counties, region, "township")["features"]] == codes
    fig = map_view.overview_births_map(two_counties, 2024, 3, "2024 Jan-Mar", "Data up to 2024-03", "en", region)
    (choro,) = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert list(choro.locations) == codes
    assert "Births by township" in fig.layout.title.text


def test_townships_without_a_shape_are_counted_in_the_footnote(tmp_path):
    data = make_extract(
        tmp_path / "x",
        [(A, "甲一镇", "Jia One"), (B, "甲二乡", "Jia Two"), (C, "乙一镇", "Yi One")],
        [(A, "2024-01", "M", 1, "25-29", None, 7), (B, "2024-01", "F", 1, "25-29", None, 3)],
        cutoff="2024-01",
    )
    path = extract.live_version_dir(data) / "townships.parquet"
    gdf = gpd.read_parquet(path)
    gdf.loc[gdf["township_code"] == B, ["geometry", "geometry_display"]] = None
    gdf.to_parquet(path)
    version = str(extract.live_version_dir(data))
    assert map_view.without_shape(version, None) == 1
    fig = map_view.overview_births_map(version, 2024, 1, "2024 Jan", "Data up to 2024-01", "en")
    assert any("1 township(s) without a shape" in (a.text or "") for a in fig.layout.annotations)
    (choro,) = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert list(choro.locations) == ["419901", "419902"]  # B's births still count in 419901
    fc = layers.region_geojson(version, None, "county")
    assert shapely.geometry.shape(fc["features"][0]["geometry"]).area == pytest.approx(0.01)  # A alone


# Province 410000 (everything: 40 townships) = city 419900 (counties 419901 of 20 and 419902 of
# 10) + city 419800 (only county 419801, 5) + county X1 (5; named by a parent field, no code).
REGIONS = pl.DataFrame(
    {
        "region_code": ["410000", "419800", "419801", "419900", "419901", "419902", "X1"],
        "townships": [40, 5, 5, 30, 20, 10, 5],
    }
)


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("419901", "419900"),
        ("419902", "419900"),
        ("419801", None),  # its city holds only this county: straight back to everything
        ("419900", None),  # the province holds everything
        ("410000", None),
        ("X1", None),
    ],
)
def test_back_goes_up_to_the_nearest_region_that_narrows(code, parent):
    assert map_view.parent_region(REGIONS, code) == parent


# --- 2,000 townships ---------------------------------------------------------------------------


def grid_cells(nx: int, ny: int, cell: float = 0.07, seed: int = 3) -> np.ndarray:
    """nx * ny township polygons (row by row) of about 7 km: a jittered Voronoi grid whose edges
    are densified every ~300 m and wiggled the way surveyed boundaries are. The wiggle moves the
    shared edges once, as a network, so neighbours still share them exactly (a clean coverage)."""
    rng = np.random.default_rng(seed)
    x0, y0 = 112.0, 32.0
    cx, cy = np.meshgrid(np.arange(nx), np.arange(ny))
    jitter = rng.uniform(-0.35, 0.35, (cx.size, 2))
    seeds = np.c_[x0 + (cx.ravel() + 0.5 + jitter[:, 0]) * cell, y0 + (cy.ravel() + 0.5 + jitter[:, 1]) * cell]
    outline = shapely.box(x0, y0, x0 + nx * cell, y0 + ny * cell)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline, ordered=True)
    cells = shapely.intersection(np.asarray(shapely.get_parts(cells)), outline)
    edges = shapely.segmentize(shapely.union_all(shapely.boundary(cells)), cell / 25)

    def wiggle(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return np.c_[
            x + 0.0012 * np.sin(x * 260 + y * 90) + 0.0006 * np.sin(y * 700),
            y + 0.0012 * np.sin(y * 240 - x * 150) + 0.0006 * np.sin(x * 650),
        ]

    polys = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.transform(edges, wiggle)))))
    inside, poly = shapely.STRtree(polys).query(shapely.points(wiggle(seeds)), predicate="within")
    order = np.empty(len(seeds), dtype=int)
    order[inside] = poly
    return polys[order]


def grid_extract(out: Path, nx: int = 50, ny: int = 40, seed: int = 5) -> Path:
    """A province of nx * ny townships in counties of 5 x 4 townships (2,000 in 100 counties,
    10 cities by default), with the display geometry an import would store, January births of
    2023 and 2024 (seeded: some counties have many more than others) and populations."""
    cells = grid_cells(nx, ny)
    rng = np.random.default_rng(seed)
    codes, size = [], []
    county_size = rng.lognormal(0, 0.35, (ny // 4 + 1) * (nx // 5 + 1))
    for i in range(len(cells)):
        row, col = divmod(i, nx)
        county = (row // 4) * (nx // 5) + col // 5
        city, in_city = divmod(county, 10)
        codes.append(f"41{city + 1:02d}{in_city + 1:02d}{(row % 4) * 5 + col % 5 + 1:03d}000")
        size.append(county_size[county] * rng.lognormal(0, 0.2))

    def write(root: Path) -> dict:
        gdf = gpd.GeoDataFrame(
            {
                "township_code": codes,
                "name": [f"第{i}镇" for i in range(len(codes))],
                "name_en": [f"Town {i}" for i in range(len(codes))],
                "parent_code": [c[:6] for c in codes],
            },
            geometry=cells,
            crs="EPSG:4326",
        )
        gdf["geometry_display"] = boundaries.display_geometry(gdf).geometry
        gdf.to_parquet(root / "townships.parquet", index=False)
        rows = [
            (c, date(y, 1, 1), sex, 1, "25-29", None, int(rng.poisson(mean * k)) + 1)
            for c, k in zip(codes, size, strict=True)
            for y in (2023, 2024)
            for sex, mean in (("M", 55), ("F", 50))
        ]
        pl.DataFrame(rows, schema=BIRTHS_SCHEMA, orient="row").write_parquet(root / "births.parquet")
        population = [(c, y, int(40_000 * k)) for c, k in zip(codes, size, strict=True) for y in (2023, 2024)]
        pl.DataFrame(
            population, schema={"township_code": pl.String, "year": pl.Int32, "population": pl.Int64}, orient="row"
        ).write_parquet(root / "population.parquet")
        counties = sorted({c[:6] for c in codes})
        cities = sorted({c[:4] + "00" for c in codes})
        regions = [(c, f"第{i + 1}县", f"County {i + 1}") for i, c in enumerate(counties)]
        regions += [(c, f"第{i + 1}市", f"City {i + 1}") for i, c in enumerate(cities)]
        regions += [("410000", "示范省", "Demo Province")]
        pl.DataFrame(regions, schema=["region_code", "name", "name_en"], orient="row").write_parquet(
            root / "regions.parquet"
        )
        return manifest(("示范省", "Demo Province"), "410000", len(rows), "2024-12", synthetic=True)

    extract.publish(out, write)
    return out


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> str:
    return str(extract.live_version_dir(grid_extract(tmp_path_factory.mktemp("province") / "p")))


def test_two_thousand_townships_fit_in_a_megabyte_and_a_half(province):
    towns = layers.region_geojson(province, None, "township")
    assert len(towns["features"]) == 2000
    assert boundaries.geojson_size_bytes(towns) < 1_500_000
    counties = layers.region_geojson(province, None, "county")
    assert len(counties["features"]) == 100
    assert boundaries.geojson_size_bytes(counties) < 400_000
    assert map_view.map_unit(province, None) == "county"
    # the coarse level is still a coverage: neighbours share their simplified edges
    level = layers.level_for(province, [f["id"] for f in towns["features"]])
    assert level is not None
    assert shapely.coverage_is_valid(layers.township_level(province, level).geometry.to_numpy())


def test_one_county_of_the_province_keeps_full_detail(province):
    county = layers.region_geojson(province, "410101", "township")
    assert len(county["features"]) == 20 and map_view.map_unit(province, "410101") == "township"
    # full detail: the stored display geometry, 5 decimals
    stored = layers.townships(province).set_index("township_code").geometry
    first = county["features"][0]
    assert shapely.geometry.shape(first["geometry"]).equals_exact(stored[first["id"]], 1e-5)
    city = layers.region_geojson(province, "410100", "county")
    assert [f["id"] for f in city["features"]] == [f"4101{i:02d}" for i in range(1, 11)]
