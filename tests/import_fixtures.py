"""A tiny real extract for importer tests: three square townships and a handful of births.

Built once per session by the importer itself (boundary GeoJSON + births CSV) and copied for
each test, so a test can import into it and compare files byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from natality.importing import importer

COUNTY = "411621"
CODES = ["411621100000", "411621101000", "411621102000"]
NAMES = ["城关镇", "王店乡", "东区"]

BIRTHS_CSV = """乡镇代码,出生日期,性别,孩次,母亲年龄
411621100000,2024-01-05,男,1,25
411621100000,2024-01-20,女,1,26
411621100000,2024-02-03,男,2,31
411621101000,2024-01-09,女,2,33
411621101000,2024-02-11,男,3,36
411621102000,2024-02-28,女,1,22
"""


def boundary_geojson(codes=CODES, names=NAMES, parents=None) -> dict:
    features = []
    for i, (code, name) in enumerate(zip(codes, names, strict=True)):
        x = 114.0 + 0.1 * i
        ring = [[x, 33.0], [x + 0.1, 33.0], [x + 0.1, 33.1], [x, 33.1], [x, 33.0]]
        props = {"TOWNCODE": code, "TOWNNAME": name}
        if parents:
            props["COUNTY"] = parents[i]
        features.append(
            {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    return {"type": "FeatureCollection", "features": features}


def build_tiny_extract(root: Path) -> Path:
    """Import boundaries + births into ``root/ext`` and return that extract directory."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "towns.geojson").write_text(json.dumps(boundary_geojson(), ensure_ascii=False), encoding="utf-8")
    (root / "births.csv").write_text(BIRTHS_CSV, encoding="utf-8")
    out = root / "ext"
    code = importer.main(
        [
            "--out",
            str(out),
            "--births",
            str(root / "births.csv"),
            "--boundaries",
            str(root / "towns.geojson"),
            "--name",
            "测试县",
            "--lang",
            "en",
        ]
    )
    assert code == 0
    return out


def copy_extract(template: Path, dest_root: Path) -> Path:
    """Copy an extract (its symlink and versions dir) under ``dest_root``; return the new link."""
    dest_root.mkdir(parents=True, exist_ok=True)
    versions = template.with_name(template.name + ".versions")
    shutil.copytree(versions, dest_root / versions.name, symlinks=True)
    link = dest_root / template.name
    link.symlink_to(template.readlink())
    return link


def tree_digest(out: Path) -> dict[str, str]:
    """sha256 of every file of the live version, plus where the live link points."""
    live = out.resolve()
    digest = {"->": str(out.readlink())}
    for path in sorted(live.iterdir()):
        if path.is_file():  # not derived/ (computed after publishing, scorecard.stored)
            digest[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def all_versions(out: Path) -> list[str]:
    return sorted(p.name for p in out.with_name(out.name + ".versions").iterdir())


def merged_births_book(path: Path, boys_total: int = 8, total_first: bool = False) -> None:
    """Title row; 乡镇 merged over 代码 and 名称, 月份 merged down, 出生人数 merged over 男 and 女;
    a 合计 row (``boys_total`` boys, 5 girls) under the records, or first under the header."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年各乡镇出生人数"])
    ws.merge_cells("A1:E1")
    ws.append(["乡镇", None, "月份", "出生人数", None])
    ws.append(["代码", "名称", None, "男", "女"])
    ws.merge_cells("A2:B2")
    ws.merge_cells("C2:C3")
    ws.merge_cells("D2:E2")
    records = [[CODES[0], "城关镇", "2024-03", 6, 5], [CODES[1], "王店乡", "2024-03", 2, 0]]
    total = ["合计", None, None, boys_total, 5]
    for row in [total, *records] if total_first else [*records, total]:
        ws.append(row)
    book.save(path)


# A test run twice: the file read in memory, and forced out of core (see import_in).
PATHS = pytest.mark.parametrize("streamed", [False, True], ids=["in_memory", "out_of_core"])


def import_in(ext: Path, monkeypatch, streamed: bool, *args: str) -> int:
    """``natality import --out ext *args``, the file read in memory or (``streamed``) forced out of core."""
    from natality.importing import stream

    monkeypatch.setenv(stream.STREAM_ROWS_ENV, "1" if streamed else "100000000")
    return importer.main(["--out", str(ext), *args])


def write_xlsx(path: Path, rows: list[list], merged: dict[str, str] | None = None, first: int = 0, sheet=None) -> None:
    """A one-sheet workbook: the ``merged`` ranges merged with their text, then ``rows`` from row ``first`` (0-based)
    down, from column A (None leaves a cell empty)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for cells, text in (merged or {}).items():
        ws.merge_range(cells, text)
    for r, row in enumerate(rows, start=first):
        ws.write_row(r, 0, row)
    book.close()


def import_with_one_total_wrong(out: Path, path: Path, capsys, header: str, lines, totals, wrong, *args) -> str | None:
    """``lines`` under ``header`` written as a GB18030 CSV at ``path`` and imported into ``out`` with ``args`` (the
    file's flag first); ``totals`` index its total rows. With ``wrong`` = (pick, k) and some total, the picked total's
    third cell is made k too large: the import must refuse the file naming that row and cell, and no other (then None
    is returned). Otherwise it must take the file, and what it said is returned."""
    named = None
    if wrong is not None and totals:
        named = totals[wrong[0] % len(totals)]
        lines[named][2] = str(int(lines[named][2]) + wrong[1])
    path.write_bytes((header + "\n" + "".join(",".join(line) + "\n" for line in lines)).encode("gb18030"))
    code = importer.main(["--out", str(out), args[0], str(path), "--lang", "en", *args[1:]])
    err = capsys.readouterr().err
    if named is None:
        assert code == 0, err
        return err
    column = header.split(",")[2]
    assert code == 2, err
    assert f'row {named + 2}, column "{column}": the total says {lines[named][2]}' in err
    assert err.count("the total says") == 1, err
    return None


def refused_unchanged(ext: Path, capsys, run) -> str:
    """``run()``, an import into ``ext``, must refuse (exit 2) and leave the live version as it was; returns what it
    said on stderr."""
    before = tree_digest(ext)
    assert run() == 2
    err = capsys.readouterr().err
    assert tree_digest(ext) == before
    return err
