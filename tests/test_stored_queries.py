"""The pages' queries of a new version run once for every replica (issue 19 at 2,000 townships:
each replica ran them again at each page's first view after a switch). A process notes the
queries it runs; the warm process of a new version runs that list on it and stores the results
(``core/stored_queries``); ``run_query`` then reads a stored result, equal to running it, and
runs the query when the file is damaged.

The tiny extract of tests/import_fixtures: births 2024-01: 3 (城关镇 2, 王店乡 1), 2024-02: 3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from natality.core import db, stored_queries

ROOT = Path(__file__).resolve().parent.parent
MONTHS = {"year": 2024, "township_code": None, "region": None}


@pytest.fixture
def version(ext) -> Path:
    root = ext.resolve()
    shutil.rmtree(root / "derived", ignore_errors=True)
    stored_queries.forget()
    yield root
    stored_queries.forget()


def test_run_query_notes_the_calls_most_used_first(version):
    for _ in range(3):
        db.run_query("births_by_month", version, year=2024, township_code=None)
    db.run_query("township_list", version)
    assert stored_queries.hot() == [("births_by_month", MONTHS), ("township_list", {"region": None})]


def test_a_stored_result_is_read_and_equals_running_the_query(version):
    computed = db.run_query("births_by_month", version, year=2024, township_code=None)
    assert computed.rows() == [(2024, 1, 3), (2024, 2, 3)]
    assert db.store_queries(str(version), [("births_by_month", MONTHS), ("no_such_query", {})]) == 1
    [path] = (version / "derived").glob("queries-*/births_by_month-*.arrow")
    assert_frame_equal(db.run_query("births_by_month", version, year=2024, township_code=None), computed)
    # the stored file changed on purpose shows through: run_query read it and ran nothing
    computed.with_columns(pl.col("births") * 7).write_ipc(path)
    assert db.run_query("births_by_month", version, year=2024, township_code=None)["births"].to_list() == [21, 21]
    # another call (another year) is not stored: it runs
    assert db.run_query("births_by_month", version, year=2023, township_code=None).height == 0


def test_a_damaged_stored_result_runs_the_query(version):
    db.store_queries(str(version), [("births_by_month", MONTHS)])
    [path] = (version / "derived").glob("queries-*/births_by_month-*.arrow")
    path.write_bytes(b"ARROW1 cut short")
    assert db.run_query("births_by_month", version, year=2024, township_code=None)["births"].to_list() == [3, 3]


def test_month_parameters_follow_the_new_cutoff():
    calls = [
        ("map_township_year", {"year": 2026, "last_month": 5, "region": None}),
        ("map_township_year", {"year": 2025, "last_month": 5, "region": None}),  # the Compare page's base year
        ("births_by_month", {"year": 2026, "township_code": "5", "region": None}),  # a code is no month
        ("county_period_summary", {"year": 2026, "month_to": 3, "region": None}),  # not the cut-off's month
    ]
    assert stored_queries.moved(calls, "2026-05", "2026-06") == [
        ("map_township_year", {"year": 2026, "last_month": 6, "region": None}),
        ("map_township_year", {"year": 2025, "last_month": 6, "region": None}),
        ("births_by_month", {"year": 2026, "township_code": "5", "region": None}),
        ("county_period_summary", {"year": 2026, "month_to": 3, "region": None}),
    ]
    assert stored_queries.moved(calls, "2025-12", "2026-01") == calls  # a new year: as they were
    assert stored_queries.moved(calls, None, "2026-06") == calls


def test_the_warm_process_stores_the_calls_it_is_given(version):
    calls = json.dumps([["births_by_month", MONTHS], ["township_list", {"region": None}]])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "natality.ui.warm_process", str(version), calls],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = sorted(p.name.split("-")[0] for p in (version / "derived").glob("queries-*/*.arrow"))
    assert names == ["births_by_month", "township_list"]
    assert sorted(p.name for p in (version / "derived").glob("births-*/*")) == [
        "births_core.parquet",
        "births_monthly.parquet",
    ]
    assert db.run_query("township_list", version)["township_name"].to_list() == ["城关镇", "王店乡", "东区"]
