"""Population, targets and reported-indicator files: tidy long tables, or wide ones melted.

Long: one row per township, year (and indicator). Wide population: one column per year
(2019, 2020年 ...). Wide targets / reported: one column per indicator (出生率, 政策符合率 ...).
Also the regions file: names of counties, cities and provinces by their 6-digit codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial

import duckdb
import polars as pl

from natality.importing import births_rows, totals, validate
from natality.importing.births_rows import ALL, VIEW
from natality.importing.cells import Cells, ParsedColumns, from_frame
from natality.importing.headers import INDICATOR_ALIASES, INDICATOR_LOOKUP, canonical_for
from natality.importing.names import NameIndex
from natality.importing.problems import Problem, ProblemLog
from natality.importing.readers import ROW, RawTable
from natality.importing.values import BadValue, parse_count, parse_number, parse_region_code, parse_year

PERCENT_INDICATORS = {"share_order3p", "policy_compliance", "stats_accuracy", "long_acting_contraception"}


@dataclass
class TableInput:
    frame: pl.DataFrame | None  # None when the file has problems
    columns: validate.Columns
    code_rows: dict[str, int]  # code -> first row, for messages about unknown codes
    code_column: str


def parse_indicator(text: str) -> str:
    key = canonical_for(text, INDICATOR_LOOKUP)
    if key is None:
        raise BadValue("indicator", known=", ".join(INDICATOR_ALIASES))
    return key


def _year_of_header(header: str) -> int | None:
    m = re.fullmatch(r"(\d{4})(年|年度)?.*", header.strip())
    return int(m[1]) if m and 1949 <= int(m[1]) <= 2100 else None


def _melt(raw: RawTable, cols: validate.Columns, headers: list[str], name: str, value: str) -> RawTable:
    """Wide -> long: each of ``headers`` becomes a row with ``name`` = header, ``value`` = cell."""
    keep = [ROW, *cols.canon.values()]
    long = raw.frame.unpivot(index=keep, on=headers, variable_name=name, value_name=value)
    long = long.filter(pl.col(value) != "").sort(ROW, maintain_order=True)
    cols.canon[name], cols.canon[value] = name, value
    for h in headers:
        if h in cols.ignored:
            cols.ignored.remove(h)
    return RawTable(raw.file, long, raw.encoding, raw.sheet)


def validate_table(
    raw: RawTable,
    kind: str,
    lookup: dict[str, str],
    log: ProblemLog,
    today: date,
    names: NameIndex | None = None,
) -> TableInput | None:
    """Validate a population / targets / reported file into its extract table: its rows and cells
    go the births files' way (``births_rows``: names, total and note rows, a wide table melted,
    total columns checked, in SQL over ``cells.Cells``), then its columns are parsed; total rows
    are checked against what they total once every cell is good (``totals.check_totals``)."""
    cols = validate.resolve_columns(raw, kind, lookup, log)
    con = duckdb.connect()
    try:
        cells = from_frame(raw, con)
        births_rows.check_names(cells, cols, log)
        births_rows.records_view(cells, cols, log, lookup, kind)
        result, checked = _validate(cells, cols, kind, lookup, log, today, names)
        births_rows.note_total_rows(cells, log, checked > 0)
        return result
    finally:
        con.close()


def _validate(
    cells: Cells,
    cols: validate.Columns,
    kind: str,
    lookup: dict[str, str],
    log: ProblemLog,
    today: date,
    names: NameIndex | None,
) -> tuple[TableInput | None, int]:
    """The records (the view ``b``) parsed; with the number of total rows checked."""
    raw = cells.table(VIEW)
    latest = today.year + (10 if kind == "targets" else 0)  # targets may be set ahead
    if kind == "population" and not cols.has("year"):
        years = [h for h in cols.ignored if _year_of_header(h)]
        if years:
            raw = _melt(raw, cols, years, "year", "population")
            # the year of each header, as a lookup (no Python function inside a polars expression)
            of_header = {h: str(_year_of_header(h)) for h in years}
            raw = RawTable(
                raw.file,
                raw.frame.with_columns(pl.col("year").replace_strict(of_header, default=None, return_dtype=pl.String)),
            )
    if kind in ("targets",) and not cols.has("indicator"):
        wide = [h for h in cols.ignored if canonical_for(h, INDICATOR_LOOKUP)]
        if wide:
            raw = _melt(raw, cols, wide, "indicator", "target")
    if raw.frame.height == 0:
        log.add(Problem(raw.file, "empty"))
        return None, 0
    start = len(log.problems) + log.more
    needed = {
        "population": ["year", "population"],
        "targets": ["year", "indicator", "target"],
        "reported": ["year", "indicator", "numerator", "denominator"],
    }[kind]
    header = validate.code_header(raw, cols, log, names)
    for canon in needed:
        if not cols.has(canon):
            validate.missing_column(raw, log, canon)
    if len(log.problems) + log.more > start:
        return None, 0

    def col(canon: str, parser, dtype) -> pl.Series:
        return validate.parse_column(raw, cols.canon[canon], parser, dtype, log, required=True)

    out = {
        "township_code": validate.parse_township_codes(
            raw, header, log, allow_county=kind == "targets", names=validate.names_for(raw, cols, header, names)
        ),
        "year": col("year", partial(parse_year, latest=latest), pl.Int32),
    }
    if kind == "population":
        out["population"] = col("population", parse_count, pl.Int64)
    else:
        out["indicator"] = col("indicator", parse_indicator, pl.String)
    if kind == "targets":
        out["target"] = col("target", parse_number, pl.Float64)
    if kind == "reported":
        out["numerator"] = col("numerator", _non_negative, pl.Float64)
        out["denominator"] = col("denominator", _positive, pl.Float64)
    frame = pl.DataFrame([s.alias(k) for k, s in out.items()]).with_columns(raw.frame[ROW])
    keys = ["township_code", "year"] + ([] if kind == "population" else ["indicator"])
    validate.report_duplicates(raw, frame, keys, log)
    code_rows = validate.first_rows(frame["township_code"], frame[ROW])
    if len(log.problems) + log.more > start:
        return TableInput(None, cols, code_rows, header), 0  # codes still checked in this run
    if kind == "targets":
        _warn_fractions(raw, frame, log)
    checked = _check_totals(cells, cols, kind, latest, log)
    if len(log.problems) + log.more > start:
        return TableInput(None, cols, code_rows, header), checked
    return TableInput(frame.drop(ROW).sort(keys), cols, code_rows, header), checked


def _check_totals(cells: Cells, cols: validate.Columns, kind: str, latest: int, log: ProblemLog) -> int:
    """Total rows against what they total: population, numerators and denominators add up, and of
    the targets only a births target (a count); a rate's or a share's total row (a county's own
    target) is no sum, and is dropped unchecked. The cells are all good by now: parsing them again
    reports nothing. Returns the number of total rows checked (0 for targets: some are not)."""
    counts = {"population": ("population",), "reported": ("numerator", "denominator"), "targets": ("target",)}[kind]
    needed = [c for c in (*counts, "year", "indicator") if cols.has(c)]
    if any(cols.canon[c] not in cells.columns for c in needed):
        return 0  # a table melted by the fallbacks above: its total rows are only dropped
    parsed = ParsedColumns(cells, ProblemLog(), VIEW, values_view=ALL)
    number = (parse_number, pl.Float64)
    year = (partial(parse_year, latest=latest), pl.Int32)
    parsers = {
        "population": (parse_count, pl.Int64),
        "numerator": number,
        "denominator": number,
        "target": number,
        "year": year,
        "indicator": (parse_indicator, pl.String),
    }
    out = {c: parsed.parse(c, cols.canon[c], *parsers[c]) for c in needed}
    if kind == "targets":
        out["target"] = f"case when {out['indicator']} = 'births' then {out['target']} end"
    headers = {c: cols.canon[c] for c in counts}
    checked = totals.check_totals(parsed, out, headers, log, counts, ("year", "indicator"))
    return 0 if kind == "targets" else checked


def _non_negative(text: str) -> float:
    value = parse_number(text)
    if value < 0:
        raise BadValue("count_negative")
    return value


def _positive(text: str) -> float:
    value = parse_number(text)
    if value <= 0:
        raise BadValue("denominator")
    return value


def _warn_fractions(raw: RawTable, frame: pl.DataFrame, log: ProblemLog) -> None:
    """Percent targets written as fractions (0.93 for 93 %) are almost always a unit slip."""
    small = frame.filter(pl.col("indicator").is_in(list(PERCENT_INDICATORS)) & (pl.col("target") <= 1))
    if small.height:
        log.warn(Problem(raw.file, "target_fraction", int(small[ROW][0]), None, str(small["target"][0])))


REGIONS_SCHEMA = {"region_code": pl.String, "name": pl.String, "name_en": pl.String}


def _region_name(text: str) -> str:
    return text.strip()


def validate_regions(raw: RawTable, lookup: dict[str, str], log: ProblemLog) -> TableInput | None:
    """The regions file: region_code (6 digits), name, name_en (optional); one row per code."""
    cols = validate.resolve_columns(raw, "regions", lookup, log)
    validate.check_names(raw, cols, log)
    raw = validate.drop_total_rows(raw, cols, log, keys=("region_code", "region_name"))
    if raw.frame.height == 0:
        log.add(Problem(raw.file, "empty"))
        return None
    start = len(log.problems) + log.more
    for canon in ("region_code", "region_name"):
        if not cols.has(canon):
            validate.missing_column(raw, log, canon)
    if len(log.problems) + log.more > start:
        return None
    header = cols.canon["region_code"]
    out = {
        "region_code": validate.parse_column(raw, header, parse_region_code, pl.String, log, required=True),
        "name": validate.parse_column(raw, cols.canon["region_name"], _region_name, pl.String, log, required=True),
        "name_en": (
            validate.parse_column(raw, cols.canon["region_name_en"], lambda v: v.strip() or None, pl.String, log)
            if cols.has("region_name_en")
            else pl.Series([None] * raw.frame.height, dtype=pl.String)
        ),
    }
    frame = pl.DataFrame([s.alias(k) for k, s in out.items()]).with_columns(raw.frame[ROW])
    validate.report_duplicates(raw, frame, ["region_code"], log, header)
    if len(log.problems) + log.more > start:
        return TableInput(None, cols, {}, header)
    return TableInput(frame.drop(ROW).sort("region_code").cast(REGIONS_SCHEMA), cols, {}, header)
