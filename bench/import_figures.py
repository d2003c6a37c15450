"""The importer's two figures, each through ``python -m natality import`` as a process:
15 M one-row-per-child records (wall time, peak memory; targets <= 20 s, <= 2 GB) and a
400-row GB18030 CSV into a county extract (wall time; target <= 1 s).

    .venv/bin/python bench/import_figures.py [--keep DIR] [--repeat N]

``make bench`` prints the same figures (``bench.py`` calls ``import_figures``); this script runs
them alone, e.g. before and after a change to the importer, back to back on the same machine.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb  # noqa: E402

from natality.core import extract  # noqa: E402
from natality.demo.county import build_demo  # noqa: E402

SMALL_ROWS = 400


CPU: list[float] = []  # CPU seconds (user + system) of each run: on a shared machine, steadier than wall time


def _run(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (KiB, the largest child so far) and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, after.ru_maxrss, done


def _status(done: subprocess.CompletedProcess) -> str:
    return "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()[-300:]}"


def records_import(data: Path, work: Path, repeat: int = 1) -> tuple[float, float]:
    """15 M one-row-per-child records through ``python -m natality import``: wall time, peak RSS."""
    from province_records import write_birth_records

    version = extract.live_version_dir(data)
    records = work / "births_records.parquet"
    start = time.perf_counter()
    write_birth_records(version, records)
    made = time.perf_counter() - start
    rows = duckdb.connect().read_parquet(str(records)).count("*").fetchall()[0][0]
    print(f"  records file: {rows:,} rows written in {made:.1f} s")
    walls, peak = [], 0
    for k in range(repeat):
        out = work / f"imported{k}"
        cmd = [
            sys.executable,
            "-m",
            "natality",
            "import",
            "--out",
            str(out),
            "--births",
            str(records),
            "--boundaries",
            str(version / "townships.parquet"),
            "--name",
            "示范省",
        ]
        wall, peak, done = _run(cmd)
        walls.append(wall)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(work / f"imported{k}.versions", ignore_errors=True)
    wall = statistics.median(walls)
    cpu = statistics.median(CPU[-repeat:])
    print(
        f"  import of {rows:,} records: {wall:.1f} s, {cpu:.1f} CPU s (median of {repeat}; target <= 20 s), "
        f"peak memory {peak / 1024:,.0f} MB (target <= 2,048 MB; max RSS), {_status(done)}"
    )
    return wall, peak / 1024


def small_gb18030_import(work: Path, repeat: int = 5) -> float:
    """A 400-row GB18030 CSV of one row per child into a county extract, as a process."""
    county = work / "county-small"
    build_demo(county)
    version = extract.live_version_dir(county)
    con = duckdb.connect()
    rows = con.sql(
        "select township_code as 乡镇代码, "
        "strftime(month, '%Y-%m-') || lpad((1 + (row_number() over () % 28))::varchar, 2, '0') as 出生日期, "
        "case sex when 'M' then '男' else '女' end as 性别, coalesce(birth_order, 1) as 孩次 "
        f"from read_parquet(?) order by township_code, month, sex limit {SMALL_ROWS}",
        params=[str(version / "births.parquet")],
    ).fetchall()
    text = "乡镇代码,出生日期,性别,孩次\n" + "".join(",".join(str(v) for v in r) + "\n" for r in rows)
    path = work / "small_gb18030.csv"
    path.write_bytes(text.encode("gb18030"))
    walls = []
    for _ in range(repeat):
        wall, _, done = _run(
            [sys.executable, "-m", "natality", "import", "--out", str(county), "--births", str(path), "--months-only"]
        )
        walls.append(wall)
    wall = statistics.median(walls)
    cpu = statistics.median(CPU[-repeat:])
    print(
        f"  import of a {len(rows)}-row GB18030 CSV: {wall:.2f} s, {cpu:.2f} CPU s (median of {repeat}; "
        f"target <= 1 s), {_status(done)}"
    )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="the 2,000-township demo here (built when absent)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the 15 M import (the median is shown)")
    parser.add_argument("--skip-records", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natality-import-bench-"))
    try:
        small_gb18030_import(work)
        if not args.skip_records:
            province = args.keep or work / "province"
            if not (province / "manifest.json").exists():
                build_demo(province, townships=2000)
            records_import(province, work, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
