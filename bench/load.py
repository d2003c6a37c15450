"""Load: many leaders browsing at once while staff import the month's data (``make load``).

Starts the app on a free port on 127.0.0.1 over a copy of the demo extract, then drives
``--sessions`` real Chromium sessions (default 20; one browser, one context per leader) through
every page in both languages for ``--minutes`` (default 5), while two imports publish new
versions (a new month each, at 1/3 and 2/3 of the run). It prints per-page p50/p95 settle
times, error boxes and tracebacks seen, which versions each session saw, whether any page mixed
two versions (every chart's footnote names the data's cut-off month, and each import moves it),
and the server's memory at the start, its peak and at the end.

Goals on the 2-core reference machine: 0 error boxes, 0 tracebacks, 0 mixed pages, p95 <= 5 s,
server memory growth <= 200 MB. The exit status is 0 only when every goal is met.
``--townships 2000`` runs the same over the province demo (built once, reused with ``--keep``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import polars as pl  # noqa: E402

from natality.core import extract, i18n  # noqa: E402
from natality.importing.demo import build_demo  # noqa: E402

PAGES = ("", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data")
GOAL_P95_S, GOAL_MEMORY_MB = 5.0, 200
ELEMENTS = "[data-testid=stMainBlockContainer] [data-testid=stElementContainer]"
SETTLED = (  # the script has finished, the page has content, and every chart is drawn
    f"() => !document.querySelector('[data-testid=stStatusWidget]')"
    f" && document.querySelectorAll('{ELEMENTS}').length > 2"
    " && Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]')).every(c => c.querySelector('.main-svg'))"
)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the Streamlit server), in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pattern: str) -> float:
    """CPU time (user + system) used so far by the processes whose command line matches."""
    pids = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def month_births(version: Path, source_month: str, new_month: str, path: Path) -> None:
    """An aggregated births file for ``new_month``: the counts of ``source_month`` moved there."""
    births = pl.read_parquet(version / "births.parquet")
    births = births.filter(pl.col("month").dt.strftime("%Y-%m") == source_month)
    keys = [c for c in births.columns if c not in ("month", "births")]
    counts = births.group_by(keys).agg(pl.col("births").sum()).with_columns(month=pl.lit(new_month))
    counts.select("township_code", "month", *keys[1:], "births").write_csv(path)


def cutoff_marks(month: str, lang: str) -> tuple[str, str]:
    """How a page names the data's cut-off month: the sidebar's line and every chart's footnote."""
    text = i18n.fmt_month(int(month[:4]), int(month[5:7]), lang)
    return i18n.t("app.cutoff", lang, month=text), i18n.t("common.footnote", lang, cutoff=text, source="").strip()


def next_month(ym: str, k: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7]) + k
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y}-{m:02d}"


async def _visit(page, name: str, lang: str, url: str, results: dict, cutoffs: dict, index: int, click: bool) -> None:
    """One page view: a click on the sidebar's link (``click``) or opening the URL; its settle
    time, error boxes, tracebacks and the versions its sidebar and chart footnotes name."""
    start = time.perf_counter()
    if click:
        before = await page.evaluate("() => (document.querySelector('h1') || {}).innerText || ''")
        await page.click(f"[data-testid=stSidebarNav] a[href$='/{name}']", timeout=120_000)
        # the new page's own title, then nothing running, nothing stale, every chart drawn
        await page.wait_for_function(
            "before => ((document.querySelector('h1') || {}).innerText || '') !== before", arg=before,
            timeout=120_000, polling=250,
        )  # fmt: skip
    else:
        await page.goto(f"{url}/{name}?lang={lang}", timeout=120_000)
        await page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
    await page.wait_for_function(SETTLED, timeout=120_000, polling=250)
    settle = time.perf_counter() - start
    errors = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
    body = await page.evaluate("() => document.body.innerText")
    # every chart's footnote and the sidebar name the data's cut-off month
    plots = await page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot, [data-testid=stSidebar]'))"
        ".map(p => p.textContent)"
    )
    seen = {v for v, marks in cutoffs.items() if any(mark in p for mark in marks[lang] for p in plots)}
    results["settle"][name or "overview"].append(settle)
    results["errors"] += errors
    results["tracebacks"] += int("Traceback" in body)
    results["mixed"] += int(len(seen) > 1)
    results["versions"][index].update(seen)


async def session(index: int, browser, url: str, stop_at: float, cutoffs: dict, results: dict,
                  warm: bool = False, think: float = 0.0) -> None:  # fmt: skip
    """One leader: opens the app in one language, clicks through every page in the sidebar, then
    opens it in the other language and does the same, over and over until the time is up
    (``warm``: once through both languages)."""
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    step = index  # sessions start on different pages, as people do
    rng = random.Random(index)
    cycle = 0
    while time.monotonic() < stop_at or (warm and cycle < 2):
        lang = ("zh", "en")[cycle % 2]
        for k in range(len(PAGES)):
            if time.monotonic() >= stop_at and not warm:
                break
            name = PAGES[(step + k) % len(PAGES)]
            try:
                await _visit(page, name, lang, url, results, cutoffs, index, click=k > 0)
            except Exception as exc:  # a timeout or a dropped connection: counted, never fatal to the run
                results["failures"].append(f"{name or 'overview'} {lang}: {type(exc).__name__}: {str(exc)[:120]}")
                break  # open the app again by its URL
            if think:  # a leader reads the page before the next click
                await asyncio.sleep(rng.uniform(0.4 * think, 1.6 * think))
        cycle += 1
        step += 3
    await context.close()


async def drive(url: str, sessions: int, seconds: float, cutoffs: dict, results: dict, warm: bool = False,
                think: float = 0.0) -> None:  # fmt: skip
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-dev-shm-usage"],
        )  # fmt: skip
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *(session(i, browser, url, stop_at, cutoffs, results, warm, think) for i in range(sessions))
        )
        await browser.close()


def run_imports(data: Path, files: list[Path], at: list[float], log: list[str]) -> None:
    """The staff's imports, each at its moment of the run (seconds from the start)."""
    start = time.monotonic()
    for path, when in zip(files, at, strict=True):
        time.sleep(max(0.0, when - (time.monotonic() - start)))
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "natality", "import", "--out", str(data), "--births", str(path),
                               "--months-only", "--lang", "en"], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
        first = done.stderr.strip().splitlines()[0] if done.stderr.strip() else ""
        log.append(f"import {path.name}: exit {done.returncode} in {time.perf_counter() - began:.1f} s "
                   f"at {time.monotonic() - start:.0f} s: {first}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="mean seconds a leader reads a page before the next (0.4x-1.6x; 0: no pause, a stress test)",
    )
    ap.add_argument("--townships", type=int, default=None, help="province demo of N townships (default: county)")
    ap.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the template extract here")
    args = ap.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("needs Debian's Chromium at /usr/bin/chromium (make system-deps)", file=sys.stderr)
        return 1
    from conftest import start_streamlit  # the tests' server starter: same flags, loopback only

    work = Path(tempfile.mkdtemp(prefix="natality-load-"))
    template = args.keep or work / "template" / "demo"
    if not (template / "manifest.json").exists():
        print(f"building the demo extract{f' of {args.townships:,} townships' if args.townships else ''} ...")
        build_demo(template, **({"townships": args.townships} if args.townships else {}))
    data = work / "live" / "demo"
    data.parent.mkdir(parents=True)
    shutil.copytree(extract.versions_dir(template), extract.versions_dir(data), symlinks=True)
    data.symlink_to(Path(f"{data.name}.versions") / template.resolve().name)
    version = extract.live_version_dir(data)
    cutoff = extract.read_manifest(data)["cutoff_month"]
    files, expected = [], {}
    for k in (1, 2):
        month = next_month(cutoff, k)
        month_births(version, next_month(cutoff, k - 12), month, work / f"births_{month}.csv")
        files.append(work / f"births_{month}.csv")
        expected[month] = month
    cutoffs = {m: {lang: cutoff_marks(m, lang) for lang in i18n.LANGS} for m in (cutoff, *expected)}

    seconds = args.minutes * 60
    proc, url = start_streamlit(data, work / "streamlit.log")
    results: dict = {"settle": defaultdict(list), "errors": 0, "tracebacks": 0, "mixed": 0,
                     "versions": defaultdict(set), "failures": []}  # fmt: skip
    memory: list[float] = []
    browser_cpu: list[float] = []
    imports: list[str] = []
    try:
        # One leader opens every page in both languages first: the server's working set (imports,
        # the version's connection, cached results) is then in memory; growth is measured from here.
        asyncio.run(drive(url, 1, 0, cutoffs, {"settle": defaultdict(list), "errors": 0, "tracebacks": 0,
                                               "mixed": 0, "versions": defaultdict(set), "failures": []},
                          warm=True))  # fmt: skip
        memory.append(rss_mb(proc.pid))
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(5):
                memory.append(rss_mb(proc.pid))
                browser_cpu.append(cpu_seconds("/usr/lib/chromium/chromium"))

        threading.Thread(target=sample, daemon=True).start()
        staff = threading.Thread(target=run_imports, args=(data, files, [seconds / 3, 2 * seconds / 3], imports))
        staff.start()
        started = time.perf_counter()
        cpu_before = cpu_seconds("streamlit run dashboard.py")
        asyncio.run(drive(url, args.sessions, seconds, cutoffs, results, think=args.think))
        wall = time.perf_counter() - started
        cpu_server = cpu_seconds("streamlit run dashboard.py") - cpu_before
        cpu_browser = max(browser_cpu, default=0.0)  # the run's browser started at 0 and has exited now
        staff.join()
        sampling.set()
        memory.append(rss_mb(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    scale = f"{args.townships:,} townships" if args.townships else "the demo county"
    print(f"\nload: {args.sessions} Chromium sessions x {wall / 60:.1f} min over {scale}, 2 imports, "
          f"{args.think:g} s reading per page\n")  # fmt: skip
    print(f"  {'page':10s} {'visits':>6s} {'p50 s':>6s} {'p95 s':>6s} {'max s':>6s}")
    all_times = []
    for name in [p or "overview" for p in PAGES]:
        times = sorted(results["settle"][name])
        all_times += times
        if times:
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"  {name:10s} {len(times):6d} {statistics.median(times):6.2f} {p95:6.2f} {times[-1]:6.2f}")
    all_times.sort()
    p95 = all_times[min(len(all_times) - 1, int(0.95 * len(all_times)))] if all_times else float("inf")
    for line in imports:
        print(f"  {line}")
    seen = defaultdict(int)
    for versions in results["versions"].values():
        seen[len(versions)] += 1
    growth = memory[-1] - memory[0]
    print(f"  sessions by versions seen: {dict(sorted(seen.items()))} (of {len(cutoffs)} published)")
    print(f"  server memory: start {memory[0]:.0f} MB, peak {max(memory):.0f} MB, end {memory[-1]:.0f} MB "
          f"(growth {growth:+.0f} MB)")  # fmt: skip
    print(f"  page visits {len(all_times)}, failed visits {len(results['failures'])}, "
          f"error boxes {results['errors']}, tracebacks {results['tracebacks']}, "
          f"mixed-version pages {results['mixed']}")  # fmt: skip
    cores = os.cpu_count() or 1
    print(f"  CPU over the run ({cores} cores): server {cpu_server:.0f} s ({cpu_server / max(len(all_times), 1):.2f} s "
          f"per page view, {100 * cpu_server / wall / cores:.0f} % of the machine), the {args.sessions} Chromium "
          f"sessions {cpu_browser:.0f} s ({100 * cpu_browser / wall / cores:.0f} %)")  # fmt: skip
    for failure in results["failures"][:10]:
        print(f"    ! {failure}")
    goals = {
        "0 error boxes": results["errors"] == 0,
        "0 tracebacks": results["tracebacks"] == 0,
        "0 failed visits": not results["failures"],
        "0 mixed-version pages": results["mixed"] == 0,
        "both imports published": all(" exit 0 " in line for line in imports) and len(imports) == 2,
        f"p95 <= {GOAL_P95_S} s (all pages: {p95:.2f} s)": p95 <= GOAL_P95_S,
        f"memory growth <= {GOAL_MEMORY_MB} MB ({growth:+.0f} MB)": growth <= GOAL_MEMORY_MB,
    }
    for goal, met in goals.items():
        print(f"  [{'ok' if met else 'FAIL'}] {goal}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
