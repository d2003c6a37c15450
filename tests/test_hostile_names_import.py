"""The importer keeps names as written (markup, right-to-left marks, 100 characters) and refuses
control characters and longer names, naming file, row and column, in both languages."""

from __future__ import annotations

import json

import geopandas as gpd
import polars as pl
import pytest

from natality.core import literal
from natality.importing import importer
from tests.hostile_names import CODES, EXTRACT_NAME, REGIONS, TOWNS, boundary_file, build_hostile_extract, manifest
from tests.import_fixtures import CODES as TINY_CODES
from tests.import_fixtures import tree_digest


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return build_hostile_extract(tmp_path_factory.mktemp("hostile"))


def test_names_are_kept_exactly_as_written(hostile):
    towns = gpd.read_parquet(hostile / "townships.parquet").sort_values("township_code")
    assert towns["township_code"].tolist() == CODES
    assert towns["name"].tolist() == TOWNS  # markup, RTL marks and the 100-character name untouched
    assert len(TOWNS[-1]) == literal.MAX_NAME and "\u202e" in TOWNS[2]
    regions = pl.read_parquet(hostile / "regions.parquet").sort("region_code")
    assert [(c, n, e) for c, n, e in regions.iter_rows()] == [(k, *v) for k, v in sorted(REGIONS.items())]
    assert manifest(hostile)["region_name"] == EXTRACT_NAME


def _run(args, capsys) -> tuple[int, str]:
    code = importer.main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "key_en", "key_zh"),
    [
        ("甲" * 5000, "longer than 100 characters", "超过 100 个字符"),
        ("城关\n镇", "control character", "控制字符"),
        ("城关\x07镇", "control character", "控制字符"),
    ],
)
def test_a_boundary_name_too_long_or_with_a_control_character_is_refused(ext, tmp_path, capsys, name, key_en, key_zh):
    path = boundary_file(tmp_path / "towns.geojson", ["城关镇", name, "东区"], TINY_CODES)
    before = tree_digest(ext)
    for lang, words in (("en", key_en), ("zh", key_zh)):
        code, err = _run(["--out", str(ext), "--boundaries", str(path), "--lang", lang], capsys)
        assert code == 2
        where = 'towns.geojson, row 2, column "TOWNNAME"' if lang == "en" else "towns.geojson，第 2 行，“TOWNNAME”列"
        line = next(x for x in err.splitlines() if x.startswith("towns.geojson"))
        assert line.startswith(where) and words in line, line
        assert "\n" not in name or "城关\\n镇" in line  # the refused name quoted on one line
    assert tree_digest(ext) == before  # nothing written


def test_names_in_births_population_and_regions_files_are_checked_with_row_and_column(ext, tmp_path, capsys):
    births = tmp_path / "births.csv"
    pl.DataFrame(
        {
            "乡镇代码": [TINY_CODES[0]] * 2,
            "乡镇名称": ["城关镇", "城关\t镇"],
            "出生日期": ["2024-03-05"] * 2,
            "性别": ["男", "女"],
        }
    ).write_csv(births)
    code, err = _run(["--out", str(ext), "--births", str(births), "--lang", "en"], capsys)
    assert code == 2
    assert 'births.csv, row 3, column "乡镇名称": found "城关\\t镇"' in err
    pop = tmp_path / "pop.csv"
    pl.DataFrame({"乡镇代码": [TINY_CODES[0]], "乡镇名称": ["镇" * 101], "年份": [2024], "人口": [5000]}).write_csv(pop)
    code, err = _run(["--out", str(ext), "--population", str(pop), "--lang", "zh"], capsys)
    assert code == 2 and "pop.csv，第 2 行，“乡镇名称”列" in err and "超过 100 个字符" in err
    regions = tmp_path / "regions.csv"
    regions.write_text('region_code,name,name_en\n411621,某县,"Some\r\nCounty"\n', encoding="utf-8")
    code, err = _run(["--out", str(ext), "--regions", str(regions), "--lang", "en"], capsys)
    assert code == 2 and 'regions.csv, row 2, column "name_en"' in err and "control character" in err


def test_a_control_character_or_a_long_name_in_the_name_option_is_refused(ext, tmp_path, capsys):
    targets = tmp_path / "targets.csv"
    targets.write_text(f"乡镇代码,年份,出生率\n{TINY_CODES[0]},2025,7.2\n", encoding="utf-8")
    for name, words in (("示范县\n", "control character"), ("县" * 101, "longer than 100")):
        code, err = _run(["--out", str(ext), "--targets", str(targets), "--name", name, "--lang", "en"], capsys)
        assert code == 2 and err.splitlines()[1].startswith("--name:") and words in err, err
    code, _ = _run(["--out", str(ext), "--targets", str(targets), "--name", "县" * 100, "--lang", "en"], capsys)
    assert code == 0
    assert json.loads((ext / "manifest.json").read_text(encoding="utf-8"))["region_name"] == "县" * 100


def test_a_large_births_file_read_out_of_core_checks_names_too(ext, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NATALITY_IMPORT_STREAM_ROWS", "1")  # this small file takes the DuckDB path
    births = tmp_path / "big.csv"
    pl.DataFrame(
        {
            "乡镇代码": [TINY_CODES[0]] * 3,
            "乡镇名称": ["城关镇", "城关镇", "x" * 5000],
            "出生日期": ["2024-03-05"] * 3,
            "性别": ["男", "女", "男"],
        }
    ).write_csv(births)
    code, err = _run(["--out", str(ext), "--births", str(births), "--lang", "en"], capsys)
    assert code == 2 and 'big.csv, row 4, column "乡镇名称"' in err and "longer than 100 characters" in err, err
