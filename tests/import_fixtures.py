"""A tiny real extract for importer tests: three square townships and a handful of births.

Built once per session by the importer itself (boundary GeoJSON + births CSV) and copied for
each test, so a test can import into it and compare files byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

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
