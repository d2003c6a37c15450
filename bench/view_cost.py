"""What a page view costs the server: CPU seconds per view, every page, both languages.

``make viewcost`` starts a real ``streamlit run dashboard.py`` on the demo county (and, with
``--townships 2000``, on a province-size demo), opens every page in a session per language with
the protocol client of bench/stclient.py (no browser: the client's CPU is not the server's), and
reads the server process's CPU time (user + system, from /proc) around each view. A page is
viewed once to warm it (its first view also pays the caches everyone shares), then ``--views``
times; the median is reported, with the bytes sent per view. ``--baseline REF`` measures the
app at git ref REF the same way in the same run (``git archive`` into a temporary folder) and
prints the ratios, so that a change is judged on the same machine at the same moment.
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

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))

import serve as serve_app  # noqa: E402
from stclient import Session  # noqa: E402

PAGES = ["", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]
GOAL = {"county": 0.08, "province": 0.15}


def git_tree(ref: str, dest: Path) -> Path:
    """The app as it was at git ref ``ref``, written to ``dest`` (``git archive``)."""
    dest.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def start_server(app: Path, data: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = serve_app.free_port()
    proc = serve_app.start_app(data, port, log, root=app, args=("--server.fileWatcherType", "none"))
    if serve_app.wait_healthy(f"http://127.0.0.1:{port}", 90):
        return proc, port
    proc.kill()
    raise RuntimeError(f"streamlit did not start; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    serve_app.stop_app(proc, 15)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def measure(
    app: Path, data: Path, views: int, work: Path, rotate: bool = False
) -> dict[tuple[str, str], dict[str, float]]:
    """{(page, lang): {"first": s, "cpu": s per view (median), "wall": s, "bytes": n}}.

    ``rotate``: each view opens the next page, as a leader under ``make load`` does (every page in
    turn), instead of the same page ``views`` times in a row."""
    proc, port = start_server(app, data, work / f"streamlit-{app.name}.log")
    server = psutil.Process(proc.pid)
    started = time.perf_counter()
    quiet = 0
    while time.perf_counter() - started < 180 and quiet < 3:  # idle 3 s running: a leader arrives after the start
        before = cpu_seconds(server)
        time.sleep(1.0)
        quiet = quiet + 1 if cpu_seconds(server) - before < 0.03 else 0
    print(
        f"  {app.name}: server idle {time.perf_counter() - started:.1f} s after it answered, "
        f"{cpu_seconds(server):.1f} s CPU since its start"
    )
    out: dict[tuple[str, str], dict[str, float]] = {}
    try:
        for lang in ("zh", "en"):
            session = Session(port, timeout=300)
            try:
                rounds = range(views + 1)
                order = [(i, p) for i in rounds for p in PAGES] if rotate else [(i, p) for p in PAGES for i in rounds]
                seen: dict[str, dict] = {}
                for i, page in order:
                    got = seen.setdefault(page, {"costs": [], "walls": [], "sizes": [], "first": None})
                    costs, walls, sizes = got["costs"], got["walls"], got["sizes"]
                    before = cpu_seconds(server)
                    view = session.view(page, f"lang={lang}")
                    time.sleep(0.05)  # the server's last writes after script_finished
                    cost = cpu_seconds(server) - before
                    if not view.good:
                        raise RuntimeError(f"/{page}?lang={lang}: {view.errors or 'unfinished'}")
                    if i == 0:
                        got["first"] = (cost, view.seconds)
                        continue
                    costs.append(cost)
                    walls.append(view.seconds)
                    sizes.append(view.bytes)
                for page, got in seen.items():
                    out[(page or "overview", lang)] = {
                        "first": got["first"][0],
                        "first_wall": got["first"][1],
                        "cpu": statistics.median(got["costs"]),
                        "mean": statistics.mean(got["costs"]),
                        "wall": statistics.median(got["walls"]),
                        "bytes": statistics.median(got["sizes"]),
                    }
            finally:
                session.close()
    finally:
        stop_server(proc)
    return out


def report(label: str, now: dict, before: dict | None, goal: float) -> None:
    print(f"\n== {label}: server CPU per page view (median of the views after the first) ==")
    head = f"{'page':<10} {'lang':<4} {'1st CPU':>8} {'1st wall':>8} {'CPU s':>7} {'wall s':>7} {'KB':>7}"
    print(head + (f" {'before s':>9} {'ratio':>6}" if before else ""))
    for (page, lang), m in now.items():
        line = (
            f"{page:<10} {lang:<4} {m['first']:>8.3f} {m['first_wall']:>8.3f} {m['cpu']:>7.3f} {m['wall']:>7.3f}"
            f" {m['bytes'] / 1024:>7.1f}"
        )
        if before:
            b = before[(page, lang)]["cpu"]
            line += f" {b:>9.3f} {m['cpu'] / b if b else float('nan'):>6.2f}"
        print(line)
    first = now[("overview", "zh")]
    print(
        f"first view after the server started (Overview): {first['first_wall']:.2f} s to script_finished, "
        f"{first['first']:.2f} s of server CPU"
        + (
            f"; before {before[('overview', 'zh')]['first_wall']:.2f} s, "
            f"{before[('overview', 'zh')]['first']:.2f} s CPU"
            if before
            else ""
        )
    )
    # the median view's CPU per page and language, then the mean of every view: /proc counts CPU
    # in 10 ms ticks, so the mean of every view is finer than a median of ticks
    for key, label, digits in (("cpu", "mean over pages and languages", 3), ("mean", "mean of every view", 4)):
        mean = statistics.mean(m[key] for m in now.values())
        line = f"{label}: {mean:.{digits}f} s" + (f" per view (goal <= {goal} s)" if key == "cpu" else "")
        if before:
            was = statistics.mean(m[key] for m in before.values())
            line += f"; before {was:.{digits}f} s; ratio {mean / was:.2f}"
        print(line)


def query_process(app: Path, data: Path, repeat: int = 3) -> tuple[float, float]:
    """(wall s, CPU s) of ``python -m natality query scorecard -p year=2024`` as a process (median)."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = [sys.executable, "-m", "natality", "query", "scorecard", "--data", str(data), "-p", "year=2024"]
        subprocess.run(command, cwd=app, env={**os.environ, "PYTHONPATH": str(app)}, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", type=int, default=5, help="measured views per page and language (default 5)")
    parser.add_argument("--townships", type=int, default=0, help="also a province-size demo of N townships")
    parser.add_argument("--province-data", type=Path, help="reuse this province extract (built there if absent)")
    parser.add_argument("--baseline", help="a git ref to measure the same way, for before/after ratios")
    parser.add_argument(
        "--rotate", action="store_true", help="each view the next page (as under load), not one page again"
    )
    parser.add_argument("--no-county", action="store_true", help="only the province (with --townships)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="viewcost-"))
    try:
        apps = {"now": ROOT}
        if args.baseline:
            apps["before"] = git_tree(args.baseline, work / "baseline")
        from natality.demo.county import build_demo
        from natality.scorecard import scoring

        scenarios = [] if args.no_county else [("county", work / "county", 19)]
        if args.townships:
            scenarios.append(("province", args.province_data or work / "province", args.townships))
        for label, data, towns in scenarios:
            if not (data / "manifest.json").exists():
                build_demo(data, townships=towns)
                scoring.prepare(data)  # as python -m natality demo|import does
            for name, app in apps.items():
                wall, cpu = query_process(app, data)
                print(
                    f"{label}, {name}: `python -m natality query scorecard -p year=2024` as a process: "
                    f"{wall:.2f} s wall, {cpu:.2f} s CPU"
                )
            results = {name: measure(app, data, args.views, work, args.rotate) for name, app in apps.items()}
            report(f"{label} ({towns:,} townships)", results["now"], results.get("before"), GOAL[label])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
