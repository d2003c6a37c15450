"""Benchmark: every page's computation at county and province scale, against baselines run here.

``make bench`` runs two scenarios in one process and prints, side by side:
- county (the 19-township demo) and province (``demo --townships 2000``, about 15 M births);
- per page: the SQL queries the page runs (recorded from a real AppTest run of the page, then
  replayed on a warm connection without Streamlit's cache), the page's first (cold) and second
  (warm, cached) server-side run, and its settle time in Chromium;
- the same numbers computed by a bare DuckDB scan of births.parquet and by the pandas
  read-then-groupby a typical Streamlit app does on each rerun;
- the map's GeoJSON payload, and (province) the import of 15 M one-row-per-child records:
  wall time and peak memory of ``python -m natality import``.
Times are medians; ratios are against the baselines of the same run, so they compare across
machines. ``--townships N`` changes the province size, ``--skip-import``/``--skip-browser`` leave
out the slow parts, ``--keep DIR`` keeps the province extract (and reuses it next time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb  # noqa: E402
import projection_backtest  # noqa: E402

from natality.core import db, extract  # noqa: E402
from natality.demo.county import build_demo  # noqa: E402

PAGES = {  # url path -> page file
    "overview": "pages/overview.py",
    "births": "pages/births.py",
    "sex-ratio": "pages/sex-ratio.py",
    "scorecard": "pages/scorecard.py",
    "township": "pages/township.py",
    "map": "pages/map.py",
    "compare": "pages/compare.py",
    "data": "pages/data.py",
}
TARGET_QUERIES_MS, TARGET_SETTLE_S, TARGET_COLD_S, TARGET_GEOJSON_MB = 300, 2.0, 5.0, 1.5
SHARED_MODULES = ("natality.scorecard.scoring", "natality.scorecard.judging", "natality.geo.layers")


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def recorded_queries(data: Path, page: str, region: str | None) -> tuple[list[tuple[str, dict, bool]], float, float]:
    """The (query, params) a page runs, and its cold and warm AppTest run times in seconds."""
    from streamlit.testing.v1 import AppTest

    import natality.maps.view
    import natality.scorecard.scoring  # noqa: F401 - imported so that their runner is recorded too

    calls: list[tuple[str, dict, bool]] = []
    original = db.run_query

    def recorder(shared: bool):
        def recording(name, data_dir=None, **params):
            calls.append((name, params, shared))
            return original(name, data_dir, **params)

        return recording

    # Every module that imported the runner by name records too.
    holders = [
        m
        for n, m in list(sys.modules.items())
        if n.startswith("natality") and getattr(m, "run_query", None) is original
    ]
    for module in holders:
        # The scorecard of every year and the map layers are computed once per extract version for
        # every visitor and page (scoring.scorecard_data, geo.layers): counted apart from the page's own.
        module.run_query = recorder(module.__name__ in SHARED_MODULES)
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params["lang"] = "zh"
        if region:
            at.query_params["region"] = region
        at.switch_page(PAGES[page])
        start = time.perf_counter()
        at.run()
        cold = time.perf_counter() - start
        errors = [e.value for e in at.exception] + [e.value for e in at.error]
        if errors:
            print(f"    ! {page}: {str(errors[0])[:160]}")
        start = time.perf_counter()
        at.run()
        warm = time.perf_counter() - start
    finally:
        for module in holders:
            module.run_query = original
    seen, unique = set(), []
    for name, params, shared in calls:
        key = (name, tuple(sorted(params.items())))
        if key not in seen:
            seen.add(key)
            unique.append((name, params, shared))
    return unique, cold, warm


def page_table(data: Path, region: str | None) -> dict[str, float]:
    """Per page: its queries replayed warm (ms) and its cold/warm server runs; returns queries ms by page."""
    os.environ["NATALITY_DATA"] = str(data)
    version = str(extract.live_version_dir(data))
    db.connection(version)  # the connection (views, macros, regions) is made once per version
    print(
        f"  {'page':10s} {'queries':>7s} {'query ms':>9s} {'+ shared':>9s} {'cold run s':>11s} {'warm run s':>11s}"
        f"   (target: query ms <= {TARGET_QUERIES_MS}; shared = once per version for every page)"
    )
    out = {}
    for page in PAGES:
        calls, cold, warm = recorded_queries(data, page, region)
        ms = {n + repr(p): timed(lambda n=n, p=p: db.run_query(n, version, **p), repeat=3) * 1000 for n, p, _ in calls}
        own = sum(ms[n + repr(p)] for n, p, shared in calls if not shared)
        shared = sum(ms[n + repr(p)] for n, p, shared in calls if shared)
        out[page] = own
        mark = "" if own <= TARGET_QUERIES_MS else "  (over target)"
        print(f"  {page:10s} {len(calls):7d} {own:9.1f} {shared:9.1f} {cold:11.2f} {warm:11.2f}{mark}")
    return out


def scan_comparison(data: Path) -> None:
    """Births by township and year, and SRB by township: our queries vs a bare scan vs pandas."""
    import pandas as pd

    version = extract.live_version_dir(data)
    births = str(version / "births.parquet")
    ours = timed(lambda: db.run_query("births_by_township_year", version, year=2024))
    ours_srb = timed(lambda: db.run_query("srb_by_township", version, year_from=2022, year_to=2024))
    con = duckdb.connect()
    bare = timed(
        lambda: (
            con.read_parquet(births)
            .filter("year(month) = 2024")
            .aggregate("township_code, sum(births)::bigint as births", "township_code")
            .fetchall()
        )
    )

    def pandas_way() -> None:
        frame = pd.read_parquet(births)  # what a typical app does on every rerun
        frame = frame[frame["month"].dt.year == 2024] if hasattr(frame["month"], "dt") else frame
        frame.groupby("township_code")["births"].sum()

    def pandas_srb() -> None:
        frame = pd.read_parquet(births)
        frame.pivot_table(index="township_code", columns="sex", values="births", aggfunc="sum")

    pd_time = timed(pandas_way, repeat=3)
    pd_srb = timed(pandas_srb, repeat=3)
    rows = duckdb.connect().read_parquet(births).count("*").fetchall()[0][0]
    print(f"  births.parquet rows: {rows:,}")
    print(
        f"  {'births by township, 2024':34s} ours {ours * 1000:7.1f} ms | bare DuckDB scan {bare * 1000:7.1f} ms"
        f" ({ours / bare:4.1f}x)\n  {'':34s} pandas read+groupby {pd_time * 1000:8.1f} ms"
        f" ({pd_time / ours:5.1f}x ours)"
    )
    print(
        f"  {'SRB by township, 3 years':34s} ours {ours_srb * 1000:7.1f} ms |"
        f" pandas read+pivot {pd_srb * 1000:8.1f} ms ({pd_srb / ours_srb:5.1f}x ours)"
    )


def computations(data: Path) -> None:
    """Once-per-version computations every visitor shares (what the first visit after an import waits for)."""
    from natality.geo import layers
    from natality.scorecard import scoring

    version = str(extract.live_version_dir(data))
    cases = [
        ("scorecard, every year", lambda: scoring.scorecard_data(version, "zh")),
        ("township GeoJSON (whole extract)", lambda: layers.region_geojson(version, None, "township")),
        ("county GeoJSON (dissolved)", lambda: layers.region_geojson(version, None, "county")),
    ]
    for label, fn in cases:
        _clear_caches()
        start = time.perf_counter()
        result = fn()
        cold = time.perf_counter() - start
        size = ""
        if isinstance(result, dict):
            size = f"  payload {len(_json_bytes(result)) / 1e6:.2f} MB (target <= {TARGET_GEOJSON_MB} MB)"
        print(f"  {label:34s} cold {cold * 1000:8.1f} ms{size}")


def _json_bytes(obj) -> bytes:
    import json

    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _clear_caches() -> None:
    from natality.geo import layers
    from natality.scorecard import scoring

    for module in (scoring, layers):
        for name in dir(module):
            fn = getattr(module, name)
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()


def browser_settle(data: Path, region: str | None) -> None:
    """Each page in Chromium: first visit after the server starts (cold) and a second visit (warm)."""
    if not Path("/usr/bin/chromium").exists():
        print("  (no /usr/bin/chromium: browser figures skipped)")
        return
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import start_streamlit  # the tests' server starter: same flags, loopback only

    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    proc, url = start_streamlit(data, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            print(f"  {'page':10s} {'cold s':>7s} {'warm s':>7s}  (target <= {TARGET_SETTLE_S} s warm)")
            for name in PAGES:
                query = f"?lang=zh&region={region}" if region else "?lang=zh"
                cold = _settle(page, f"{url}/{name}{query}")
                warm = _settle(page, f"{url}/{name}{query}")
                errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
                flag = f"  ! {errors} error box(es)" if errors else ""
                print(f"  {name:10s} {cold:7.2f} {warm:7.2f}{flag}")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _settle(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
    elements = "[data-testid=stMainBlockContainer] [data-testid=stElementContainer]"
    page.wait_for_function(
        f"() => !document.querySelector('[data-testid=stStatusWidget]')"
        f" && document.querySelectorAll('{elements}').length > 2",
        timeout=120_000,
    )
    return time.perf_counter() - start


def import_figures(data: Path, work: Path) -> None:
    """The importer's figures (bench/import_figures.py): 15 M one-row-per-child records (wall
    time, peak memory) and a 400-row GB18030 CSV, each through ``python -m natality import``."""
    import import_figures as figures

    figures.small_gb18030_import(work)
    figures.records_import(data, work)


def scenario(label: str, data: Path, region: str | None, browser: bool) -> None:
    print(f"\n== {label}: {data}")
    count = duckdb.connect().read_parquet(str(extract.live_version_dir(data) / "townships.parquet")).count("*")
    print(f"  townships: {count.fetchall()[0][0]:,}" + (f", region {region}" if region else ""))
    page_table(data, region)
    scan_comparison(data)
    computations(data)
    if region is None:
        print("  -- year-end projection and data alerts")
        projection_backtest.report(data)
    if browser:
        browser_settle(data, region)
        if region is None and "county" in label:
            from phone_settle import phone_figures  # a leader's phone: 390 px, WeChat's browser

            phone_figures(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=2000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-county", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the province extract here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natality-bench-"))
    try:
        if not args.skip_county:
            county = work / "county"
            build_demo(county)
            scenario("county (19 townships)", county, None, not args.skip_browser)
        province = args.keep or work / "province"
        if not (province / "manifest.json").exists():
            start = time.perf_counter()
            build_demo(province, townships=args.townships)
            print(f"\nprovince demo built in {time.perf_counter() - start:.1f} s")
        scenario(f"province ({args.townships} townships)", province, None, not args.skip_browser)
        regions = db.run_query("regions", extract.live_version_dir(province))
        county_code = regions.filter(level="county")["region_code"][0]
        scenario(f"one county inside the province (?region={county_code})", province, county_code, False)
        if not args.skip_import:
            print("\n== import of one-row-per-child records")
            import_figures(province, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
