"""Turning a raw text table into typed columns, collecting every problem on the way.

Headers are matched to canonical columns (built-in aliases plus a mapping file); personal-data
columns are recognised and dropped; each distinct value is parsed once and every bad cell is
reported with its row, column, value and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from natality.core import literal
from natality.importing.headers import (
    ALIASES,
    REGION_ALIASES,
    TABLE_COLUMNS,
    canonical_for,
    is_personal_header,
    looks_personal,
)
from natality.importing.names import NameIndex
from natality.importing.problems import Problem, ProblemLog
from natality.importing.readers import ROW, WIDE_HEADER, RawTable
from natality.importing.values import BadValue, is_total_label, parse_code, parse_distinct


@dataclass
class Columns:
    """How a file's headers were understood."""

    canon: dict[str, str] = field(default_factory=dict)  # canonical column -> header in the file
    personal: list[str] = field(default_factory=list)  # dropped: personal data
    ignored: list[str] = field(default_factory=list)  # not needed, not personal

    def has(self, *names: str) -> bool:
        return all(n in self.canon for n in names)


def resolve_columns(raw: RawTable, kind: str, lookup: dict[str, str], log: ProblemLog) -> Columns:
    """Match headers to canonical columns; recognise personal data by header or by content."""
    wanted = set(TABLE_COLUMNS[kind])
    cols = Columns()
    for header in raw.headers:
        canon = canonical_for(header, lookup)
        if canon in wanted and canon not in cols.canon:
            cols.canon[canon] = header
            if canon == "mother_birth_date":
                cols.personal.append(header)  # read to compute the mother's age, never stored
        elif canon in wanted:
            log.warn(Problem(raw.file, "duplicate_header", column=header, fmt={"other": cols.canon[canon]}))
            cols.ignored.append(header)
        elif is_personal_header(header) or looks_personal(raw.frame[header].head(200).to_list()):
            cols.personal.append(header)
        else:
            cols.ignored.append(header)
    return cols


NAME_COLUMNS = ("township_name", "region_name", "region_name_en")


def check_names(raw: RawTable, cols: Columns, log: ProblemLog) -> None:
    """Names are kept as written, but never with control characters or over ``MAX_NAME``
    characters: one problem per such cell, with its row and column (one vectorised pass)."""
    for canon in NAME_COLUMNS:
        header = cols.canon.get(canon)
        if header is None:
            continue
        bad = raw.frame.select(ROW, pl.col(header), literal.name_problem_expr(header).alias("_problem"))
        bad = bad.filter(pl.col("_problem").is_not_null())
        for row, value, key in bad.head(log.limit).iter_rows():
            log.add(name_problem(raw.file, key, row, header, value))
        log.more += max(0, bad.height - log.limit)


def name_problem(file: str, key: str, row: int | None, column: str | None, value: str) -> Problem:
    """The problem of a refused name, its control characters shown as escapes (``\\n``)."""
    return Problem(file, key, row, column, literal.visible(value), {"max": literal.MAX_NAME})


def missing_column(raw: RawTable, log: ProblemLog, *canon: str) -> None:
    """Report a required column absent, with a few of the headers that would be accepted."""
    known = {**ALIASES, **REGION_ALIASES}
    examples = " / ".join(a for c in canon for a in known[c][:1] + _chinese(known[c])[:2])
    log.add(Problem(raw.file, "missing_column", column=None, fmt={"names": examples}))


def _chinese(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(a for a in aliases if not a.isascii())


def parse_column(
    raw: RawTable,
    header: str,
    parser: Callable[[str], object],
    dtype: pl.DataType,
    log: ProblemLog,
    required: bool = False,
    value_map: dict[str, str] | None = None,
) -> pl.Series:
    """Parse one column value by value (each distinct value once); bad cells become problems."""
    series = raw.frame[header]
    mapping, bad = parse_distinct(series.unique().to_list(), parser, required, value_map)
    if bad:
        rows = raw.frame.with_columns(series.alias("_v")).filter(pl.col("_v").is_in(list(bad)))
        where = pl.col(WIDE_HEADER) if header == raw.melted else pl.lit(header)  # a wide cell: its header
        for row, original, value, column in rows.select(ROW, header, "_v", where).head(log.limit).iter_rows():
            exc = bad[value]
            log.add(Problem(raw.file, exc.key, row, column, original, exc.fmt))
        log.more += max(0, rows.height - log.limit)
    return series.replace_strict(mapping, default=None, return_dtype=dtype).alias(header)


def names_for(raw: RawTable, cols: Columns, header: str | None, names: NameIndex | None) -> NameIndex | None:
    """The name -> code lookup, when (and only when) codes are read from a name column."""
    return names if header is not None and header == cols.canon.get("township_name") else None


def drop_total_rows(
    raw: RawTable, cols: Columns, log: ProblemLog, keys: tuple[str, ...] = ("township_code", "township_name")
) -> RawTable:
    """Drop subtotal rows (合计, 总计, total ...) that spreadsheets carry; warn with their rows.
    ``keys``: the canonical columns naming the row's unit (township, or region)."""
    headers = [cols.canon[c] for c in keys if c in cols.canon]
    if not headers:
        return raw
    labels = [v for h in headers for v in raw.frame[h].unique().to_list() if is_total_label(v)]
    mask = pl.any_horizontal([pl.col(h).is_in(labels) for h in headers])
    totals = raw.frame.filter(mask)
    if totals.height:
        rows = ", ".join(str(r) for r in totals[ROW].head(10).to_list())
        log.warn(Problem(raw.file, "total_rows_skipped", fmt={"rows": rows, "n": totals.height}))
        raw = RawTable(raw.file, raw.frame.filter(~mask), raw.encoding, raw.sheet)
    return _drop_footer_rows(raw, cols, headers, log)


def _drop_footer_rows(raw: RawTable, cols: Columns, keys: list[str], log: ProblemLog) -> RawTable:
    """Notes under the table (填报单位：… 制表人：… 注：…): trailing rows with fewer than half of the
    table's columns filled and either no township or a colon in the text."""
    mapped = list(dict.fromkeys(cols.canon.values()))
    if len(mapped) < 2 or raw.frame.height == 0:
        return raw
    filled = pl.sum_horizontal([(pl.col(h) != "").cast(pl.Int32) for h in mapped])
    no_key = pl.all_horizontal([pl.col(h) == "" for h in keys])
    note = pl.any_horizontal([pl.col(h).str.contains("[:：]") for h in keys])
    flags = raw.frame.select(((no_key | note) & (filled * 2 < len(mapped))).alias("f"))["f"].to_list()
    n = 0
    while n < len(flags) and flags[-1 - n]:
        n += 1
    if n == 0 or n == len(flags):
        return raw
    rows = ", ".join(str(r) for r in raw.frame[ROW].tail(n).to_list()[:10])
    log.warn(Problem(raw.file, "footer_rows_skipped", fmt={"rows": rows, "n": n}))
    return RawTable(raw.file, raw.frame.head(raw.frame.height - n), raw.encoding, raw.sheet)


def code_header(raw: RawTable, cols: Columns, log: ProblemLog, names: NameIndex | None = None) -> str | None:
    """The header holding township codes. Without one, a name column serves: full of codes, or
    of names that ``names`` (the known townships' unique names) turns into codes."""
    if "township_code" in cols.canon:
        return cols.canon["township_code"]
    name = cols.canon.get("township_name")
    if name is not None:
        values = [v for v in raw.frame[name].head(200).to_list() if v]
        if values and (all(_is_code(v) for v in values) or names):
            return name
    missing_column(raw, log, "township_code")
    return None


def _is_code(value: str) -> bool:
    try:
        return len(parse_code(value)) in (8, 12)
    except BadValue:
        return False


def parse_township_codes(
    raw: RawTable, header: str, log: ProblemLog, allow_county: bool = False, names: NameIndex | None = None
) -> pl.Series:
    """12-digit township codes as strings; a 6-digit county code only where ``allow_county``.

    ``names`` (the known townships, ``names.NameIndex``) is used when ``header`` is a name
    column; joining stays by code, the name only finds the code.
    """
    return parse_column(raw, header, code_parser(allow_county, names), pl.String, log, required=True)


def code_parser(allow_county: bool = False, names: NameIndex | None = None) -> Callable[[str], str]:
    """The parser of one township code cell (or name, through ``names``)."""

    def parser(text: str) -> str:
        try:
            code = parse_code(text)
        except BadValue:
            if names is None:
                raise
            return names.code_for(text)
        if len(code) == 6 and not allow_county:
            raise BadValue("code")
        return code

    return parser


def report_duplicates(
    raw: RawTable, frame: pl.DataFrame, keys: list[str], log: ProblemLog, column: str | None = None
) -> None:
    """One problem per row repeating the keys of an earlier row."""
    dup = (
        frame.select([*keys, ROW])
        .with_columns(pl.col(ROW).first().over(keys).alias("_first"))
        .filter(pl.col(ROW) != pl.col("_first"))
        .drop_nulls(keys)
    )
    for row in dup.head(log.limit).iter_rows(named=True):
        value = " / ".join(str(row[k]) for k in keys)
        log.add(Problem(raw.file, "duplicate", row["_row"], column, value, {"first": row["_first"]}))
    log.more += max(0, dup.height - log.limit)


def first_rows(codes: pl.Series, rows: pl.Series) -> dict[str, int]:
    """Code -> the first file row where it appears (for messages about unknown codes)."""
    frame = pl.DataFrame({"code": codes, "row": rows}).drop_nulls()
    return dict(frame.group_by("code").agg(pl.col("row").min()).iter_rows())
