"""Which rows and cells of a births file are records, in SQL over ``Cells``: names refused
(control characters, too long), total rows (合计, 小计 ...) and the notes under the table dropped,
a wide table (one column per month and sex) melted into rows, repeated record numbers listed.

The result is the view ``b``: ``_row``, ``_cell`` (a melted cell's column position; 0 otherwise)
and the text columns of the records, which ``validate_births`` parses and counts.
"""

from __future__ import annotations

import polars as pl
from duckdb import ColumnExpression, ConstantExpression, FunctionExpression

from natality.core import frames, literal
from natality.core.literal import sql_identifier
from natality.importing import validate
from natality.importing.cells import ORDER, ROW, Cells, query_rows, query_value, register, unordered
from natality.importing.problems import Problem, ProblemLog
from natality.importing.total_columns import check_total_columns
from natality.importing.values import is_subtotal_label, is_total_label
from natality.importing.wide import wide_headers

VIEW = "b"  # the records: rows after total and note rows are dropped, a wide table melted
ALL = "b_all"  # the records and the total rows (``_total``), to check the totals
TAIL = 1000  # rows at the end of a file looked at first for the notes under the table
KEY_COLUMNS = ("township_code", "township_name")
# RE2 (DuckDB) spelling of the code points of literal.NAME_CONTROL
NAME_CONTROL = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"


def check_names(cells: Cells, cols: validate.Columns, log: ProblemLog) -> None:
    """``validate.check_names`` in SQL: names with control characters or over ``MAX_NAME``."""
    for canon in validate.NAME_COLUMNS:
        header = cols.canon.get(canon)
        if header is None:
            continue
        column = cells.columns[header]
        where = f"regexp_matches({column}, $pattern) or length({column}) > $max"
        params = {"pattern": NAME_CONTROL, "max": literal.MAX_NAME}
        rows = query_rows(
            cells.con,
            f"select _row, {column} from raw where {where} order by _row limit $n",
            {**params, "n": log.limit},
        )
        for row, value in rows:
            key = literal.name_problem(value) or "name_too_long"
            log.add(validate.name_problem(cells.file, key, row, header, value))
        if len(rows) == log.limit:
            log.more += int(query_value(cells.con, f"select count(*) from raw where {where}", params)) - len(rows)


def records_view(
    cells: Cells,
    cols: validate.Columns,
    log: ProblemLog,
    lookup: dict[str, str],
    kind: str = "births",
    ahead: list[str] = (),
) -> int:
    """Make the views ``b`` (the records: total and note rows dropped, a wide table melted) and
    ``b_all`` (the records and the total rows, ``_total`` 'sub' or 'grand' on a total row);
    returns the number of records. ``kind``: births, population, targets or reported; ``ahead``:
    headers to be parsed next, whose distinct values are read with the key columns' (one scan)."""
    con = cells.con
    wide = bool(wide_headers(cols, kind, lookup))  # melted: the headers to parse are other columns
    _mark_total_rows(cells, cols, [] if wide else [cells.columns[h] for h in ahead])
    last = _drop_footer_rows(cells, cols, log)
    if last is None:
        con.execute("create or replace view all_rows as select * from marked")
    else:  # the last row before the notes under the table, bound as a value
        con.execute("create or replace table last_row as select $last::bigint as last", {"last": int(last)})
        con.execute(
            "create or replace view all_rows as select marked.* from marked, last_row"
            " where marked._total is not null or marked._row <= last_row.last"
        )
    if not _melt_wide(cells, cols, lookup, kind, log):
        con.execute("create or replace view b_all as select *, 0 as _cell from all_rows")
        if last is None:  # the file's rows, every one: read like the file's cells
            cells.same_as_raw.update([ALL, VIEW] if cells.no_total_rows else [ALL])
    con.execute("create or replace view b as select * from b_all where _total is null")
    if VIEW in cells.same_as_raw and cells.frame is not None:
        return cells.frame.height
    return int(query_value(con, "select count(*) from b"))


def _mark_total_rows(cells: Cells, cols: validate.Columns, ahead: list[str] = ()) -> None:
    """Rows whose township is 合计, 总计, 小计, total ... (``values.is_total_label``): the view
    ``marked``, the file with ``_total`` ('sub' for 小计 and subtotal, else 'grand'; null on other rows).

    The key columns' cells are unpivoted into one column: its distinct texts are judged once in
    Python, the total rows found by one join of that column with the labels and kept as a small
    table ``total_rows``, which the view joins by row number. The distinct values of the columns
    ``ahead`` are read in the same scan (``Cells.distinct`` keeps them)."""
    con = cells.con
    columns = list(dict.fromkeys(cells.columns[cols.canon[c]] for c in KEY_COLUMNS if c in cols.canon))
    keys = ", ".join(sql_identifier(c) for c in columns)
    key_cells = f"(unpivot (select _row, {keys} from raw) on {keys} into name _column value _value)" if keys else ""
    found = cells.distinct([*columns, *ahead], "raw") if keys or len(ahead) >= 2 else {}
    texts = {v for c in columns for v in found[c]["text"]}
    labels = {v: is_subtotal_label(v) for v in texts if is_total_label(v)}
    if not labels:
        cells.no_total_rows = True
        con.execute("create or replace view marked as select *, null::varchar as _total from raw")
        return
    frame = pl.DataFrame({"v": list(labels), "sub": list(labels.values())}, schema={"v": pl.String, "sub": pl.Boolean})
    register(con, "total_labels", frame)
    con.execute(
        "create or replace table total_rows as select k._row, case when bool_or(l.sub) then 'sub' else 'grand' end"
        f" as _total from {key_cells} k join total_labels l on k._value = l.v group by k._row"
    )
    con.execute(
        "create or replace view marked as select raw.*, total_rows._total from raw"
        " left join total_rows on raw._row = total_rows._row"
    )


def note_total_rows(cells: Cells, log: ProblemLog, checked: bool) -> None:
    """One line in the summary: the total rows skipped (``checked``: each agreed with its rows)."""
    if cells.no_total_rows:
        return
    first = query_rows(cells.con, "select _row from marked where _total is not null order by _row limit 10")
    if first:
        n = query_value(cells.con, "select count(*) from marked where _total is not null")
        key = "total_rows_checked" if checked else "total_rows_skipped"
        log.warn(Problem(cells.file, key, fmt={"rows": ", ".join(str(r) for (r,) in first), "n": n}))


def _drop_footer_rows(cells: Cells, cols: validate.Columns, log: ProblemLog) -> int | None:
    """Notes under the table (填报单位：… 制表人：… 注：…): trailing rows with fewer than half of the
    table's columns filled and either no township or a colon in the text. The last row kept, or
    None when none is dropped."""
    con = cells.con
    keys = [cells.columns[cols.canon[c]] for c in KEY_COLUMNS if c in cols.canon]
    mapped = [cells.columns[h] for h in dict.fromkeys(cols.canon.values())]
    con.execute("create or replace view no_totals as select * from marked where _total is null")
    if not keys or len(mapped) < 2:
        return None
    filled = " + ".join(f"({c} <> '')::integer" for c in mapped)
    no_key = " and ".join(f"{c} = ''" for c in keys)
    note = " or ".join(f"regexp_matches({c}, '[:：]')" for c in keys)
    flag = f"((({no_key}) or ({note})) and ({filled}) * 2 < {len(mapped)})"
    end, last = _last_record(cells, flag)
    if last is None or last == end:  # every row looks like a note (keep them all), or none does
        return None
    first = query_rows(con, "select _row from no_totals where _row > $last order by _row limit 10", {"last": last})
    if not first:
        return None
    n = query_value(con, "select count(*) from no_totals where _row > $last", {"last": last})
    log.warn(Problem(cells.file, "footer_rows_skipped", fmt={"rows": ", ".join(str(r) for (r,) in first), "n": n}))
    return last


def _last_record(cells: Cells, flag: str) -> tuple[int | None, int | None]:
    """The last row (None: no row) and the last row that is not a note under the table (None:
    every row is one). The notes are a few rows at the end: the last ``TAIL`` rows are looked at
    first, the whole file only when every one of them is a note."""
    con, frame = cells.con, cells.frame
    if frame is not None and cells.no_total_rows:  # the file's rows in order, each one in ``no_totals``
        end = frame[ROW][-1] if frame.height else None
    else:
        end = query_value(con, "select max(_row) from no_totals")
    if end is None:
        return None, None
    tail = f"from no_totals where _row > $start and not {flag}"
    last = query_value(con, f"select max(_row) {tail}", {"start": end - TAIL})
    if last is None:
        last = query_value(con, f"select max(_row) {tail}", {"start": -1})
    return end, last


def _melt_wide(cells: Cells, cols: validate.Columns, lookup: dict[str, str], kind: str, log: ProblemLog) -> bool:
    """One row per non-empty cell of the wide columns (months, sexes, years, indicators), with the
    dimensions its header names; with two measures (分子 / 分母 under each year or indicator) one row
    per record and dimensions, the measures side by side. A total column beside them (合计, 全年,
    1月合计) is checked against them first (``totals.check_total_columns``). ``cells`` and ``cols``
    learn the new columns. False: not wide."""
    found = wide_headers(cols, kind, lookup)
    if not found:
        return False
    check_total_columns(cells, cols, found, kind, lookup, log)
    dims = [d for d in next(iter(found.values())) if d != "measure"]
    measures = sorted({d["measure"] for d in found.values()})
    groups: dict[tuple, int] = {}  # a multi-measure group's cell: its first column's
    for h in found:
        groups.setdefault(tuple(found[h][d] for d in dims), cells.headers.index(h))
    cell = [cells.headers.index(h) if len(measures) == 1 else groups[tuple(found[h][d] for d in dims)] for h in found]
    labels = {
        "sql": [cells.columns[h] for h in found],
        "_header": list(found),
        "_cell": cell,
        **{d: [found[h][d] for h in found] for d in [*dims, "measure"]},
    }
    register(
        cells.con,
        "wide_labels",
        pl.DataFrame(labels, schema={k: pl.Int32 if k == "_cell" else pl.String for k in labels}),
    )
    keep = {h: cells.columns[h] for h in dict.fromkeys(cols.canon.values())}
    new = {name: f"d{k}" for k, name in enumerate([*dims, *measures])}
    on = ", ".join(f'"{c}"' for c in labels["sql"])
    kept = [*(f"u.{c}" for c in keep.values()), *(f"l.{d} as {new[d]}" for d in dims)]
    unpivot = f"(unpivot all_rows on {on} into name _sql value _value) u join wide_labels l on u._sql = l.sql"
    if len(measures) == 1:
        cells.con.execute(
            f"create or replace view {ALL} as select u._row, u._total, l._cell, l._header, {', '.join(kept)}, "
            f"u._value as {new[measures[0]]} from {unpivot} where u._value <> ''"
        )
    else:  # 分子 and 分母 side by side again, one row per record and dimensions
        side = ", ".join(
            f"coalesce(max(case when l.measure = '{m}' then u._value end), '') as {new[m]}, "
            f"max(case when l.measure = '{m}' then l._header end) as _h{k}"
            for k, m in enumerate(measures)
        )
        cells.measure_headers = {m: f"_h{k}" for k, m in enumerate(measures)}
        cells.con.execute(
            f"create or replace view {ALL} as select * from (select u._row, u._total, l._cell, "
            f"{', '.join(kept)}, {side} from {unpivot} group by all) "
            f"where {' or '.join(f'{new[m]} <> {chr(39)}{chr(39)}' for m in measures)}"
        )
    cells.columns = {**keep, **new}
    cells.sources = {}  # the melted view has no typed columns
    for name in new:
        cols.canon[name] = name
    cols.ignored = [h for h in cols.ignored if h not in found]
    cells.melted = measures[0] if len(measures) == 1 else None
    return True


def report_duplicate_ids(cells: Cells, header: str, log: ProblemLog) -> None:
    """``validate.report_duplicates`` on the record numbers: each repeat of an earlier row's.

    Millions of distinct record numbers are not grouped as text: their 64-bit hashes (8 bytes a
    record, 120 MB for 15 M) are sorted in polars and a hash equal to the one before it marks a
    candidate; only the candidates' rows (none in a file without repeats) are grouped by the
    record number itself, in DuckDB."""
    con, rid = cells.con, cells.columns[header]
    # a whole number's, a date's or a boolean's own value: one-to-one with its text, null for ''
    typed, _, same = cells.sources.get(rid, ("", "", False))
    key = ColumnExpression(typed if same else rid)
    present = key.isnotnull() if same else ColumnExpression(rid) != ConstantExpression("")
    with unordered(con):
        hashes = frames.to_polars(con.view(VIEW).filter(present).select(FunctionExpression("hash", key).alias("h")))[
            "h"
        ]
    hashes = hashes.sort()
    repeated = hashes.filter(hashes == hashes.shift(1)).unique()
    del hashes
    if repeated.is_empty():
        return
    register(con, "dup_hashes", pl.DataFrame({"h": repeated}))
    con.execute(
        f"create or replace table dup_ids as select {rid} as rid, min(_row) as first from {VIEW} "
        f"where {present} and hash({key}) in (select h from dup_hashes) group by {rid} having count(*) > 1"
    )
    if query_value(con, "select count(*) from dup_ids") == 0:
        return
    repeats = f"{VIEW} join dup_ids on {VIEW}.{rid} = dup_ids.rid where {VIEW}._row <> dup_ids.first"
    found = query_rows(
        con,
        f"select {VIEW}._row, dup_ids.rid, dup_ids.first from {repeats} order by {ORDER} limit $n",
        {"n": log.limit},
    )
    for row, value, first in found:
        log.add(Problem(cells.file, "duplicate", row, header, str(value), {"first": first}))
    log.more += max(0, query_value(con, f"select count(*) from {repeats}") - log.limit)
