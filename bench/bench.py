"""Query benchmark: each page query's time as a ratio of a baseline run in the same process.

Baseline: a plain ``select count(*) from births`` through the same runner, so the figures compare
across machines. Run with ``make bench`` (builds a demo extract in a temporary directory).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from natality.core import db
from natality.importing.demo import build_demo

CASES = [
    ("births_by_township_year", {"year": 2024}),
    ("county_births_by_year", {"township_code": None}),
    ("county_period_summary", {"year": 2026, "month_to": 9}),
    ("births_by_month", {"year": 2026, "township_code": None}),
    ("births_by_order_year", {"township_code": None}),
    ("births_by_age_year", {"township_code": None}),
]
OPTIONAL = [("srb_by_township", {"year_from": 2023, "year_to": 2025})]


def timed(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo"
        build_demo(data)
        cases = CASES + [c for c in OPTIONAL if c[0] in db.query_names()]
        con = db.connection(str(data.resolve()))
        baseline = timed(lambda: con.cursor().sql("select count(*) from births").fetchall())
        print(f"baseline (count(*) over births): {baseline * 1000:.2f} ms")
        print(f"{'query':32s} {'median ms':>10s} {'x baseline':>11s}")
        for name, params in cases:
            t = timed(lambda name=name, params=params: db.run_query(name, data, **params))
            print(f"{name:32s} {t * 1000:10.2f} {t / baseline:11.1f}")
        # Whole computations behind a page (uncached: what the first visitor after an import waits for).
        from natality.geo import boundaries as maps
        from natality.scorecard import scoring

        version = str(data.resolve())
        for label, fn in (
            ("scorecard, all years (Python)", lambda: scoring.scorecard_data(version, "zh")),
            ("township GeoJSON", lambda: maps.township_geojson(version)),
        ):
            t = timed(fn, repeat=3)
            print(f"{label:32s} {t * 1000:10.2f} {t / baseline:11.1f}")


if __name__ == "__main__":
    main()
