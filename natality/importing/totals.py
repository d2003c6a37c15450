"""Totals that must agree: a report's 合计, 总计 and 小计 rows, and a 合计 column beside 男 and 女,
are compared with the sum of what they total before they are dropped.

A 小计 (subtotal) row totals the records since the previous total row (the start of its group);
a 合计 or 总计 row the records since the previous 合计 (or the start of the file), or, when it
stands above them (a total first, as many reports put it), the records down to the next one. A
total row whose month, sex, order ... cell is filled totals only the records of that month, sex,
order; in a wide table each of its cells totals the records' cells under the same header. A 合计
column (births beside boys and girls) totals the row's boys and girls. A mismatch is a problem
naming the row (and column), both numbers and the difference: the office typed one of them
wrong, and nobody can tell which to trust.
"""

from __future__ import annotations

import polars as pl

from natality.importing.births_rows import ALL
from natality.importing.cells import ParsedColumns, query_rows, register
from natality.importing.problems import Problem, ProblemLog
from natality.importing.total_columns import count_or_empty, numbers, row_mismatches
from natality.importing.validate import Columns
from natality.importing.values import is_total_label

COUNTS = ("births", "boys", "girls")
DIMENSIONS = ("month", "sex", "birth_order", "mother_age_band", "policy_compliant")
FIRST = 0
LAST = 1 << 62


def check_totals(
    parsed: ParsedColumns,
    out: dict[str, str],
    headers: dict[str, str],
    log: ProblemLog,
    counts: tuple[str, ...] = COUNTS,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> int:
    """Compare every total row with the records it totals; a problem per disagreeing cell.
    ``out``: the SQL of each parsed column; ``headers``: canonical column -> header as written;
    ``counts``: the columns that add up (births; population; numerators and denominators);
    ``dimensions``: the columns a total row may name to total only those records (a month, a year).
    Returns the number of total rows compared (0: none, or a file of records without counts)."""
    counts = [c for c in counts if c in out]
    cells = parsed.cells
    if not counts or cells.no_total_rows:
        return 0
    if not query_rows(cells.con, f"select 1 from {ALL} where _total is not null limit 1"):
        return 0
    con = cells.con
    dims = "".join(f"{out[d]} as {d}, " for d in dimensions if d in out)
    wide = f"{ALL}._header" if cells.melted else "null::varchar"
    own = "".join(f"{ALL}.{cells.measure_headers[c]} as header_{c}, " for c in counts if c in cells.measure_headers)
    con.execute(
        f"create or replace temp table total_check as select {ALL}._row as r, {ALL}._cell as cell, "
        f"{ALL}._total as total, {wide} as header, {own}{dims}{', '.join(f'{out[c]} as {c}' for c in counts)} "
        f"from {parsed.source(view=ALL)}"
    )
    totals = query_rows(con, "select distinct r, total from total_check where total is not null order by r")
    register(con, "total_segments", _segments(con, totals))
    same = " and ".join(f"(t.{d} is null or d.{d} = t.{d})" for d in dimensions if d in out)
    for count in counts:
        header = f"header_{count}" if count in cells.measure_headers else "header"
        found = query_rows(
            con,
            f"select t.r, any_value(t.{header}), t.{count}, coalesce(sum(d.{count}), 0) as summed "
            f"from total_check t join total_segments s on t.r = s.r "
            f"left join total_check d on d.total is null and d.r > s.lo and d.r < s.hi and d.cell = t.cell "
            f"and {same or 'true'} where t.total is not null and t.{count} is not null "
            f"group by t.r, t.cell, t.{count} having round(t.{count} - summed, 6) <> 0 order by t.r, t.cell",
        )
        for row, written, total, summed in found:
            column = written or headers[count]
            log.add(Problem(cells.file, "total_mismatch", row, column, None, numbers(total, summed)))
    return len(totals)


def _segments(con, totals: list[tuple[int, str]]) -> pl.DataFrame:
    """Each total row's records: the rows strictly between ``lo`` and ``hi``."""
    grands = [r for r, kind in totals if kind == "grand"]
    rows, lows, highs = [], [], []
    previous, previous_grand = FIRST, FIRST
    for row, kind in totals:
        if kind == "sub":
            low, high = previous, row
        else:
            low, high = previous_grand, row
            if not _any_between(con, low, high):  # a total above its records
                later = [g for g in grands if g > row]
                low, high = row, later[0] if later else LAST
            previous_grand = row
        rows.append(row)
        lows.append(low)
        highs.append(high)
        previous = row
    return pl.DataFrame({"r": rows, "lo": lows, "hi": highs}, schema={"r": pl.Int64, "lo": pl.Int64, "hi": pl.Int64})


def _any_between(con, low: int, high: int) -> bool:
    sql = "select count(*) from (select 1 from total_check where total is null and r > $lo and r < $hi limit 1)"
    return bool(query_rows(con, sql, {"lo": low, "hi": high})[0][0])


def check_total_column(parsed: ParsedColumns, out: dict[str, str], cols: Columns, log: ProblemLog) -> None:
    """A 合计 column beside 男 and 女 columns (read as births, or a header that is a total word):
    each record's total must be its boys + girls."""
    if "sex" in out or "boys" not in out or "girls" not in out:
        return
    header = cols.canon.get("births") or next((h for h in cols.ignored if is_total_label(h)), None)
    if header is None:
        return
    total = out.get("births") or parsed.parse("total_column", header, count_or_empty, pl.Int64)
    summed = f"coalesce({out['boys']}, 0) + coalesce({out['girls']}, 0)"
    row_mismatches(parsed, total, summed, header, log)
