"""The command line as a user runs it: real processes, real files, exit codes."""

import io
import json
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent


def natality(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "natality", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_demo_then_query_prints_19_townships_adding_up(tmp_path):
    out = tmp_path / "demo"
    assert natality("demo", "--out", str(out)).returncode == 0
    done = natality("query", "births_by_township_year", "--data", str(out), "-p", "year=2024", "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pl.read_csv(io.StringIO(done.stdout), schema_overrides={"township_code": pl.String})
    assert table.height == 19 and table["township_code"].str.len_chars().unique().to_list() == [12]
    county = natality("query", "county_births_by_year", "--data", str(out), "-p", "township_code=", "--format", "json")
    rows = {r["year"]: r["births"] for r in json.loads(county.stdout)}
    assert table["births"].sum() == rows[2024]


def test_bad_input_exits_2_with_a_message(demo_data):
    unknown = natality("query", "no_such_query", "--data", str(demo_data))
    assert unknown.returncode == 2 and "unknown query 'no_such_query'" in unknown.stderr
    missing = natality("query", "births_by_township_year", "--data", str(demo_data))
    assert missing.returncode == 2 and "needs parameter(s): year" in missing.stderr
    no_extract = natality("query", "township_list", "--data", "/nonexistent/extract")
    assert no_extract.returncode == 2 and "manifest.json not found" in no_extract.stderr
    bad_month = natality("demo", "--out", "/tmp/never-written", "--until", "2026-13")
    assert bad_month.returncode == 2 and "YYYY-MM" in bad_month.stderr
    assert not Path("/tmp/never-written").exists()


def test_codes_with_leading_zeros_stay_strings():
    from natality.cli import _param

    assert _param("township_code=0101") == ("township_code", "0101")
    assert _param("year=2024") == ("year", 2024)
    assert _param("township_code=419901101000") == ("township_code", "419901101000")
    assert _param("township_code=") == ("township_code", None)
