"""Boundary reading, validation and display simplification on tiny files written in the test."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from natality.geo.boundaries import (
    BoundaryError,
    display_geometry,
    geojson_features,
    geojson_size_bytes,
    read_boundaries,
)


def _frame(rows: list[dict], crs: str | None = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def test_self_intersecting_polygon_is_made_valid(tmp_path: Path) -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # crosses itself at (1, 1)
    assert not bowtie.is_valid
    path = tmp_path / "bowtie.geojson"
    _frame([{"TOWNCODE": "411625100000", "TOWNNAME": "城关镇", "geometry": bowtie}]).to_file(path)
    gdf = read_boundaries(path)
    assert list(gdf.columns) == ["township_code", "name", "parent_name", "geometry"]
    assert gdf.geometry.is_valid.all()
    # two triangles of area 1 each survive; nothing is lost to the repair
    assert gdf.geometry.iloc[0].area == pytest.approx(2.0)
    assert gdf.crs.to_epsg() == 4326


def test_unit_split_across_two_features_is_dissolved(tmp_path: Path) -> None:
    path = tmp_path / "split.geojson"
    _frame(
        [
            {"code": "411625101000", "name": "王店乡", "geometry": box(0, 0, 1, 1)},
            {"code": "411625102000", "name": "李寨乡", "geometry": box(1, 0, 2, 1)},
            {"code": "411625101000", "name": "王店乡", "geometry": box(5, 5, 5.5, 5.5)},
        ]
    ).to_file(path)
    gdf = read_boundaries(path)
    assert list(gdf["township_code"]) == ["411625101000", "411625102000"]
    wang = gdf.geometry.iloc[0]
    assert wang.geom_type == "MultiPolygon"
    assert wang.area == pytest.approx(1.25)
    assert list(gdf["name"]) == ["王店乡", "李寨乡"]


@pytest.mark.parametrize("encoding", ["UTF-8", "GB18030"])
def test_shapefile_without_cpg(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "towns.shp"
    _frame(
        [
            {"XZQDM": "411625100000", "XZQMC": "城关镇", "geometry": box(0, 0, 1, 1)},
            {"XZQDM": "411625101000", "XZQMC": "王店乡", "geometry": box(1, 0, 2, 1)},
        ]
    ).to_file(path, engine="pyogrio", encoding=encoding)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    raw = path.with_suffix(".dbf").read_bytes()
    assert "王店乡".encode(encoding) in raw  # the file really holds that encoding
    gdf = read_boundaries(path)
    assert list(gdf["name"]) == ["城关镇", "王店乡"]
    # an explicit encoding is honoured as well
    assert list(read_boundaries(path, encoding=encoding)["name"]) == [
        "城关镇",
        "王店乡",
    ]


def test_cgcs2000_is_reprojected_to_wgs84(tmp_path: Path) -> None:
    path = tmp_path / "cgcs.gpkg"
    _frame(
        [
            {
                "乡镇代码": "411625100000",
                "名称": "城关镇",
                "geometry": box(114.9, 33.7, 115.0, 33.8),
            }
        ],
        crs="EPSG:4490",
    ).to_file(path, driver="GPKG")
    gdf = read_boundaries(path)
    assert gdf.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = gdf.total_bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((114.9, 33.7, 115.0, 33.8), abs=1e-6)
    assert gdf["name"].iloc[0] == "城关镇"


def test_projected_file_with_crs_given_by_user(tmp_path: Path) -> None:
    # CGCS2000 3-degree Gauss-Kruger, CM 114E (EPSG:4547), written without any CRS
    pt = gpd.GeoSeries.from_xy([114.95], [33.75], crs="EPSG:4326").to_crs("EPSG:4547").iloc[0]
    square = box(pt.x - 500, pt.y - 500, pt.x + 500, pt.y + 500)
    path = tmp_path / "local.geojson"
    _frame([{"code": "411625100000", "name": "城关镇", "geometry": square}], crs=None).to_file(path)
    with pytest.raises(BoundaryError, match=r"local\.geojson.*CRS"):
        read_boundaries(path)
    gdf = read_boundaries(path, crs="EPSG:4547")
    centre = gdf.geometry.iloc[0].centroid
    assert (centre.x, centre.y) == pytest.approx((114.95, 33.75), abs=1e-5)


def test_leading_zero_codes_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "zeros.geojson"
    _frame(
        [
            {
                "code": "012345001000",
                "name": "甲镇",
                "county": "某县",
                "geometry": box(0, 0, 1, 1),
            },
            {
                "code": "012345002000",
                "name": "乙乡",
                "county": "某县",
                "geometry": box(1, 0, 2, 1),
            },
        ]
    ).to_file(path)
    gdf = read_boundaries(path)
    assert list(gdf["township_code"]) == ["012345001000", "012345002000"]
    assert list(gdf["parent_name"]) == ["某县", "某县"]


def test_numeric_codes_lose_no_digits_to_floats(tmp_path: Path) -> None:
    path = tmp_path / "numeric.geojson"
    _frame([{"TOWNCODE": 411625100000, "TOWNNAME": "城关镇", "geometry": box(0, 0, 1, 1)}]).to_file(path)
    assert list(read_boundaries(path)["township_code"]) == ["411625100000"]


def test_topojson(tmp_path: Path) -> None:
    # two unit squares sharing the edge x=1; arc 0 is the shared edge
    topo = {
        "type": "Topology",
        "objects": {
            "towns": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "properties": {"code": "001", "name": "甲"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, -1]],
                        "properties": {"code": "002", "name": "乙"},
                    },
                ],
            }
        },
        "arcs": [
            [[1, 0], [1, 1]],
            [[1, 1], [0, 1], [0, 0], [1, 0]],
            [[1, 0], [2, 0], [2, 1], [1, 1]],
        ],
    }
    path = tmp_path / "towns.topojson"
    path.write_text(json.dumps(topo, ensure_ascii=False), encoding="utf-8")
    gdf = read_boundaries(path)
    assert list(gdf["township_code"]) == ["001", "002"]
    assert list(gdf["name"]) == ["甲", "乙"]
    assert shapely.area(gdf.geometry.to_numpy()).tolist() == pytest.approx([1.0, 1.0])
    assert gdf.geometry.iloc[0].intersection(gdf.geometry.iloc[1]).length == pytest.approx(1.0)


def test_geoparquet_and_explicit_fields(tmp_path: Path) -> None:
    path = tmp_path / "towns.parquet"
    _frame([{"id_x": "001", "label": "甲", "up": "某县", "geometry": box(0, 0, 1, 1)}]).to_parquet(path)
    with pytest.raises(BoundaryError, match=r"towns\.parquet: cannot find the township code"):
        read_boundaries(path)
    gdf = read_boundaries(path, code_field="id_x", name_field="label", parent_field="up")
    assert gdf[["township_code", "name", "parent_name"]].values.tolist() == [["001", "甲", "某县"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "bad.geojson: cannot read"),
        (
            '{"type": "FeatureCollection", "features": []}',
            "bad.geojson: the file has no features",
        ),
    ],
)
def test_bad_files_raise_boundary_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BoundaryError, match=message):
        read_boundaries(path)


def test_missing_file_and_points_only(tmp_path: Path) -> None:
    with pytest.raises(BoundaryError, match=r"nope\.shp: file not found"):
        read_boundaries(tmp_path / "nope.shp")
    path = tmp_path / "points.geojson"
    _frame([{"code": "001", "name": "甲", "geometry": shapely.Point(0, 0)}]).to_file(path)
    with pytest.raises(BoundaryError, match=r"points\.geojson: no polygon geometry for township code"):
        read_boundaries(path)


def _wiggly_grid(n: int = 4) -> gpd.GeoDataFrame:
    """n x n cells whose shared edges have many small zigzags, so simplification has work."""
    import numpy as np

    def edge(x0, y0, x1, y1):
        t = np.linspace(0, 1, 41)
        wiggle = 0.002 * np.sin(t * 40 * np.pi)
        if x0 == x1:
            return list(zip(x0 + wiggle, y0 + t * (y1 - y0), strict=True))
        return list(zip(x0 + t * (x1 - x0), y0 + wiggle, strict=True))

    rows = []
    for i in range(n):
        for j in range(n):
            ring = (
                edge(i, j, i + 1, j)
                + edge(i + 1, j, i + 1, j + 1)
                + edge(i, j + 1, i + 1, j + 1)[::-1]
                + edge(i, j, i, j + 1)[::-1]
            )
            rows.append(
                {
                    "township_code": f"{i}{j}",
                    "name": f"t{i}{j}",
                    "geometry": Polygon(ring),
                }
            )
    return _frame(rows)


def test_display_geometry_keeps_shared_edges_and_shrinks() -> None:
    grid = _wiggly_grid()
    assert shapely.coverage_is_valid(grid.geometry.to_numpy())
    simple = display_geometry(grid, tolerance=0.05)
    assert shapely.coverage_is_valid(simple.geometry.to_numpy())  # no gaps, no overlaps
    before = shapely.get_num_coordinates(grid.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
    assert after < before / 4
    assert shapely.area(simple.geometry.to_numpy()).sum() == pytest.approx(16.0, rel=0.01)
    assert list(simple["township_code"]) == list(grid["township_code"])


def test_geojson_features_keyed_by_code_with_label_points() -> None:
    gdf = _frame(
        [
            {"township_code": "001", "name": "甲", "geometry": box(0, 0, 1, 1)},
            {
                "township_code": "002",
                "name": "乙",
                "geometry": MultiPolygon([box(1, 0, 3, 1), box(9, 9, 9.1, 9.1)]),
            },
        ]
    )
    fc = geojson_features(gdf)
    assert [f["id"] for f in fc["features"]] == ["001", "002"]
    props = fc["features"][1]["properties"]
    # the label sits in the big part, not in the far speck
    assert 1 < props["label_lon"] < 3 and 0 < props["label_lat"] < 1
    assert geojson_size_bytes(fc) == len(json.dumps(fc, separators=(",", ":"), ensure_ascii=False).encode())


def test_zipped_shapefile_with_heights(tmp_path: Path) -> None:
    import zipfile

    shp = tmp_path / "towns.shp"
    square_z = Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 1, 5)])
    _frame([{"DM": "411625100000", "MC": "城关镇", "geometry": square_z}]).to_file(shp, encoding="GB18030")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("towns.*"):
            if part.suffix not in (".zip", ".cpg"):  # no encoding file: the guess must find GB18030
                zf.write(part, part.name)
    gdf = read_boundaries(archive)
    assert gdf[["township_code", "name"]].values.tolist() == [["411625100000", "城关镇"]]
    assert not gdf.geometry.has_z.any()


def test_geojson_leaves_out_townships_without_a_shape() -> None:
    gdf = _frame(
        [
            {"township_code": "001", "name": "甲", "geometry": box(0, 0, 1, 1)},
            {"township_code": "002", "name": "乙", "geometry": None},
        ]
    )
    assert [f["id"] for f in geojson_features(gdf)["features"]] == ["001"]
