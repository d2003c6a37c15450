"""Births input, individual records or counts, validated and counted into the births table: the
one validator of every births file, whatever its size, in SQL over ``cells.Cells``.

Rows and cells first (``births_rows``: names, total and note rows, a wide table melted), then
each column parsed once per distinct value (``cells.ParsedColumns``), months, ages, duplicate
record numbers and repeated rows of counts, and the records counted by the births table's keys
(``counts``: DuckDB, which spills to disk past its memory limit, joins the records to their keys'
ranks; no record's text reaches Python, only one packed key or hash per record). Every problem
goes to one ``ProblemLog``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import polars as pl

from natality.importing import births_rows, repeated, totals, validate
from natality.importing.births_rows import ALL, VIEW
from natality.importing.cells import SAMPLE, Cells, ParsedColumns, query_rows, query_value
from natality.importing.counts import KEYS, count_records
from natality.importing.names import NameIndex
from natality.importing.problems import Problem, ProblemLog
from natality.importing.values import (
    parse_age,
    parse_age_band,
    parse_bool,
    parse_count,
    parse_date,
    parse_month,
    parse_month_number,
    parse_order,
    parse_sex,
    parse_year,
)

# the columns parsed below (their distinct values read in one scan)
PARSED = ("township_code", "birth_date", "month", "year", "sex", "births", "boys", "girls", "birth_order")
PARSED += ("mother_age_band", "mother_age", "mother_birth_date", "policy_compliant")
BIRTHS_SCHEMA = {
    "township_code": pl.String,
    "month": pl.Date,
    "sex": pl.String,
    "birth_order": pl.Int8,
    "mother_age_band": pl.String,
    "policy_compliant": pl.Boolean,
    "births": pl.Int64,
}


@dataclass
class BirthsInput:
    frame: pl.DataFrame | None  # the births table, aggregated; None when the file has problems
    columns: validate.Columns
    aggregated: bool
    names: dict[str, str] = field(default_factory=dict)  # code -> name, when the file has names
    records: int = 0  # rows read (after dropping subtotal rows)
    code_rows: dict[str, int] = field(default_factory=dict)  # code -> first row
    code_column: str = ""


def validate_births(
    cells: Cells,
    lookup: dict[str, str],
    log: ProblemLog,
    today: date,
    value_maps: dict[str, dict[str, str]] | None = None,
    names: NameIndex | None = None,
    sum_duplicates: bool = False,
) -> BirthsInput | None:
    """Parse and count a births file; problems go to ``log``, None when unusable.

    Rows of counts repeating an earlier row's township, month, sex, order (and age band and
    policy, where given) are refused, or added up with ``sum_duplicates``."""
    value_maps = value_maps or {}
    con = cells.con
    cols = validate.resolve_columns(cells.head(SAMPLE), "births", lookup, log)
    births_rows.check_names(cells, cols, log)
    to_parse = [cols.canon[c] for c in PARSED if c in cols.canon]
    height = births_rows.records_view(cells, cols, log, lookup, ahead=to_parse)
    if height == 0:
        log.add(Problem(cells.file, "empty"))
        return None
    head = cells.head(SAMPLE, VIEW)
    start = len(log.problems) + log.more
    parsed = ParsedColumns(cells, log, VIEW, values_view=ALL)
    parsed.prefetch([cols.canon[c] for c in PARSED if c in cols.canon])  # a wide table's melted columns

    def col(canon: str, parser, dtype, required: bool = False) -> str:
        return parsed.parse(canon, cols.canon[canon], parser, dtype, required, value_maps.get(canon))

    out: dict[str, str] = {}
    header = validate.code_header(head, cols, log, names)
    if header is not None:
        parser = validate.code_parser(names=validate.names_for(head, cols, header, names))
        out["township_code"] = parsed.parse("township_code", header, parser, pl.String, required=True)
    month = _months(cells, head, cols, log, today, col, parsed)
    if month is not None:
        out["month"] = month
    aggregated = cols.has("births") or cols.has("boys") or cols.has("girls")
    if cols.has("sex"):
        out["sex"] = col("sex", parse_sex, pl.String)
    elif not (cols.has("boys") or cols.has("girls")):
        validate.missing_column(head, log, "sex")
    if cols.has("births"):
        out["births"] = col("births", parse_count, pl.Int64, required=True)
    for canon in ("boys", "girls"):
        if cols.has(canon) and not cols.has("sex"):
            out[canon] = col(canon, parse_count, pl.Int64)
    out["birth_order"] = col("birth_order", parse_order, pl.Int8) if cols.has("birth_order") else "null::tinyint"
    out["mother_age_band"] = _age_bands(cells, cols, log, today, col, parsed, month)
    out["policy_compliant"] = (
        col("policy_compliant", parse_bool, pl.Boolean) if cols.has("policy_compliant") else "null::boolean"
    )
    if cols.has("record_id") and not aggregated:
        births_rows.report_duplicate_ids(cells, cols.canon["record_id"], log)
    # Codes are kept even when other cells are bad, so unknown codes are reported in the same run.
    code_rows = {}
    if header is not None:
        code = out["township_code"]
        code_rows = dict(
            query_rows(
                con,
                f"select {code}, min({VIEW}._row) from {parsed.source('m_township_code')} "
                f"where {code} is not null group by all",
            )
        )
    checked = 0
    if len(log.problems) + log.more == start and header is not None and month is not None:
        headers = {c: cols.canon[c] for c in totals.COUNTS if c in cols.canon}
        checked = totals.check_totals(parsed, out, headers, log)
        totals.check_total_column(parsed, out, cols, log)
    births_rows.note_total_rows(cells, log, checked > 0)
    if len(log.problems) + log.more > start or header is None or month is None:
        return BirthsInput(None, cols, aggregated, {}, height, code_rows, header or "")
    if aggregated:
        keys = {k: out[k] for k in KEYS if k in out}
        repeated.check_sql(con, parsed.source(), f"{VIEW}._row", keys, cells.file, log, sum_duplicates)
        if len(log.problems) + log.more > start:
            return BirthsInput(None, cols, aggregated, {}, height, code_rows, header)
    frame = _counts(con, parsed, out, cells.file, log, height)
    return BirthsInput(frame, cols, aggregated, _names(cells, cols, parsed, header), height, code_rows, header)


def _months(
    cells: Cells, head, cols: validate.Columns, log: ProblemLog, today: date, col, parsed: ParsedColumns
) -> str | None:
    """SQL of each row's month, from a birth date, a month, or year + month-number columns."""
    if cols.has("birth_date"):
        days = col("birth_date", partial(parse_date, today=today), pl.Date, required=True)
        return f"date_trunc('month', {days})::date"
    if not cols.has("month"):
        validate.missing_column(head, log, "birth_date", "month")
        return None
    sample = [v.strip().removesuffix("月") for v in head.frame[cols.canon["month"]].head(SAMPLE).to_list() if v]
    if not (cols.has("year") and sample and all(v.isdigit() and len(v) <= 2 for v in sample)):
        return col("month", partial(parse_month, today=today), pl.Date, required=True)
    years = col("year", partial(parse_year, latest=today.year), pl.Int32, required=True)
    nums = col("month", parse_month_number, pl.Int8, required=True)
    months = f"make_date({years}, {nums}, 1)"
    found = query_rows(
        cells.con,
        f"select {VIEW}._row from {parsed.source('m_year', 'm_month')} "
        f"where {months} > $first order by {VIEW}._row, {VIEW}._cell limit $n",
        {"first": today.replace(day=1), "n": log.limit},
    )
    for (row,) in found:
        log.add(Problem(cells.file, "date_future", row, cols.canon["month"], None, {"today": today.isoformat()}))
    return months


def _age_bands(
    cells: Cells, cols: validate.Columns, log: ProblemLog, today: date, col, parsed: ParsedColumns, month: str | None
) -> str:
    """SQL of the mother's age band, from a band column, an age, or the mother's and child's birth dates."""
    if cols.has("mother_age_band"):
        return col("mother_age_band", parse_age_band, pl.String)
    if cols.has("mother_age"):
        ages = col("mother_age", lambda v: parse_age(v) if v.strip() else None, pl.Int16)
        tables = ("m_mother_age",)
    elif cols.has("mother_birth_date") and cols.has("birth_date"):
        mum = col("mother_birth_date", lambda v: parse_date(v, today) if v.strip() else None, pl.Date)
        tables = ("m_mother_birth_date", "m_child_day")
        if month is None:
            child = "null::date"
        else:  # the birth dates as read, without the mapping file's values
            child = parsed.parse("child_day", cols.canon["birth_date"], _safe_date(today), pl.Date)
        before = (
            f"(month({child}) < month({mum}) or (month({child}) = month({mum}) and day({child}) < day({mum})))::integer"
        )
        ages = f"(year({child}) - year({mum}) - {before})::smallint"
    else:
        return "null::varchar"
    outside = query_value(cells.con, f"select count(*) from {parsed.source(*tables)} where {ages} < 15 or {ages} > 49")
    if outside:
        log.warn(Problem(cells.file, "age_outside_bands", fmt={"n": int(outside)}))
    low = f"({ages} - {ages} % 5)"
    return f"case when {ages} between 15 and 49 then {low}::varchar || '-' || ({low} + 4)::varchar end"


def _safe_date(today: date):
    """Dates already checked (and reported) as the birth-date column: a bad one is just unknown here."""

    def parser(value: str) -> date | None:
        try:
            return parse_date(value, today)
        except ValueError:
            return None

    return parser


def _counts(con, parsed: ParsedColumns, out: dict[str, str], file: str, log: ProblemLog, records: int) -> pl.DataFrame:
    """Records -> the births table: counts by township, month, sex, order, age band, policy."""
    # one pass over the records: the births of unknown sex are counted with the rest, then dropped
    counts = count_records(con, parsed, out, records)
    unknown = counts.filter(pl.col("sex").is_null())["births"].sum()
    if unknown:
        log.warn(Problem(file, "sex_unknown_dropped", fmt={"n": int(unknown)}))
    counts = counts.filter(pl.col("sex").is_not_null())
    return counts.select([pl.col(c).cast(t) for c, t in BIRTHS_SCHEMA.items()])


def _names(cells: Cells, cols: validate.Columns, parsed: ParsedColumns, header: str) -> dict[str, str]:
    """Code -> the township name first written beside it, when the file has names."""
    name = cols.canon.get("township_name")
    if name is None or name == header:
        return {}
    column = parsed.sql(name)
    return dict(
        query_rows(
            cells.con,
            f"select m_township_code.p, arg_min({column}, {VIEW}._row) "
            f"from {parsed.source('m_township_code')} where {column} <> '' "
            "and m_township_code.p is not null group by all",
        )
    )
