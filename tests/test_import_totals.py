"""Totals that must agree (issue 23 point 1): 合计, 总计 and 小计 rows, and a 合计 column beside
男 and 女, are compared with the sum of what they total; a mismatch refuses the file naming the
row, the column, both numbers and the difference, and changes nothing; a match drops the total
with a one-line note. Every file is written here; the expected rows are worked out by hand and
each test runs in memory and with the file read out of core."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.import_fixtures import (
    CODES,
    PATHS,
    import_in,
    import_with_one_total_wrong,
    merged_births_book,
    refused_unchanged,
    tree_digest,
)

C0, C1, C2 = CODES


def _import(ext, path, monkeypatch, streamed: bool, lang: str = "en") -> int:
    return import_in(ext, monkeypatch, streamed, "--births", str(path), "--lang", lang)


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "births").iter_rows()]


SUBTOTALS = (
    "乡镇代码,乡镇名称,月份,男婴数,女婴数\n"
    f"{C0},城关镇,2024-05,10,9\n"  # row 2
    f"{C1},王店乡,2024年5月,3,0\n"  # row 3
    "小计,,2024-05,13,9\n"  # row 4: rows 2-3
    f"{C2},东区,2024-05,4,6\n"  # row 5
    "小计,,,4,6\n"  # row 6: row 5
    "合计,,2024-05,17,15\n"  # row 7: rows 2, 3, 5
)


@PATHS
def test_subtotals_and_a_total_that_agree_are_dropped_with_a_note(ext, tmp_path, monkeypatch, capsys, streamed):
    path = tmp_path / "report.csv"
    path.write_bytes(SUBTOTALS.encode("gb18030"))
    assert _import(ext, path, monkeypatch, streamed) == 0
    may = date(2024, 5, 1)
    assert _births(ext) == [
        (C0, may, "F", 9), (C0, may, "M", 10),
        (C1, may, "M", 3),
        (C2, may, "F", 6), (C2, may, "M", 4),
    ]  # fmt: skip
    err = capsys.readouterr().err
    assert "skipped 3 total/subtotal row(s) (rows 4, 6, 7); each agrees with the rows it totals" in err


@PATHS
def test_a_subtotal_that_disagrees_is_refused_naming_the_row_and_both_numbers(
    ext, tmp_path, monkeypatch, capsys, streamed
):
    path = tmp_path / "report.csv"
    path.write_bytes(SUBTOTALS.replace("小计,,,4,6", "小计,,,4,7").encode("gb18030"))
    err = refused_unchanged(ext, capsys, lambda: _import(ext, path, monkeypatch, streamed))
    assert (
        'report.csv, row 6, column "女婴数": the total says 7, but the rows it totals add up to 6 (a difference of +1)'
        in err
    )
    # the grand total (15 girls) still agrees with the records (9 + 0 + 6): only row 6 is named
    assert "row 7" not in err


def test_a_total_row_above_its_records_in_a_workbook_with_merged_cells(ext, tmp_path, monkeypatch, capsys):
    path = tmp_path / "report.xlsx"
    merged_births_book(path, 8, total_first=True)
    assert _import(ext, path, monkeypatch, False) == 0
    march = date(2024, 3, 1)
    assert _births(ext) == [(C0, march, "F", 5), (C0, march, "M", 6), (C1, march, "M", 2)]
    assert "skipped 1 total/subtotal row(s) (rows 4); each agrees" in capsys.readouterr().err


def test_a_mismatch_is_named_in_both_languages_and_changes_nothing(ext, tmp_path, monkeypatch, capsys):
    path = tmp_path / "report.xlsx"
    merged_births_book(path, 9, total_first=True)  # 6 + 2 = 8 boys
    before = tree_digest(ext)
    assert _import(ext, path, monkeypatch, False, "en") == 2
    en = capsys.readouterr().err
    assert 'report.xlsx, row 4, column "出生人数' in en and "男" in en.split("row 4, column ")[1].split(":")[0]
    assert "the total says 9, but the rows it totals add up to 8 (a difference of +1)" in en
    assert _import(ext, path, monkeypatch, False, "zh") == 2
    zh = capsys.readouterr().err
    assert "第 4 行" in zh and "合计为 9，但其所合计的各行之和为 8（相差 +1）" in zh
    assert tree_digest(ext) == before


WIDE = (
    "乡镇代码,性别,2024年1月,2024年2月\n"
    f"{C0},男,3,1\n"  # row 2
    f"{C2},男,2,\n"  # row 3
    "合计,男,5,1\n"  # row 4: the boys of rows 2-3
    f"{C0},女,2,0\n"  # row 5
    "合计,女,2,0\n"  # row 6: the girls of row 5
)


@PATHS
def test_a_wide_file_is_melted_and_its_totals_checked_cell_by_cell(ext, tmp_path, monkeypatch, capsys, streamed):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE, encoding="utf-8")
    assert _import(ext, path, monkeypatch, streamed) == 0
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    assert _births(ext) == [(C0, jan, "F", 2), (C0, jan, "M", 3), (C0, feb, "M", 1), (C2, jan, "M", 2)]
    assert "(rows 4, 6); each agrees" in capsys.readouterr().err
    path.write_text(WIDE.replace("合计,男,5,1", "合计,男,5,3"), encoding="utf-8")
    err = refused_unchanged(ext, capsys, lambda: _import(ext, path, monkeypatch, streamed))
    assert (
        'wide.csv, row 4, column "2024年2月": the total says 3, but the rows it totals add up to 1 (a difference of +2)'
        in err
    )


@PATHS
def test_a_total_column_beside_boys_and_girls(ext, tmp_path, monkeypatch, capsys, streamed):
    path = tmp_path / "cols.csv"
    path.write_text(f"乡镇代码,月份,男,女,合计\n{C0},2024-03,5,4,9\n{C1},2024-03,2,1,4\n", encoding="gb18030")
    assert _import(ext, path, monkeypatch, streamed) == 2
    err = capsys.readouterr().err
    assert (
        'cols.csv, row 3, column "合计": the total says 4, but the rows it totals add up to 3 (a difference of +1)'
        in err
    )
    path.write_text(f"乡镇代码,月份,男,女,合计\n{C0},2024-03,5,4,9\n{C1},2024-03,2,1,3\n", encoding="gb18030")
    assert _import(ext, path, monkeypatch, streamed) == 0
    march = date(2024, 3, 1)
    assert _births(ext) == [(C0, march, "F", 4), (C0, march, "M", 5), (C1, march, "F", 1), (C1, march, "M", 2)]


group = st.lists(st.tuples(st.sampled_from(CODES), st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    groups=st.lists(group, min_size=1, max_size=4),
    subtotals=st.booleans(),
    grand=st.sampled_from(["none", "top", "bottom"]),
    wrong=st.one_of(st.none(), st.tuples(st.integers(0, 20), st.integers(1, 5))),
)
def test_totals_wherever_they_fall(shared_ext, tmp_path_factory, capsys, groups, subtotals, grand, wrong):
    """Records in groups, with or without a 小计 under each group, a 合计 above, below or nowhere:
    correct totals import to the records' sums; one total made wrong by ``k`` is refused naming
    its row and no other."""
    lines: list[list[str]] = []
    totals: list[int] = []  # indexes into lines of the total rows
    boys = sum(b for rows in groups for _, b, _ in rows)
    girls = sum(g for rows in groups for _, _, g in rows)
    if grand == "top":
        totals.append(len(lines))
        lines.append(["合计", "2024-05", str(boys), str(girls)])
    for rows in groups:
        lines += [[code, "2024-05", str(b), str(g)] for code, b, g in rows]
        if subtotals:
            totals.append(len(lines))
            lines.append(["小计", "", str(sum(r[1] for r in rows)), str(sum(r[2] for r in rows))])
    if grand == "bottom":
        totals.append(len(lines))
        lines.append(["合计", "", str(boys), str(girls)])
    # the same township may come twice: --sum-duplicates adds its rows up (a report by village, say)
    path = tmp_path_factory.mktemp("in") / "report.csv"
    args = ("--births", "--sum-duplicates")
    err = import_with_one_total_wrong(
        shared_ext, path, capsys, "乡镇代码,月份,男婴数,女婴数", lines, totals, wrong, *args
    )
    if err is None:
        return
    frame = pl.read_parquet(shared_ext / "births.parquet").filter(pl.col("month") == date(2024, 5, 1))
    assert frame.filter(sex="M")["births"].sum() == boys and frame.filter(sex="F")["births"].sum() == girls
    assert ("each agrees with the rows it totals" in err) == bool(totals)
