"""DuckDB over the live extract: views, and one runner for the SQL files in ``queries/``."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from natality.core import frames, once, once_files, stored_queries
from natality.core.extract import ExtractError, live_version_dir

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


# The region hierarchy, from the codes: a 9- or 12-digit township code (GB/T 2260 + township)
# lies in county = its first 6 digits, city = first 4 + '00', province = first 2 + '0000';
# another code lies in its parent_code (the boundary file's parent field) as its county.
# township_regions has one row per township and region above it; regions names each region
# from regions.parquet (import --regions) or the boundary file's parent name, else its code.
_REGIONS_SQL = """
create table township_regions as
with h as (
    select
        township_code,
        case
            when regexp_full_match(township_code, '[0-9]{{9}}|[0-9]{{12}}') then left(township_code, 6)
            else nullif(trim(parent_code), '')
        end as county_code
    from townships
),

levels as (
    select township_code, county_code as region_code from h where county_code is not null
    union all
    select township_code, left(county_code, 4) || '00' from h where regexp_full_match(county_code, '[0-9]{{6}}')
    union all
    select township_code, left(county_code, 2) || '0000' from h where regexp_full_match(county_code, '[0-9]{{6}}')
)

select distinct township_code, region_code from levels;

create table regions as
with counted as (
    select region_code, count(*)::integer as townships
    from township_regions
    group by region_code
),

parent_names as (
    select t.parent_code as region_code, any_value({parent}) as name, any_value({parent_en}) as name_en
    from townships as t
    where t.parent_code is not null
    group by t.parent_code
)

select
    c.region_code,
    case
        when regexp_full_match(c.region_code, '[0-9]{{2}}0000') then 'province'
        when regexp_full_match(c.region_code, '[0-9]{{4}}00') then 'city'
        else 'county'
    end as level,
    coalesce(n.name, p.name, c.region_code) as name,
    coalesce(n.name_en, n.name, p.name_en, p.name, c.region_code) as name_en,
    c.townships
from counted as c
left join region_names as n on n.region_code = c.region_code
left join parent_names as p on p.region_code = c.region_code
order by c.region_code;
"""
_NO_REGION_NAMES = (
    "create view region_names as select null::varchar as region_code, null::varchar as name, "
    "null::varchar as name_en limit 0"
)
# Parameters a query may leave out: ``region`` (a county, city or province code) defaults to
# the whole extract.
DEFAULTS = {"region": None}
# Each summed once per version by the first process (``_births_tables``) and stored in the
# version's derived/ folder; other processes (replicas, the CLI) read the stored file.
_BIRTHS_CORE = {
    "births_core": "create or replace table births_core as select township_code, month, sex, birth_order, "
    "sum(births)::bigint as births from births group by all order by township_code, month",
    "births_monthly": "create or replace table births_monthly as select township_code, month, sex, "
    "sum(births)::bigint as births from births_core group by all order by township_code, month",
}
# A version with crosswalk.parquet reads these files as <table>_file and makes the views of the
# same names through queries/views/crosswalk.sql (today's townships); targets stay as set.
CROSSWALKED = ("births", "population", "reported")
_NO_CROSSWALK = (
    "create view crosswalk as select null::varchar as old_code, null::varchar as new_code, "
    "null::integer as from_year, null::double as share, null::varchar as old_name limit 0"
)
# In this order: a macro may use the ones created before it.
MACRO_FILES = ("region.sql", "births.sql", "srb.sql")


class DamagedExtract(ExtractError):
    """A file of the live version cannot be read (truncated, corrupt, missing): names it and the way back."""

    def __init__(self, version_dir: Path, file: str, reason: str) -> None:
        self.version, self.file, self.reason = version_dir.name, file, reason
        super().__init__(
            f"{file} of version {version_dir.name} cannot be read ({reason}). Switch back to an earlier version: "
            f"python -m natality versions, then python -m natality rollback VERSION"
        )


def _reason(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


class QueryError(Exception):
    """A query name that does not exist, or parameters it needs that were not given."""


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@once.cache(maxsize=64)
def query_text(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name) or not (QUERIES_DIR / f"{name}.sql").is_file():
        raise QueryError(f"unknown query {name!r}; known: {', '.join(query_names())}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query_parameters(name: str) -> set[str]:
    """The ``$parameters`` a query binds (comment lines ignored)."""
    sql = "\n".join(line.split("--", 1)[0] for line in query_text(name).splitlines())
    return set(_PARAM.findall(sql))


@once.cache(maxsize=3)
def connection(version_dir: str) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per extract version, with a view per table of that version.

    Three at most: the version served, the one before it (pages still running on it when an
    import switched) and a new one being warmed; a server drops the others at a switch
    (``ui.warm``, ``once.evict_versions``), their memory with them (queries running on one keep
    their own cursor until they finish).

    DamagedExtract when one of the version's files cannot be read.
    """
    root = Path(version_dir)
    try:
        return _connect(root)
    except duckdb.Error as exc:
        bad = next((f for f in _FILES if f in str(exc)), None)
        if bad is None:
            raise
        raise DamagedExtract(root, bad, _reason(exc)) from exc


_FILES = (
    "townships.parquet",
    "births.parquet",
    "population.parquet",
    "reported.parquet",
    "targets.parquet",
    "regions.parquet",
    "crosswalk.parquet",
)


def _connect(root: Path) -> duckdb.DuckDBPyConnection:
    if not (root / "townships.parquet").is_file():
        raise DamagedExtract(root, "townships.parquet", "the file is missing")
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.execute("set enable_progress_bar = false")  # the CLI's output, the warm process's
    crosswalk = root / "crosswalk.parquet"
    for table in ("births", "population", "reported", "targets"):
        path = root / f"{table}.parquet"
        name = f"{table}_file" if crosswalk.is_file() and table in CROSSWALKED else table
        if path.is_file():
            # The relational API takes the path as a value: no path is ever spliced into SQL text.
            con.read_parquet(str(path)).create_view(name)
        else:
            con.execute(_EMPTY[table].replace(f"create view {table} ", f"create view {name} ", 1))
    if crosswalk.is_file():
        con.read_parquet(str(crosswalk)).create_view("crosswalk")
        con.execute((QUERIES_DIR / "views" / "crosswalk.sql").read_text(encoding="utf-8"))
    else:
        con.execute(_NO_CROSSWALK)
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
    regions_file = root / "regions.parquet"
    if regions_file.is_file():
        con.read_parquet(str(regions_file)).create_view("region_names_file")
        con.execute(
            "create view region_names as select region_code::varchar as region_code, name, name_en "
            "from region_names_file"
        )
    else:
        con.execute(_NO_REGION_NAMES)
    con.execute(_REGIONS_SQL.format(parent=parent, parent_en=parent_en))
    # Made once per version: births summed over what nearly every query groups by (township,
    # month, sex and order: births_core; without order: births_monthly), leaving out the mother's
    # age band and policy columns. At 2,000 townships they hold a quarter and a tenth of the
    # file's rows, so page queries scan them instead of births.parquet.
    _births_tables(con, root)
    # After the views: a table macro binds the views it reads when it is created.
    for macros in MACRO_FILES:
        con.execute((QUERIES_DIR / "macros" / macros).read_text(encoding="utf-8"))
    return con


def _births_tables(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """births_core and births_monthly as in-memory tables of ``con``: read from the version's
    derived/ folder when a process stored them (about a sixth of the CPU of summing births at
    2,000 townships), else summed here and stored for the others (``core/once_files``: a
    half-written or damaged file is never read; a version that cannot be written is summed in
    memory)."""
    for table, statement in _BIRTHS_CORE.items():

        def build(statement: str = statement) -> bool:
            con.execute(statement)
            return True

        def write(_made: bool, path: Path, table: str = table) -> None:
            try:  # the relational API takes the path as a value
                con.table(table).write_parquet(str(path), compression="zstd")
            except duckdb.Error as exc:  # a full disk: nothing stored, the table is there
                raise OSError(str(exc)) from exc

        def read(path: Path, table: str = table) -> bool:
            con.read_parquet(str(path)).create(table)
            return True

        once_files.kept(root, "births", table, build, once_files.Form(".parquet", write, read))


def run_query(name: str, data_dir: str | Path | None = None, **params) -> pl.DataFrame:
    """Run ``queries/<name>.sql`` on the live extract with bound parameters (its result read
    instead when the version's warm process stored it: ``core/stored_queries``)."""
    wanted = query_parameters(name)
    params = {**{k: v for k, v in DEFAULTS.items() if k in wanted}, **params}
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"query {name!r} needs parameter(s): {', '.join(sorted(missing))}")
    version = str(live_version_dir(data_dir))
    bound = {k: params[k] for k in wanted}
    stored_queries.note(name, bound)
    found = stored_queries.stored(version, name, bound)
    return found if found is not None else _run(version, name, bound)


def _run(version: str, name: str, bound: dict) -> pl.DataFrame:
    cursor = connection(version).cursor()
    try:
        return frames.to_polars(cursor.sql(query_text(name), params=bound))
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        # A file damaged after the connection was made (its data pages, not its footer).
        bad = next((f for f in _FILES if f in str(exc)), None)
        if bad is None:
            raise
        raise DamagedExtract(Path(version), bad, _reason(exc)) from exc
    finally:
        cursor.close()


def store_queries(version_dir: str, calls: list[tuple[str, dict]]) -> int:
    """Run each (query, bound parameters) call on the version and store its result for every
    process (``core/stored_queries``; the warm process does it with the hot queries of the
    version served before). A query unknown now, or one that fails, is left out. How many are stored."""
    done, form = 0, stored_queries.FORM
    for name, bound in calls:
        path = stored_queries.path_of(version_dir, name, bound)
        if path is None or name not in query_names() or set(bound) != query_parameters(name):
            continue
        try:
            once_files.shared(path, lambda n=name, b=bound: _run(version_dir, n, b), form.write, form.read)
        except (duckdb.Error, QueryError):
            continue
        done += 1
    return done
