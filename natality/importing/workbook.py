"""Workbooks of one sheet a month, as offices keep them: read as one table with a month column.

A sheet named for a month (1月, 一月, 2024年1月, 2024.01) or whose title row names one ("2024年3月
各乡镇出生人口统计表") gives that month to its rows; the year comes from the sheet's name or its
title row. A summary sheet (汇总, 合计, 全年, or a sheet without a month whose numbers equal the sum
of the month sheets) is checked against the month sheets, cell by cell, and not counted again; a
mismatch refuses the file naming the sheet, row, column and both numbers. Other sheets (说明,
notes) are skipped with a note. The result is the ``RawTable`` a one-sheet file gives, plus the
column ``月份`` (an alias of month), so validation works unchanged; its rows are numbered on
through the sheets and ``RawTable.place`` turns a row back into its sheet and row for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from natality.importing.header_rows import HEADER_SCAN_ROWS, header_dims, locate_header
from natality.importing.headers import canonical_for
from natality.importing.problems import ImportFailed, Problem
from natality.importing.values import clean, is_total_label

SHEET_SEP = " › "  # between a workbook's file name and a sheet's name in messages
MONTH_HEADER = "月份"  # the column given to each month sheet's rows (a header alias of month)
SUMMARY_WORDS = ("汇总", "合计", "全年", "总计", "累计", "summary", "total")
_CN_MONTHS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
    "正": 1,
    "元": 1,
    "冬": 11,
    "腊": 12,
}
# A sheet's name: 1月, 01月份, 一月, 十二月, 2024年1月, 2024.01, 2024-1, 202401
_SHEET_MONTH = (
    re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月份?"),
    re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<cn>十[一二]|[一二三四五六七八九十正元冬腊])\s*月份?"),
    re.compile(r"(?P<y>\d{4})\s*[.\-/_]\s*(?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})"),
)
# In a title row: 2024年3月 (not a range such as 2024年1-6月 or 1月-6月)
_TITLE_MONTH = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*[-—~至到])")
_TITLE_YEAR = re.compile(r"(?P<y>\d{4})\s*年")
_RANGE = re.compile(r"\d{1,2}\s*月?\s*[-—~至到]\s*\d{1,2}\s*月")


@dataclass(frozen=True)
class SheetNote:
    """What the import took from one sheet: ``key`` names ``importer.sheet.<key>``."""

    sheet: str
    key: str
    fmt: dict = field(default_factory=dict)


@dataclass
class _Sheet:
    name: str
    rows: list[list[str]]
    header_idx: int
    header: list[str]
    score: int
    year: int | None
    month: int | None


def sheet_file(file: str, sheet: str) -> str:
    """A sheet of a workbook as messages name it: ``births.xlsx › 3月``."""
    return f"{file}{SHEET_SEP}{sheet}"


def name_month(name: str) -> tuple[int | None, int | None]:
    """(year, month) a sheet's name gives ((None, 3) for "3月"); (None, None) when none."""
    text = clean(name)
    for pattern in _SHEET_MONTH:
        if m := pattern.fullmatch(text):
            month = _CN_MONTHS[m["cn"]] if "cn" in pattern.groupindex and m["cn"] else int(m["m"])
            year = int(m["y"]) if m["y"] else None
            if 1 <= month <= 12 and (year is None or 1949 <= year <= 2100):
                return year, month
    return None, None


def title_month(rows: list[list[str]]) -> tuple[int | None, int | None]:
    """(year, month) named by the title rows above a header: a row whose filled cells hold one
    text (a title merged across the table). A range of months (1-6月) names no month."""
    for row in rows:
        texts = {c for c in row if c}
        if len(texts) != 1:
            continue
        text = clean(next(iter(texts)))
        found = list(_TITLE_MONTH.finditer(text))
        if len(found) == 1 and not _RANGE.search(text):
            return int(found[0]["y"]), int(found[0]["m"])
        if year := _TITLE_YEAR.search(text):
            return int(year["y"]), None
    return None, None


def is_summary_name(name: str) -> bool:
    text = clean(name).lower()
    return any(word in text for word in SUMMARY_WORDS)


def month_sheets(
    sheets: list[tuple[str, list[list[str]]]], file: str, kind: str, lookup: dict[str, str], to_frame
) -> tuple[pl.DataFrame, list[SheetNote], list[tuple[int, int, str]]] | None:
    """The month sheets of a workbook as one text frame with ``月份``, the notes of every sheet and
    the row places ((first row, offset, sheet) per month sheet); None when no sheet names a month
    (the workbook is read as one table, its best sheet). ``to_frame`` is ``readers.rows_to_frame``
    (passed in: readers imports this module). Raises ImportFailed when a month has no year or a
    summary disagrees with the months."""
    read = [_read_sheet(name, rows, kind, lookup) for name, rows in sheets]
    months = [s for s in read if s.month is not None and s.score > 0 and not _has_month_column(s, kind, lookup)]
    if not months:
        return None
    problems = [
        Problem(sheet_file(file, s.name), "sheet_no_year", fmt={"sheet": s.name}) for s in months if s.year is None
    ]
    if problems:
        raise ImportFailed(problems)
    frames, notes, places, offset, footers = [], {}, [], 0, []
    for s in months:
        frame, footer = _without_footer(to_frame(s.rows, sheet_file(file, s.name), kind, lookup), lookup)
        month = f"{s.year}-{s.month:02d}"
        frames.append(frame.with_columns(pl.lit(month).alias(MONTH_HEADER), pl.col("_row") + offset))
        notes[s.name] = SheetNote(s.name, "month", {"month": month, "rows": frame.height})
        if footer:
            footers.append(SheetNote(s.name, "footer", {"rows": ", ".join(map(str, footer))}))
        places.append((offset + 1, offset, s.name))
        offset += len(s.rows)
    body = pl.concat(frames, how="diagonal").with_columns(pl.exclude("_row").fill_null(""))
    body = body.select([*(c for c in body.columns if c != "_row"), "_row"])
    summary_problems, taken = [], {s.name for s in months}
    for s in read:
        if s.name in taken:
            continue
        if s.score == 0:
            notes[s.name] = SheetNote(s.name, "skipped_no_table")
            continue
        if _has_month_column(s, kind, lookup):  # a table of its own months: neither ours nor a summary
            notes[s.name] = SheetNote(s.name, "skipped_month_column")
            continue
        frame = to_frame(s.rows, sheet_file(file, s.name), kind, lookup)
        found, compared = _check_summary(frame, frames, file, s.name, lookup)
        if is_summary_name(s.name):
            summary_problems += found
            notes[s.name] = SheetNote(s.name, "summary", {"cells": compared, "months": len(months)})
        elif compared and not found:
            notes[s.name] = SheetNote(s.name, "summary_by_numbers", {"cells": compared, "months": len(months)})
        else:
            notes[s.name] = SheetNote(s.name, "skipped_no_month")
    if summary_problems:
        raise ImportFailed(summary_problems)
    listed = [notes[name] for name, _ in sheets if name in notes]
    return body, listed + footers, places


def _read_sheet(name: str, rows: list[list[str]], kind: str, lookup: dict[str, str]) -> _Sheet:
    head = [[cell.strip() for cell in row] for row in rows[:HEADER_SCAN_ROWS]]
    if not any(any(r) for r in head):
        return _Sheet(name, rows, 0, [], 0, None, None)
    header_idx, header, score = locate_header(head, kind, lookup)
    year, month = name_month(name)
    t_year, t_month = title_month(head[:header_idx])
    if month is None and not is_summary_name(name):  # a 全年 sheet titled "… 12月" is still the summary
        month = t_month
    return _Sheet(name, rows, header_idx, header, score, year or t_year, month)


def _without_footer(frame: pl.DataFrame, lookup: dict[str, str]) -> tuple[pl.DataFrame, list[int]]:
    """A month sheet without the notes under its table (填表人：… 审核人：… 填报日期：…): trailing rows
    with no township, or a colon in it, and no number in the other known columns. (The one table's
    last rows are the validation's to judge; a sheet's own footer would sit mid-table.)"""
    known = [h for h in frame.columns if h != "_row" and canonical_for(h, lookup)]
    keys = [h for h in known if canonical_for(h, lookup) in ("township_code", "township_name")]
    if len(known) < 2 or not keys or frame.height == 0:
        return frame, []
    numbers = pl.any_horizontal([pl.col(h).str.contains(_NUMBER) for h in known if h not in keys] or [pl.lit(False)])
    note = pl.all_horizontal([pl.col(h) == "" for h in keys]) | pl.any_horizontal(
        [pl.col(h).str.contains("[:：]") for h in keys]
    )
    flags = frame.select((note & ~numbers).alias("f"))["f"].to_list()
    n = next((i for i, flag in enumerate(reversed(flags)) if not flag), len(flags))
    if n == 0 or n == len(flags):
        return frame, []
    return frame.head(frame.height - n), frame["_row"].tail(n).to_list()


def _has_month_column(sheet: _Sheet, kind: str, lookup: dict[str, str]) -> bool:
    """Does the sheet's table give months itself: a month or date column, or months as columns?"""
    return any(
        canonical_for(h, lookup) in ("month", "birth_date") or "month" in (header_dims(h, kind, lookup) or {})
        for h in sheet.header
        if h
    )


def _key_header(frame: pl.DataFrame, lookup: dict[str, str]) -> str | None:
    for canon in ("township_code", "township_name"):
        for header in frame.columns:
            if canonical_for(header, lookup) == canon:
                return header
    return None


_NUMBER = r"^-?\d+(\.\d+)?$"


def _check_summary(
    summary: pl.DataFrame, months: list[pl.DataFrame], file: str, sheet: str, lookup: dict[str, str]
) -> tuple[list[Problem], int]:
    """Each number of a summary sheet against the sum of the month sheets for its township and
    column (a total row against every non-total row): (the mismatches, cells compared). Columns
    are paired by what they mean ("男" and "出生人数 / 男" are both boys), else by header."""
    ident = _meanings(summary.columns, lookup)
    months = [m.select([pl.col(h).alias(c) for h, c in _meanings(m.columns, lookup).items()]) for m in months]
    key = next((h for canon in ("township_code", "township_name") for h, c in ident.items() if c == canon), None)
    if key is None or any(ident[key] not in m.columns for m in months):
        return [], 0
    numbers = [
        h
        for h, c in ident.items()
        if h != key
        and c not in ("month", "year", "township_code", "township_name")
        and all(c in m.columns for m in months)
        and (summary[h].str.contains(_NUMBER) | (summary[h] == "")).all()
        and (summary[h] != "").any()
    ]
    if not numbers:
        return [], 0
    k = ident[key]
    stacked = pl.concat(
        [m.select(pl.col(k).alias("_key"), *(pl.col(ident[h]).alias(h) for h in numbers)) for m in months]
    )
    values = [pl.col(h).cast(pl.Float64, strict=False).fill_null(0.0) for h in numbers]
    totals = [label for label in summary[key].unique().to_list() if is_total_label(label)]
    by_key = stacked.group_by("_key").agg([v.sum() for v in values])
    rest = stacked.filter(~pl.col("_key").is_in(totals)).select([v.sum() for v in values])
    total_in_months = bool(set(totals) & set(by_key["_key"].to_list()))
    keyed = summary.filter(pl.col(key) != "").join(
        by_key.rename({h: f"{h}__months" for h in numbers}), left_on=key, right_on="_key", how="left"
    )
    problems, compared = [], 0
    for h in numbers:
        months_sum = pl.col(f"{h}__months")
        if totals and not total_in_months:
            months_sum = pl.when(pl.col(key).is_in(totals)).then(pl.lit(rest[h][0])).otherwise(months_sum)
        given = pl.col(h).cast(pl.Float64, strict=False)
        cells = keyed.select("_row", given.alias("given"), months_sum.fill_null(0.0).alias("sum")).drop_nulls("given")
        compared += cells.height
        for row, value, total in cells.filter((pl.col("given") - pl.col("sum")).abs() > 1e-6).iter_rows():
            problems.append(
                Problem(
                    sheet_file(file, sheet),
                    "sheet_total_mismatch",
                    row,
                    h,
                    None,
                    {"given": _num(value), "months": _num(total), "diff": _num(value - total), "n": len(months)},
                )
            )
    return problems, compared


def _meanings(headers: list[str], lookup: dict[str, str]) -> dict[str, str]:
    """Header -> what it means (its canonical column, else the header), the first of each only."""
    out: dict[str, str] = {}
    for h in headers:
        meaning = canonical_for(h, lookup) or h
        if h != "_row" and meaning not in out.values():
            out[h] = meaning
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
