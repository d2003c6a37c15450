"""DuckDB over the live extract: views, and one runner for the SQL files in ``queries/``."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import polars as pl

from natality.core.extract import live_version_dir

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# Tables an extract may lack (an import of births alone, say): an empty view with the right
# columns keeps every query valid.
_EMPTY = {
    "population": "create view population as select null::varchar as township_code, null::integer as year, "
    "null::bigint as population limit 0",
    "reported": "create view reported as select null::varchar as township_code, null::integer as year, "
    "null::varchar as indicator, null::double as numerator, null::double as denominator limit 0",
    "targets": "create view targets as select null::varchar as township_code, null::integer as year, "
    "null::varchar as indicator, null::double as target limit 0",
}
# Display names: a name shared by two townships (two 东区 in different cities) gets its parent's
# name or code in brackets, so every table and chart can tell them apart.
# Materialised once per version (a few hundred rows at most): the GeoParquet file is wide, and
# every query joins it, so reading it once saves ~20 ms a query.
_TOWNSHIPS_VIEW = """
create table townships as
with t as (select {columns} from townships_file)
select t.*,
       case when count(*) over (partition by t.name) > 1
            then t.name || '（' || coalesce({parent}, '') || '）' else t.name end as township_name,
       case when count(*) over (partition by coalesce(t.name_en, t.name)) > 1
            then coalesce(t.name_en, t.name) || ' (' || coalesce({parent_en}, '') || ')'
            else coalesce(t.name_en, t.name) end as township_name_en
from t
"""


class QueryError(Exception):
    """A query name that does not exist, or parameters it needs that were not given."""


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@functools.lru_cache(maxsize=64)
def query_text(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name) or not (QUERIES_DIR / f"{name}.sql").is_file():
        raise QueryError(f"unknown query {name!r}; known: {', '.join(query_names())}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query_parameters(name: str) -> set[str]:
    """The ``$parameters`` a query binds (comment lines ignored)."""
    sql = "\n".join(line.split("--", 1)[0] for line in query_text(name).splitlines())
    return set(_PARAM.findall(sql))


@functools.lru_cache(maxsize=4)
def connection(version_dir: str) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per extract version, with a view per table of that version."""
    root = Path(version_dir)
    con = duckdb.connect()
    con.execute("set threads = 2")
    for table in ("births", "population", "reported", "targets"):
        path = root / f"{table}.parquet"
        if path.is_file():
            # The relational API takes the path as a value: no path is ever spliced into SQL text.
            con.read_parquet(str(path)).create_view(table)
        else:
            con.execute(_EMPTY[table])
    townships_file = con.read_parquet(str(root / "townships.parquet"))
    townships_file.create_view("townships_file")
    # Geometry stays out of SQL: maps read it with geopandas.
    names = [
        name
        for name, kind in zip(townships_file.columns, townships_file.types, strict=True)
        if str(kind) not in ("BLOB", "GEOMETRY") and "geometry" not in name
    ]
    if "name_en" not in names:
        names.append("null::varchar as name_en")
    parent = "t.parent_name" if "parent_name" in names else "t.parent_code"
    parent_en = "t.parent_name_en" if "parent_name_en" in names else parent
    columns = ", ".join(f'"{n}"' if " " not in n else n for n in names)
    statement = _TOWNSHIPS_VIEW.format(columns=columns, parent=parent, parent_en=parent_en)
    con.execute(statement)
    # After the views: a table macro binds the views it reads when it is created.
    for macros in sorted((QUERIES_DIR / "macros").glob("*.sql")):
        con.execute(macros.read_text(encoding="utf-8"))
    return con


def run_query(name: str, data_dir: str | Path | None = None, **params) -> pl.DataFrame:
    """Run ``queries/<name>.sql`` on the live extract with bound parameters."""
    wanted = query_parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"query {name!r} needs parameter(s): {', '.join(sorted(missing))}")
    version = str(live_version_dir(data_dir))
    cursor = connection(version).cursor()
    try:
        return cursor.sql(query_text(name), params={k: params[k] for k in wanted}).pl()
    finally:
        cursor.close()
