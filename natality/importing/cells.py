"""The one representation every births file is validated in: a DuckDB view of text cells.

A file becomes the view ``raw`` of a DuckDB connection: ``_row`` (the row number the user sees in
the file) and one text column per header, named ``h0, h1, ...`` in SQL (``Cells.columns`` maps
each header as written to its column). Where the cells live is the only thing a file's size
decides: a small file's polars text frame (``readers.read_raw``) is handed to DuckDB as Arrow
(``from_frame``, no copy); a large one is written as Parquet of text cells in a work directory
by ``stream.open_births``. Validation (``validate_births``) then runs the same SQL over either.

``ParsedColumns`` parses a column the way ``validate.parse_column`` does for a polars frame: each
distinct value once, by the Python parsers of ``values``; the parsed values go back to DuckDB as a
small mapping table ``m_<name>(v, p)`` and bad cells are listed from SQL in row order. A large
Parquet file's view keeps each column's typed value beside its text (``Cells.sources``): its
distinct values are grouped and its mapping table keyed by those values, so the text of a date
or a number is made once per distinct value, not once per record.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from duckdb import ColumnExpression, SQLExpression

from natality.core import frames
from natality.importing.problems import Problem, ProblemLog
from natality.importing.readers import ROW, RawTable
from natality.importing.values import BadValue, parse_distinct

MEMORY_ENV = "NATALITY_IMPORT_MEMORY"
MEMORY_LIMIT = "1GB"  # DuckDB's; the whole import then stays well under 2 GB
SAMPLE = 200  # rows the header and content checks look at
ORDER_COLUMNS = (ROW, "_cell")  # a file's order: its rows, then (in a melted wide table) the columns of a row
ORDER = ", ".join(ORDER_COLUMNS)


def connect(workdir: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that spills to ``workdir`` past its memory limit."""
    config = {
        "memory_limit": os.environ.get(MEMORY_ENV) or MEMORY_LIMIT,
        "temp_directory": str(workdir / "spill"),
        "preserve_insertion_order": True,
    }
    con = duckdb.connect(config=config)
    con.execute("set enable_progress_bar = false")
    return con


@contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """For a query whose rows are sorted afterwards: DuckDB need not keep the file's order."""
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("set preserve_insertion_order = true")


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    # ``execute``: a result read once needs no relation (DuckDB's Python relation layer costs a
    # millisecond or more per statement)
    return con.execute(sql, params).fetchall()


def query_value(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> object:
    """The first column of the first row."""
    return query_rows(con, sql, params)[0][0]


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """``frame`` as the table ``name`` of ``con``, read through Arrow where it lies (the connection
    holds it); a name registered again is replaced."""
    frames.register(con, name, frame)


@dataclass
class Cells:
    """A file as the view ``raw`` of ``con``: ``_row`` plus one text column per header."""

    file: str
    con: duckdb.DuckDBPyConnection
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> SQL column
    encoding: str | None = None
    sheet: str | None = None
    melted: str | None = None  # a wide table's value header: a bad cell is named by its own ``_header``
    measure_headers: dict[str, str] = field(default_factory=dict)  # two measures: each one's own header column
    # a Parquet file's text column -> (its typed column ``s<k>`` in the view, the text's SQL over it,
    # whether the text is one-to-one with the non-null values, '' standing for null)
    sources: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    # a small file's cells as read, in row order (``from_frame``): its rows without a query
    frame: pl.DataFrame | None = None
    # views holding exactly the rows of ``raw`` (``births_rows.records_view``: no total rows, no
    # notes, not wide): read like ``raw``, their distinct values those of ``raw``
    same_as_raw: set[str] = field(default_factory=set)
    no_total_rows: bool = False  # no key cell is a total label (``births_rows``): no total row to look for
    _distinct: dict[str, pl.DataFrame] = field(default_factory=dict, init=False, repr=False)  # values in ``raw``

    @property
    def headers(self) -> list[str]:
        return list(self.columns)

    def head(self, n: int, view: str = "raw") -> RawTable:
        """The first ``n`` rows as a RawTable (samples for header and content checks)."""
        # the first n rows in the file's order: DuckDB keeps it (preserve_insertion_order), so no sort of the whole view
        return self._frame(view, n)

    def table(self, view: str) -> RawTable:
        """The whole ``view`` as a RawTable in the file's order (a melted cell keeps its header in
        ``_header``): for a table small enough to be read in memory."""
        return self._frame(view, header=bool(self.melted))

    def _raw_like(self, view: str) -> bool:
        return view == "raw" or view in self.same_as_raw

    def _frame(self, view: str, n: int | None = None, header: bool = False) -> RawTable:
        if self.frame is not None and self._raw_like(view) and not header:  # the cells where they lie
            frame = self.frame if n is None else self.frame.head(n)
            frame = frame.select(*self.columns.values(), ROW).rename({sql: h for h, sql in self.columns.items()})
            return RawTable(self.file, frame, self.encoding, self.sheet)
        order = [ColumnExpression(c) for c in ((ROW,) if view == "raw" else ORDER_COLUMNS)]
        kept = [ColumnExpression(c) for c in [*self.columns.values(), *(["_header"] if header else [])]]
        rel = self.con.view(view).select(*kept, *order)
        frame = frames.to_polars((rel if n is None else rel.limit(n)).sort(*order)).drop(
            ORDER_COLUMNS[1:], strict=False
        )
        frame = frame.rename({sql: h for h, sql in self.columns.items()}).with_columns(pl.col(ROW).cast(pl.Int64))
        return RawTable(self.file, frame, self.encoding, self.sheet, self.melted if header else None)

    def distinct(self, columns: list[str], view: str) -> dict[str, pl.DataFrame]:
        """Each column's distinct values in one scan of ``view`` (grouping sets): frames of ``key``
        (the typed value of a Parquet column, else the text) and ``text``. A typed column is
        grouped by its values, its text made only once per value. The values of ``raw`` (and of a
        view of the same rows) are kept: a column is read from the file once."""
        if not self._raw_like(view):
            return self._scan(columns, view)
        wanted = [c for c in dict.fromkeys(columns) if c not in self._distinct]
        if wanted:
            self._distinct.update(self._scan(wanted, "raw"))
        return {c: self._distinct[c] for c in columns}

    def _scan(self, columns: list[str], view: str) -> dict[str, pl.DataFrame]:
        keys = [self.sources[c][0] if c in self.sources else c for c in columns]
        texts = [self.sources[c][1] if c in self.sources else c for c in columns]
        inner = self.con.view(view).aggregate(
            [
                *(ColumnExpression(k) for k in dict.fromkeys(keys)),
                *(SQLExpression(f"grouping({k})").alias(f"_g{n}") for n, k in enumerate(keys)),
            ],
            f"grouping sets ({', '.join(f'({k})' for k in keys)})",
        )
        frame = frames.to_polars(
            inner.select(
                *(SQLExpression(t).alias(f"_t{n}") for n, t in enumerate(texts)),
                *(ColumnExpression(k).alias(f"_k{n}") for n, k in enumerate(keys)),
                *(ColumnExpression(f"_g{n}") for n in range(len(keys))),
            )
        )
        return {
            c: frame.filter(pl.col(f"_g{n}") == 0).select(pl.col(f"_k{n}").alias("key"), pl.col(f"_t{n}").alias("text"))
            for n, c in enumerate(columns)
        }


def from_frame(raw: RawTable, con: duckdb.DuckDBPyConnection) -> Cells:
    """A file read in memory (``readers.read_raw``) as the view ``raw`` of ``con``: DuckDB reads the
    polars frame through Arrow where it lies."""
    columns = {header: f"h{k}" for k, header in enumerate(raw.headers)}
    at = {name: k for k, name in enumerate(raw.frame.columns)}  # by position: pl.col("*") or "^a$" is a pattern
    frame = raw.frame.select(pl.col(ROW).cast(pl.Int64), *(pl.nth(at[h]).alias(sql) for h, sql in columns.items()))
    frames.register(con, "raw", frame)
    rows = frame[ROW]
    in_order = rows.is_sorted() and rows.n_unique() == rows.len()  # a workbook's sheets: maybe not
    return Cells(raw.file, con, columns, raw.encoding, raw.sheet, frame=frame if in_order else None)


class ParsedColumns:
    """Parsed columns of a view (``b``): one mapping table ``m_<name>(v, p)`` per column, made from
    the values of ``values_view`` (the records and the total rows beside them, which are parsed
    to be checked but whose bad cells are no problem)."""

    def __init__(self, cells: Cells, log: ProblemLog, view: str, values_view: str | None = None) -> None:
        self.cells, self.con, self.log, self.view = cells, cells.con, log, view
        self.values_view = values_view or view
        self.joins: dict[str, str] = {}  # mapping table -> the SQL column it maps
        self.distinct: dict[str, pl.DataFrame] = {}  # SQL column -> its distinct values (``prefetch``)

    def prefetch(self, headers: list[str]) -> None:
        """The distinct values of the columns of ``headers``, all read in one scan of the values
        view (``Cells.distinct``) instead of one scan per column, for the ``parse`` calls to come."""
        columns = list(dict.fromkeys(self.cells.columns[h] for h in headers))
        if len(columns) >= 2:
            self.distinct.update(self.cells.distinct(columns, self.values_view))

    def sql(self, header: str) -> str:
        return f"{self.view}.{self.cells.columns[header]}"

    def parse(
        self, name: str, header: str, parser, dtype: pl.DataType, required: bool = False, value_map: dict | None = None
    ) -> str:
        """``validate.parse_column`` in SQL: returns the SQL of the parsed value (null for a bad
        cell); bad cells become problems, in the file's order, the first ``log.limit`` listed."""
        column = self.cells.columns[header]
        found = self.distinct.get(column)
        if found is None:
            found = self.cells.distinct([column], self.values_view)[column]
        good, bad = parse_distinct(found["text"].unique().to_list(), parser, required, value_map)
        table = f"m_{name}"
        frame = pl.DataFrame(
            {"v": pl.Series(list(good), dtype=pl.String), "p": pl.Series(list(good.values()), dtype=dtype)}
        )
        typed = self.cells.sources.get(column)
        if typed and good.get("") is None:  # joined by the typed values (a null one: no parsed value, as '')
            frame = found.join(frame, left_on="text", right_on="v").select(pl.col("key").alias("v"), "p")
        register(self.con, table, frame)
        self.joins[table] = typed[0] if typed and good.get("") is None else column
        if bad:
            self._report(name, header, self.sql(header), bad)
        return f"{table}.p"

    def _report(self, name: str, header: str, column: str, bad: dict[str, BadValue]) -> None:
        register(self.con, f"bad_{name}", pl.DataFrame({"v": pl.Series(list(bad), dtype=pl.String)}))
        where = f"{column} in (select v from bad_{name})"
        named = "_header" if header == self.cells.melted else "null"  # a wide cell: its own header
        found = query_rows(
            self.con,
            f"select _row, {column}, {named} from {self.view} where {where} order by {ORDER} limit $n",
            {"n": self.log.limit},
        )
        for row, original, own in found:
            exc = bad[original]
            self.log.add(Problem(self.cells.file, exc.key, row, own or header, original, exc.fmt))
        total = query_value(self.con, f"select count(*) from {self.view} where {where}")
        self.log.more += max(0, total - self.log.limit)

    def source(self, *tables: str, view: str | None = None) -> str:
        """The view (or ``view``) left-joined to the mapping tables (every table when none are named)."""
        view = view or self.view
        named = [t for t in (tables or self.joins) if t in self.joins]
        return view + "".join(f" left join {t} on {view}.{self.joins[t]} = {t}.v" for t in named)
