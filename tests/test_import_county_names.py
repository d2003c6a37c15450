"""Issue 23 point 4: a county column (name or code) tells same-named townships apart.

Two counties each have a 城关镇; the boundary file gives each township's county (its parent
name). A births file by township name, GB18030 CSV, written in ``tmp_path``."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from natality.importing import importer
from tests.import_fixtures import boundary_geojson

A, B, C = "411621100000", "411622100000", "411621101000"  # 城关镇 (甲县), 城关镇 (乙县), 王店乡 (甲县)
MAR, APR = date(2024, 3, 1), date(2024, 4, 1)


def _boundaries(tmp_path):
    path = tmp_path / "towns.geojson"
    geo = boundary_geojson([A, B, C], ["城关镇", "城关镇", "王店乡"], parents=["甲县", "乙县", "甲县"])
    path.write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
    return path


def _import(tmp_path, text: str, lang: str = "en") -> int:
    births = tmp_path / "births.csv"
    births.write_bytes(text.encode("gb18030"))
    return importer.main(
        [
            "--out",
            str(tmp_path / "ext"),
            "--births",
            str(births),
            "--boundaries",
            str(_boundaries(tmp_path)),
            "--lang",
            lang,
        ]
    )


@pytest.fixture(params=["memory", "stream"])
def path_kind(request, monkeypatch) -> str:
    monkeypatch.setenv("NATALITY_IMPORT_STREAM_ROWS", "1" if request.param == "stream" else "200000")
    return request.param


def test_a_county_column_tells_same_named_townships_apart(tmp_path, path_kind, capsys):
    text = (
        "县（区）,乡镇,月份,男,女\n甲县,城关镇,2024-03,2,1\n乙县,城关镇,2024-03,4,0\n"
        "411622,城关镇,2024-04,1,1\n甲区,王店乡,2024-03,0,3\n,王店乡,2024-04,1,0\n"
    )
    assert _import(tmp_path, text) == 0
    frame = pl.read_parquet(tmp_path / "ext" / "births.parquet").sort("township_code", "month", "sex")
    # 甲县's 城关镇 (A) by name; 乙县's (B) by name and by the county code 411622; 王店乡 (C) with
    # 甲区 (the county's name with another suffix) and with no county (its name is unique).
    assert frame.select("township_code", "month", "sex", "births").rows() == [
        (A, MAR, "F", 1), (A, MAR, "M", 2),
        (C, MAR, "F", 3), (C, APR, "M", 1),
        (B, MAR, "M", 4), (B, APR, "F", 1), (B, APR, "M", 1),
    ]  # fmt: skip
    assert "Columns not used" not in capsys.readouterr().err  # the county column was used


def test_a_name_not_in_its_county_and_a_name_without_county_are_refused(tmp_path, path_kind, capsys):
    text = "县,乡镇,月份,男,女\n乙县,王店乡,2024-03,1,1\n,城关镇,2024-03,1,0\n"
    assert _import(tmp_path, text) == 2
    err = capsys.readouterr().err
    assert (
        'births.csv, row 2, column "乡镇": found "王店乡｜乙县", no township of this name in "乙县"; '
        f"townships of this name: 王店乡（{C}）; check the county column"
    ) in err
    assert (
        f'births.csv, row 3, column "乡镇": found "城关镇", more than one township matches this name: '
        f"城关镇（{A}）、城关镇（{B}）"
    ) in err
    assert not (tmp_path / "ext").exists()
