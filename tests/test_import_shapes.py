"""File shapes of issue 13: old .xls workbooks, two-row headers, wide tables, repeated count rows.

Each fixture is written in ``tmp_path`` and imported into a copy of the tiny three-township
extract (tests/import_fixtures.py); the expected rows are worked out by hand beside each test.
"""

from __future__ import annotations

from datetime import date

import openpyxl
import polars as pl
import pytest
import xlwt

from natality.importing import importer
from natality.importing.problems import ImportFailed
from natality.versions import view as data_view
from tests.apptest_pages import open_data_page
from tests.import_fixtures import CODES, merged_births_book, refused_unchanged, tree_digest

C0, C1, C2 = CODES


def _import(ext, *args: str) -> int:
    return importer.main(["--out", str(ext), "--lang", "en", *args])


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex", "birth_order")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "birth_order", "births").iter_rows()]


def _table(out, name: str, cols: list[str]) -> list[tuple]:
    return [tuple(r) for r in pl.read_parquet(out / f"{name}.parquet").select(cols).sort(cols).iter_rows()]


@pytest.fixture(params=[None, "1"], ids=["in_memory", "out_of_core"])
def stream_rows(request, monkeypatch):
    """A test run twice: files read in memory, and forced out of core (streamed above 1 row)."""
    if request.param:
        monkeypatch.setenv("NATALITY_IMPORT_STREAM_ROWS", request.param)
    return request.param


def test_xls_workbook_with_a_cover_sheet(ext, tmp_path):
    book = xlwt.Workbook()
    book.add_sheet("说明").write(0, 0, "本表由乡镇卫生院填报")
    sheet = book.add_sheet("出生")
    rows = [
        ["乡镇代码", "月份", "性别", "孩次", "出生数"],
        [C0, "2024-03", "男", "1", 5],
        [C0, "2024-03", "女", "1", 4.0],
        [C1, "2024-04", "男", "二孩", 3],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    path = tmp_path / "births.xls"
    book.save(str(path))
    assert _import(ext, "--births", str(path)) == 0
    # The data sheet, not the cover: 5 boys + 4 girls of order 1 in March, 3 second-born boys in April.
    assert _births(ext) == [
        (C0, date(2024, 3, 1), "F", 1, 4), (C0, date(2024, 3, 1), "M", 1, 5),
        (C1, date(2024, 4, 1), "M", 2, 3),
    ]  # fmt: skip


def test_xlsx_two_row_header_with_merged_cells(ext, tmp_path):
    path = tmp_path / "counts.xlsx"
    merged_births_book(path)
    assert _import(ext, "--births", str(path)) == 0
    # "出生人数 / 男" and "/ 女" are the sexes; 王店乡's 0 girls make no row; the 合计 row is skipped.
    assert _births(ext) == [
        (C0, date(2024, 3, 1), "F", None, 5), (C0, date(2024, 3, 1), "M", None, 6),
        (C1, date(2024, 3, 1), "M", None, 2),
    ]  # fmt: skip


@pytest.mark.parametrize("fields", ["男婴数,女婴数", "男,女"])
def test_csv_two_row_header_without_merge_information(ext, tmp_path, fields, stream_rows):
    path = tmp_path / "counts.csv"
    path.write_text(f"乡镇代码,月份,出生人数,\n,,{fields}\n{C2},2024-02,3,1\n{C0},2024年2月,0,2\n", encoding="gb18030")
    assert _import(ext, "--births", str(path)) == 0
    # 出生人数 spans the two count columns; 乡镇代码 and 月份 stand over empty cells (merged down).
    assert _births(ext) == [
        (C0, date(2024, 2, 1), "F", None, 2),
        (C2, date(2024, 2, 1), "F", None, 1), (C2, date(2024, 2, 1), "M", None, 3),
    ]  # fmt: skip


def test_a_bad_cell_of_a_wide_table_is_named_by_its_own_header(ext, tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(f"乡镇代码,性别,2024年1月,2024年2月\n{C0},男,3,x\n{C0},女,-1,0\n", encoding="utf-8")
    assert _import(ext, "--births", str(path)) == 2
    assert capsys.readouterr().err.splitlines()[1:] == [
        'wide.csv, row 2, column "2024年2月": found "x", expected a count (a whole number, 0 or more)',
        'wide.csv, row 3, column "2024年1月": found "-1", a negative number; expected 0 or more',
    ]


def test_births_wide_months_over_sexes_in_a_merged_header(ext, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["乡镇代码", "2024年1月", None, date(2024, 2, 1), None])  # a month header Excel made a date
    ws.append([None, "男", "女", "男", "女"])
    for cells in ("A1:A2", "B1:C1", "D1:E1"):
        ws.merge_cells(cells)
    ws.append([C0, 1, 2, 3, 4])
    ws.append([C1, 0, 5, None, 6])
    path = tmp_path / "wide.xlsx"
    book.save(path)
    assert _import(ext, "--births", str(path)) == 0
    # C0: Jan 1 boy 2 girls, Feb 3 boys 4 girls; C1: Jan 0 boys (no row) 5 girls, Feb (empty) 6 girls.
    assert _births(ext) == [
        (C0, date(2024, 1, 1), "F", None, 2), (C0, date(2024, 1, 1), "M", None, 1),
        (C0, date(2024, 2, 1), "F", None, 4), (C0, date(2024, 2, 1), "M", None, 3),
        (C1, date(2024, 1, 1), "F", None, 5), (C1, date(2024, 2, 1), "F", None, 6),
    ]  # fmt: skip


COLUMNS = {
    "births": ["township_code", "month", "sex", "birth_order", "births"],
    "population": ["township_code", "year", "population"],
    "targets": ["township_code", "year", "indicator", "target"],
    "reported": ["township_code", "year", "indicator", "numerator", "denominator"],
}
# id: (the table, the file, its text (UTF-8), the table's rows sorted by COLUMNS)
WIDE_CSV = {
    # Six cells: 3, 1, 2 kept; 0 and the empty cell make no row; 4 for C2 in February.
    "births_wide_by_month_with_a_sex_column": (
        "births",
        "wide.csv",
        f"乡镇代码,性别,2024年1月,2024年2月\n{C0},男,3,1\n{C0},女,2,0\n{C2},女,,4\n",
        [
            (C0, date(2024, 1, 1), "F", None, 2), (C0, date(2024, 1, 1), "M", None, 3),
            (C0, date(2024, 2, 1), "M", None, 1),
            (C2, date(2024, 2, 1), "F", None, 4),
        ],
    ),
    # 2024: January 2, February 3; 2023: January 7 (the empty February cell is no row).
    "births_wide_by_month_number_beside_a_year_column": (
        "births",
        "wide.csv",
        f"乡镇代码,年份,性别,孩次,1月,2月\n{C1},2024,男,1,2,3\n{C1},2023,男,1,7,\n",
        [(C1, date(2023, 1, 1), "M", 1, 7), (C1, date(2024, 1, 1), "M", 1, 2), (C1, date(2024, 2, 1), "M", 1, 3)],
    ),
    # "年平均人口 / 2023年" is population of 2023; C1 has no 2024 figure (empty cell, no row).
    "population_wide_by_year_under_a_group_header": (
        "population",
        "pop.csv",
        f"乡镇代码,年平均人口,\n,2023年,2024年\n{C0},52000,51000\n{C1},30000,\n",
        [(C0, 2023, 52000), (C0, 2024, 51000), (C1, 2023, 30000)],
    ),
    "targets_wide_by_year": (
        "targets",
        "targets.csv",
        f"乡镇代码,指标,2025年,2026年\n{C0},出生率,7.5,7.2\n{C0},政策符合率,90,\n",
        [(C0, 2025, "birth_rate", 7.5), (C0, 2025, "policy_compliance", 90.0), (C0, 2026, "birth_rate", 7.2)],
    ),
    # One file row, two years: 98/100 in 2019 and 95/100 in 2020.
    "reported_wide_by_year_with_numerator_and_denominator": (
        "reported",
        "reported.csv",
        f"乡镇代码,指标,2019年,,2020年,\n,,分子,分母,分子,分母\n{C0},出生统计准确率,98,100,95,100\n",
        [(C0, 2019, "stats_accuracy", 98.0, 100.0), (C0, 2020, "stats_accuracy", 95.0, 100.0)],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("table", "name", "text", "expected"), WIDE_CSV.values(), ids=WIDE_CSV.keys())
def test_a_wide_csv_file(ext, tmp_path, table, name, text, expected):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert _import(ext, f"--{table}", str(path)) == 0
    assert _table(ext, table, COLUMNS[table]) == expected


REPEATED = f"乡镇代码,月份,性别,孩次,出生数\n{C0},2024-03,男,1,5\n{C1},2024-03,男,1,2\n{C0},2024-03,男,1,4\n"


def test_repeated_rows_of_counts_are_refused(ext, tmp_path, capsys, stream_rows):
    path = tmp_path / "counts.csv"
    path.write_text(REPEATED, encoding="utf-8")
    err = refused_unchanged(ext, capsys, lambda: _import(ext, "--births", str(path)))
    assert err.splitlines()[1:] == [
        f'counts.csv, row 4: found "{C0} / 2024-03-01 / M / 1 / – / –", the same township, month, sex and order '
        "as row 2 (one count given twice); counts are not added up silently: fix the file, or import with "
        "--sum-duplicates if they should be added"
    ]


def test_sum_duplicates_adds_repeated_rows_and_says_so(ext, tmp_path, capsys, stream_rows):
    path = tmp_path / "counts.csv"
    path.write_text(REPEATED, encoding="utf-8")
    assert _import(ext, "--births", str(path), "--sum-duplicates") == 0
    assert _births(ext) == [(C0, date(2024, 3, 1), "M", 1, 9), (C1, date(2024, 3, 1), "M", 1, 2)]  # 5 + 4 = 9
    assert "1 row(s) of counts repeat an earlier row's township, month, sex and order; added up" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("zh", "重复的汇总行（同一乡镇、月份、性别、孩次）相加，而不是拒绝导入"),
        ("en", "Add up repeated rows of counts (same township, month, sex, order) instead of refusing them"),
    ],
)
def test_data_page_offers_sum_duplicates_and_the_upload_honours_it(ext, monkeypatch, lang, label):
    at = open_data_page(ext, monkeypatch, lang)
    box = at.checkbox(key="data_sum_duplicates")
    assert (box.label, box.value) == (label, False)
    upload = {"births": ("counts.csv", REPEATED.encode())}
    ok, message = data_view.run_upload(upload, ext, True, "en", sum_duplicates=False)
    assert not ok and "row 4:" in message and "--sum-duplicates" in message
    ok, message = data_view.run_upload(upload, ext, True, "en", sum_duplicates=True)
    assert ok, message
    assert (C0, date(2024, 3, 1), "M", 1, 9) in _births(ext)  # 5 + 4


def test_repeated_township_in_a_wide_file_names_both_rows(ext, tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(f"乡镇代码,性别,2024年1月,2024年2月\n{C0},男,3,1\n{C1},男,1,1\n{C0},男,2,\n", encoding="utf-8")
    assert _import(ext, "--births", str(path)) == 2
    # Row 4 repeats row 2's January boys (its February cell is empty, so only January clashes).
    assert capsys.readouterr().err.splitlines()[1:] == [
        f'wide.csv, row 4: found "{C0} / 2024-01-01 / M / – / – / –", the same township, month, sex and order '
        "as row 2 (one count given twice); counts are not added up silently: fix the file, or import with "
        "--sum-duplicates if they should be added"
    ]


def test_individual_records_may_repeat(ext, tmp_path):
    """Two children born in one township and month are two rows, not a duplicate."""
    path = tmp_path / "records.csv"
    path.write_text(f"乡镇代码,出生日期,性别\n{C0},2024-03-05,男\n{C0},2024-03-05,男\n", encoding="utf-8")
    assert _import(ext, "--births", str(path)) == 0
    assert _births(ext) == [(C0, date(2024, 3, 1), "M", None, 2)]


def test_a_future_month_in_year_and_month_number_columns_is_refused(ext, tmp_path, stream_rows):
    path = tmp_path / "months.csv"
    # Today is 2024-06-15: June 2024 has begun (accepted); July 2024 is a month ahead (row 3).
    path.write_text(f"乡镇代码,年份,月份,性别,孩次,出生数\n{C0},2024,6,男,1,2\n{C0},2024,7,男,1,3\n", encoding="utf-8")
    before = tree_digest(ext)
    request = importer.ImportRequest(out=ext, births=path, today=date(2024, 6, 15))
    with pytest.raises(ImportFailed) as failed:
        importer.run_import(request)
    assert [(p.key, p.row) for p in failed.value.problems] == [("date_future", 3)]
    message = failed.value.render("en")
    assert 'row 3, column "月份"' in message and "after today (2024-06-15)" in message
    assert tree_digest(ext) == before
    # the same file a month later is accepted: June 2 and July 3 births
    importer.run_import(importer.ImportRequest(out=ext, births=path, today=date(2024, 7, 1)))
    assert _births(ext) == [(C0, date(2024, 6, 1), "M", 1, 2), (C0, date(2024, 7, 1), "M", 1, 3)]
