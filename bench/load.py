"""Load: many leaders reading at once while staff import the month's data (``make load``).

Measures the server, not browsers: the leaders are Locust users (bench/swarm.py) that speak
Streamlit's own websocket protocol (bench/stclient.py: ``BackMsg.rerun_script`` with the page
and its query string, ``ForwardMsg``\\ s until ``script_finished``), a few milliseconds of client
CPU per page view. A view is good only when the page's title and all its charts arrived and no
exception element or error box came. Over a copy of the demo county (``--townships N``: the
province demo) it runs, one scenario after the other:

1. **one process** (started as ``make run`` starts the app): a sweep of 10, 25, 50, 100, 200 sessions
   (each leader one tab in one language, every page in turn, an exponential think time of mean
   10 s, seeded), users added step by step, each step measured over ``--step-seconds``; two
   imports publish a new month during the run (in the 25- and 50-session steps; with replicas
   in the 50- and 100-session steps; at the sweep's end if it stops before); every view
   must name one version (the sidebar and every chart's footnote name the cut-off month). The
   sweep ends after the first step over p95 1 s or with an error: the capacity is then known.
   Then **the burst** that once froze the server (12 sessions opening /compare, /data, /map,
   /scorecard 0.2 s apart for ~100 s), and **2 real Chromium sessions** for the paint time.
2. **many first views at once**: a freshly started server, ``--first-views`` tabs opening their
   first page at the same moment (twice, each time a new server).
3. **replicas** (``--replicas 2``) behind nginx (deploy/serve.py), the same sweep and imports.

It prints per step: page views, p50/p95/max, errors, KB per view, the server's CPU per view and
in all (one core = 100 %), the client's CPU and the server's memory; per page p50/p95/max; the
capacity (most sessions held at p95 <= 1 s with 0 errors). The exit status is 0 only when no
view failed, no view mixed versions, the server always answered ``/_stcore/health``, both
imports published, memory grew <= 200 MB, and the capacity goals are met (demo county: >= 50
sessions on one process, >= 100 on 2 replicas; 2,000 townships: >= 50 on 2 replicas).
A quick run: ``make load LOAD_ARGS="--steps 5,10 --step-seconds 15 --burst-seconds 15 --chromium-seconds 0"``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))

import months  # noqa: E402
import serve  # noqa: E402
import stclient  # noqa: E402

from natality.core import extract  # noqa: E402
from natality.demo.county import build_demo  # noqa: E402

GOAL_P95_S, GOAL_MEMORY_MB = 1.0, 200
PAGES = tuple(stclient.PAGES)
SETTLED = (  # the script has finished, the page has content, and every chart is drawn
    "() => !document.querySelector('[data-testid=stStatusWidget]')"
    " && document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stElementContainer]').length > 2"
    " && Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]')).every(c => c.querySelector('.main-svg'))"
)


# --- the simulated leaders (bench/swarm.py in its own process: gevent patches its standard library)


def swarm(config: dict, work: Path, name: str) -> dict:
    cfg, out = work / f"{name}.json", work / f"{name}.result.json"
    cfg.write_text(json.dumps(config))
    subprocess.run([sys.executable, str(ROOT / "bench" / "swarm.py"), str(cfg), str(out)], cwd=ROOT, check=False)
    if not out.exists():
        empty: dict = {"steps": [], "imports": [], "memory": [], "records": [], "warmup_errors": []}
        failed = ["the load driver failed"]
        return {**empty, "health_failures": failed, "health_stalls": failed, "expected_charts": {}, "client_cpu": 0}
    return json.loads(out.read_text())


# --- 2 real Chromium sessions: the paint time a leader sees (the old load test, kept small)


async def _chromium_session(index: int, browser, url: str, stop_at: float, settle: dict, failures: list) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    lang = ("zh", "en")[index % 2]
    await page.goto(f"{url}/?lang={lang}", timeout=120_000)
    await page.wait_for_function(SETTLED, timeout=120_000, polling=250)
    k, current = index * 3, "overview"
    while time.monotonic() < stop_at:
        name = PAGES[k % len(PAGES)]
        k += 1
        if name == current:  # a click on the page shown changes nothing: the next one
            continue
        path = "" if name == "overview" else name
        start = time.perf_counter()
        try:
            before = await page.evaluate("() => (document.querySelector('h1') || {}).innerText || ''")
            await page.click(f"[data-testid=stSidebarNav] a[href$='/{path}']", timeout=60_000)
            await page.wait_for_function(
                "b => ((document.querySelector('h1') || {}).innerText || '') !== b",
                arg=before,
                timeout=60_000,
                polling=100,
            )
            await page.wait_for_function(SETTLED, timeout=60_000, polling=100)
            settle[name].append(time.perf_counter() - start)
            current = name
        except Exception as exc:  # counted, never fatal to the run
            failures.append(f"{name} {lang}: {type(exc).__name__}: {str(exc)[:120]}")
            await page.goto(f"{url}/{path}?lang={lang}", timeout=120_000)
            current = name
        await asyncio.sleep(random.Random(k).uniform(1, 3))
    await context.close()


async def _chromium(url: str, seconds: float, settle: dict, failures: list) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_chromium_session(i, browser, url, stop_at, settle, failures) for i in range(2)))
        await browser.close()


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL: a frozen server (the deadlock the burst once caused) ignores SIGTERM."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        print(f"  ! the server (pid {proc.pid}) did not stop on SIGTERM in 20 s: killed", flush=True)
        proc.kill()
        proc.wait(timeout=10)


def start_one(data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """One app process on a free loopback port, started as ``make run`` and each replica start it."""
    port = serve.free_port()
    proc = serve.start_replica(data, port, secrets.token_hex(32), log)
    url = f"http://127.0.0.1:{port}"
    if not serve.wait_healthy(url) or proc.poll() is not None:
        stop(proc)
        raise RuntimeError(f"the app did not start; see {log}")
    return proc, url


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


# --- the report


def machine_note() -> str:
    """What else the machine runs: the load average of the last minute against its cores."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def capacity(steps: list[dict]) -> int:
    """The most sessions held at p95 <= 1 s with 0 errors (every smaller step too)."""
    held = 0
    for step in steps:
        if step["p95"] > GOAL_P95_S or step["errors"] or not step["views"]:
            break
        held = step["sessions"]
    return held


def print_sweep(title: str, result: dict) -> None:
    print(f"\n{title}")
    print(
        f"  {'sessions':>8s} {'views':>6s} {'views/s':>7s} {'p50 s':>6s} {'p95 s':>6s} {'max s':>6s} "
        f"{'errors':>6s} {'KB/view':>7s} {'server CPU/view':>15s} {'server CPU':>10s} {'client CPU/view':>15s} "
        f"{'memory':>7s} {'load avg':>8s}"
    )
    for s in result["steps"]:
        print(
            f"  {s['sessions']:8d} {s['views']:6d} {s['views'] / s['seconds']:7.1f} {s['p50']:6.2f} "
            f"{s['p95']:6.2f} {s['max']:6.2f} {s['errors']:6d} {s['bytes'] / 1024:7.0f} "
            f"{s['server_cpu_per_view']:13.3f} s {s['server_cpu_pct']:8.0f} % "
            f"{1000 * s['client_cpu_per_view']:12.1f} ms {s['memory_mb']:4.0f} MB "
            f"{s.get('loadavg', 0):8.1f}"
        )
    if result["steps"]:
        print(f"  per page, p50/p95/max s at {', '.join(str(s['sessions']) for s in result['steps'])} sessions:")
        for page in PAGES:
            cells = []
            for s in result["steps"]:
                p = s["pages"][page]
                cells.append(f"{p['p50']:.2f}/{p['p95']:.2f}/{p['max']:.2f}" if p["views"] else "-")
            print(f"    {page:10s} " + "  ".join(f"{c:>16s}" for c in cells))
    for s in result["steps"]:
        for problem in s["problems"]:
            print(f"    ! {s['sessions']} sessions: {problem}")
    for line in result["imports"]:
        print(
            f"  import of {line['label']}: exit {line['exit']} at {line['at']:.0f} s, {line['seconds']:.1f} s "
            f"{line['stderr']}"
        )
    mem = [m for _, m in result["memory"]]
    if mem:
        print(
            f"  server memory: after the warm-up {result.get('memory_base', mem[0]):.0f} MB, peak {max(mem):.0f} MB, "
            f"end {mem[-1]:.0f} MB (growth {growth(result):+.0f} MB)"
        )
    views = len(result["records"])
    print(
        f"  client (the load driver): {result['client_cpu']:.1f} s CPU for {views} views "
        f"({1000 * result['client_cpu'] / max(views, 1):.1f} ms a view)"
    )
    print(f"  capacity: {capacity(result['steps'])} sessions (p95 <= {GOAL_P95_S:g} s, 0 errors)")


def print_one(title: str, result: dict) -> None:
    for s in result["steps"]:
        print(
            f"\n{title}: {s['views']} views, p50 {s['p50']:.2f} s, p95 {s['p95']:.2f} s, max {s['max']:.2f} s, "
            f"errors {s['errors']}"
        )
        for problem in s["problems"]:
            print(f"    ! {problem}")
    for failure in result["health_failures"][:5]:
        print(f"    ! /_stcore/health: {failure}")


def mixed(result: dict) -> int:
    return sum(len(r["marks"]) > 1 for r in result["records"])


def growth(result: dict) -> float:
    """Memory at the end less memory after the warm-up (every page once in both languages)."""
    mem = [m for _, m in result["memory"]]
    return mem[-1] - result.get("memory_base", mem[0]) if mem else 0.0


# --- the run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", default="10,25,50,100,200", help="session counts of the sweep")
    ap.add_argument("--step-seconds", type=float, default=40, help="measured seconds per step")
    ap.add_argument("--think", type=float, default=10.0, help="mean seconds a leader reads a page (exponential)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--import-steps", default="25,50", help="the steps in which the two imports publish (one process)")
    ap.add_argument("--replica-import-steps", default="50,100", help="the same for the replicas")
    ap.add_argument("--full", action="store_true", help="run every step (default: stop after the first over the goal)")
    ap.add_argument("--replicas", type=int, default=2, help="replicas behind nginx in the last scenario (0: skip)")
    ap.add_argument("--single", type=int, default=1, help="run the one-process scenario (0: skip)")
    ap.add_argument("--burst-seconds", type=float, default=100)
    ap.add_argument("--burst-sessions", type=int, default=12)
    ap.add_argument("--first-views", type=int, default=8, help="tabs opening their first page at once (0: skip)")
    ap.add_argument("--first-tries", type=int, default=2)
    ap.add_argument("--chromium-seconds", type=float, default=60, help="2 Chromium sessions' run (0: skip)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before a view counts as failed")
    ap.add_argument("--townships", type=int, default=None, help="province demo of N townships (default: county)")
    ap.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the template extract here")
    args = ap.parse_args()
    steps = [int(s) for s in args.steps.split(",")]

    def import_steps(spec: str) -> list[int]:
        """Two steps of the sweep (an import whose step the sweep does not reach runs at its end)."""
        chosen = [int(s) for s in spec.split(",") if int(s) in steps] or steps[-2:]
        return (chosen * 2)[:2]

    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="natality-load-"))
    template = args.keep or work / "template" / "demo"
    if not (template / "manifest.json").exists():
        print(f"building the demo extract{f' of {args.townships:,} townships' if args.townships else ''} ...")
        build_demo(template, **({"townships": args.townships} if args.townships else {}))
    scale = f"{args.townships:,} townships" if args.townships else "the demo county"
    base = {
        "think": args.think,
        "seed": args.seed,
        "timeout": args.timeout,
        "steps": steps,
        "step_seconds": args.step_seconds,
        "stop_above": not args.full,
    }

    def prepare(name: str, at: str = args.import_steps) -> tuple[Path, dict]:
        """A fresh copy of the template, its two import files and the marks of its three versions."""
        data = months.live_copy(template, work / name / "demo")
        first = extract.read_manifest(data)["cutoff_month"]
        files = months.next_months(data, work / name, 2)
        marks = {m: stclient.version_marks(m) for m in (first, *(m for m, _ in files))}
        imports = [
            {"step": step, "label": m, "cmd": months.import_command(data, f), "cwd": str(ROOT)}
            for step, (m, f) in zip(import_steps(at), files, strict=True)
        ]
        return data, {**base, "marks": marks, "imports": imports}

    results: dict[str, dict] = {}
    paint: dict[str, list] = defaultdict(list)
    paint_failures: list[str] = []
    expected: dict = {}
    try:
        if args.single:
            data, config = prepare("single")
            proc, url = start_one(data, work / "single.log")
            try:
                print(f"one process over {scale}: sweep {steps} ...", flush=True)
                results["single"] = swarm({**config, "mode": "sweep", "url": url, "pids": [proc.pid]}, work, "single")
                expected = results["single"].get("expected_charts", {})
                if args.burst_seconds:
                    print("the burst ...", flush=True)
                    burst = {
                        "mode": "burst",
                        "url": url,
                        "pids": [proc.pid],
                        "warm": False,
                        "imports": [],
                        "pause": 0.2,
                        "sessions": args.burst_sessions,
                        "seconds": args.burst_seconds,
                    }
                    results["burst"] = swarm({**config, **burst, "expected_charts": expected}, work, "burst")
                if args.chromium_seconds and Path("/usr/bin/chromium").exists() and answers(url):
                    print("2 Chromium sessions ...", flush=True)
                    try:
                        asyncio.run(_chromium(url, args.chromium_seconds, paint, paint_failures))
                    except Exception as exc:  # reported; the run goes on
                        paint_failures.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            finally:
                stop(proc)
        for k in range(args.first_views and args.first_tries):
            data, config = prepare(f"first{k}")
            proc, url = start_one(data, work / f"first{k}.log")
            try:
                print(f"{args.first_views} first views at once on a fresh server ({k + 1}) ...", flush=True)
                first = {"mode": "first", "url": url, "pids": [proc.pid], "sessions": args.first_views}
                results[f"first{k}"] = swarm({**config, **first, "expected_charts": expected}, work, f"first{k}")
            finally:
                stop(proc)
        if args.replicas:
            data, config = prepare("replicas", args.replica_import_steps)
            cluster = serve.start(data, args.replicas, run_dir=work / "replicas-run")
            try:
                print(f"{args.replicas} replicas behind nginx over {scale}: sweep {steps} ...", flush=True)
                results["replicas"] = swarm(
                    {**config, "mode": "sweep", "url": cluster.url, "pids": cluster.pids}, work, "replicas"
                )
            finally:
                cluster.stop()
    finally:
        if not args.keep:
            shutil.rmtree(work / "template", ignore_errors=True)

    print(
        f"\nload over {scale}: think time exponential, mean {args.think:g} s (seed {args.seed}); "
        f"{args.step_seconds:g} s measured per step; {os.cpu_count()} cores; "
        f"{(time.monotonic() - began) / 60:.1f} min in all; at the end {machine_note()}"
    )
    if "single" in results:
        print_sweep("one process", results["single"])
    if "burst" in results:
        print_one(
            f"the burst ({args.burst_sessions} sessions, /compare /data /map /scorecard 0.2 s apart, "
            f"{args.burst_seconds:g} s)",
            results["burst"],
        )
    for k in range(args.first_views and args.first_tries):
        print_one(f"{args.first_views} first views at once on a fresh server ({k + 1})", results[f"first{k}"])
    if paint:
        print("\n2 Chromium sessions (paint time: click in the sidebar to every chart drawn), p50/p95 s:")
        for page in PAGES:
            times = sorted(paint[page])
            if times:
                p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
                print(f"    {page:10s} {len(times):3d} views {statistics.median(times):6.2f} {p95:6.2f}")
    for failure in paint_failures[:5]:
        print(f"    ! Chromium: {failure}")
    if "replicas" in results:
        print_sweep(f"{args.replicas} replicas behind nginx", results["replicas"])

    goals: dict[str, bool] = {}
    for name, result in results.items():
        bad = sum(bool(r["errors"]) for r in result["records"])
        goals[f"{name}: 0 failed views ({bad})"] = bad == 0
        goals[f"{name}: 0 mixed-version views ({mixed(result)})"] = mixed(result) == 0
        stalls, misses = result.get("health_stalls", result["health_failures"]), len(result["health_failures"])
        goals[
            f"{name}: the server kept answering /_stcore/health ({misses} slow answers, {len(stalls)} stalls)"
        ] = not stalls
        if result.get("warmup_errors"):
            goals[f"{name}: warm-up views good ({result['warmup_errors'][:2]})"] = False
    if paint or paint_failures:
        goals[f"2 Chromium sessions: 0 failed views ({len(paint_failures)})"] = not paint_failures
    province = bool(args.townships)
    for name, want in (("single", 0 if province else 50), ("replicas", 50 if province else 100)):
        if name in results:
            res = results[name]
            published = [i for i in res["imports"] if i["exit"] == 0]
            goals[f"{name}: both imports published ({len(published)})"] = len(published) == 2
            goals[f"{name}: memory growth <= {GOAL_MEMORY_MB} MB ({growth(res):+.0f} MB)"] = (
                growth(res) <= GOAL_MEMORY_MB
            )
            if want:
                held = capacity(res["steps"])
                goals[f"{name}: capacity >= {want} sessions ({held})"] = held >= want
    print()
    for goal, met in goals.items():
        print(f"  [{'ok' if met else 'FAIL'}] {goal}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
