"""Issue 23 point 3: workbooks of one sheet a month, a summary sheet checked against them, notes
sheets skipped. Each workbook is written in ``tmp_path`` with xlsxwriter (merged title and
header cells, several sheets) and imported into a copy of the tiny three-township extract."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from natality.importing import importer
from natality.importing.problems import ImportFailed
from natality.importing.readers import read_raw
from natality.importing.workbook import name_month, title_month
from tests.import_fixtures import CODES, tree_digest

C0, C1, C2 = CODES
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "births").iter_rows()]


def _month_sheet(book, name: str, title: str, rows: list[list]) -> None:
    """A report as printed: a merged title, a unit row, 乡镇 merged down over two header rows,
    出生人数 merged over 男 and 女, rows by township name, a 合计 row."""
    ws = book.add_worksheet(name)
    ws.merge_range(0, 0, 0, 2, title)
    ws.write_row(1, 0, ["单位：人"])
    ws.merge_range(2, 0, 3, 0, "乡镇")
    ws.merge_range(2, 1, 2, 2, "出生人数")
    ws.write_row(3, 1, ["男", "女"])
    for i, row in enumerate(rows):
        ws.write_row(4 + i, 0, row)


def _summary_sheet(book, name: str, rows: list[list]) -> None:
    ws = book.add_worksheet(name)
    ws.merge_range(0, 0, 0, 2, "2024年1-2月各乡镇出生人口汇总表")
    ws.write_row(1, 0, ["乡镇名称", "男", "女"])
    for i, row in enumerate(rows):
        ws.write_row(2 + i, 0, row)


JAN_ROWS = [["城关镇", 3, 2], ["王店乡", 1, 2], ["合计", 4, 4]]
FEB_ROWS = [["城关镇", 2, 2], ["王店乡", 1, 1], ["合计", 3, 3]]
SUMMARY = [["城关镇", 5, 4], ["王店乡", 2, 3], ["合计", 7, 7]]


def _book(
    path,
    names=("1月", "2月"),
    titles=("2024年1月各乡镇出生人口统计表", "2024年2月各乡镇出生人口统计表"),
    summary=SUMMARY,
    summary_name="汇总",
) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "本表由各乡镇卫生院每月填报，汇总表为1-2月合计。")
    if summary is not None:
        _summary_sheet(book, summary_name, summary)
    _month_sheet(book, names[0], titles[0], JAN_ROWS)
    _month_sheet(book, names[1], titles[1], FEB_ROWS)
    book.close()


EXPECTED = [
    (C0, JAN, "F", 2), (C0, JAN, "M", 3), (C0, FEB, "F", 2), (C0, FEB, "M", 2),
    (C1, JAN, "F", 2), (C1, JAN, "M", 1), (C1, FEB, "F", 1), (C1, FEB, "M", 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("names", "titles"),
    [
        (("1月", "2月"), ("2024年1月各乡镇出生人口统计表", "2024年2月各乡镇出生人口统计表")),
        (("一月", "二月"), ("2024年各乡镇出生人口统计表", "2024年各乡镇出生人口统计表")),
        (("2024年1月", "2024年2月"), ("各乡镇出生人口统计表", "各乡镇出生人口统计表")),
        (("2024.01", "2024.02"), ("出生人口统计表", "出生人口统计表")),
        (("Sheet2", "Sheet3"), ("2024年1月各乡镇出生人口统计表", "2024年2月各乡镇出生人口统计表")),
    ],
)
def test_one_sheet_a_month_with_a_summary(ext, tmp_path, names, titles, capsys):
    path = tmp_path / "report.xlsx"
    _book(path, names, titles)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    # January 3+2 and 1+2, February 2+2 and 1+1; the 合计 rows and the 汇总 sheet not counted again.
    assert _births(ext) == EXPECTED
    err = capsys.readouterr().err
    assert f'sheet "{names[0]}": 2024-01, 3 row(s)' in err
    assert f'sheet "{names[1]}": 2024-02, 3 row(s)' in err
    # 3 rows x 2 numbers of the summary checked against the two month sheets
    assert 'sheet "汇总": summary, 6 number(s) agree with the sum of the 2 month sheets; not counted again' in err
    assert 'sheet "说明": no table (notes, a cover page): skipped' in err
    # The 合计 row of each month sheet is on its 7th row (title, unit, two header rows, 3 rows).
    assert f"skipped 2 total/subtotal row(s) (rows {names[0]} 7, {names[1]} 7)" in err


def test_each_month_sheet_may_end_with_a_signature_footer(ext, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    book = xlsxwriter.Workbook(str(path))
    footer = [["填表人：张三", None, "审核人：李四"], ["填报日期：2024年3月5日"]]
    _month_sheet(book, "1月", "2024年1月出生人口统计表", [*JAN_ROWS, *footer])
    _month_sheet(book, "2月", "2024年2月出生人口统计表", [*FEB_ROWS, *footer])
    book.close()
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    assert _births(ext) == EXPECTED
    # Title, unit, two header rows, three rows: the footer is on rows 8 and 9 of each sheet.
    err = capsys.readouterr().err
    assert 'sheet "1月": notes under the table (signatures, dates) skipped (rows 8, 9)' in err
    assert 'sheet "2月": notes under the table (signatures, dates) skipped (rows 8, 9)' in err


def test_a_sheet_whose_numbers_are_the_months_sum_is_a_summary(ext, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    _book(path, summary_name="Sheet1")
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "zh"]) == 0
    assert _births(ext) == EXPECTED
    assert "工作表“Sheet1”：没有月份，但 6 个数都等于 2 个月份表之和，视为汇总表，未重复计入" in capsys.readouterr().err


def test_a_summary_that_disagrees_is_refused_naming_sheet_row_and_both_numbers(ext, tmp_path, capsys):
    before = tree_digest(ext)
    path = tmp_path / "report.xlsx"
    wrong = [["城关镇", 5, 4], ["王店乡", 2, 4], ["合计", 7, 7]]  # 王店乡's girls: 2 + 1 = 3, not 4
    _book(path, summary=wrong)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    # Title on row 1, header on row 2: 王店乡 is row 4 of the sheet.
    assert (
        'report.xlsx › 汇总, row 4, column "女": the summary sheet says 4 but the 2 month sheets add up to 3 '
        "(a difference of 1)"
    ) in err
    assert tree_digest(ext) == before


def test_a_bad_cell_on_a_month_sheet_is_named_by_its_sheet_and_row(ext, tmp_path, capsys):
    before = tree_digest(ext)
    path = tmp_path / "report.xlsx"
    book = xlsxwriter.Workbook(str(path))
    _month_sheet(book, "1月", "2024年1月出生人口统计表", JAN_ROWS)
    _month_sheet(book, "2月", "2024年2月出生人口统计表", [["城关镇", 2, 2], ["王店乡", "一", 1]])
    book.close()
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    # 王店乡 is on the 6th row of sheet 2月 (title, unit, two header rows, 城关镇), its boys under 男.
    assert 'report.xlsx › 2月, row 6, column "男": found "一"' in capsys.readouterr().err
    assert tree_digest(ext) == before


def test_a_sheet_with_its_own_month_column_is_skipped_not_counted(ext, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    _book(path, summary=None)
    book = load_workbook(path)
    ws = book.create_sheet("全年明细")
    for row in (["乡镇", "月份", "男", "女"], ["城关镇", "2024-01", 3, 2], ["城关镇", "2024-02", 2, 2]):
        ws.append(row)
    book.save(path)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    assert _births(ext) == EXPECTED  # from the month sheets only
    assert 'sheet "全年明细": has months of its own (a month column or a column per month)' in capsys.readouterr().err


def test_one_sheet_titled_with_its_month(ext, tmp_path):
    path = tmp_path / "report.xlsx"
    book = xlsxwriter.Workbook(str(path))
    _month_sheet(book, "Sheet1", "2024年2月各乡镇出生人口统计表", FEB_ROWS)
    book.close()
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0
    assert _births(ext) == [row for row in EXPECTED if row[1] == FEB]


def test_a_month_sheet_without_a_year_is_refused(ext, tmp_path, capsys):
    path = tmp_path / "report.xlsx"
    _book(path, titles=("各乡镇出生人口统计表", "2024年2月各乡镇出生人口统计表"), summary=None)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    assert 'report.xlsx › 1月: sheet "1月" names a month but no year' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("1月", (None, 1)),
        ("12月份", (None, 12)),
        ("十一月", (None, 11)),
        ("腊月", (None, 12)),
        ("2024年3月", (2024, 3)),
        ("2024.01", (2024, 1)),
        ("2024-1", (2024, 1)),
        ("202405", (2024, 5)),
        ("13月", (None, None)),
        ("汇总", (None, None)),
        ("Sheet1", (None, None)),
        ("2024", (None, None)),
    ],
)
def test_sheet_names_that_give_a_month(name, found):
    assert name_month(name) == found


@pytest.mark.parametrize(
    ("rows", "found"),
    [
        ([["2024年3月各乡镇出生统计表"] * 3], (2024, 3)),
        ([["2024年1-6月出生统计表", "", ""]], (2024, None)),
        ([["2024年1月-6月出生统计表"]], (2024, None)),
        ([["乡镇", "2024年3月", "2024年4月"]], (None, None)),
        ([["单位：人"], ["2023年12月出生统计"]], (2023, 12)),
    ],
)
def test_title_rows_that_give_a_month(rows, found):
    assert title_month(rows) == found


@settings(max_examples=30, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=4),
    summary_at=st.one_of(st.none(), st.integers(0, 5)),
    notes_at=st.one_of(st.none(), st.integers(0, 5)),
    typo=st.booleans(),
)
def test_month_sheets_in_any_order_read_and_checked(tmp_path_factory, counts, summary_at, notes_at, typo):
    """Months 1..n of 2024 (城关镇's boys and 王店乡's boys each), a summary sheet and a notes sheet
    anywhere among them: the rows carry their sheet's month; a summary typo is refused."""
    path = tmp_path_factory.mktemp("wb") / "r.xlsx"
    sheets = [(f"{m}月", [["乡镇", "男"], ["城关镇", a], ["王店乡", b]]) for m, (a, b) in enumerate(counts, 1)]
    total_a, total_b = sum(a for a, _ in counts), sum(b for _, b in counts)
    wrong = typo and summary_at is not None
    if summary_at is not None:
        summary = [["乡镇", "男"], ["城关镇", total_a + wrong], ["王店乡", total_b]]
        sheets.insert(min(summary_at, len(sheets)), ("汇总", summary))
    if notes_at is not None:
        sheets.insert(min(notes_at, len(sheets)), ("说明", [["各乡镇每月填报"]]))
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, ["2024年出生人口统计表"])
        for i, row in enumerate(rows):
            ws.write_row(1 + i, 0, row)
    book.close()
    if wrong:
        with pytest.raises(ImportFailed) as failed:
            read_raw(path, "births")
        # The header on row 2, 城关镇 on row 3 of the summary sheet.
        assert failed.value.render("en") == (
            f'r.xlsx › 汇总, row 3, column "男": the summary sheet says {total_a + 1} but the {len(counts)} month '
            f"sheets add up to {total_a} (a difference of 1); check which number was typed wrong"
        )
        return
    raw = read_raw(path, "births")
    got = sorted(raw.frame.select("乡镇", "男", "月份").rows(), key=lambda r: (r[2], r[0]))
    assert got == [
        (town, str(n), f"2024-{m:02d}")
        for m, (a, b) in enumerate(counts, 1)
        for town, n in (("城关镇", a), ("王店乡", b))
    ]
    assert [note.key for note in raw.sheets] == [
        "summary" if name == "汇总" else "skipped_no_table" if name == "说明" else "month" for name, _ in sheets
    ]
