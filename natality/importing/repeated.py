"""Repeated rows of counts: the same township, month, sex and order given twice.

An export run twice, or two sheets pasted together, repeats rows; adding them up silently would
double births. They are listed problems (file, row, the row repeated), or, with
``--sum-duplicates``, added up with a warning. Rows of individual records may repeat (two
children born in one township and month), so only files of counts are checked.
"""

from __future__ import annotations

import polars as pl

from natality.core import frames
from natality.importing.problems import Problem, ProblemLog


def check_sql(
    con, source: str, row: str, keys: dict[str, str], file: str, log: ProblemLog, sum_duplicates: bool
) -> None:
    """In DuckDB, over the parsed records: ``keys`` maps each key to its SQL over ``source``
    (a melted wide row keeps its file row); only the repeated rows reach Python."""
    named = ", ".join(f"{sql} as {k}" for k, sql in keys.items())
    listed = ", ".join(keys.values())
    dup = frames.to_polars(
        con.sql(
            f"with r as (select {row} as r, {named}, min({row}) over (partition by {listed}) as f from {source}) "
            f"select r, f, {', '.join(keys)} from r where r <> f order by r"
        )
    )
    _report(file, dup, list(keys), log, sum_duplicates)


def _report(file: str, dup: pl.DataFrame, keys: list[str], log: ProblemLog, sum_duplicates: bool) -> None:
    if dup.height == 0:
        return
    if sum_duplicates:
        log.warn(Problem(file, "duplicate_counts_summed", fmt={"n": dup.height}))
        return
    for row in dup.head(log.limit).iter_rows(named=True):
        value = " / ".join("–" if row[k] is None else str(row[k]) for k in keys)
        log.add(Problem(file, "duplicate_counts", row["r"], None, value, {"first": row["f"]}))
    log.more += max(0, dup.height - log.limit)
