"""Total columns of a wide table, checked before it is melted: a 合计 / 全年 column beside 12 month
columns, a 1月合计 column beside 1月男 and 1月女, a 合计 / 男 column beside each month's boys.

A total column's header is a total word (``WORDS``) alone, or beside what it totals (``1月合计``,
``合计 / 男``): it totals every wide column whose header names the same month, sex, year ... In
each row (records and total rows alike) its cell must be the sum of theirs; a mismatch is a
problem naming the row and the column, both numbers and the difference; columns that agree are
dropped with a one-line note. Counts are parsed the way every count is (``values.parse_count``),
each distinct value once; a cell that is not a count is left to the cells' own checks.
"""

from __future__ import annotations

import re

import polars as pl

from natality.importing import validate
from natality.importing.cells import Cells, ParsedColumns, query_rows
from natality.importing.header_rows import header_dims
from natality.importing.problems import Problem, ProblemLog
from natality.importing.values import clean, parse_count

WORDS = ("合计", "总计", "小计", "全年", "共计", "总数", "total")
_TOTAL = re.compile(rf"^(.*?)[\s/]*(?:{'|'.join(WORDS)})[\s/]*(.*?)$", re.IGNORECASE)


def total_columns(cols: validate.Columns, found: dict[str, dict[str, str]], kind: str, lookup: dict[str, str]):
    """Unused headers that total some of the wide columns ``found``: header -> the headers it totals."""
    keys = set(next(iter(found.values()))) - {"measure"}
    measures = {d["measure"] for d in found.values()}
    totals = {}
    for header in cols.ignored:
        m = _TOTAL.fullmatch(clean(header))
        if header in found or m is None:
            continue
        rest = " / ".join(p for p in (m[1].strip(" /"), m[2].strip(" /")) if p)
        dims = {} if not rest else header_dims(rest, kind, lookup)
        if dims is None:
            continue
        named = {d: v for d, v in dims.items() if d != "measure"}
        if set(named) - keys or len(measures) > 1:
            continue
        covered = [h for h, d in found.items() if all(d.get(k) == v for k, v in named.items())]
        if len(covered) > 1:
            totals[header] = covered
    return totals


def check_total_columns(
    cells: Cells, cols: validate.Columns, found: dict[str, dict[str, str]], kind: str, lookup: dict, log: ProblemLog
) -> None:
    """Compare each total column with the sum of the columns it totals, in every row of
    ``all_rows``; the total columns are then no longer unused."""
    totals = total_columns(cols, found, kind, lookup)
    if not totals:
        return
    parsed = ParsedColumns(cells, ProblemLog(), "all_rows")  # bad cells: the cells' own checks report them
    sql = {
        h: parsed.parse(f"tc{cells.headers.index(h)}", h, count_or_empty, pl.Int64)
        for h in cells.headers
        if h in totals or any(h in c for c in totals.values())
    }
    wrong = 0
    for header, covered in totals.items():
        summed = " + ".join(f"coalesce({sql[h]}, 0)" for h in covered)
        wrong += row_mismatches(parsed, sql[header], summed, header, log)
    cols.ignored = [h for h in cols.ignored if h not in totals]
    if not wrong:
        log.warn(Problem(cells.file, "total_columns_checked", fmt={"columns": "、".join(totals), "n": len(totals)}))


def row_mismatches(parsed: ParsedColumns, total: str, summed: str, header: str, log: ProblemLog) -> int:
    """Rows of ``parsed.view`` whose ``total`` (SQL) is not ``summed``: a problem each, naming the
    row, ``header``, both numbers and the difference. Returns how many were listed."""
    view = parsed.view
    cell = f", {view}._cell" if view != "all_rows" else ""
    found = query_rows(
        parsed.con,
        f"select {view}._row, {total}, {summed} from {parsed.source()} "
        f"where {total} <> {summed} order by {view}._row{cell} limit $n",
        {"n": log.limit},
    )
    for row, value, added in found:
        log.add(Problem(parsed.cells.file, "total_mismatch", row, header, None, numbers(value, added)))
    return len(found)


def count_or_empty(text: str) -> int | None:
    return parse_count(text) if text.strip() else None


def numbers(total: float, summed: float) -> dict:
    """A mismatch's numbers, as the message shows them: integers without a decimal point."""

    def shown(value: float) -> str:
        value = float(value)
        return str(int(value)) if value.is_integer() else f"{value:g}"

    diff = float(total) - float(summed)
    return {"total": shown(total), "sum": shown(summed), "diff": ("+" if diff >= 0 else "-") + shown(abs(diff))}
