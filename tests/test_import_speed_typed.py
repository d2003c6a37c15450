"""A Parquet file of typed columns read out of core: its cells are parsed, counted and checked for
repeated record numbers by their typed values (``Cells.sources``), with exactly the counts and
messages of the same file read in memory as text."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from natality.importing.cells import ParsedColumns, connect
from natality.importing.problems import ProblemLog
from natality.importing.stream import open_births
from natality.importing.values import parse_order
from tests.import_fixtures import CODES, PATHS, import_in


def _write(path, ids, codes, days, orders, policy) -> None:
    pl.DataFrame(
        {
            "记录号": pl.Series(ids, dtype=pl.Int64),
            "乡镇代码": pl.Series(codes, dtype=pl.String),
            "出生日期": pl.Series(days, dtype=pl.Date),
            "性别": ["男", "女", "男", "男", "女"],
            "孩次": pl.Series(orders, dtype=pl.Int8),
            "是否符合政策": pl.Series(policy, dtype=pl.Boolean),
        }
    ).write_parquet(path)


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex", "birth_order")
    cols = ["township_code", "month", "sex", "birth_order", "policy_compliant", "births"]
    return [tuple(r) for r in frame.select(cols).iter_rows()]


@PATHS
def test_typed_parquet_counts(ext, tmp_path, monkeypatch, streamed):
    path = tmp_path / "births.parquet"
    # a code padded with spaces, a missing record number, order and policy: the same text as in memory
    codes = [CODES[0], f"  {CODES[0]} ", CODES[1], CODES[1], CODES[0]]
    days = [date(2020, 3, 5), date(2020, 3, 9), date(2024, 4, 1), date(2024, 4, 30), date(2020, 3, 31)]
    _write(path, [11, None, 13, 14, 15], codes, days, [1, 2, None, 3, 1], [True, None, True, False, True])
    assert import_in(ext, monkeypatch, streamed, "--births", str(path), "--lang", "en") == 0
    # 2024: after the policy's end its cells count as unknown
    assert _births(ext) == [
        (CODES[0], date(2020, 3, 1), "F", 1, True, 1), (CODES[0], date(2020, 3, 1), "F", 2, None, 1),
        (CODES[0], date(2020, 3, 1), "M", 1, True, 1),
        (CODES[1], date(2024, 4, 1), "M", None, None, 1), (CODES[1], date(2024, 4, 1), "M", 3, None, 1),
    ]  # fmt: skip


@PATHS
def test_typed_parquet_repeated_ids_and_missing_dates(ext, tmp_path, monkeypatch, streamed, capsys):
    path = tmp_path / "births.parquet"
    days = [date(2024, 3, 5), None, date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 3)]
    _write(path, [7, 8, 7, 9, 7], [CODES[0]] * 5, days, [1] * 5, [None] * 5)
    assert import_in(ext, monkeypatch, streamed, "--births", str(path), "--lang", "en") != 0
    err = capsys.readouterr().err
    # data rows 2-6: row 3 has no birth date; rows 4 and 6 repeat row 2's record number 7
    assert "row 3" in err and "出生日期" in err
    assert err.count("repeats row 2") == 2 and "row 4" in err and "row 6" in err


def test_typed_values_are_joined_not_their_text(tmp_path):
    path = tmp_path / "births.parquet"
    days = [date(2024, 3, 5), date(2024, 3, 9), date(2024, 4, 1), date(2024, 4, 30), date(2024, 3, 31)]
    _write(path, [1, 2, 3, 4, 5], [CODES[0]] * 5, days, [1, 2, None, 3, 1], [None] * 5)
    con = connect(tmp_path)
    cells = open_births(path, {}, tmp_path, con)
    assert cells.sources["h2"][0] == "s2" and cells.sources["h2"][2]  # a date: one text per value
    assert not cells.sources["h1"][2]  # text: trimmed, so two values may share a text
    parsed = ParsedColumns(cells, ProblemLog(), "raw")
    parsed.prefetch(["出生日期", "孩次"])
    assert sorted(parsed.distinct["h4"]["text"].to_list()) == ["", "1", "2", "3"]
    parsed.parse("order", "孩次", parse_order, pl.Int8)  # an empty cell: no order, as a typed null
    assert parsed.joins == {"m_order": "s4"}
    assert parsed.source() == "raw left join m_order on raw.s4 = m_order.v"  # the join the checks read
    rows = _joined(con, parsed).select("s4", "p").fetchall()
    assert rows == [(1, 1), (2, 2), (None, None), (3, 3), (1, 1)]


def _joined(con, parsed: ParsedColumns) -> duckdb.DuckDBPyRelation:
    """The view left-joined to its one mapping table as ``source()`` says, by DuckDB's relation API."""
    [(table, column)] = parsed.joins.items()
    view = con.view(parsed.view).set_alias("c")
    mapping = con.table(table).set_alias("m")
    on = duckdb.ColumnExpression("c", column) == duckdb.ColumnExpression("m", "v")
    return view.join(mapping, on, how="left").order("_row")


def test_an_empty_cell_with_a_value_is_joined_by_text(tmp_path):
    """A parser giving '' a value: the typed null would miss it, so that column is joined by its text."""
    path = tmp_path / "births.parquet"
    _write(path, [1, 2, 3, 4, 5], [CODES[0]] * 5, [date(2024, 3, 5)] * 5, [1, 2, None, 3, 1], [None] * 5)
    con = connect(tmp_path)
    cells = open_births(path, {}, tmp_path, con)
    parsed = ParsedColumns(cells, ProblemLog(), "raw")
    parsed.parse("order", "孩次", lambda v: int(v or 9), pl.Int8)
    assert parsed.joins == {"m_order": "h4"}
    assert parsed.source() == "raw left join m_order on raw.h4 = m_order.v"
    rows = _joined(con, parsed).select("p").fetchall()
    assert rows == [(1,), (2,), (9,), (3,), (1,)]


def test_geoparquet_read_without_its_display_geometry(tmp_path):
    """An extract's townships file carries a second geometry: only the primary one is read."""
    import geopandas as gpd
    from shapely.geometry import box

    from natality.geo.formats import read_any

    path = tmp_path / "townships.parquet"
    frame = gpd.GeoDataFrame({"township_code": [CODES[0]], "geometry": [box(0, 0, 2, 1)]}, crs="EPSG:4326")
    frame["geometry_display"] = gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:4326")
    frame.to_parquet(path)
    read = read_any(path, None)
    assert list(read.columns) == ["township_code", "geometry"]
    assert read.geometry.area.tolist() == [2.0] and read.crs == "EPSG:4326"
