"""Large births files are read and checked out of core (natality.importing.stream): the same
births table and the same messages as the in-memory path, forced here on tiny files with
NATALITY_IMPORT_STREAM_ROWS=1; and the optional regions file that names counties and cities."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from natality.core import db, extract
from natality.importing import importer, stream
from tests.import_fixtures import BIRTHS_CSV, CODES, build_tiny_extract, copy_extract, import_in

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_tiny_extract(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def ext(template, tmp_path):
    return copy_extract(template, tmp_path / "copy")


def births_of(out: Path) -> pl.DataFrame:
    return pl.read_parquet(extract.live_version_dir(out) / "births.parquet").sort(pl.all())


def leftovers(out: Path) -> list[str]:
    """What lies beside the extract other than its link, its versions, its lock file and its
    import log (no DuckDB spill or temporary file may stay behind)."""
    kept = (out.name, f"{out.name}.versions", f".{out.name}.lock", f"{out.name}.import-log.jsonl")
    return [p.name for p in out.parent.iterdir() if p.name not in kept]


def import_births(out: Path, path: Path, monkeypatch, streamed: bool) -> int:
    return import_in(out, monkeypatch, streamed, "--births", str(path), "--lang", "en")


def test_both_paths_give_the_same_births_table(ext, tmp_path, monkeypatch):
    messy = BIRTHS_CSV.replace("411621101000,2024-01-09", " 411621101000 ,2024-01-09 ")  # padded cells
    (tmp_path / "b.csv").write_text(messy, encoding="utf-8")
    calls = []
    real_open = stream.open_births
    monkeypatch.setattr(stream, "open_births", lambda *a, **k: calls.append(1) or real_open(*a, **k))
    assert import_births(ext, tmp_path / "b.csv", monkeypatch, streamed=False) == 0
    in_memory = births_of(ext)
    assert not calls
    assert import_births(ext, tmp_path / "b.csv", monkeypatch, streamed=True) == 0
    assert calls == [1]  # the out-of-core path was taken
    assert births_of(ext).equals(in_memory)
    # By hand: 城关镇 January 1 boy + 1 girl, February 1 boy; 王店乡 1 girl, 1 boy; 东区 1 girl.
    totals = in_memory.group_by("township_code", "sex").agg(pl.col("births").sum()).sort(pl.all())
    assert totals.rows() == [
        (CODES[0], "F", 1),
        (CODES[0], "M", 2),
        (CODES[1], "F", 1),
        (CODES[1], "M", 1),
        (CODES[2], "F", 1),
    ]
    assert leftovers(ext) == []  # the out-of-core work directory is gone


def test_a_parquet_births_file_out_of_core(ext, tmp_path, monkeypatch):
    rows = [line.split(",") for line in BIRTHS_CSV.strip().splitlines()]
    pl.DataFrame(rows[1:], schema=rows[0], orient="row").write_parquet(tmp_path / "b.parquet")
    assert import_births(ext, tmp_path / "b.parquet", monkeypatch, streamed=True) == 0
    assert int(births_of(ext)["births"].sum()) == 6


BAD = """乡镇代码,出生日期,性别,孩次,母亲年龄
411621100000,2024-13-05,男,1,25
411621100000,2024-01-20,X,1,26
"""


def test_bad_cells_give_the_same_messages_and_change_nothing(ext, tmp_path, monkeypatch, capsys):
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    before = extract.live_version_dir(ext)
    versions = sorted(p.name for p in (ext.parent / f"{ext.name}.versions").iterdir())
    messages = []
    for streamed in (False, True):
        assert import_births(ext, tmp_path / "bad.csv", monkeypatch, streamed) == 2
        messages.append(capsys.readouterr().err)
    assert messages[0] == messages[1]
    assert "bad.csv" in messages[0] and "row 2" in messages[0] and "row 3" in messages[0]
    assert extract.live_version_dir(ext) == before
    assert sorted(p.name for p in (ext.parent / f"{ext.name}.versions").iterdir()) == versions
    assert leftovers(ext) == []


def test_the_import_suite_passes_out_of_core():
    """Every good and bad file of the importer's own tests, with each births file read out of core."""
    env = {**os.environ, stream.STREAM_ROWS_ENV: "1"}
    modules = ["tests/test_import_good.py", "tests/test_import_bad.py", "tests/test_import_real_world.py"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:]


REGIONS = """地区代码,名称,英文名称
411621,测试县,Test County
411600,测试市,Test City
"""


def test_a_regions_file_names_the_county_and_the_city(ext, tmp_path):
    (tmp_path / "regions.csv").write_text(REGIONS, encoding="utf-8")
    assert importer.main(["--out", str(ext), "--regions", str(tmp_path / "regions.csv"), "--lang", "en"]) == 0
    rows = db.run_query("regions", str(extract.live_version_dir(ext))).select("region_code", "level", "name", "name_en")
    assert ("411621", "county", "测试县", "Test County") in rows.rows()
    assert ("411600", "city", "测试市", "Test City") in rows.rows()
    # a later file naming only the city keeps the county's name
    (tmp_path / "city.csv").write_text("地区代码,名称\n411600,新测试市\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--regions", str(tmp_path / "city.csv"), "--lang", "en"]) == 0
    rows = db.run_query("regions", str(extract.live_version_dir(ext))).select("region_code", "name")
    assert ("411621", "测试县") in rows.rows() and ("411600", "新测试市") in rows.rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("地区代码,名称\n4116211,某县\n", "row 2"),
        ("地区代码,名称\n411621,甲\n411621,乙\n", "411621"),
        ("地区代码,英文名称\n411621,A County\n", "name"),
    ],
)
def test_a_bad_regions_file_is_refused_and_changes_nothing(ext, tmp_path, text, expected):
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    before = extract.live_version_dir(ext)
    args = ["--out", str(ext), "--regions", str(tmp_path / "r.csv"), "--lang", "en"]
    cmd = [sys.executable, "-m", "natality", "import", *args]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "r.csv" in run.stderr and expected in run.stderr, run.stderr
    assert extract.live_version_dir(ext) == before
