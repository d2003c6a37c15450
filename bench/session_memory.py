"""A server's memory against the number of leaders connected (and imports while they are).

``python bench/session_memory.py --template EXTRACT [--steps 25,50,100] [--imports 2] [--baseline
TREE]``. One server (``natality.ui.serve``, as ``make run`` starts it) over a copy of ``--template`` (a
2,000-township demo by default, built when missing). After a warm-up (one session opens every page
in both languages, then closes), sessions of ``bench/stclient.py`` are opened up to each step's
count, each opening ``--views`` pages (seeded pages and languages) and staying connected; the
server's memory is read from ``/proc/PID/smaps_rollup`` after each step, after every session has
closed, and after Streamlit has dropped the closed sessions (``--ttl``, passed to the server as
``server.disconnectedSessionTTL``). Per session = growth / sessions. ``--baseline TREE`` (e.g. a
``git archive main`` in a temp dir) runs the same against that tree first, in the same command,
and prints the ratios. ``--imports K``: then K imports publish while the sessions stay connected,
each followed by one more view per session (what ``make load`` does, without its CPU); ``--waves W``: the
sessions come and go W times (memory kept after the first wave is reused by the next, or grows). Separates
what sessions keep from what imports keep (``bench/switch_memory.py``); ``make load`` measures
both together.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))

import months  # noqa: E402
import serve as deploy  # noqa: E402
import stclient  # noqa: E402

LANGS = ("zh", "en")
RETIRE_SECONDS = 30  # ui.warm's: the previous version's caches are dropped that long after a switch


def memory(pid: int) -> dict[str, float]:
    """RSS, anonymous and swap-free private memory of ``pid`` and its children, in MB."""
    import psutil

    out = {"rss": 0.0, "anon": 0.0}
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    for proc in procs:
        try:
            f = open(f"/proc/{proc.pid}/smaps_rollup")  # noqa: SIM115 (a child may end meanwhile)
        except (ProcessLookupError, FileNotFoundError):
            continue
        with f:
            for line in f:
                key, _, value = line.partition(":")
                if key == "Rss":
                    out["rss"] += int(value.split()[0]) / 1024
                elif key == "Anonymous":
                    out["anon"] += int(value.split()[0]) / 1024
    return out


def quiet(pid: int, seconds: float = 3.0, limit: float = 0.05, longest: float = 120.0) -> None:
    """Wait until the server spends less than ``limit`` of a core over ``seconds`` and has no child
    (its background warm and the warm process at nice 10 are over: under load the child outlived
    the server's own warm, and its memory counted in the warm-up's figure)."""
    import psutil

    proc = psutil.Process(pid)
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = sum(proc.cpu_times()[:2])
        time.sleep(seconds)
        if (sum(proc.cpu_times()[:2]) - before) / seconds < limit and not proc.children(recursive=True):
            return


def session_views(url: str, views: int, seed: int) -> tuple[stclient.Session, int]:
    """A new session opening ``views`` pages; the session (kept open) and its failed views."""
    rng = random.Random(seed)
    lang = rng.choice(LANGS)
    session = stclient.Session(url, timeout=300)
    failed = 0
    for _ in range(views):
        page = rng.choice(list(stclient.PAGES))
        view = session.view(page, f"lang={lang}")
        failed += not view.good
    return session, failed


def one_more_view(k: int, session: stclient.Session) -> int:
    """One more page of the session's (seeded); 1 when it failed."""
    rng = random.Random(10_000 + k)
    return int(not session.view(rng.choice(list(stclient.PAGES)), f"lang={rng.choice(LANGS)}").good)


def run(
    tree: Path,
    template: Path,
    steps: list[int],
    views: int,
    ttl: int,
    workers: int,
    probe: Path | None = None,
    env: dict[str, str] | None = None,
    imports: int = 0,
    waves: int = 1,
) -> list[tuple[str, dict]]:
    work = Path(tempfile.mkdtemp(prefix="natality-sessions-"))
    data = months.live_copy(template, work / "live" / "demo")
    port = deploy.free_port()
    env = dict(env or {})
    starter = None
    if probe is not None:  # the server with bench/memprobe.py's probe, its findings to ``probe``
        env["NATALITY_PROBE"] = str(probe)
        starter = [str(ROOT / "bench" / "memprobe.py")]
    proc = deploy.start_app(
        data,
        port,
        work / "server.log",
        root=tree,
        env=env,
        starter=starter,
        args=("--server.disconnectedSessionTTL", str(ttl)),
    )

    def measure(label: str) -> None:
        rows.append((label, memory(proc.pid)))
        if probe is not None:
            with probe.open("a") as f:
                f.write(f"=== {label}\n")
            proc.send_signal(signal.SIGUSR1)
            time.sleep(25 if "NATALITY_PROBE_TRACE" in os.environ else 2)

    url = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, dict]] = []
    sessions: list[stclient.Session] = []
    try:
        if not deploy.wait_healthy(url, 120):
            raise RuntimeError(f"server did not start: {work / 'server.log'}")
        with stclient.Session(url, timeout=300) as first:
            for lang in LANGS:
                for page in stclient.PAGES:
                    first.view(page, f"lang={lang}")
        quiet(proc.pid)
        measure("warm-up done, 0 sessions")
        failed = 0
        for wave in range(1, waves + 1):
            tag = f"wave {wave}: " if waves > 1 else ""
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                for count in steps:
                    new = range(len(sessions), count)
                    seeds = [k + 1000 * (wave - 1) for k in new]  # a new wave: other pages
                    for session, bad in pool.map(lambda k: session_views(url, views, k), seeds):
                        sessions.append(session)
                        failed += bad
                    quiet(proc.pid, 2.0)
                    measure(f"{tag}{count} sessions connected")
                for month, births in months.next_months(data, work, imports if wave == 1 else 0):
                    # an import while they are connected: the server warms it, switches, retires the old one
                    subprocess.run(months.import_command(data, births), cwd=ROOT, check=True, capture_output=True)
                    time.sleep(RETIRE_SECONDS + 10)
                    quiet(proc.pid, 2.0)
                    for bad in pool.map(lambda pair: one_more_view(*pair), enumerate(sessions)):
                        failed += bad
                    quiet(proc.pid, 2.0)
                    measure(f"import of {month}, every session one more view")
            for session in sessions:
                session.close()
            sessions.clear()
            time.sleep(3)
            measure(f"{tag}all closed")
            time.sleep(ttl + 5)  # Streamlit drops disconnected sessions after the TTL
            measure(f"{tag}closed sessions dropped (TTL {ttl} s)")
        rows.append((f"failed views: {failed}", {}))
    finally:
        for session in sessions:
            session.close()
        deploy.stop_app(proc)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--template", type=Path, default=None, help="an extract (default: a new 2,000-township demo)")
    ap.add_argument("--steps", default="25,50,100")
    ap.add_argument("--views", type=int, default=3, help="pages each session opens")
    ap.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL of the server (s)")
    ap.add_argument("--workers", type=int, default=3, help="sessions opened at once")
    ap.add_argument("--imports", type=int, default=0, help="imports published after the last step")
    ap.add_argument("--waves", type=int, default=1, help="times the sessions come, leave and come again")
    ap.add_argument("--baseline", type=Path, default=None, help="another tree to measure first (e.g. main)")
    ap.add_argument("--probe", type=Path, default=None, help="bench/memprobe.py's server, findings to FILE")
    args = ap.parse_args()
    template = args.template
    if template is None:
        from natality.demo.county import build_demo

        template = Path(tempfile.mkdtemp(prefix="natality-template-")) / "demo"
        build_demo(template, townships=2000)
    steps = [int(s) for s in args.steps.split(",")]
    results = {}
    for name, tree in (("baseline", args.baseline), ("this tree", ROOT)):
        if tree is None:
            continue
        print(f"{name} ({tree}), load average {os.getloadavg()[0]:.1f}", flush=True)
        # the baseline as it was started before deploy/serve.py set MALLOC_ARENA_MAX (glibc's default)
        env = {"MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "")} if name == "baseline" else {}
        rows = run(
            tree.resolve(),
            template,
            steps,
            args.views,
            args.ttl,
            args.workers,
            args.probe,
            env,
            args.imports,
            args.waves,
        )
        base = rows[0][1]
        for label, mem in rows:
            if not mem:
                print(f"  {label}", flush=True)
                continue
            print(
                f"  {label:40s} RSS {mem['rss']:6.0f} MB ({mem['rss'] - base['rss']:+5.0f}), "
                f"anonymous {mem['anon']:6.0f} MB ({mem['anon'] - base['anon']:+5.0f})",
                flush=True,
            )
        peak = max(m["rss"] for _, m in rows if m) - base["rss"]
        print(f"  per session at {steps[-1]}: {peak / steps[-1]:.2f} MB; load average {os.getloadavg()[0]:.1f}")
        results[name] = (peak, rows[-2][1]["rss"] - base["rss"])
    if len(results) == 2:
        (b_peak, b_end), (t_peak, t_end) = results["baseline"], results["this tree"]
        ratio = t_peak / max(b_peak, 1)
        print(f"growth with {steps[-1]} sessions: {t_peak:+.0f} MB against {b_peak:+.0f} MB ({ratio:.2f}x)")
        print(f"after they left: {t_end:+.0f} MB against {b_end:+.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
