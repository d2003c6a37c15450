"""Finding the header of a table: one row, or two (a merged group row above the field row), and
reading the headers of wide tables (years, months, sexes or indicators as columns).

A two-row header is read as one: each column's header is ``group / field`` ("出生人数 / 男"),
or just the field when the field alone names a column ("基本信息 / 乡镇代码" -> "乡镇代码").
"""

from __future__ import annotations

import re

from natality.importing.headers import INDICATOR_LOOKUP, TABLE_COLUMNS, canonical_for, is_personal_header
from natality.importing.values import clean

HEADER_SCAN_ROWS = 10
JOINER = " / "  # between the group and the field of a two-row header

# The value column of a wide table when its headers name no measure of their own.
DEFAULT_MEASURE = {"births": "births", "population": "population", "targets": "target", "reported": None}
MEASURES = {
    "births": ("births",),
    "population": ("population",),
    "targets": ("target",),
    "reported": ("numerator", "denominator"),
}
_SEX_WORDS = {
    "男": "M",
    "男性": "M",
    "男孩": "M",
    "男婴": "M",
    "m": "M",
    "male": "M",
    "boys": "M",
    "女": "F",
    "女性": "F",
    "女孩": "F",
    "女婴": "F",
    "f": "F",
    "female": "F",
    "girls": "F",
}
_YEAR = re.compile(r"(\d{4})\s*(?:年|年度)?")
# 2024-03, 2024年3月, 202403, or 2024-03-01 (Excel turns a "2024-03" header into that day)
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]0?1(?: 00:00:00)?)?|(\d{2}))")
_MONTH_NUMBER = re.compile(r"(\d{1,2})\s*月(?:份)?")


def _part_dim(part: str, kind: str, lookup: dict[str, str]) -> tuple[str, str] | None:
    """What one part of a header says: ("year", "2024"), ("month", "2024-03"), ("month", "3"),
    ("sex", "M"), ("indicator", "出生率"), ("measure", "numerator"), or None."""
    text = clean(part)
    if m := _YEAR.fullmatch(text):
        return ("year", m[1]) if 1949 <= int(m[1]) <= 2100 else None
    if m := _MONTH.fullmatch(text):
        month = int(m[2] or m[3])
        return ("month", f"{m[1]}-{month:02d}") if 1949 <= int(m[1]) <= 2100 and 1 <= month <= 12 else None
    if m := _MONTH_NUMBER.fullmatch(text):
        return ("month", str(int(m[1]))) if 1 <= int(m[1]) <= 12 else None
    canon = canonical_for(text, lookup)
    if kind == "births" and (canon in ("boys", "girls") or text.lower() in _SEX_WORDS):
        return "sex", "M" if canon == "boys" else "F" if canon == "girls" else _SEX_WORDS[text.lower()]
    if canon in MEASURES.get(kind, ()):
        return "measure", canon
    if kind in ("targets", "reported") and canonical_for(text, INDICATOR_LOOKUP):
        return "indicator", text
    return None


def header_dims(header: str, kind: str, lookup: dict[str, str]) -> dict[str, str] | None:
    """The dimensions a wide table's column header carries, or None when it is not such a header.

    "2024年" (population) -> {year: 2024, measure: population}; "2024年3月 / 男" (births) ->
    {month: 2024-03, sex: M, measure: births}; "出生率 / 2025" (targets) -> {indicator, year, measure}.
    """
    dims: dict[str, str] = {}
    for part in (p for p in header.split(JOINER) if p.strip()):
        found = _part_dim(part, kind, lookup)
        if found is None or found[0] in dims:
            return None
        dims[found[0]] = found[1]
    if "year" in dims and "month" in dims and "-" not in dims["month"]:
        dims["month"] = f"{dims.pop('year')}-{int(dims['month']):02d}"
    dims.setdefault("measure", DEFAULT_MEASURE.get(kind))
    if dims["measure"] is None:
        return None
    needs = {
        "births": ("month", "sex"),
        "population": ("year",),
        "targets": ("year", "indicator"),
        "reported": ("year", "indicator"),
    }.get(kind, ())
    allowed = {"births": {"month", "sex", "measure"}, "population": {"year", "measure"}}.get(
        kind, {"year", "indicator", "measure"}
    )
    if not any(d in dims for d in needs) or set(dims) - allowed:
        return None
    return dims


def _row_score(cells: list[str], kind: str, lookup: dict[str, str]) -> int:
    """Distinct headers of the table found in a row (a merged cell repeated over its range counts
    once); wide headers count only beside a named column (a data row of months is no header)."""
    wanted = set(TABLE_COLUMNS.get(kind, ()))
    named, personal, wide = set(), set(), set()
    for cell in filter(None, cells):
        canon = canonical_for(cell, lookup)
        if canon in wanted:
            named.add(canon)
        elif is_personal_header(cell):
            personal.add(cell)
        elif header_dims(cell, kind, lookup):
            wide.add(cell)
    return len(named) + len(personal) + (len(wide) if named else 0)


def _column_header(group: str, field: str, kind: str, lookup: dict[str, str]) -> str:
    if not group or group == field:
        return field
    if not field:
        return group
    joined = f"{group}{JOINER}{field}"
    wanted = set(TABLE_COLUMNS.get(kind, ()))
    dims = header_dims(joined, kind, lookup) or {}
    if canonical_for(joined, lookup) in wanted or {"year", "month", "indicator"} & set(dims):
        return joined  # "出生人数 / 男" (an alias of boys), "2024年 / 分子"
    if canonical_for(field, lookup) in wanted or is_personal_header(field):
        return field  # "出生人数 / 男婴数" -> 男婴数, "基本信息 / 乡镇代码" -> 乡镇代码
    return joined


def combine_rows(group: list[str], field: list[str], kind: str, lookup: dict[str, str]) -> list[str]:
    """Two header rows as one. A group cell spans the empty group cells to its right that have a
    field below them (as a merged cell does), but only when it has a field below itself: a cell
    merged downwards over both rows ("乡镇代码") spans nothing."""
    width = max(len(group), len(field))
    group = group + [""] * (width - len(group))
    field = field + [""] * (width - len(field))
    filled, span = [], ""
    for g, f in zip(group, field, strict=True):
        if g:
            span = g if f else ""
        filled.append(g or (span if f else ""))
    return [_column_header(g, f, kind, lookup) for g, f in zip(filled, field, strict=True)]


def locate_header(rows: list[list[str]], kind: str, lookup: dict[str, str]) -> tuple[int, list[str], int]:
    """(index of the header's last row, the header cells, how many headers matched).

    A pair of rows is taken for the header only when read as one it names more columns than
    any single row does.
    """
    head = rows[:HEADER_SCAN_ROWS]
    best_idx, best_score, best_cells = -1, 0, []
    for idx, row in enumerate(head):
        score = _row_score(row, kind, lookup)
        if score > best_score:
            best_idx, best_score, best_cells = idx, score, row
    if best_idx < 0:
        best_idx = next((i for i, r in enumerate(rows) if any(r)), 0)
        return best_idx, (rows[best_idx] if best_idx < len(rows) else []), 0
    for idx in range(len(head) - 1):
        cells = combine_rows(head[idx], head[idx + 1], kind, lookup)
        score = _row_score(cells, kind, lookup)
        if score > best_score:
            best_idx, best_score, best_cells = idx + 1, score, cells
    return best_idx, best_cells, best_score
