"""A small file's records read where its cells lie: the rows, samples and distinct values that
``Cells`` takes from the polars frame (or keeps from one scan) are those DuckDB gives for the
same view, and a view is taken for the file's rows only when it holds exactly those rows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from natality.importing import births_rows, cells, validate
from natality.importing.headers import alias_lookup
from natality.importing.problems import ProblemLog
from natality.importing.readers import read_raw

A, B = "411621101000", "411621102000"
HEAD = "乡镇代码,出生日期,性别,孩次\n"


def _records(tmp_path, text: str):
    path = tmp_path / "births.csv"
    path.write_text(HEAD + text, encoding="utf-8")
    lookup, log = alias_lookup(), ProblemLog()
    con = cells.connect(tmp_path)
    source = cells.from_frame(read_raw(path, "births", lookup), con)
    cols = validate.resolve_columns(source.head(200), "births", lookup, log)
    parsed = [cols.canon[c] for c in ("township_code", "birth_date", "sex", "birth_order")]
    height = births_rows.records_view(source, cols, log, lookup, ahead=parsed)
    return source, height, log


def test_a_plain_file_is_read_from_its_frame_as_duckdb_reads_it(tmp_path):
    source, height, log = _records(tmp_path, f"{A},2024-01-02,男,1\n{B},2024-01-03,女,2\n{A},2024-02-01,女,1\n")
    assert height == 3 and source.no_total_rows and source.same_as_raw == {"b", "b_all"}
    in_duckdb = replace(source, frame=None)  # the same view, read by queries
    for view in ("raw", "b", "b_all"):
        assert source.head(2, view).frame.equals(in_duckdb.head(2, view).frame)
        assert source.table(view).frame.equals(in_duckdb.table(view).frame)
    assert source.head(2, "b").frame.rows() == [(A, "2024-01-02", "男", "1", 2), (B, "2024-01-03", "女", "2", 3)]
    # the distinct values kept from the scan that looked for total labels: those of the records
    kept = source.distinct(["h0", "h2"], "b_all")
    scanned = replace(source, same_as_raw=set()).distinct(["h0", "h2"], "b_all")
    for column, texts in (("h0", [A, B]), ("h2", ["女", "男"])):
        assert sorted(kept[column]["text"]) == sorted(scanned[column]["text"]) == texts
    assert not log.problems and not log.warnings


@pytest.mark.parametrize(
    ("tail", "same", "records"),
    [
        ("合计,,,\n", {"b_all"}, 2),  # a total row: the records are not the file's rows
        ("填报单位：示范县卫健委,,,\n", set(), 2),  # a note under the table, dropped
    ],
)
def test_a_file_with_total_or_note_rows_is_read_by_queries(tmp_path, tail, same, records):
    source, height, log = _records(tmp_path, f"{A},2024-01-02,男,1\n{B},2024-01-03,女,2\n{tail}")
    assert height == records and source.same_as_raw == same
    assert source.head(5, "b").frame.rows() == [(A, "2024-01-02", "男", "1", 2), (B, "2024-01-03", "女", "2", 3)]
    births_rows.note_total_rows(source, log, checked=False)
    assert [w.key for w in log.warnings] == ["total_rows_skipped" if "合计" in tail else "footer_rows_skipped"]


def test_headers_polars_would_read_as_patterns_are_taken_as_written(tmp_path):
    """A header "*" or "^x$" is a name like any other (polars' pl.col would read it as every column
    or as a regular expression): the file's cells keep one column per header, in its order."""
    path = tmp_path / "births.csv"
    path.write_text(f"乡镇代码,*,^x$\n{A},1,2\n", encoding="utf-8")
    source = cells.from_frame(read_raw(path, "births", alias_lookup()), cells.connect(tmp_path))
    assert source.columns == {"乡镇代码": "h0", "*": "h1", "^x$": "h2"}
    assert source.head(5).frame.rows() == [(A, "1", "2", 2)]
