"""Births validation of a large file (a ``stream.StreamTable``) in SQL, step for step as
``validate_births.validate_births`` does it in polars: the same problems in the same order, the
same warnings, the same births table.

Each distinct value of a column is parsed once by the same Python parsers (``values``); the
parsed values go to DuckDB as a small mapping table, bad cells are listed from SQL in row order
(the first ``ProblemLog.limit`` of them, the rest counted), and the records are joined to the
mapping tables and counted by the births table's keys without leaving DuckDB (``_counts``, the
SQL of ``validate_births._to_counts``): only the counts reach Python.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import polars as pl

from natality.core import literal
from natality.importing import repeated, validate
from natality.importing.names import NameIndex
from natality.importing.problems import Problem, ProblemLog
from natality.importing.stream import StreamTable, _lit, query_rows, query_value
from natality.importing.validate_births import BIRTHS_SCHEMA, KEYS, LAST_POLICY_YEAR, BirthsInput
from natality.importing.values import (
    BadValue,
    is_total_label,
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

SAMPLE = 200  # rows the header and content checks look at, as in the in-memory path
VIEW = "b"  # the rows after subtotal and note rows are dropped


class _Columns:
    """Parsed columns of the view ``b``: one mapping table ``m_<name>(v, p)`` per column."""

    def __init__(self, st: StreamTable, log: ProblemLog) -> None:
        self.st, self.con, self.log = st, st.con, log
        self.joins: dict[str, str] = {}  # mapping table -> the header's SQL column it maps

    def sql(self, header: str) -> str:
        return f"{VIEW}.{self.st.columns[header]}"

    def parse(self, name: str, header: str, parser, dtype: pl.DataType, required: bool = False,
              value_map: dict | None = None) -> str:  # fmt: skip
        """``validate.parse_column`` for a view: returns the SQL of the parsed value (null for a
        bad cell); bad cells become problems, in row order, the first ``log.limit`` listed."""
        column = self.sql(header)
        values = [v for (v,) in query_rows(self.con, f"select distinct {column} from {VIEW}")]
        replace = {str(k): str(v) for k, v in (value_map or {}).items()}
        good: dict[str, object] = {}
        bad: dict[str, BadValue] = {}
        for value in values:
            mapped = replace.get(value, value)
            try:
                if required and not mapped.strip():
                    raise BadValue("required")
                good[value] = parser(mapped)
            except BadValue as exc:
                bad[value] = exc
        table = f"m_{name}"
        frame = pl.DataFrame(
            {"v": pl.Series(list(good), dtype=pl.String), "p": pl.Series(list(good.values()), dtype=dtype)}
        )
        self._table(table, frame)
        self.joins[table] = column
        if bad:
            self._table(f"bad_{name}", pl.DataFrame({"v": pl.Series(list(bad), dtype=pl.String)}))
            where = f"{column} in (select v from bad_{name})"
            found = query_rows(self.con, f"select _row, {column} from {VIEW} where {where} order by _row "
                                f"limit {self.log.limit}")  # fmt: skip
            for row, original in found:
                exc = bad[original]
                self.log.add(Problem(self.st.file, exc.key, row, header, original, exc.fmt))
            total = query_value(self.con, f"select count(*) from {VIEW} where {where}")
            self.log.more += max(0, total - self.log.limit)
        return f"{table}.p"

    def _table(self, name: str, frame: pl.DataFrame) -> None:
        self.con.register("_frame", frame)
        try:
            self.con.execute(f"create or replace table {name} as select * from _frame")
        finally:
            self.con.unregister("_frame")

    def source(self, *tables: str) -> str:
        """``b`` left-joined to the mapping tables (every table when none are named)."""
        joins = "".join(f" left join {t} on {self.joins[t]} = {t}.v" for t in (tables or self.joins) if t in self.joins)
        return f"{VIEW}{joins}"


def validate_births_stream(
    st: StreamTable,
    lookup: dict[str, str],
    log: ProblemLog,
    today: date,
    value_maps: dict[str, dict[str, str]] | None = None,
    names: NameIndex | None = None,
    sum_duplicates: bool = False,
) -> BirthsInput | None:
    """``validate_births`` for a file read out of core; problems go to ``log``."""
    value_maps = value_maps or {}
    con = st.con
    cols = validate.resolve_columns(st.head(SAMPLE), "births", lookup, log)
    _check_names(st, cols, log)
    _drop_total_rows(st, cols, log)
    height = query_value(con, f"select count(*) from {VIEW}")
    if height == 0:
        log.add(Problem(st.file, "empty"))
        return None
    head = st.head(SAMPLE, VIEW)
    start = len(log.problems) + log.more
    parsed = _Columns(st, log)

    def col(canon: str, parser, dtype, required: bool = False) -> str:
        return parsed.parse(canon, cols.canon[canon], parser, dtype, required, value_maps.get(canon))

    out: dict[str, str] = {}
    header = validate.code_header(head, cols, log, names)
    if header is not None:
        parser = validate.code_parser(names=validate.names_for(head, cols, header, names))
        out["township_code"] = parsed.parse("township_code", header, parser, pl.String, required=True)
    month = _months(st, head, cols, log, today, col, parsed)
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
    out["mother_age_band"] = _age_bands(st, cols, log, today, col, parsed, month)
    out["policy_compliant"] = (
        col("policy_compliant", parse_bool, pl.Boolean) if cols.has("policy_compliant") else "null::boolean"
    )
    if cols.has("record_id") and not aggregated:
        _report_duplicate_ids(st, cols.canon["record_id"], log)
    code_rows = {}
    if header is not None:
        code = out["township_code"]
        code_rows = dict(query_rows(con, f"select {code}, min({VIEW}._row) from {parsed.source('m_township_code')} "
                                 f"where {code} is not null group by all"))  # fmt: skip
    if len(log.problems) + log.more > start or header is None or month is None:
        return BirthsInput(None, cols, aggregated, {}, height, code_rows, header or "")
    if aggregated:
        keys = {k: out[k] for k in KEYS if k in out}
        repeated.check_sql(con, parsed.source(), f"{VIEW}._row", keys, head.file, log, sum_duplicates)
        if len(log.problems) + log.more > start:
            return BirthsInput(None, cols, aggregated, {}, height, code_rows, header)
    frame = _counts(con, parsed, out, head.file, log)
    return BirthsInput(frame, cols, aggregated, _names(st, cols, parsed, header), height, code_rows, header)


def _drop_total_rows(st: StreamTable, cols: validate.Columns, log: ProblemLog) -> None:
    """``validate.drop_total_rows`` (and the note rows under the table) as the view ``b``."""
    con = st.con
    headers = [cols.canon[c] for c in ("township_code", "township_name") if c in cols.canon]
    if not headers:
        con.execute(f"create or replace view {VIEW} as select * from raw")
        return
    sql = {h: st.columns[h] for h in headers}
    labels = [v for h in headers for (v,) in query_rows(con, f"select distinct {sql[h]} from raw")
              if is_total_label(v)]  # fmt: skip
    keep = "true"
    if labels:
        listed = ", ".join(_lit(v) for v in dict.fromkeys(labels))
        total = " or ".join(f"{sql[h]} in ({listed})" for h in headers)
        n = query_value(con, f"select count(*) from raw where {total}")
        if n:
            first = query_rows(con, f"select _row from raw where {total} order by _row limit 10")
            rows = ", ".join(str(r) for (r,) in first)
            log.warn(Problem(st.file, "total_rows_skipped", fmt={"rows": rows, "n": n}))
            keep = f"not ({total})"
    con.execute(f"create or replace view kept_rows as select * from raw where {keep}")
    con.execute(f"create or replace view {VIEW} as select * from kept_rows")
    mapped = [st.columns[h] for h in dict.fromkeys(cols.canon.values())]
    if len(mapped) < 2:
        return
    keys = list(sql.values())
    filled = " + ".join(f"({c} <> '')::integer" for c in mapped)
    no_key = " and ".join(f"{c} = ''" for c in keys)
    note = " or ".join(f"regexp_matches({c}, '[:：]')" for c in keys)
    flag = f"((({no_key}) or ({note})) and ({filled}) * 2 < {len(mapped)})"
    last = query_value(con, f"select max(_row) from kept_rows where not {flag}")
    if last is None:  # every row looks like a note: keep them all (the in-memory rule)
        return
    n = query_value(con, f"select count(*) from kept_rows where _row > {last}")
    if n == 0:
        return
    first = query_rows(con, f"select _row from kept_rows where _row > {last} order by _row limit 10")
    log.warn(Problem(st.file, "footer_rows_skipped", fmt={"rows": ", ".join(str(r) for (r,) in first), "n": n}))
    con.execute(f"create or replace view {VIEW} as select * from kept_rows where _row <= {last}")


def _months(st, head, cols: validate.Columns, log: ProblemLog, today: date, col, parsed: _Columns) -> str | None:
    """SQL of each row's month (``validate_births._months``)."""
    if cols.has("birth_date"):
        days = col("birth_date", partial(parse_date, today=today), pl.Date, required=True)
        return f"date_trunc('month', {days})::date"
    if cols.has("month"):
        sample = [v for v in head.frame[cols.canon["month"]].head(SAMPLE).to_list() if v]
        if cols.has("year") and sample and all(v.strip().removesuffix("月").isdigit() and
                                               len(v.strip().removesuffix("月")) <= 2 for v in sample):  # fmt: skip
            years = col("year", partial(parse_year, latest=today.year), pl.Int32, required=True)
            nums = col("month", parse_month_number, pl.Int8, required=True)
            months = f"make_date({years}, {nums}, 1)"
            future = f"{months} > {_lit(today.replace(day=1).isoformat())}::date"
            found = query_rows(st.con, f"select {VIEW}._row from {parsed.source('m_year', 'm_month')} where {future} "
                              f"order by {VIEW}._row limit {log.limit}")  # fmt: skip
            for (row,) in found:
                log.add(Problem(st.file, "date_future", row, cols.canon["month"], None,
                                {"today": today.isoformat()}))  # fmt: skip
            return months
        return col("month", partial(parse_month, today=today), pl.Date, required=True)
    validate.missing_column(head, log, "birth_date", "month")
    return None


def _age_bands(st, cols: validate.Columns, log: ProblemLog, today: date, col, parsed: _Columns, month) -> str:
    """SQL of the mother's age band (``validate_births._age_bands``)."""
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
        else:  # the birth dates as read, without the mapping file's values (as in the small-file path)
            child = parsed.parse("child_day", cols.canon["birth_date"], _safe_date(today), pl.Date)
        before = (f"(month({child}) < month({mum}) or (month({child}) = month({mum}) "
                  f"and day({child}) < day({mum})))::integer")  # fmt: skip
        ages = f"(year({child}) - year({mum}) - {before})::smallint"
    else:
        return "null::varchar"
    outside = query_rows(st.con, f"select count(*) from {parsed.source(*tables)} where {ages} < 15 or {ages} > 49")[0]
    if outside[0]:
        log.warn(Problem(st.file, "age_outside_bands", fmt={"n": int(outside[0])}))
    low = f"({ages} - {ages} % 5)"
    return f"case when {ages} between 15 and 49 then {low}::varchar || '-' || ({low} + 4)::varchar end"


def _safe_date(today: date):
    """``validate_births._safe_dates``: a bad date (already reported) is just unknown here."""

    def parser(value: str) -> date | None:
        try:
            return parse_date(value, today)
        except ValueError:
            return None

    return parser


def _report_duplicate_ids(st: StreamTable, header: str, log: ProblemLog) -> None:
    """``validate.report_duplicates`` on the record numbers: each repeat of an earlier row's."""
    con, rid = st.con, st.columns[header]
    con.execute(f"create or replace table dup_ids as select {rid} as rid, min(_row) as first from {VIEW} "
                f"where {rid} <> '' group by {rid} having count(*) > 1")  # fmt: skip
    if query_value(con, "select count(*) from dup_ids") == 0:
        return
    repeats = f"{VIEW} join dup_ids on {VIEW}.{rid} = dup_ids.rid where {VIEW}._row <> dup_ids.first"
    found = query_rows(con, f"select {VIEW}._row, dup_ids.rid, dup_ids.first from {repeats} order by {VIEW}._row "
                   f"limit {log.limit}")  # fmt: skip
    for row, rid, first in found:
        log.add(Problem(st.file, "duplicate", row, header, str(rid), {"first": first}))
    total = query_value(con, f"select count(*) from {repeats}")
    log.more += max(0, total - log.limit)


def _counts(con, parsed: _Columns, out: dict[str, str], file: str, log: ProblemLog) -> pl.DataFrame:
    """``validate_births._to_counts`` in SQL: the births table counted in DuckDB (which spills to
    disk past its memory limit), so that only the counts, never the records, reach Python."""
    source = parsed.source()
    keys = [f"{out[k]} as {k}" for k in ("township_code", "month", "birth_order", "mother_age_band",
                                         "policy_compliant")]  # fmt: skip
    if "sex" in out:
        parts = [f"select {', '.join(keys)}, {out['sex']} as sex, {out.get('births', '1')} as births from {source}"]
    else:  # boys / girls columns: one row of each
        parts = [f"select {', '.join(keys)}, '{sex}' as sex, coalesce({out[c]}, 0) as births from {source}"
                 for sex, c in (("M", "boys"), ("F", "girls")) if c in out]  # fmt: skip
    con.execute("create or replace temp view records as " + " union all ".join(parts))
    unknown = query_value(con, "select sum(births) from records where sex is null")
    if unknown:
        log.warn(Problem(file, "sex_unknown_dropped", fmt={"n": int(unknown)}))
    casts = {"township_code": "varchar", "month": "date", "sex": "varchar", "birth_order": "tinyint",
             "mother_age_band": "varchar", "policy_compliant": "boolean"}  # fmt: skip
    columns = {k: f"{k}::{t}" for k, t in casts.items()}
    columns["policy_compliant"] = f"(case when year(month) <= {LAST_POLICY_YEAR} then policy_compliant end)::boolean"
    select = ", ".join(f"{sql} as {k}" for k, sql in columns.items())
    order = ", ".join(f"{k} asc nulls last" for k in KEYS)
    counts = con.sql(f"select {select}, sum(births)::bigint as births from records where sex is not null "
                     f"group by all having sum(births) > 0 order by {order}").pl()  # fmt: skip
    con.execute("drop view records")
    return counts.select([pl.col(c).cast(t) for c, t in BIRTHS_SCHEMA.items()])


def _check_names(st: StreamTable, cols: validate.Columns, log: ProblemLog) -> None:
    """``validate.check_names`` in DuckDB: the township names with control characters or too long."""
    header = cols.canon.get("township_name")
    if header is None:
        return
    column = st.columns[header]
    # RE2 (DuckDB) spells the code points of literal.NAME_CONTROL as \x{...}
    pattern = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
    where = f"regexp_matches({column}, {_lit(pattern)}) or length({column}) > {literal.MAX_NAME}"
    rows = query_rows(st.con, f"select _row, {column} from raw where {where} order by _row limit {log.limit}")
    for row, value in rows:
        log.add(validate.name_problem(st.file, literal.name_problem(value) or "name_too_long", row, header, value))
    if len(rows) == log.limit:
        log.more += int(query_value(st.con, f"select count(*) from raw where {where}")) - len(rows)


def _names(st: StreamTable, cols: validate.Columns, parsed: _Columns, header: str) -> dict[str, str]:
    """``validate.township_names``: code -> the first name written beside it."""
    name = cols.canon.get("township_name")
    if name is None or name == header:
        return {}
    column = parsed.sql(name)
    return dict(query_rows(st.con, f"select m_township_code.p, arg_min({column}, {VIEW}._row) "
                           f"from {parsed.source('m_township_code')} where {column} <> '' "
                           "and m_township_code.p is not null group by all"))  # fmt: skip
