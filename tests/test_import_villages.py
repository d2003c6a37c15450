"""Issue 23 point 2: births kept by village (12-digit codes) roll up to their townships.

Each file is written in ``tmp_path`` as GB18030 CSV and imported into a copy of the tiny
three-township extract, in memory and out of core (``NATALITY_IMPORT_STREAM_ROWS=1``).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from natality.importing import importer
from tests.import_fixtures import CODES, tree_digest

C0, C1, C2 = CODES


@pytest.fixture(params=["memory", "stream"])
def path_kind(request, monkeypatch) -> str:
    if request.param == "stream":
        monkeypatch.setenv("NATALITY_IMPORT_STREAM_ROWS", "1")
    else:
        monkeypatch.setenv("NATALITY_IMPORT_STREAM_ROWS", "200000")
    return request.param


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "births").iter_rows()]


VILLAGES = """2024年各村出生人数
村（居）委会代码,村（居）委会,月份,男,女
411621100001,东村,2024-03,2,1
411621100002,西村,2024-03,1,0
411621101003,南村,2024-03,0,4
411621102000,东区,2024-03,1,1
411621100001,东村,2024-04,3,0
"""


@pytest.mark.parametrize("header", ["村（居）委会代码", "村代码", "行政区划代码"])
def test_village_codes_roll_up_to_their_townships(ext, tmp_path, path_kind, header, capsys):
    path = tmp_path / "villages.csv"
    path.write_bytes(VILLAGES.replace("村（居）委会代码", header).encode("gb18030"))
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    # 城关镇 (C0): March 2+1 boys and 1+0 girls from 东村 and 西村, April 3 boys from 东村;
    # 王店乡 (C1): 4 girls from 南村; 东区 (C2) given by its township code.
    march, april = date(2024, 3, 1), date(2024, 4, 1)
    assert _births(ext) == [
        (C0, march, "F", 1), (C0, march, "M", 3), (C0, april, "M", 3),
        (C1, march, "F", 4),
        (C2, march, "F", 1), (C2, march, "M", 1),
    ]  # fmt: skip
    # Three distinct villages (100001, 100002, 101003) into two townships (C0, C1).
    assert "3 village code(s) rolled up into their 2 township(s)" in capsys.readouterr().err


def test_village_under_no_known_township_is_refused_with_the_closest(ext, tmp_path, path_kind, capsys):
    before = tree_digest(ext)
    path = tmp_path / "villages.csv"
    path.write_bytes((VILLAGES + "411621109005,新村,2024-04,1,1\n").encode("gb18030"))
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    # The file's 8th line (title, header, five rows); township 411621109000 is 7000, 8000 and
    # 9000 away from C2, C1 and C0.
    assert (
        "villages.csv，第 8 行，“村（居）委会代码”列：值为“411621109005”，"
        "村代码归属的乡镇 411621109000（前 9 位 + 000）不在已知乡镇中；"
        f"最接近的乡镇代码：{C2}、{C1}、{C0}"
    ) in err
    assert tree_digest(ext) == before


def test_a_village_code_in_a_population_file_is_refused_as_such(ext, tmp_path, capsys):
    before = tree_digest(ext)
    path = tmp_path / "population.csv"
    path.write_bytes("村代码,年份,人口数\n411621100001,2024,5000\n".encode("gb18030"))
    assert importer.main(["--out", str(ext), "--population", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert (
        'population.csv, row 2, column "村代码": found "411621100001", this is a village code; only births are '
        f"rolled up from villages to townships: give this table by township (code {C0})"
    ) in err
    assert tree_digest(ext) == before


def test_a_new_extract_from_village_births_alone_has_their_townships(tmp_path, path_kind, capsys):
    out = tmp_path / "new"
    path = tmp_path / "villages.csv"
    path.write_bytes(VILLAGES.encode("gb18030"))
    assert importer.main(["--out", str(out), "--births", str(path), "--lang", "en"]) == 0
    # No boundaries and no live extract: every village rolls up, and the townships are their codes.
    towns = pl.read_parquet(out / "townships.parquet").sort("township_code")
    assert towns.select("township_code", "name").rows() == [(C0, C0), (C1, C1), (C2, C2)]  # no township names
    assert "3 village code(s) rolled up into their 2 township(s)" in capsys.readouterr().err
