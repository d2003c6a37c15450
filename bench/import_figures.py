"""The importer's two figures, each through ``python -m natality import`` as a process:
15 M one-row-per-child records (wall time, peak memory; targets <= 20 s, <= 2 GB) and a
400-row GB18030 CSV into a county extract (wall time; target <= 1 s).

    .venv/bin/python bench/import_figures.py [--keep DIR] [--repeat N] [--baseline DIR]

``make bench`` prints the same figures (``bench.py`` calls ``import_figures``); this script runs
them alone, e.g. before and after a change to the importer. ``--baseline DIR`` (a checkout of
another commit, e.g. ``git worktree add /tmp/before main``) runs that checkout's importer on the
same files, its runs interleaved with this tree's, and prints each figure as a ratio of this tree's
to the baseline's; the load average is printed beside each figure (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
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


# Children compile each checkout's modules once into their own bytecode cache, as an installed copy
# has them: with PYTHONDONTWRITEBYTECODE (set in some shells) every run would compile the whole
# importer from source again, a cost no deployment pays. The first run of each checkout warms it.
PYCACHE = Path(tempfile.mkdtemp(prefix="natality-import-bench-pyc-"))
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPYCACHEPREFIX": str(PYCACHE)}

CPU: list[float] = []  # CPU seconds (user + system) of each run: on a shared machine, steadier than wall time


def _run(cmd: list[str], root: Path = ROOT) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (KiB, the largest child so far) and the finished process; ``python
    -m natality`` as the checkout ``root`` has it (the same interpreter and packages)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, after.ru_maxrss, done


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _peak_kib(cmd: list[str], root: Path) -> tuple[float, float, int, subprocess.CompletedProcess]:
    """Wall, CPU seconds and this one process's peak RSS (KiB): run under a fresh Python parent,
    since RUSAGE_CHILDREN's maxrss is the largest child so far, whichever checkout ran it."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, u.ru_utime + u.ru_stime, u.ru_maxrss, done.returncode)\n"
        "sys.stderr.write(done.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(root), *cmd], capture_output=True, text=True, env=ENV)
    wall, cpu, peak, code = done.stdout.split()
    finished = subprocess.CompletedProcess(cmd, int(code), "", done.stderr)
    return float(wall), float(cpu), int(peak), finished


def _status(done: subprocess.CompletedProcess) -> str:
    return "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()[-300:]}"


def records_import(data: Path, work: Path, repeat: int = 1, baseline: Path | None = None) -> tuple[float, float]:
    """15 M one-row-per-child records through ``python -m natality import``: wall time, peak RSS."""
    from province_records import write_birth_records

    version = extract.live_version_dir(data)
    records = work / "births_records.parquet"
    start = time.perf_counter()
    write_birth_records(version, records)
    made = time.perf_counter() - start
    rows = duckdb.connect().read_parquet(str(records)).count("*").fetchall()[0][0]
    print(f"  records file: {rows:,} rows written in {made:.1f} s")
    roots = [ROOT, *([baseline] if baseline else [])]
    figures: dict[Path, list[tuple[float, float, int]]] = {root: [] for root in roots}
    for k in range(repeat):
        for root in roots:  # interleaved: both checkouts see the same load
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
            wall, cpu, peak, done = _peak_kib(cmd, root)
            figures[root].append((wall, cpu, peak))
            print(
                f"    {'baseline' if root != ROOT else 'this tree'}: {wall:.1f} s, {cpu:.1f} CPU s, "
                f"peak {peak / 1024:,.0f} MB, {_status(done)} ({_load()})"
            )
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(work / f"imported{k}.versions", ignore_errors=True)
    medians = {root: [statistics.median(v[i] for v in runs) for i in range(3)] for root, runs in figures.items()}
    wall, cpu, peak = medians[ROOT]
    print(
        f"  import of {rows:,} records: {wall:.1f} s, {cpu:.1f} CPU s (median of {repeat}; target <= 20 s), "
        f"peak memory {peak / 1024:,.0f} MB (target <= 2,048 MB; max RSS) ({_load()})"
    )
    if baseline:
        bw, bc, bp = medians[baseline]
        print(
            f"  baseline {baseline}: {bw:.1f} s, {bc:.1f} CPU s, peak {bp / 1024:,.0f} MB; this tree / baseline: "
            f"wall {wall / bw:.2f}x, CPU {cpu / bc:.2f}x, peak memory {peak / bp:.2f}x"
        )
    return wall, peak / 1024


def small_gb18030_import(work: Path, repeat: int = 5, baseline: Path | None = None) -> float:
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
    roots = [ROOT, *([baseline] if baseline else [])]
    # Each checkout imports into its own copy of the county, as consecutive imports of one release
    # do: what one version stored for the next (its scorecard) was written by the same code.
    counties = {root: county if k == 0 else work / f"county-small-{k}" for k, root in enumerate(roots)}
    for root, out in counties.items():  # untimed: each checkout's bytecode cache filled, the page cache warm
        if out != county:
            build_demo(out)
        _run(
            [sys.executable, "-m", "natality", "import", "--out", str(out), "--births", str(path), "--months-only"],
            root,
        )
    walls: dict[Path, list[float]] = {root: [] for root in roots}
    cpus: dict[Path, list[float]] = {root: [] for root in roots}
    for _ in range(repeat):
        for root in roots:  # interleaved: both checkouts see the same load
            wall, _, done = _run(
                [
                    sys.executable,
                    "-m",
                    "natality",
                    "import",
                    "--out",
                    str(counties[root]),
                    "--births",
                    str(path),
                    "--months-only",
                ],
                root,
            )
            walls[root].append(wall)
            cpus[root].append(CPU[-1])
            if done.returncode:
                print(f"    {root}: {_status(done)}")
    wall, cpu = statistics.median(walls[ROOT]), statistics.median(cpus[ROOT])
    print(
        f"  import of a {len(rows)}-row GB18030 CSV: {wall:.3f} s, {cpu:.3f} CPU s (median of {repeat}; "
        f"target <= 1 s), {_status(done)} ({_load()})"
    )
    if baseline:
        bw, bc = statistics.median(walls[baseline]), statistics.median(cpus[baseline])
        print(
            f"  baseline {baseline}: {bw:.3f} s, {bc:.3f} CPU s; this tree / baseline: wall {wall / bw:.2f}x, "
            f"CPU {cpu / bc:.2f}x"
        )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, default=None, help="the 2,000-township demo here (built when absent)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the 15 M import (the median is shown)")
    parser.add_argument("--skip-records", action="store_true")
    parser.add_argument("--small-repeat", type=int, default=5, help="runs of the 400-row import (the median is shown)")
    parser.add_argument("--baseline", type=Path, default=None, help="a checkout of another commit, measured alike")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natality-import-bench-"))
    try:
        baseline = args.baseline.resolve() if args.baseline else None
        small_gb18030_import(work, args.small_repeat, baseline)
        if not args.skip_records:
            province = args.keep or work / "province"
            if not (province / "manifest.json").exists():
                build_demo(province, townships=2000)
            records_import(province, work, args.repeat, baseline)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(PYCACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
