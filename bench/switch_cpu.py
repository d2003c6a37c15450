"""What an import's switch costs each replica: ``python bench/switch_cpu.py [--baseline main]``.

Starts ``--replicas`` real app servers (``natality.ui.serve``, as ``make serve`` runs them) on a
copy of a 2,000-township extract, lets them warm the live version and serve a first Overview,
and (unless ``--no-pages-before``) every page in both languages, as leaders used them before,
then imports one month (``python -m natality import``, as the staff do) and reads each server's
CPU time (user + system, from /proc): from the import until the servers are idle again (the
switch: the warm of the new version), then while one leader per replica opens every page in both
languages, replica after replica (each page's first view of the new version); and the CPU of each
server's ended child processes (the warm process at nice 10, ``ui/warm_process``). With
``--baseline REF`` the app at git ref REF (``git archive``) is measured the same way in the same
run, and the ratios printed. CPU seconds are what to compare on a shared machine; the load
average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
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

import months  # noqa: E402
import serve as serve_app  # noqa: E402
from stclient import Session  # noqa: E402
from view_cost import git_tree  # noqa: E402

PAGES = ["", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def children_cpu(process: psutil.Process) -> float:
    """CPU of the server's ended child processes (the warm process at nice 10, ui/warm_process)."""
    times = process.cpu_times()
    return times.children_user + times.children_system


def wait_idle(servers: list[psutil.Process], quiet_s: int = 4, limit: float = 300) -> float:
    """Wait until no server used more than 30 ms of CPU in a second and none has a child process
    (its warm process), ``quiet_s`` seconds in a row."""
    started, quiet = time.monotonic(), 0
    while quiet < quiet_s and time.monotonic() - started < limit:
        before = [cpu(s) for s in servers]
        time.sleep(1.0)
        idle = all(cpu(s) - b < 0.03 for s, b in zip(servers, before, strict=True))
        # a replica waiting for its warm process (at nice 10, slow on a busy machine) is not idle
        quiet = quiet + 1 if idle and not any(s.children() for s in servers) else 0
    return time.monotonic() - started


def measure(app: Path, template: Path, work: Path, replicas: int, pages_before: bool = True) -> dict[str, list[float]]:
    data = months.live_copy(template, work / "live" / "prov")
    [(_month, births)] = months.next_months(data, work, 1)
    env = {"NATALITY_WATCH_SECONDS": "1"}
    procs, ports = [], []
    for k in range(replicas):
        port = serve_app.free_port()
        log = work / f"replica{k}.log"
        procs.append(serve_app.start_app(data, port, log, root=app, env=env, args=("--server.fileWatcherType", "none")))
        ports.append(port)
    try:
        for port in ports:
            if not serve_app.wait_healthy(f"http://127.0.0.1:{port}", 120):
                raise RuntimeError(f"a replica did not start; see {work}")
        servers = [psutil.Process(p.pid) for p in procs]
        wait_idle(servers)
        for port in ports:  # a leader on each: the version served, the watcher started
            with Session(port, timeout=300) as session:
                session.view("", "lang=zh")
                if pages_before:  # leaders used every page before the import (the day before a meeting)
                    for lang in ("zh", "en"):
                        for page in PAGES:
                            session.view(page, f"lang={lang}")
        wait_idle(servers)
        start = [cpu(s) for s in servers]
        start_children = [children_cpu(s) for s in servers]
        command = months.import_command(data, births)
        subprocess.run(command, cwd=app, env={**os.environ, "PYTHONPATH": str(app)}, check=True, capture_output=True)
        time.sleep(2.0)  # the watchers see the new version within a second
        wait_idle(servers)
        switched = [cpu(s) for s in servers]
        niced = [children_cpu(s) - c for s, c in zip(servers, start_children, strict=True)]
        first = []
        for server, port in zip(servers, ports, strict=True):
            before = cpu(server)
            for lang in ("zh", "en"):
                with Session(port, timeout=300) as session:
                    for page in PAGES:
                        view = session.view(page, f"lang={lang}")
                        if not view.good:
                            raise RuntimeError(f"{page or 'overview'} ({lang}) failed on port {port}")
            first.append(cpu(server) - before)
        return {
            "switch": [b - a for a, b in zip(start, switched, strict=True)],
            "first views": first,
            "total": [b - a + f for a, b, f in zip(start, switched, first, strict=True)],
            "niced child": niced,
        }
    finally:
        for proc in procs:
            serve_app.stop_app(proc, 15)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--template", type=Path, default=None, help="a 2,000-township extract (built when absent)")
    ap.add_argument("--townships", type=int, default=2000)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--baseline", help="a git ref measured the same way, for ratios")
    ap.add_argument(
        "--no-pages-before", action="store_true", help="only the Overview before the import (not every page)"
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natality-switchcpu-"))
    try:
        template = args.template or work / "template" / "prov"
        if not (template / "manifest.json").exists():
            from natality.demo.county import build_demo
            from natality.scorecard import scoring

            build_demo(template, townships=args.townships)
            scoring.prepare(template)
        apps = {"now": ROOT}
        if args.baseline:
            apps = {"before": git_tree(args.baseline, work / "baseline"), **apps}
        results = {}
        for name, app in apps.items():
            results[name] = measure(app, template, work / name, args.replicas, not args.no_pages_before)
            load = os.getloadavg()
            print(f"{name}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
            for kind, values in results[name].items():
                print(f"  {kind:<12} CPU s per replica: " + "  ".join(f"{v:6.2f}" for v in values), flush=True)
        if "before" in results:
            print("ratio now / before (per replica):")
            for kind in results["now"]:
                pairs = zip(results["now"][kind], results["before"][kind], strict=True)
                print(f"  {kind:<12} " + "  ".join(f"{n / b if b else float('nan'):6.2f}" for n, b in pairs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
