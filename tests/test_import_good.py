"""Good files in every encoding, layout and header language import to the same exact counts."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest

from natality.importing import importer
from tests.import_fixtures import CODES, copy_extract

HEAD_ZH = ["序号", "姓名", "身份证号", "乡镇代码", "出生日期", "性别", "孩次", "母亲年龄", "联系电话", "家庭住址"]
HEAD_EN = [
    "No",
    "Name",
    "ID Number",
    "Township Code",
    "Date of Birth",
    "Sex",
    "Birth Order",
    "Mother Age",
    "Phone",
    "Address",
]
ROWS = [
    ["1", "张三", "411621199001011234", CODES[0], "2024-03-05", "男", "1", "28", "13812345678", "城关镇东街1号"],
    ["2", "李四", "41162119900101123X", CODES[0], "2024/3/7", "女", "二孩", "31", "13812345679", "城关镇西街2号"],
    ["3", "王五", "411621199001011236", CODES[1], "2024年4月1日", "1", "三孩及以上", "36", "13812345670", "王店村"],
    ["4", "赵六", "411621199001011237", CODES[1], "2024-04-09", "2", "3+", "22", "13812345671", "王店村"],
]
# What the four rows above must become (township, month, sex, order, band): one birth each.
EXPECTED = [
    (CODES[0], date(2024, 3, 1), "F", 2, "30-34", 1),
    (CODES[0], date(2024, 3, 1), "M", 1, "25-29", 1),
    (CODES[1], date(2024, 4, 1), "F", 3, "20-24", 1),
    (CODES[1], date(2024, 4, 1), "M", 3, "35-39", 1),
]
PERSONAL_ZH = ["姓名", "身份证号", "联系电话", "家庭住址"]


def _csv(head, rows, sep=",", newline="\n") -> str:
    return newline.join(sep.join(r) for r in [head, *rows]) + newline


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    cols = ["township_code", "month", "sex", "birth_order", "mother_age_band", "births"]
    return [tuple(r) for r in frame.select(cols).iter_rows()]


def _import(ext, births, *extra) -> int:
    return importer.main(["--out", str(ext), "--births", str(births), "--lang", "en", *extra])


@pytest.mark.parametrize(
    ("encoding", "head", "sep", "newline"),
    [
        ("gb18030", HEAD_ZH, ",", "\r\n"),
        ("gbk", HEAD_ZH, ",", "\n"),
        ("utf-8", HEAD_ZH, ",", "\n"),
        ("utf-8-sig", HEAD_ZH, ",", "\r\n"),
        ("utf-16", HEAD_ZH, "\t", "\r\n"),
        ("utf-8", HEAD_EN, ";", "\n"),
        ("utf-8-sig", HEAD_EN, "\t", "\r"),
        ("gb18030", HEAD_EN, ",", "\n"),
    ],
)
def test_csv_encodings_and_header_languages(ext, tmp_path, encoding, head, sep, newline):
    path = tmp_path / "births.csv"
    path.write_bytes(_csv(head, ROWS, sep, newline).encode(encoding))
    assert _import(ext, path) == 0
    assert _births(ext) == EXPECTED
    manifest = json.loads((ext / "manifest.json").read_text(encoding="utf-8"))
    assert [p["column"] for p in manifest["dropped_personal_columns"]] == head[1:3] + head[8:10]
    assert manifest["cutoff_month"] == "2024-04"
    assert manifest["row_counts"]["births"] == 4


def test_gb18030_with_names_and_ids_leaves_no_personal_data_on_disk(ext, tmp_path, capsys):
    """The issue's acceptance test: nothing personal in any file of the new version."""
    path = tmp_path / "出生登记.csv"
    path.write_bytes(("2024年出生登记表\n" + _csv(HEAD_ZH, ROWS, newline="\r\n")).encode("gb18030"))
    assert _import(ext, path) == 0
    for file in ext.resolve().iterdir():
        data = file.read_bytes()
        for row in ROWS:
            for secret in (row[1], row[2], row[8], row[9]):
                assert secret.encode("utf-8") not in data, (file.name, secret)
                assert secret.encode("gb18030") not in data, (file.name, secret)
    schema = pl.read_parquet_schema(ext / "births.parquet")
    assert list(schema) == [
        "township_code",
        "month",
        "sex",
        "birth_order",
        "mother_age_band",
        "policy_compliant",
        "births",
    ]
    err = capsys.readouterr().err
    assert "Personal-data columns dropped (not stored): 姓名, 身份证号, 联系电话, 家庭住址" in err


def test_excel_with_title_row_date_cells_and_serials(ext, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年出生登记（内部资料）"])
    ws.append([*HEAD_ZH, None, None])  # trailing empty columns
    for row in ROWS:
        cells = list(row)
        cells[4] = {0: datetime(2024, 3, 5), 1: 45358, 2: "2024年4月1日", 3: date(2024, 4, 9)}[ROWS.index(row)]
        cells[7] = int(row[7])
        ws.append(cells)
    path = tmp_path / "births.xlsx"
    book.save(path)
    assert _import(ext, path) == 0
    assert _births(ext) == EXPECTED


def test_parquet_with_typed_columns(ext, tmp_path):
    frame = pl.DataFrame(
        {
            "乡镇代码": [r[3] for r in ROWS],
            "出生日期": [date(2024, 3, 5), date(2024, 3, 7), date(2024, 4, 1), date(2024, 4, 9)],
            "性别": ["M", "F", "M", "F"],
            "孩次": [1, 2, 3, 4],
            "母亲年龄": [28.0, 31.0, 36.0, 22.0],
        }
    )
    path = tmp_path / "births.parquet"
    frame.write_parquet(path)
    assert _import(ext, path) == 0
    assert _births(ext) == EXPECTED


def test_aggregated_counts_by_month_with_total_row(ext, tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text(
        "乡镇代码,乡镇名称,月份,男婴数,女婴数\n"
        f"{CODES[0]},城关镇,2024-05,10,9\n{CODES[1]},王店乡,2024年5月,3,0\n合计,,2024-05,13,9\n",
        encoding="utf-8",
    )
    assert _import(ext, path) == 0
    assert _births(ext) == [
        (CODES[0], date(2024, 5, 1), "F", None, None, 9), (CODES[0], date(2024, 5, 1), "M", None, None, 10),
        (CODES[1], date(2024, 5, 1), "M", None, None, 3),
    ]  # fmt: skip
    assert "skipped 1 total/subtotal row(s) (rows 4)" in capsys.readouterr().err


def test_aggregated_long_counts_with_year_and_month_number(ext, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "township_code,year,month,sex,birth_order,births\n"
        f"{CODES[2]},2023,12,F,1,4\n{CODES[2]},2023,12,F,1,2\n{CODES[2]},2024,1,M,3+,1\n",
        encoding="utf-8",
    )
    # Rows 2 and 3 repeat one count: added up only when asked (refused otherwise: test_import_shapes).
    assert _import(ext, path, "--sum-duplicates") == 0
    assert _births(ext) == [
        (CODES[2], date(2023, 12, 1), "F", 1, None, 6),
        (CODES[2], date(2024, 1, 1), "M", 3, None, 1),
    ]


def test_months_only_replaces_just_those_months(ext, tmp_path):
    before = _births(ext)
    path = tmp_path / "feb.csv"
    path.write_text(f"乡镇代码,月份,性别,出生数\n{CODES[2]},2024-02,男,7\n", encoding="utf-8")
    assert _import(ext, path, "--months-only") == 0
    jan = [r for r in before if r[1] == date(2024, 1, 1)]
    assert _births(ext) == sorted([*jan, (CODES[2], date(2024, 2, 1), "M", None, None, 7)], key=lambda r: r[:3])


def test_importing_targets_only_keeps_every_other_file_byte_identical(ext, tmp_path):
    live = ext.resolve()
    before = {p.name: p.read_bytes() for p in live.iterdir() if p.name != "manifest.json"}
    path = tmp_path / "targets.csv"
    path.write_text(
        f"乡镇代码,年份,出生率,政策符合率\n411621,2025,7.5,\n{CODES[0]},2025,7.2,93%\n", encoding="utf-8"
    )  # wide: one column per indicator; the county's own 6-digit code is allowed
    assert importer.main(["--out", str(ext), "--targets", str(path)]) == 0
    after = ext.resolve()
    assert after != live
    for name, data in before.items():
        assert (after / name).read_bytes() == data, name
    targets = pl.read_parquet(after / "targets.parquet")
    assert targets.rows() == [
        ("411621", 2025, "birth_rate", 7.5),
        (CODES[0], 2025, "birth_rate", 7.2),
        (CODES[0], 2025, "policy_compliance", 93.0),
    ]


def test_population_wide_by_year_and_reported_long(ext, tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_text(f'乡镇代码,乡镇名称,2023年,2024年\n{CODES[0]},城关镇,"52,000",51800\n', encoding="utf-8")
    rep = tmp_path / "rep.csv"
    rep.write_text(f"乡镇代码,年份,指标,分子,分母\n{CODES[1]},2020,出生统计准确率,97,100\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--population", str(pop), "--reported", str(rep)]) == 0
    assert pl.read_parquet(ext / "population.parquet").rows() == [(CODES[0], 2023, 52000), (CODES[0], 2024, 51800)]
    assert pl.read_parquet(ext / "reported.parquet").rows() == [(CODES[1], 2020, "stats_accuracy", 97.0, 100.0)]


def test_mapping_file_for_an_unusual_export(ext, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        f"所在单位编码,娩出日,婴儿类别\n{CODES[0]},2024-06-01,A\n{CODES[0]},2024-06-02,B\n", encoding="utf-8"
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "births:\n  columns: {所在单位编码: township_code, 娩出日: birth_date, 婴儿类别: sex}\n"
        "  values: {sex: {A: 男, B: 女}}\n",
        encoding="utf-8",
    )
    assert _import(ext, path, "--mapping", str(mapping)) == 0
    assert [(r[2], r[5]) for r in _births(ext)] == [("F", 1), ("M", 1)]


def test_new_extract_from_births_alone_and_then_boundaries(tmp_path):
    births = tmp_path / "b.csv"
    births.write_text(f"乡镇代码,乡镇名称,出生日期,性别\n{CODES[0]},城关镇,2024-01-02,女\n", encoding="utf-8")
    out = tmp_path / "new"
    assert importer.main(["--out", str(out), "--births", str(births), "--name", "新县"]) == 0
    towns = pl.read_parquet(out / "townships.parquet", columns=["township_code", "name", "parent_code"])
    assert towns.rows() == [(CODES[0], "城关镇", "411621")]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["region_name"], manifest["region_code"], manifest["synthetic"]) == ("新县", "411621", False)


def test_boundaries_with_births_warn_about_one_sided_codes(tmp_path, capsys):
    from tests.import_fixtures import boundary_geojson

    geo = tmp_path / "b.geojson"
    geo.write_text(json.dumps(boundary_geojson(CODES[:2], ["东区", "东区"], ["甲市", "乙市"])), encoding="utf-8")
    births = tmp_path / "b.csv"
    births.write_text(f"乡镇代码,出生日期,性别\n{CODES[0]},2024-01-02,女\n{CODES[2]},2024-01-03,男\n", encoding="utf-8")
    out = tmp_path / "ext"
    assert importer.main(["--out", str(out), "--births", str(births), "--boundaries", str(geo), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "1 township code(s) have births but no shape in the boundary file" in err and CODES[2] in err
    assert f"1 township(s) in the boundary file have no births: {CODES[1]}" in err
    towns = pl.read_parquet(out / "townships.parquet", columns=["township_code", "name", "parent_name"])
    # the code without a shape stays a township (no geometry), so its births count in every table
    assert towns.rows() == [(CODES[0], "东区", "甲市"), (CODES[1], "东区", "乙市"), (CODES[2], CODES[2], None)]
    assert pl.read_parquet(out / "births.parquet")["township_code"].to_list() == [CODES[0], CODES[2]]


def test_mother_birth_date_gives_the_age_band_and_policy_is_kept_to_2020(ext, tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(
        "乡镇代码,出生日期,性别,母亲出生日期,是否政策内\n"
        f"{CODES[0]},2020-06-15,男,1990-06-16,是\n"  # 29 the day before her 30th birthday
        f"{CODES[0]},2021-06-15,男,1990-06-15,否\n",  # 31; compliance is not recorded after 2020
        encoding="utf-8",
    )
    assert _import(ext, path) == 0
    frame = pl.read_parquet(ext / "births.parquet").sort("month")
    assert frame.select("mother_age_band", "policy_compliant").rows() == [("25-29", True), ("30-34", None)]
    manifest = json.loads((ext / "manifest.json").read_text(encoding="utf-8"))
    assert [p["column"] for p in manifest["dropped_personal_columns"]] == ["母亲出生日期"]


def test_importing_into_the_demo_extract(demo_data, tmp_path):
    ext = copy_extract(demo_data, tmp_path / "data")
    live = ext.resolve()
    code = pl.read_parquet(live / "townships.parquet", columns=["township_code"])["township_code"][0]
    path = tmp_path / "targets_2027.csv"
    path.write_text(f"township_code,year,indicator,target\n{code},2027,births,900\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--targets", str(path)]) == 0
    new = ext.resolve()
    for name in ("townships.parquet", "births.parquet", "population.parquet", "reported.parquet"):
        assert (new / name).read_bytes() == (live / name).read_bytes(), name
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["demo_hotspots"]  # still the demo: only targets changed
    targets = pl.read_parquet(new / "targets.parquet")
    old = pl.read_parquet(live / "targets.parquet")
    keys = ["township_code", "year", "indicator"]
    assert targets.filter(pl.col("year") < 2027).sort(keys).equals(old.sort(keys))  # earlier years kept
    assert targets.filter(pl.col("year") == 2027).rows() == [(code, 2027, "births", 900.0)]


def test_a_population_file_replaces_only_its_years(ext, tmp_path):
    first = tmp_path / "pop.csv"
    first.write_text(f"乡镇代码,年份,人口数\n{CODES[0]},2023,52000\n{CODES[0]},2024,51800\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--population", str(first)]) == 0
    second = tmp_path / "pop2024.csv"
    second.write_text(f"乡镇代码,年份,人口数\n{CODES[1]},2024,30100\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--population", str(second)]) == 0
    assert pl.read_parquet(ext / "population.parquet").rows() == [(CODES[0], 2023, 52000), (CODES[1], 2024, 30100)]
