"""Totals in every table, on the one engine (issue 22 point 1, issue 23 point 1): 合计 / 小计 rows of
population, reported and targets files, and total COLUMNS of wide files (a 全年 column beside 12
months, a 1月 / 合计 column beside 1月 / 男 and 1月 / 女), are compared with what they total; a
mismatch refuses the file naming the row, the column, both numbers and the difference, and changes
nothing; a match is dropped with a one-line note. Every file is written here, its numbers worked
out by hand; each test runs in memory and with the import forced out of core."""

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
    refused_unchanged,
    tree_digest,
    write_xlsx,
)

C0, C1, C2 = CODES


def _import(ext, flag: str, path, monkeypatch, streamed: bool, lang: str = "en") -> int:
    return import_in(ext, monkeypatch, streamed, flag, str(path), "--lang", lang)


def _refused_then_taken(run, write, wrong: int, right: int, note: str = "(rows 5); each agrees") -> str:
    """``run`` = (ext, flag, path, monkeypatch, capsys, streamed). ``write(path, wrong)``: the import refuses it
    (exit 2) and changes nothing; ``write(path, right)``: taken, saying ``note`` (the total dropped). Returns what
    the refusal said."""
    ext, flag, path, monkeypatch, capsys, streamed = run
    write(path, wrong)
    err = refused_unchanged(ext, capsys, lambda: _import(ext, flag, path, monkeypatch, streamed))
    write(path, right)
    assert _import(ext, flag, path, monkeypatch, streamed) == 0
    assert note in capsys.readouterr().err
    return err


# Rows 2, 3 and 5: C0, C1 and C2; row 4: the 小计 of rows 2-3; row 6: the 合计 of rows 2, 3 and 5.
POPULATION = f"""乡镇代码,年份,常住人口
{C0},2023,1000
{C1},2023,2000
小计,2023,3000
{C2},2023,500
合计,2023,3500
"""


@PATHS
def test_population_total_rows_that_agree_are_dropped_with_a_note(ext, tmp_path, monkeypatch, capsys, streamed):
    path = tmp_path / "pop.csv"
    path.write_bytes(POPULATION.encode("gb18030"))
    assert _import(ext, "--population", path, monkeypatch, streamed) == 0
    assert pl.read_parquet(ext / "population.parquet").sort("township_code").rows() == [
        (C0, 2023, 1000),
        (C1, 2023, 2000),
        (C2, 2023, 500),
    ]
    assert "skipped 2 total/subtotal row(s) (rows 4, 6); each agrees with the rows it totals" in capsys.readouterr().err


@PATHS
def test_a_population_total_that_disagrees_is_refused_and_changes_nothing(ext, tmp_path, monkeypatch, capsys, streamed):
    path = tmp_path / "pop.csv"
    path.write_bytes(POPULATION.replace("合计,2023,3500", "合计,2023,3498").encode("gb18030"))
    before = tree_digest(ext)
    assert _import(ext, "--population", path, monkeypatch, streamed, "en") == 2
    err = capsys.readouterr().err
    assert (
        'pop.csv, row 6, column "常住人口": the total says 3498, but the rows it totals add up to 3500 '
        "(a difference of -2)" in err
    )
    assert "row 4" not in err  # the 小计 (1000 + 2000) agrees
    assert _import(ext, "--population", path, monkeypatch, streamed, "zh") == 2
    assert "合计为 3498，但其所合计的各行之和为 3500（相差 -2）" in capsys.readouterr().err
    assert tree_digest(ext) == before


def _wide_population(path, total_2024: int) -> None:
    """A title row merged over the table, one column per year, a 合计 row at the bottom."""
    rows = [["乡镇代码", "2023年", "2024年"], [C0, 900, 910], [C1, 1900, 1890], ["合计", 2800, total_2024]]
    write_xlsx(path, rows, {"A1:C1": "2023-2024年各乡镇常住人口"}, first=1, sheet="人口")


@PATHS
def test_a_wide_population_workbook_checks_its_total_row_year_by_year(ext, tmp_path, monkeypatch, capsys, streamed):
    run = (ext, "--population", tmp_path / "pop.xlsx", monkeypatch, capsys, streamed)
    err = _refused_then_taken(run, _wide_population, 2801, 2800)  # 910 + 1890 = 2800
    assert 'row 5, column "2024年": the total says 2801, but the rows it totals add up to 2800' in err
    assert "(a difference of +1)" in err
    assert '"2023年"' not in err
    assert pl.read_parquet(ext / "population.parquet").sort("township_code", "year").rows() == [
        (C0, 2023, 900),
        (C0, 2024, 910),
        (C1, 2023, 1900),
        (C1, 2024, 1890),
    ]


def _reported(path, denominator_total: int) -> None:
    """分子 and 分母 under each merged year, an indicator column, a 合计 row: both measures are totals."""
    merged = {"A1:A2": "乡镇代码", "B1:B2": "指标", "C1:D1": "2020年", "E1:F1": "2021年"}
    rows = [
        [None, None, "分子", "分母", "分子", "分母"],
        [C0, "统计准确率", 97, 100, 98, 100],
        [C1, "统计准确率", 45, 50, 49, 50],
        ["合计", "统计准确率", 142, denominator_total, 147, 150],
    ]
    write_xlsx(path, rows, merged, first=1)


@PATHS
def test_reported_numerators_and_denominators_are_totals_too(ext, tmp_path, monkeypatch, capsys, streamed):
    run = (ext, "--reported", tmp_path / "rep.xlsx", monkeypatch, capsys, streamed)
    err = _refused_then_taken(run, _reported, 160, 150)  # 100 + 50 = 150
    assert 'rep.xlsx, row 5, column "2020年 / 分母": the total says 160, but the rows it totals add up to 150' in err
    assert "(a difference of +10)" in err and "says 142" not in err and "says 150" not in err  # the rest agree
    assert pl.read_parquet(ext / "reported.parquet").sort("township_code", "year").rows() == [
        (C0, 2020, "stats_accuracy", 97.0, 100.0),
        (C0, 2021, "stats_accuracy", 98.0, 100.0),
        (C1, 2020, "stats_accuracy", 45.0, 50.0),
        (C1, 2021, "stats_accuracy", 49.0, 50.0),
    ]


def _targets(path, births_total: int) -> None:
    text = f"乡镇代码,年份,出生数,出生率\n{C0},2025,300,9.5\n{C1},2025,200,8.1\n合计,2025,{births_total},8.9\n"
    path.write_text(text, encoding="gb18030")


@PATHS
def test_a_births_target_total_is_checked_but_a_rate_target_total_is_not(ext, tmp_path, monkeypatch, capsys, streamed):
    run = (ext, "--targets", tmp_path / "targets.csv", monkeypatch, capsys, streamed)
    err = _refused_then_taken(run, _targets, 501, 500, "skipped 1 total/subtotal row(s) (rows 4)")
    assert 'targets.csv, row 4, column "出生数": the total says 501, but the rows it totals add up to 500' in err
    assert "出生率" not in err  # 8.9 is the county's own rate, no sum of 9.5 and 8.1
    rows = pl.read_parquet(ext / "targets.parquet").filter(pl.col("year") == 2025).sort("township_code", "indicator")
    assert rows.rows() == [
        (C0, 2025, "birth_rate", 9.5),
        (C0, 2025, "births", 300.0),
        (C1, 2025, "birth_rate", 8.1),
        (C1, 2025, "births", 200.0),
    ]


MONTHS = ",".join(f"{m}月" for m in range(1, 13))


def _year_of_months(path, c0_total: int) -> None:
    """Births by township and sex, one column per month and a 全年 column: C0's boys, 1 a month."""
    text = (
        f"乡镇代码,年份,性别,{MONTHS},全年\n"
        f"{C0},2024,男,{','.join(['1'] * 12)},{c0_total}\n"  # row 2: 12
        f"{C1},2024,女,2,,,,,,,,,,,3,5\n"  # row 3: 2 + 3 = 5
    )
    path.write_bytes(text.encode("gb18030"))


@PATHS
def test_a_full_year_column_beside_twelve_months(ext, tmp_path, monkeypatch, capsys, streamed):
    run = (ext, "--births", tmp_path / "year.csv", monkeypatch, capsys, streamed)
    note = "1 total column(s) (全年) agree in every row with the columns they total"
    err = _refused_then_taken(run, _year_of_months, 13, 12, note)
    assert 'year.csv, row 2, column "全年": the total says 13, but the rows it totals add up to 12' in err
    assert "(a difference of +1)" in err and "row 3" not in err
    births = pl.read_parquet(ext / "births.parquet").filter(pl.col("month").dt.year() == 2024)
    totals = births.group_by("township_code", "sex").agg(pl.col("births").sum()).sort("township_code").rows()
    assert totals == [(C0, "M", 12), (C1, "F", 5)]  # 全年 not counted again
    assert births.filter(pl.col("township_code") == C1)["month"].sort().to_list() == [
        date(2024, 1, 1),
        date(2024, 12, 1),
    ]


def _month_by_sex(path, jan_total: int) -> None:
    """Two-row header: each month merged over 男, 女 and 合计."""
    rows = [
        [None, "男", "女", "合计", "男", "女", "合计"],
        [C0, 3, 4, jan_total, 1, 0, 1],  # row 3
        [C2, 0, 2, 2, 5, 5, 10],  # row 4
    ]
    write_xlsx(path, rows, {"A1:A2": "乡镇代码", "B1:D1": "2024年1月", "E1:G1": "2024年2月"}, first=1)


@PATHS
def test_a_month_total_column_beside_its_boys_and_girls(ext, tmp_path, monkeypatch, capsys, streamed):
    run = (ext, "--births", tmp_path / "months.xlsx", monkeypatch, capsys, streamed)
    note = "2 total column(s) (2024年1月 / 合计、2024年2月 / 合计) agree"
    err = _refused_then_taken(run, _month_by_sex, 8, 7, note)  # 3 + 4 = 7
    assert 'months.xlsx, row 3, column "2024年1月 / 合计": the total says 8, but the rows it totals add up to 7' in err
    assert "2024年2月 / 合计" not in err
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    births = pl.read_parquet(ext / "births.parquet").filter(pl.col("month").dt.year() == 2024)
    rows = births.group_by("township_code", "month", "sex").agg(pl.col("births").sum()).sort(pl.all()).rows()
    assert rows == [
        (C0, jan, "F", 4), (C0, jan, "M", 3), (C0, feb, "M", 1),
        (C2, jan, "F", 2), (C2, feb, "F", 5), (C2, feb, "M", 5),
    ]  # fmt: skip


records = st.lists(
    st.tuples(st.sampled_from(CODES), st.integers(2019, 2024), st.integers(0, 5000)),
    min_size=1,
    max_size=8,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=records,
    cuts=st.lists(st.booleans(), min_size=8, max_size=8),
    grand=st.sampled_from(["none", "top", "bottom"]),
    wrong=st.one_of(st.none(), st.tuples(st.integers(0, 20), st.integers(1, 50))),
)
def test_population_totals_wherever_they_fall(shared_ext, tmp_path_factory, capsys, rows, cuts, grand, wrong):
    """Population rows with a 小计 after some of them and a 合计 (no year: every year) above, below
    or nowhere: correct totals import the rows alone; one total made wrong by ``k`` is refused
    naming its row and no other."""
    lines: list[list[str]] = []
    totals: list[int] = []
    if grand == "top":
        totals.append(len(lines))
        lines.append(["合计", "", str(sum(r[2] for r in rows))])
    group = 0
    for k, (code, year, people) in enumerate(rows):
        lines.append([code, str(year), str(people)])
        group += people
        if cuts[k]:
            totals.append(len(lines))
            lines.append(["小计", "", str(group)])
            group = 0
    if grand == "bottom":
        totals.append(len(lines))
        lines.append(["合计", "", str(sum(r[2] for r in rows))])
    path = tmp_path_factory.mktemp("in") / "pop.csv"
    err = import_with_one_total_wrong(
        shared_ext, path, capsys, "乡镇代码,年份,常住人口", lines, totals, wrong, "--population"
    )
    if err is None:
        return
    years = {r[1] for r in rows}
    frame = pl.read_parquet(shared_ext / "population.parquet").filter(pl.col("year").is_in(list(years)))
    assert sorted(frame.rows()) == sorted(rows)
    assert ("each agrees with the rows it totals" in err) == bool(totals)
