"""A hostile-name corpus, imported through the real importer as township and region names.

Five townships in two counties of one city. Every name is one a leader must see exactly as
written: Markdown emphasis, links and images, HTML tags (a link, an image with onerror),
plotly's tags, ``$…$`` that Streamlit reads as LaTeX, right-to-left marks, literal autolinks and
a name of exactly the longest length kept (100 characters).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import polars as pl
import shapely

from natality.core.literal import MAX_NAME
from natality.importing import importer

CITY, COUNTY_A, COUNTY_B = "411600", "411621", "411622"
CODES = ["411621100000", "411621101000", "411621102000", "411622100000", "411622101000"]
PHISH = "http://127.0.0.2/phish"
LONG = ("长名<i>斜</i>" + "甲" * MAX_NAME)[:MAX_NAME]
TOWNS = [
    f"城关镇**粗**[点此领取]({PHISH})<img src=x onerror=alert(1)><a href='http://127.0.0.2/p'>链</a>",
    "王店<b>乡</b><br>_斜_ `码` $x^2$ ![图](http://127.0.0.2/i.png)",
    "\u202e东区\u200f ~~删~~ # 标题 | 表 | <sub>下</sub>",
    "www.example.com :red[红] &lt;b&gt; a@b.co <span style='color:red'>红</span>",
    LONG,
]
REGIONS = {
    CITY: ("某市<a href='http://127.0.0.2/c'>市链</a>", "City **bold** [link](http://127.0.0.2/ce)"),
    COUNTY_A: (
        "甲县$y$<b>粗</b>[县链](http://127.0.0.2/a)",
        "Jia <i>County</i> _x_ <a href='http://127.0.0.2/ae'>a</a>",
    ),
    COUNTY_B: ("乙县<img src=x onerror=alert(2)>", "Yi County <br> ![i](http://127.0.0.2/be.png)"),
}
EXTRACT_NAME = "测试<a href='http://127.0.0.2/n'>名</a>**粗**$z$"
# Fragments that only markup made of these names could produce in a page.
FORBIDDEN = ["127.0.0.2", "onerror"]


def boundary_file(path: Path, names: list[str] = TOWNS, codes: list[str] = CODES) -> Path:
    """The townships as GeoJSON written by geopandas (fields TOWNCODE, TOWNNAME)."""
    shapes = [shapely.box(114.0 + 0.1 * i, 33.0, 114.1 + 0.1 * i, 33.1) for i in range(len(codes))]
    gdf = gpd.GeoDataFrame({"TOWNCODE": codes, "TOWNNAME": names}, geometry=shapes, crs="EPSG:4326")
    gdf.to_file(path, driver="GeoJSON")
    return path


def births_rows() -> list[dict]:
    """Individual records 2023-2024: township i has 20 + 4 i boys and 18 + 3 i girls a year."""
    rows = []
    for i, code in enumerate(CODES):
        for year in (2023, 2024):
            for sex, n in (("男", 20 + 4 * i), ("女", 18 + 3 * i)):
                for k in range(n):
                    rows.append(
                        {
                            "乡镇代码": code,
                            "出生日期": f"{year}-{k % 12 + 1:02d}-05",
                            "性别": sex,
                            "孩次": str(k % 3 + 1),
                            "母亲年龄": str(22 + k % 15),
                        }
                    )
    return rows


def build_hostile_extract(root: Path) -> Path:
    """Import boundaries, births (with the names beside the codes), population, targets and
    regions into ``root/ext`` with a hostile ``--name``; return the extract directory."""
    root.mkdir(parents=True, exist_ok=True)
    boundary_file(root / "towns.geojson")
    names = dict(zip(CODES, TOWNS, strict=True))
    pl.DataFrame(births_rows()).with_columns(pl.col("乡镇代码").replace_strict(names).alias("乡镇名称")).write_csv(
        root / "births.csv"
    )
    pl.DataFrame({"乡镇代码": CODES, "乡镇名称": TOWNS, "2023年": [50_000] * 5, "2024年": [49_000] * 5}).write_csv(
        root / "population.csv"
    )
    targets = [{"乡镇代码": c, "年份": y, "出生率": 7.5} for c in CODES for y in (2023, 2024)]
    pl.DataFrame(targets).write_csv(root / "targets.csv")
    regions = [{"region_code": k, "name": zh, "name_en": en} for k, (zh, en) in REGIONS.items()]
    pl.DataFrame(regions).write_csv(root / "regions.csv")
    out = root / "ext"
    args = [
        "--out",
        str(out),
        "--boundaries",
        str(root / "towns.geojson"),
        "--births",
        str(root / "births.csv"),
        "--population",
        str(root / "population.csv"),
        "--targets",
        str(root / "targets.csv"),
        "--regions",
        str(root / "regions.csv"),
        "--name",
        EXTRACT_NAME,
        "--lang",
        "en",
    ]
    assert importer.main(args) == 0
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
