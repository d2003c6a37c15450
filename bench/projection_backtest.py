"""Backtest of the year-end projection and the rate of data alerts (part of ``make bench``).

Every complete past year with history is cut at months 3, 6 and 9 and projected as if it were the
cut-off: the share of townships whose real total fell inside the 90 % interval (goal 85-95 %),
and the error of the whole extract's projected total. Then the alerts on the (clean) demo: how
many of its township-months were alerted, against the budget of false alerts. Timings are of
the once-per-version computations, cold (caches cleared), against the page's scorecard
computation of the same run.
"""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from natality.births import alerts, projection
from natality.core import extract


def report(data: Path) -> None:
    version = str(extract.live_version_dir(data))
    cutoff = extract.read_manifest(version)["cutoff_month"]
    year = int(cutoff[:4])
    projection._projection.cache_clear()
    start = time.perf_counter()
    projection.projection(version, year)
    proj_s = time.perf_counter() - start
    start = time.perf_counter()
    found, phi, cells = alerts.data_alerts(version, "zh")
    alert_s = time.perf_counter() - start
    print(f"  {'projection at the cut-off (cold)':34s} {proj_s * 1000:8.1f} ms")
    print(f"  {'data alerts, every month (cold)':34s} {alert_s * 1000:8.1f} ms")
    kinds = ", ".join(f"{k} {n}" for k, n in found.group_by("kind").len().sort("kind").rows()) or "none"
    print(
        f"  alerts on the clean demo: {found.height} of {cells:,} township-months ({kinds}); "
        f"budget {alerts.BUDGET} expected false alerts, phi {phi:.2f}"
    )
    start = time.perf_counter()
    runs = projection.backtest(version)
    took = time.perf_counter() - start
    if runs.is_empty():
        print("  backtest: no complete past year with history")
        return
    by_cut = (
        runs.group_by("cut")
        .agg(
            coverage=pl.col("covered").sum() / pl.col("townships").sum(),
            whole_inside=((pl.col("actual") >= pl.col("low")) & (pl.col("actual") <= pl.col("high"))).mean(),
            error=((pl.col("projected") - pl.col("actual")).abs() / pl.col("actual") * 100).mean(),
            years=pl.len(),
        )
        .sort("cut")
    )
    total = runs["covered"].sum() / runs["townships"].sum()
    print(
        f"  backtest {runs['year'].min()}-{runs['year'].max()} cut at months 3/6/9 ({took:.1f} s): "
        f"{100 * total:.1f}% of township-years inside the 90% interval (goal 85-95%)"
    )
    for r in by_cut.iter_rows(named=True):
        print(
            f"    cut at month {r['cut']}: coverage {100 * r['coverage']:5.1f}%, whole extract's total "
            f"off by {r['error']:.2f}% on average, inside its interval in {100 * r['whole_inside']:.0f}% of "
            f"{r['years']} years"
        )
