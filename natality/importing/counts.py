"""Records counted into the births table by the table's keys, in DuckDB: only the counts reach
Python, never the records.

Each key (township, month, sex, order, age band, policy) is in most files a function of one
parsed column: its value is then looked up per distinct cell text in a small table ``k_<key>(v,
id)``, ``id`` being the value's rank among the key's values (nulls last). The records are counted
by one whole number packing the ranks (``id_township * stride + id_month * ...``), whose order is
the births table's order, and the ranks are turned back into values in polars: a group-by and a
sort on one number instead of six columns of text over millions of records. A key from two
columns (a month from year and month-number columns, an age from two birth dates) or a file of
boys and girls columns counts by the keys' values themselves (``general``): the same counts.
"""

from __future__ import annotations

import polars as pl
from duckdb import (
    CaseExpression,
    CoalesceOperator,
    ColumnExpression,
    ConstantExpression,
    FunctionExpression,
    SQLExpression,
)
from duckdb.sqltypes import BIGINT, INTEGER

from natality.core import frames
from natality.importing.cells import ParsedColumns, unordered

KEYS = ["township_code", "month", "sex", "birth_order", "mother_age_band", "policy_compliant"]
CASTS = {
    "township_code": "varchar",
    "month": "date",
    "sex": "varchar",
    "birth_order": "tinyint",
    "mother_age_band": "varchar",
    "policy_compliant": "boolean",
}
NULLS = {"birth_order": "null::tinyint", "mother_age_band": "null::varchar", "policy_compliant": "null::boolean"}
LAST_POLICY_YEAR = 2020  # the three-child policy (2021) ended compliance indicators
MAX_KEY = 1 << 62  # packed ranks beyond this count by the values themselves
# Up to this many packed keys, one row per child is counted by sorting one 4-byte key per record
# in polars (60 MB for 15 M records) and taking its runs: DuckDB's hash group-by of millions of
# groups took six times as long.
RECORD_KEYS = (1 << 31) - 1
PACKED_FROM = 50_000  # records from which the keys are packed (a small file: by the values, as fast)


def count_records(con, parsed: ParsedColumns, out: dict[str, str], records: int = PACKED_FROM) -> pl.DataFrame:
    """Births by the keys (``KEYS`` and ``births``), in the keys' order, nulls last; groups of no
    births left out. ``out``: each key's SQL over ``parsed.source()``, ``births`` when counted;
    ``records``: the rows to count (the ranks' tables cost 0.1 s: worth it from ``PACKED_FROM``)."""
    packed = _packed(con, parsed, out) if "sex" in out and records >= PACKED_FROM else None
    return packed if packed is not None else general(con, parsed, out)


def general(con, parsed: ParsedColumns, out: dict[str, str]) -> pl.DataFrame:
    """The counts grouped by the keys' values: any key, boys and girls columns included."""
    source = parsed.source()
    keys = [f"{out.get(k, NULLS.get(k))} as {k}" for k in KEYS if k != "sex"]
    if "sex" in out:
        parts = [f"select {', '.join(keys)}, {out['sex']} as sex, {out.get('births', '1')} as births from {source}"]
    else:  # boys / girls columns: one row of each
        parts = [
            f"select {', '.join(keys)}, '{sex}' as sex, coalesce({out[c]}, 0) as births from {source}"
            for sex, c in (("M", "boys"), ("F", "girls"))
            if c in out
        ]
    records = " union all ".join(parts)
    columns = {k: f"{k}::{t}" for k, t in CASTS.items()}
    columns["policy_compliant"] = f"(case when year(month) <= {LAST_POLICY_YEAR} then policy_compliant end)::boolean"
    select = ", ".join(f"{sql} as {k}" for k, sql in columns.items())
    order = ", ".join(f"{k} asc nulls last" for k in KEYS)
    return frames.to_polars(
        con.sql(
            f"select {select}, sum(births)::bigint as births from ({records}) "
            f"group by all having sum(births) > 0 order by {order}"
        )
    )


def _packed(con, parsed: ParsedColumns, out: dict[str, str]) -> pl.DataFrame | None:
    """The counts by packed ranks; None when a key needs more than one parsed column."""
    found: dict[str, str | None] = {}  # key -> its one mapping table (None: a constant)
    for k in KEYS:
        sql = out.get(k, NULLS.get(k))
        tables = [t for t in parsed.joins if f"{t}." in sql]
        if len(tables) > 1:
            return None
        found[k] = tables[0] if tables else None
    if found["month"] is None:
        return None
    births = out.get("births", "1")
    extra = [t for t in parsed.joins if f"{t}." in births]
    values: dict[str, pl.Series] = {}
    for k in KEYS:
        values[k] = _ranks(con, k, f"({out.get(k, NULLS.get(k))})::{CASTS[k]}", found[k])
    sizes = {k: len(v) for k, v in values.items()}
    strides, stride = {}, 1
    for k in reversed(KEYS):
        strides[k] = stride
        stride *= sizes[k]
    if stride >= MAX_KEY:
        return None
    # the records joined to their keys' ranks, one packed whole number each (relations: the
    # identifiers and integers are expressions, not text)
    view = parsed.view
    rel, ids = con.view(view).set_alias(view), {}
    for n, k in enumerate(KEYS):
        if found[k] is None:
            ids[k] = ConstantExpression(0)
            continue
        ranks = con.view(f"k_{k}").set_alias(f"j{n}")
        rel = rel.join(ranks, ColumnExpression(view, parsed.joins[found[k]]) == ColumnExpression(f"j{n}", "v"), "left")
        # a cell with no parsed value: the null rank
        ids[k] = CoalesceOperator(ColumnExpression(f"j{n}", "id"), ConstantExpression(sizes[k] - 1))
    for t in extra:
        rel = rel.join(
            con.view(t).set_alias(t), ColumnExpression(view, parsed.joins[t]) == ColumnExpression(t, "v"), "left"
        )
    # the policy only up to its last year: later months count with the policy unknown (its null rank)
    keep = ColumnExpression(f"j{KEYS.index('month')}", "keep")
    unknown = ConstantExpression(sizes["policy_compliant"] - 1)
    ids["policy_compliant"] = CaseExpression(keep, ids["policy_compliant"]).otherwise(unknown)
    key = ConstantExpression(0)
    for k in KEYS:
        key = key + ids[k].cast(BIGINT) * ConstantExpression(strides[k])
    if births == "1" and stride <= RECORD_KEYS:  # one row per child: sorted in polars, a run per group
        with unordered(con):
            keys = frames.to_polars(rel.select(key.cast(INTEGER).alias("_key")))["_key"]
        runs = keys.sort().rle()
        del keys
        counts = pl.DataFrame({"_key": runs.struct.field("value"), "births": runs.struct.field("len").cast(pl.Int64)})
    else:
        summed = FunctionExpression("sum", SQLExpression(births)).cast(BIGINT).alias("births")
        counts = rel.aggregate([key.alias("_key"), summed], "_key")
        counts = frames.to_polars(
            counts.filter(ColumnExpression("births") > ConstantExpression(0)).sort(ColumnExpression("_key"))
        )
    packed = counts["_key"]
    return pl.DataFrame([values[k].gather((packed // strides[k]) % sizes[k]).alias(k) for k in KEYS]).with_columns(
        counts["births"]
    )


def _ranks(con, key: str, sql: str, table: str | None) -> pl.Series:
    """The key's values in order, nulls last (always one null, last); ``k_<key>(v, id)``: each
    cell text's rank, and for the month ``keep``: its policy counts (up to LAST_POLICY_YEAR)."""
    source = f"(select 1 as _one) left join {table} on false" if table else "(select 1 as _one)"
    key_values = f"select {sql} as key from {source}"  # the key of a cell without a parsed value
    if table:
        key_values += f" union select {sql} as key from {table}"
    con.execute(
        f"create or replace table d_{key} as select key, (row_number() over (order by key asc nulls last) - 1)::bigint"
        f" as id from (select distinct key from ({key_values}) union select null)"
    )
    ranked = con.table(f"d_{key}").set_alias("d")
    if table:
        # equal values only (a hash join): a cell without one is absent, and takes the null's rank,
        # last, and no policy from the coalesce and the case in ``_packed``
        rank = ColumnExpression("d", "key")
        same = SQLExpression(sql) == rank
        columns = [ColumnExpression(table, "v"), ColumnExpression("d", "id")]
        if key == "month":
            policy = FunctionExpression("year", rank) <= ConstantExpression(LAST_POLICY_YEAR)
            columns.append(CoalesceOperator(policy, ConstantExpression(False)).alias("keep"))
        con.view(table).join(ranked, same).select(*columns).create_view(f"k_{key}")
    return frames.to_polars(ranked.order("id").select(ColumnExpression("key")))["key"]
