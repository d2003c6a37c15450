"""The records counted by packed key ranks (``importing.counts``) give the counts worked out by hand,
the same as counting by the keys' values (``counts.general``, which files under ``PACKED_FROM``
records take), in memory and out of core; the
duplicate-record check by sorted hashes and the total rows found by one unpivot say what they said."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from natality.importing import births_rows, cells, counts, stream, validate
from natality.importing import validate_births as validate_births_module
from natality.importing.headers import alias_lookup
from natality.importing.problems import ProblemLog
from natality.importing.readers import read_raw
from natality.importing.validate_births import BIRTHS_SCHEMA, validate_births

A, B = "411621101000", "411621102000"
HEAD = "记录号,乡镇代码,出生日期,性别,孩次,母亲年龄,是否符合政策\n"
RECORDS = [
    f"1,{A},2020-12-05,男,1,23,是",
    f"2,{A},2020-12-20,男,1,24,是",  # the same township, month, sex, order, band, policy as row 1
    f"3,{A},2021-01-03,女,2,30,否",  # after 2020: the policy is not counted
    f"4,{A},2021-01-04,女,2,31,是",  # ... so the same keys as row 3
    f"5,{B},2020-01-01,女,,,",  # no order, age, policy
    f"6,{A},2020-12-06,,1,23,是",  # no sex: counted, then dropped with a warning
]
EXPECTED = pl.DataFrame(
    {
        "township_code": [A, A, B],
        "month": [date(2020, 12, 1), date(2021, 1, 1), date(2020, 1, 1)],
        "sex": ["M", "F", "F"],
        "birth_order": [1, 2, None],
        "mother_age_band": ["20-24", "30-34", None],
        "policy_compliant": [True, None, None],
        "births": [2, 2, 1],
    },
    schema=BIRTHS_SCHEMA,
)


def _validate(path: Path, tmp_path: Path, out_of_core: bool):
    lookup, log = alias_lookup(), ProblemLog()
    con = cells.connect(tmp_path)
    if out_of_core:
        source = stream.open_births(path, lookup, tmp_path, con)
    else:
        source = cells.from_frame(read_raw(path, "births", lookup), con)
    return validate_births(source, lookup, log, date(2026, 6, 1)), log


@pytest.mark.parametrize("out_of_core", [False, True])
def test_records_counted_by_packed_ranks_as_worked_out_by_hand(tmp_path, out_of_core, monkeypatch):
    path = tmp_path / "births.csv"
    path.write_text(HEAD + "\n".join(RECORDS) + "\n", encoding="utf-8")
    seen: dict = {}

    def keep(con, parsed, out, records):  # the real count, its arguments kept to count them again
        seen.update(con=con, parsed=parsed, out=out)
        return counts.count_records(con, parsed, out, records)

    monkeypatch.setattr(validate_births_module, "count_records", keep)
    monkeypatch.setattr(counts, "PACKED_FROM", 0)  # packed however few the records
    result, log = _validate(path, tmp_path, out_of_core)
    assert not log.problems
    assert result.frame.equals(EXPECTED)
    assert [w.key for w in log.warnings] == ["sex_unknown_dropped"] and log.warnings[0].fmt == {"n": 1}
    # the packed ranks and the keys' values count the same, in the same order
    by_values = counts.general(seen["con"], seen["parsed"], seen["out"])
    packed = counts._packed(seen["con"], seen["parsed"], seen["out"])
    assert packed is not None  # every key from one column: the packed ranks were used
    assert packed.equals(by_values.select(packed.columns))
    assert packed.height == 4 and packed["births"].sum() == 6


@pytest.mark.parametrize("out_of_core", [False, True])
def test_repeated_record_numbers_found_among_their_hashes(tmp_path, out_of_core):
    rows = [
        *RECORDS[:5],
        f"2,{B},2020-02-01,男,1,25,是",
        f"2,{B},2020-03-01,男,1,25,是",
        f"4,{B},2020-03-02,女,1,26,是",
    ]
    path = tmp_path / "births.csv"
    path.write_text(HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    result, log = _validate(path, tmp_path, out_of_core)
    found = [(p.key, p.row, p.value, p.fmt) for p in log.problems]
    # the file's rows 3 and 5 (records 2 and 4) repeat in rows 7, 8 and 9
    assert found == [
        ("duplicate", 7, "2", {"first": 3}),
        ("duplicate", 8, "2", {"first": 3}),
        ("duplicate", 9, "4", {"first": 5}),
    ]
    assert result.frame is None


@pytest.mark.parametrize("out_of_core", [False, True])
def test_total_rows_marked_sub_and_grand_from_either_key_column(tmp_path, out_of_core):
    path = tmp_path / "births.csv"
    text = "乡镇代码,乡镇名称,月份,性别,出生数\n"
    text += f"{A},甲镇,2024-01,男,3\n{B},乙乡,2024-01,男,2\n,小计,2024-01,男,5\n合计,,2024-01,男,5\n"
    path.write_text(text, encoding="utf-8")
    con = cells.connect(tmp_path)
    lookup = alias_lookup()
    source = (
        stream.open_births(path, lookup, tmp_path, con)
        if out_of_core
        else cells.from_frame(read_raw(path, "births", lookup), con)
    )
    cols = validate.resolve_columns(source.head(200), "births", lookup, ProblemLog())
    births_rows._mark_total_rows(source, cols)
    marked = con.sql("select _row, _total from marked order by _row").fetchall()
    assert marked == [(2, None), (3, None), (4, "sub"), (5, "grand")]


@pytest.mark.parametrize("out_of_core", [False, True])
def test_counts_of_a_births_column_summed_by_packed_ranks_in_duckdb(tmp_path, out_of_core, monkeypatch):
    path = tmp_path / "births.csv"
    rows = [f"{B},2021-03,女,4", f"{A},2020-11,男,3", f"{A},2020-11,女,0", f"{A},2020-10,男,2"]
    path.write_text("乡镇代码,月份,性别,出生数\n" + "\n".join(rows) + "\n", encoding="utf-8")
    seen: dict = {}

    def keep(con, parsed, out, records):
        seen.update(con=con, parsed=parsed, out=out)
        return counts.count_records(con, parsed, out, records)

    monkeypatch.setattr(validate_births_module, "count_records", keep)
    monkeypatch.setattr(counts, "PACKED_FROM", 0)
    result, log = _validate(path, tmp_path, out_of_core)
    assert not log.problems
    # a count of 0 is no group; the order is the township's, then the month's
    assert result.frame.select("township_code", "month", "sex", "births").rows() == [
        (A, date(2020, 10, 1), "M", 2),
        (A, date(2020, 11, 1), "M", 3),
        (B, date(2021, 3, 1), "F", 4),
    ]
    packed = counts._packed(seen["con"], seen["parsed"], seen["out"])
    assert packed is not None and packed.equals(counts.general(seen["con"], seen["parsed"], seen["out"]))
