"""natality.core.frames: polars frames into DuckDB and back, without pyarrow in a process that has
not loaded it (a command), through pyarrow where it is loaded (a server): the same rows and types."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A frame of every type the importer and the scorecard hand to DuckDB, read back through a query
# that uses it twice (a registered frame is scanned again) and adds typed columns of its own.
ROUND_TRIP = r"""
import datetime, json, sys
import duckdb, polars as pl
from natality.core import frames
con = duckdb.connect()
frame = pl.DataFrame({
    "code": ["410101001", None, "410101003"],
    "births": [3, None, 12],
    "rate": [1.5, None, 2.25],
    "month": [datetime.date(2024, 1, 1), None, datetime.date(2025, 12, 1)],
    "ok": [True, False, None],
    "name": ["王店乡", "", None],
})
frames.register(con, "f", frame)
out = frames.to_polars(con.sql(
    "select a.code, a.births, a.rate * 2 as rate2, a.month, a.ok, a.name, b.births::integer as again, "
    "a.births::bigint as big, 1.50::decimal(10, 2) as dec from f a join f b using (code) order by a.code"
))
empty = frames.to_polars(con.sql("select code, births from f limit 0"))
print(json.dumps({
    "rows": [[None if v is None else str(v) for v in r] for r in out.rows()],
    "schema": {k: str(v) for k, v in out.schema.items()},
    "empty": {k: str(v) for k, v in empty.schema.items()},
    "pyarrow": "pyarrow" in sys.modules,
}, ensure_ascii=False))
"""

EXPECTED_ROWS = [
    ["410101001", "3", "3.0", "2024-01-01", "True", "王店乡", "3", "3", "1.50"],
    ["410101003", "12", "4.5", "2025-12-01", None, None, "12", "12", "1.50"],
]
EXPECTED_SCHEMA = {
    "code": "String",
    "births": "Int64",
    "rate2": "Float64",
    "month": "Date",
    "ok": "Boolean",
    "name": "String",
    "again": "Int32",
    "big": "Int64",
    "dec": "Decimal(precision=10, scale=2)",
}


def _run(prelude: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", prelude + ROUND_TRIP], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_pyarrow_frames_go_through_the_arrow_c_stream_and_come_back_whole():
    got = _run("")
    assert got["pyarrow"] is False  # nothing loaded it: not the frames, not DuckDB, not polars
    # The null code's row has no partner in the self-join (null = null is not true): two rows.
    assert got["rows"] == EXPECTED_ROWS
    assert got["schema"] == EXPECTED_SCHEMA
    assert got["empty"] == {"code": "String", "births": "Int64"}


def test_with_pyarrow_loaded_the_same_rows_and_types():
    got = _run("import pyarrow\n")
    assert got["pyarrow"] is True
    assert got["rows"] == EXPECTED_ROWS
    assert got["schema"] == EXPECTED_SCHEMA
    assert got["empty"] == {"code": "String", "births": "Int64"}
