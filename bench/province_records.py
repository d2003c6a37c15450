"""One row per child from a demo extract's births counts: the registry export the importer takes.

    .venv/bin/python -m natality demo --out /tmp/prov --townships 2000
    .venv/bin/python bench/province_records.py /tmp/prov /tmp/prov_records.parquet [--csv]

Each count of births.parquet (township, month, sex, order, mother's age band, compliance)
becomes that many rows, with the columns of a real birth registry export:

- 记录号: a unique record number: the count's row in births.parquet x 100,000 + the child's
  number within it (a whole number: building 15 M strings would take longer than the rest);
- 乡镇代码 (12-digit township code), 出生日期 (a day within the month), 性别 (男/女),
  孩次 (1, 2, 3, and now and then 4 for a third-and-higher birth), 母亲年龄 (an age inside
  the band), 是否符合政策 (是/否 up to 2020, empty after: the policy ended in 2021).

Days, ages and the 4s come from a hash of the record number, so the file is the same every
time. DuckDB expands the counts (``unnest(range(births))``) and streams them to the file: 15 M
rows in seconds, with little memory, no Python loop per row. Grouped back by township, month,
sex, order, age band and compliance, the rows give births.parquet's counts exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from natality.core import extract

MAX_PER_COUNT = 100_000  # children of one count, so that record numbers stay unique

RECORDS_SQL = """
with children as (
    select
        township_code, month, sex, birth_order, mother_age_band, policy_compliant,
        file_row_number as count_row,
        day(last_day(month))::integer as days,
        unnest(range(births)) as child
    from counts
),

drawn as (  -- three numbers in 0 .. 2^31 from a hash of the record (integer arithmetic is fast)
    select
        *,
        (hash(count_row, child, 'day') >> 33)::integer as h_day,
        (hash(count_row, child, 'order') >> 33)::integer as h_order,
        (hash(count_row, child, 'age') >> 33)::integer as h_age
    from children
)

select
    count_row * 100000 + child + 1 as 记录号,
    township_code as 乡镇代码,
    (month + h_day % days)::date as 出生日期,
    case sex when 'M' then '男' when 'F' then '女' end as 性别,
    (case when birth_order = 3 and h_order % 6 = 0 then 4 else birth_order end)::tinyint as 孩次,
    (left(mother_age_band, 2)::integer + h_age % 5)::tinyint as 母亲年龄,
    case policy_compliant when true then '是' when false then '否' end as 是否符合政策
from drawn
"""


def write_birth_records(extract_dir: str | Path, out_path: str | Path, csv: bool = False) -> int:
    """Write one row per child of the extract's births to ``out_path`` (Parquet, or CSV with
    ``csv``) and return the number of rows (the sum of the counts).
    ``extract_dir``: an extract or one of its versions."""
    source = Path(extract_dir)
    births = (source if (source / "births.parquet").is_file() else extract.live_version_dir(source)) / "births.parquet"
    con = duckdb.connect()
    counts = con.read_parquet(str(births), file_row_number=True)
    total, largest = counts.aggregate("coalesce(sum(births), 0)::bigint, coalesce(max(births), 0)").fetchall()[0]
    if largest >= MAX_PER_COUNT:
        raise ValueError(f"{births}: a count of {largest:,} births does not fit the record numbers")
    counts.create_view("counts")
    records = con.sql(RECORDS_SQL)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if csv:
        records.write_csv(str(out_path), header=True)
    else:
        records.write_parquet(str(out_path), compression="zstd", row_group_size=500_000)
    return int(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path, help="a demo extract directory (e.g. built with --townships 2000)")
    parser.add_argument("out", type=Path, help="the records file to write (.parquet, or .csv with --csv)")
    parser.add_argument("--csv", action="store_true", help="write UTF-8 CSV with a header row instead of Parquet")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = write_birth_records(args.extract, args.out, csv=args.csv)
    took = time.perf_counter() - start
    size = args.out.stat().st_size / 1e6
    print(f"{rows:,} birth records written to {args.out} in {took:.1f} s ({size:,.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
