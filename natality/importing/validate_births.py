"""Births input, individual records or counts, validated and aggregated into the births table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import polars as pl

from natality.importing import repeated, validate
from natality.importing.names import NameIndex
from natality.importing.problems import Problem, ProblemLog
from natality.importing.readers import ROW, RawTable
from natality.importing.values import (
    age_band,
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
from natality.importing.wide import melt_wide

KEYS = ["township_code", "month", "sex", "birth_order", "mother_age_band", "policy_compliant"]
BIRTHS_SCHEMA = {
    "township_code": pl.String,
    "month": pl.Date,
    "sex": pl.String,
    "birth_order": pl.Int8,
    "mother_age_band": pl.String,
    "policy_compliant": pl.Boolean,
    "births": pl.Int64,
}
LAST_POLICY_YEAR = 2020  # the three-child policy (2021) ended compliance indicators


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
    raw: RawTable,
    lookup: dict[str, str],
    log: ProblemLog,
    today: date,
    value_maps: dict[str, dict[str, str]] | None = None,
    names: NameIndex | None = None,
    sum_duplicates: bool = False,
) -> BirthsInput | None:
    """Parse and aggregate a births file; problems go to ``log``, None when unusable.

    Rows of counts repeating an earlier row's township, month, sex, order (and age band and
    policy, where given) are refused, or added up with ``sum_duplicates``."""
    value_maps = value_maps or {}
    cols = validate.resolve_columns(raw, "births", lookup, log)
    validate.check_names(raw, cols, log)
    raw = validate.drop_total_rows(raw, cols, log)
    raw = melt_wide(raw, cols, "births", lookup)
    if raw.frame.height == 0:
        log.add(Problem(raw.file, "empty"))
        return None
    start = len(log.problems) + log.more

    def col(canon: str, parser, dtype, required: bool = False) -> pl.Series:
        return validate.parse_column(raw, cols.canon[canon], parser, dtype, log, required,
                            value_maps.get(canon))  # fmt: skip

    out: dict[str, pl.Series] = {ROW: raw.frame[ROW]}
    header = validate.code_header(raw, cols, log, names)
    if header is not None:
        out["township_code"] = validate.parse_township_codes(
            raw, header, log, names=validate.names_for(raw, cols, header, names)
        )
    month = _months(raw, cols, log, today, col)
    if month is not None:
        out["month"] = month
    aggregated = cols.has("births") or cols.has("boys") or cols.has("girls")
    if cols.has("sex"):
        out["sex"] = col("sex", parse_sex, pl.String)
    elif not (cols.has("boys") or cols.has("girls")):
        validate.missing_column(raw, log, "sex")
    if cols.has("births"):
        out["births"] = col("births", parse_count, pl.Int64, required=True)
    for canon in ("boys", "girls"):
        if cols.has(canon) and not cols.has("sex"):
            out[canon] = col(canon, parse_count, pl.Int64)
    out["birth_order"] = (
        col("birth_order", parse_order, pl.Int8)
        if cols.has("birth_order")
        else pl.Series("birth_order", [None] * raw.frame.height, pl.Int8)
    )
    out["mother_age_band"] = _age_bands(raw, cols, log, today, col, out.get("month"))
    out["policy_compliant"] = (
        col("policy_compliant", parse_bool, pl.Boolean)
        if cols.has("policy_compliant")
        else pl.Series("policy_compliant", [None] * raw.frame.height, pl.Boolean)
    )
    if cols.has("record_id") and not aggregated:
        ids = pl.DataFrame({"record_id": raw.frame[cols.canon["record_id"]], ROW: raw.frame[ROW]})
        ids = ids.with_columns(pl.when(pl.col("record_id") != "").then(pl.col("record_id")))
        validate.report_duplicates(raw, ids, ["record_id"], log, cols.canon["record_id"])
    # Codes are kept even when other cells are bad, so unknown codes are reported in the same run.
    code_rows = validate.first_rows(out["township_code"], raw.frame[ROW]) if header is not None else {}
    if len(log.problems) + log.more > start or header is None or month is None:
        return BirthsInput(None, cols, aggregated, {}, raw.frame.height, code_rows, header or "")
    frame = pl.DataFrame([s.alias(name) for name, s in out.items()])
    if aggregated:
        repeated.check_frame(raw.file, frame, [k for k in KEYS if k in frame.columns], log, sum_duplicates)
        if len(log.problems) + log.more > start:
            return BirthsInput(None, cols, aggregated, {}, raw.frame.height, code_rows, header)
    frame = _to_counts(frame, raw, log)
    names = validate.township_names(raw, cols, out["township_code"])
    return BirthsInput(frame, cols, aggregated, names, raw.frame.height, code_rows, header)


def _months(raw: RawTable, cols: validate.Columns, log: ProblemLog, today: date, col) -> pl.Series | None:
    """The month of each row, from a birth date, a month, or year + month-number columns."""
    if cols.has("birth_date"):
        days = col("birth_date", partial(parse_date, today=today), pl.Date, required=True)
        return days.dt.truncate("1mo")
    if cols.has("month"):
        sample = [v for v in raw.frame[cols.canon["month"]].head(200).to_list() if v]
        if cols.has("year") and sample and all(v.strip().removesuffix("月").isdigit() and
                                               len(v.strip().removesuffix("月")) <= 2 for v in sample):  # fmt: skip
            years = col("year", partial(parse_year, latest=today.year), pl.Int32, required=True)
            nums = col("month", parse_month_number, pl.Int8, required=True)
            months = pl.select(pl.date(years, nums, 1)).to_series()
            future = (months > today.replace(day=1)).fill_null(False)
            for row in raw.frame[ROW].filter(future).head(log.limit).to_list():
                log.add(Problem(raw.file, "date_future", row, cols.canon["month"], None,
                                {"today": today.isoformat()}))  # fmt: skip
            return months
        return col("month", partial(parse_month, today=today), pl.Date, required=True)
    validate.missing_column(raw, log, "birth_date", "month")
    return None


def _age_bands(raw, cols: validate.Columns, log: ProblemLog, today: date, col, month) -> pl.Series:
    """Mother's age band from a band column, an age, or the mother's and child's birth dates."""
    n = raw.frame.height
    if cols.has("mother_age_band"):
        return col("mother_age_band", parse_age_band, pl.String)
    if cols.has("mother_age"):
        ages = col("mother_age", lambda v: parse_age(v) if v.strip() else None, pl.Int16)
    elif cols.has("mother_birth_date") and cols.has("birth_date"):
        mum = col("mother_birth_date", lambda v: parse_date(v, today) if v.strip() else None, pl.Date)
        child = raw.frame[cols.canon["birth_date"]]
        child = pl.Series([None] * n, dtype=pl.Date) if month is None else _safe_dates(child, today)
        ages = pl.select(_completed_years(mum, child)).to_series()
    else:
        return pl.Series("mother_age_band", [None] * n, pl.String)
    outside = int(((ages < 15) | (ages > 49)).fill_null(False).sum())
    if outside:
        log.warn(Problem(raw.file, "age_outside_bands", fmt={"n": outside}))
    bands = {age: age_band(age) for age in ages.drop_nulls().unique().to_list()}
    return ages.replace_strict(bands, default=None, return_dtype=pl.String).alias("mother_age_band")


def _safe_dates(series: pl.Series, today: date) -> pl.Series:
    """Dates already checked (and reported) as the birth-date column; bad ones become null."""
    days: dict[str, date | None] = {}
    for value in series.unique().to_list():
        try:
            days[value] = parse_date(value, today)
        except ValueError:
            days[value] = None
    return series.replace_strict(days, default=None, return_dtype=pl.Date)


def _completed_years(born: pl.Series, on: pl.Series) -> pl.Expr:
    b, d = pl.lit(born), pl.lit(on)
    before_birthday = (d.dt.month() < b.dt.month()) | ((d.dt.month() == b.dt.month()) & (d.dt.day() < b.dt.day()))
    return (d.dt.year() - b.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int16)


def _to_counts(frame: pl.DataFrame, raw: RawTable, log: ProblemLog) -> pl.DataFrame:
    """Rows -> the births table: counts by township, month, sex, order, age band, policy."""
    if "births" not in frame.columns and "sex" in frame.columns:
        frame = frame.with_columns(pl.lit(1, pl.Int64).alias("births"))
    if "sex" not in frame.columns:  # boys / girls columns
        parts = [
            frame.with_columns(pl.lit(sex).alias("sex"), pl.col(c).fill_null(0).alias("births"))
            for sex, c in (("M", "boys"), ("F", "girls"))
            if c in frame.columns
        ]
        frame = pl.concat([p.drop("boys", "girls", strict=False) for p in parts])
    unknown = frame.filter(pl.col("sex").is_null())["births"].sum()
    if unknown:
        log.warn(Problem(raw.file, "sex_unknown_dropped", fmt={"n": int(unknown)}))
    frame = frame.filter(pl.col("sex").is_not_null()).with_columns(
        pl.when(pl.col("month").dt.year() <= LAST_POLICY_YEAR).then(pl.col("policy_compliant"))
    )
    counts = frame.group_by(KEYS).agg(pl.col("births").sum())
    counts = counts.filter(pl.col("births") > 0)
    return counts.select([pl.col(c).cast(t) for c, t in BIRTHS_SCHEMA.items()]).sort(KEYS, nulls_last=True)
