"""Quirks of real exports: names instead of codes, notes under the table, units in headers,
Excel's text markers on codes, and boundary files that name their fields their own way."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from natality.importing import importer
from tests.import_fixtures import CODES, tree_digest


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "births").iter_rows()]


def _boundaries(path, fields: tuple[str, str], towns: list[tuple[str, str]]):
    """A GeoJSON file at ``path``: a triangle per (code, name) of ``towns``, named in ``fields`` (code, name)."""
    features = [
        {
            "type": "Feature",
            "properties": dict(zip(fields, town, strict=True)),
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[114 + i, 33], [114.5 + i, 33], [114.5 + i, 33.5], [114 + i, 33]]],
            },
        }
        for i, town in enumerate(towns)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    return path


def test_township_names_without_codes_are_matched_to_the_known_townships(ext, tmp_path, capsys):
    path = tmp_path / "b.csv"
    path.write_text(
        "乡镇,出生日期（年月日）,性别\n城关镇,2024-03-05,男\n王店乡,2024-03-06,女\n"
        "\n填报单位：某县卫生健康委,,\n制表人：张三  日期：2024-04-01,,\n",
        encoding="gb18030",
    )
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    assert _births(ext) == [(CODES[0], date(2024, 3, 1), "M", 1), (CODES[1], date(2024, 3, 1), "F", 1)]
    assert "skipped 2 note row(s) under the table (rows 5, 6)" in capsys.readouterr().err


def test_unknown_and_shared_township_names_are_refused(tmp_path, capsys):
    from tests.import_fixtures import boundary_geojson

    geo = tmp_path / "b.geojson"
    geo.write_text(json.dumps(boundary_geojson(CODES, ["东区", "东区", "西区"], ["甲市", "乙市", "甲市"])), "utf-8")
    births = tmp_path / "b.csv"
    births.write_text("乡镇名称,出生日期,性别\n西区,2024-03-05,男\n东区,2024-03-05,男\n北区,2024-03-05,女\n", "utf-8")
    out = tmp_path / "ext"
    assert importer.main(["--out", str(out), "--births", str(births), "--boundaries", str(geo), "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == [
        'b.csv, row 3, column "乡镇名称": found "东区", more than one township matches this name: '
        "东区（411621100000）、东区（411621101000）, so it cannot tell which; use township codes instead",
        # 北区 is one substitution from each of the three names: all are listed, closest first, then by name.
        'b.csv, row 4, column "乡镇名称": found "北区", this name matches none of the 3 known township names '
        "(spaces, full-width forms, Traditional characters and the 镇/乡/街道 suffix ignored); closest: "
        "东区（411621100000）、东区（411621101000）、西区（411621102000）; expected a township code or a name as in "
        "the boundary file",
    ]
    assert not out.exists()


def test_units_in_headers_and_excel_text_markers_on_codes(ext, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "乡镇（街道）代码,统计月份,性别,出生人数（人）\n"
        f'\'{CODES[0]},2024年3月,男,3\n="{CODES[1]}",2024年3月,女,2\n{CODES[2][:9]},2024年3月,女,1\n',
        encoding="utf-8-sig",
    )
    assert importer.main(["--out", str(ext), "--births", str(path)]) == 0
    assert _births(ext) == [
        (CODES[0], date(2024, 3, 1), "M", 3),
        (CODES[1], date(2024, 3, 1), "F", 2),
        (CODES[2], date(2024, 3, 1), "F", 1),
    ]


def test_boundaries_alone_with_chinese_gis_field_names_replace_the_townships(ext, tmp_path, capsys):
    before = tree_digest(ext)
    geo = _boundaries(tmp_path / "towns.geojson", ("XZQDM", "XZQMC"), [(CODES[0], "城关街道"), (CODES[1], "王店镇")])
    assert importer.main(["--out", str(ext), "--boundaries", str(geo), "--lang", "en"]) == 0
    towns = pl.read_parquet(ext / "townships.parquet", columns=["township_code", "name"])
    assert towns.rows() == [(CODES[0], "城关街道"), (CODES[1], "王店镇"), (CODES[2], "东区")]  # 东区 kept, no shape
    import geopandas as gpd

    assert gpd.read_parquet(ext / "townships.parquet").geometry.isna().tolist() == [False, False, True]
    manifest = json.loads((ext / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["townships_without_shape"] == [CODES[2]]
    assert "1 township code(s) have births but no shape in the boundary file" in capsys.readouterr().err
    after = tree_digest(ext)
    assert after["births.parquet"] == before["births.parquet"]  # births kept as they were
    assert after["townships.parquet"] != before["townships.parquet"]


def test_code_field_option_for_an_unusual_boundary_file(ext, tmp_path, capsys):
    geo = _boundaries(tmp_path / "odd.geojson", ("JD_BM", "JD_MC"), list(zip(CODES, ["甲", "乙", "丙"], strict=True)))
    assert importer.main(["--out", str(ext), "--boundaries", str(geo), "--lang", "en"]) == 2
    assert "odd.geojson: the boundary file cannot be used" in capsys.readouterr().err
    args = ["--out", str(ext), "--boundaries", str(geo), "--code-field", "JD_BM", "--name-field", "JD_MC"]
    assert importer.main(args) == 0
    assert pl.read_parquet(ext / "townships.parquet", columns=["name"])["name"].to_list() == ["甲", "乙", "丙"]


def test_zipped_gbk_shapefile_in_cgcs2000_without_cpg(tmp_path):
    import zipfile

    import geopandas as gpd
    import shapely

    from tests.import_fixtures import BIRTHS_CSV, NAMES

    squares = [shapely.box(114 + 0.1 * i, 33.0, 114.1 + 0.1 * i, 33.1) for i in range(3)]
    gdf = gpd.GeoDataFrame({"XZQDM": CODES, "XZQMC": NAMES}, geometry=squares, crs="EPSG:4490")
    shp = tmp_path / "shp" / "乡镇.shp"
    shp.parent.mkdir()
    gdf.to_file(shp, encoding="GBK")
    (shp.with_suffix(".cpg")).unlink(missing_ok=True)  # offices often send no .cpg
    archive = tmp_path / "乡镇边界.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.iterdir():
            zf.write(part, part.name)
    births = tmp_path / "b.csv"
    births.write_text(BIRTHS_CSV, encoding="utf-8")
    out = tmp_path / "ext"
    assert importer.main(["--out", str(out), "--births", str(births), "--boundaries", str(archive)]) == 0
    towns = gpd.read_parquet(out / "townships.parquet")
    assert towns["name"].tolist() == NAMES and towns.crs.to_epsg() == 4326
    assert towns.geometry.iloc[0].bounds == pytest.approx((114.0, 33.0, 114.1, 33.1), abs=1e-6)
    assert towns["geometry_display"].notna().all()
