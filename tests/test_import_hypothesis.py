"""Generated CSVs either import (exit 0) or are refused with a message (exit 2): never exit 1."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from natality.core import extract
from natality.importing import importer
from tests.import_fixtures import CODES

HEADERS = [
    "乡镇代码",
    "township_code",
    "出生日期",
    "birth_date",
    "月份",
    "性别",
    "sex",
    "孩次",
    "母亲年龄",
    "出生数",
    "births",
    "姓名",
    "身份证号",
    "备注",
    "",
    "年份",
    "男婴数",
    "记录号",
    "性别",
]
VALUES = [
    *CODES,
    "411621199000",
    "4.11621E+11",
    "",
    "2024-03-05",
    "2024/3/5",
    "2024年3月5日",
    "45356",
    "2024-03",
    "2099-01-01",
    "1900-01-01",
    "2024-02-30",
    "男",
    "女",
    "M",
    "F",
    "1",
    "2",
    "0",
    "9",
    "X",
    "3+",
    "二孩",
    "多孩",
    "-1",
    "1.5",
    "28",
    "abc",
    "合计",
    "张三",
    "411621199001011234",
    '"',
    "\t",
    "，",
]

cell = st.one_of(st.sampled_from(VALUES), st.text(max_size=8))
table = st.tuples(
    st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=6)), min_size=0, max_size=7),
    st.lists(st.lists(cell, min_size=0, max_size=8), min_size=0, max_size=6),
)


def _render(head, rows, sep, newline) -> str:
    def quote(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in f'"{sep}\r\n') else value

    return newline.join(sep.join(quote(v) for v in row) for row in [head, *rows]) + newline


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=table,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    sep=st.sampled_from([",", "\t", ";"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_generated_csv_imports_or_is_refused_with_a_message(
    shared_ext, tmp_path_factory, capsys, data, encoding, sep, newline
):
    head, rows = data
    path = tmp_path_factory.mktemp("in") / "births.csv"
    try:
        path.write_bytes(_render(head, rows, sep, newline).encode(encoding))
    except UnicodeEncodeError:  # text GB18030 cannot hold (lone surrogates): write it as UTF-8
        path.write_bytes(_render(head, rows, sep, newline).encode("utf-8", errors="surrogatepass"))
    code = importer.main(["--out", str(shared_ext), "--births", str(path), "--lang", "en"])
    err = capsys.readouterr().err
    event(f"exit {code}")
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("Import refused; nothing on disk was changed.")
        assert len(err.splitlines()) >= 2
    extract.read_manifest(shared_ext)  # the live version is always readable


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
def test_arbitrary_bytes_never_crash(shared_ext, tmp_path_factory, capsys, blob, suffix):
    path = tmp_path_factory.mktemp("in") / f"births{suffix}"
    path.write_bytes(blob)
    code = importer.main(["--out", str(shared_ext), "--births", str(path), "--lang", "en"])
    err = capsys.readouterr().err
    assert code in (0, 2), err


SEXES = {"男": "M", "女": "F", "M": "M", "F": "F", "1": "M", "2": "F", "0": None, "9": None}
DATES = ["2024-03-05", "2024/3/5", "2024年3月5日", "45356", "20240305", "2024.3.5"]
valid_row = st.tuples(
    st.sampled_from(CODES),
    st.sampled_from(DATES),
    st.sampled_from(list(SEXES)),
    st.sampled_from(["1", "2", "3", "3+", "一孩", "二孩", "三孩及以上", ""]),
    st.integers(10, 60).map(str),
    st.sampled_from(["张三", "李四", ""]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(valid_row, min_size=1, max_size=15),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    english=st.booleans(),
)
def test_valid_records_always_import_with_every_birth_counted(
    shared_ext, tmp_path_factory, capsys, rows, encoding, english
):
    import polars as pl

    head = (
        ["township_code", "date_of_birth", "sex", "birth_order", "mother_age", "name"]
        if english
        else ["乡镇代码", "出生日期", "性别", "孩次", "母亲年龄", "姓名"]
    )
    path = tmp_path_factory.mktemp("in") / "births.csv"
    path.write_bytes(_render(head, [list(r) for r in rows], ",", "\r\n").encode(encoding))
    code = importer.main(["--out", str(shared_ext), "--births", str(path), "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    births = pl.read_parquet(shared_ext / "births.parquet")
    assert births["births"].sum() == sum(1 for r in rows if SEXES[r[2]])
    assert "name" not in births.columns and "姓名" not in births.columns


def test_a_measure_column_beside_a_two_row_header_of_the_same_measure_is_refused_not_melted(
    shared_ext, tmp_path, capsys
):
    """Found by the generator: "出生数, 出生数, births" over a row "code, 2024-03" read as a two-row header
    ("出生数 / 2024-03", a wide births column) beside a births column: melting it made a second
    births column (an internal error, exit 1). A measure that is a column already is not wide."""
    path = tmp_path / "births.csv"
    path.write_text("出生数,出生数,births\n411621100000,2024-03\n411621100000\n", encoding="utf-8")
    code = importer.main(["--out", str(shared_ext), "--births", str(path), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "a required column is missing" in err
