# ruff: noqa: E402  (gevent patches the standard library before anything imports it)
"""The simulated leaders of ``make load``: Locust users that speak Streamlit's protocol.

Run by bench/load.py as its own process (Locust patches the standard library for gevent on
import, which the Chromium part and the server starter must not share):
``python bench/swarm.py CONFIG.json RESULT.json``. Each Locust user is one leader with one
browser tab (:class:`stclient.Session`) in one language, reading every page in turn with an
exponential think time (seeded per user); a greenlet asks ``/_stcore/health`` every 2 s, another
samples the server's CPU and memory, another runs the staff's imports at their moments.

Modes (``config["mode"]``):
- ``sweep``: a step per session count (users added to those already reading); each step is
  measured over its window, then the views started in it are waited for. With ``stop_above``
  the sweep ends after the first step over p95 1 s or with an error (the capacity is known).
- ``burst``: ``sessions`` users opening ``pages`` in turn with ``pause`` seconds between views.
- ``first``: ``sessions`` tabs connect to a freshly started server and open their first page at
  the same moment.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # first, as Locust does on import: sockets and threads become greenlets

import itertools
import json
import os
import random
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import gevent
from gevent.event import Event
from locust import User, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import stclient

LANGS = ("zh", "en")
CONFIG: dict = {}
RECORDS: list[dict] = []
INFLIGHT: dict[int, float] = {}  # user index -> start of its view under way
STOP = Event()  # no new view after this
COUNTER = itertools.count()
T0 = time.monotonic()


def now() -> float:
    return time.monotonic() - T0


def judge(view: stclient.View, lang: str) -> list[str]:
    """What makes a view bad: errors seen, the title or charts missing, two versions in one view."""
    problems = list(view.errors)
    if not view.has_title(stclient.page_title(view.page, lang)):
        problems.append(f"no title ({view.headings[:1]})")
    want = CONFIG.get("expected_charts", {}).get(f"{view.page}:{lang}", 1)
    if view.charts < want:
        problems.append(f"{view.charts} charts of {want}")
    if len(view.marks) > 1:
        problems.append(f"mixed versions {sorted(view.marks)}")
    return problems


def record(index: int, page: str, lang: str, started: float, view: stclient.View | None, problems: list[str]) -> None:
    RECORDS.append(
        {
            "user": index,
            "page": page,
            "lang": lang,
            "start": started,
            "seconds": view.seconds if view else now() - started,
            "bytes": view.bytes if view else 0,
            "charts": view.charts if view else 0,
            "marks": sorted(view.marks) if view else [],
            "errors": problems,
        }
    )
    events.request.fire(
        request_type="view",
        name=page,
        response_time=1000 * (view.seconds if view else now() - started),
        response_length=view.bytes if view else 0,
        exception=RuntimeError("; ".join(problems)) if problems else None,
        context={},
    )


class Leader(User):
    """One leader: one tab in one language, every page in turn, reading ``think`` s on average."""

    abstract = True
    pages: tuple[str, ...] = tuple(stclient.PAGES)

    def on_start(self) -> None:
        self.index = next(COUNTER)
        self.rng = random.Random(CONFIG.get("seed", 1) * 1_000_003 + self.index)
        self.lang = LANGS[self.index % 2]
        self.k = self.index * 3  # leaders start on different pages
        self.tab: stclient.Session | None = None

    def wait_time(self) -> float:
        return self.rng.expovariate(1.0 / CONFIG["think"])

    @task
    def browse(self) -> None:
        if STOP.is_set():
            gevent.sleep(1)
            return
        page = self.pages[self.k % len(self.pages)]
        self.k += 1
        started = now()
        INFLIGHT[self.index] = started
        view = None
        try:
            if self.tab is None:
                self.tab = stclient.Session(CONFIG["url"], CONFIG.get("marks"), CONFIG.get("timeout", 120))
            view = self.tab.view(page, f"lang={self.lang}")
            problems = judge(view, self.lang)
        except Exception as exc:  # a dropped stream, a timeout, a refused connection: a failed view
            problems = [f"{type(exc).__name__}: {str(exc)[:200]}"]
            if self.tab is not None:
                self.tab.close()
            self.tab = None  # the leader opens the app again
        finally:
            INFLIGHT.pop(self.index, None)
        record(self.index, page, self.lang, started, view, problems)

    def on_stop(self) -> None:
        if self.tab is not None:
            self.tab.close()


class Reader(Leader):
    pass


class Burst(Leader):
    """The burst that once froze the server: the heavy pages one after another, 0.2 s apart."""

    pages = ("compare", "data", "map", "scorecard")

    def wait_time(self) -> float:
        return CONFIG.get("pause", 0.2)


def proc_pids(pids: list[int]) -> list[int]:
    """The server processes and their children."""
    found = list(pids)
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of the server processes, their live children and the children they have reaped."""
    ticks = 0
    for pid in proc_pids(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # its own CPU and its ended children's (the warm process at nice 10, once waited for)
            ticks += sum(int(f) for f in fields[11:15])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in proc_pids(pids):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def watch_health(result: dict, stop: Event) -> None:
    """``/_stcore/health`` every 2 s, 10 s to answer. A miss is counted; three in a row (no answer
    for 30 s: the server stopped answering, as when it froze) are a stall, which fails the run."""
    in_a_row = 0
    while not stop.wait(2):
        try:
            with urllib.request.urlopen(CONFIG["url"] + "/_stcore/health", timeout=10) as response:
                if response.status != 200:
                    raise OSError(f"status {response.status}")
            in_a_row = 0
        except Exception as exc:
            in_a_row += 1
            result["health_failures"].append(f"{now():.0f} s: {type(exc).__name__}: {str(exc)[:100]}")
            if in_a_row == 3:
                result["health_stalls"].append(f"no answer for 30 s at {now():.0f} s")


def watch_memory(result: dict, stop: Event) -> None:
    while True:
        result["memory"].append((round(now(), 1), round(rss_mb(CONFIG["pids"]), 1)))
        if stop.wait(2):
            return


def run_import(spec: dict, log: list) -> None:
    began = now()
    done = subprocess.run(spec["cmd"], cwd=spec.get("cwd"), capture_output=True, text=True)
    first = done.stderr.strip().splitlines()[0] if done.stderr.strip() else ""
    log.append(
        {
            "label": spec["label"],
            "exit": done.returncode,
            "at": round(began, 1),
            "seconds": round(now() - began, 1),
            "stderr": first[:200],
        }
    )


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def summary(views: list[dict]) -> dict:
    times = [v["seconds"] for v in views]
    return {
        "views": len(views),
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "max": max(times, default=float("nan")),
        "errors": sum(bool(v["errors"]) for v in views),
        "bytes": sum(v["bytes"] for v in views) / max(len(views), 1),
    }


def drain(since: float, limit: float) -> None:
    """Wait until every view started before now has finished (each times out by itself)."""
    deadline = time.monotonic() + limit
    cut = now()
    while any(t < cut for t in INFLIGHT.values()) and time.monotonic() < deadline:
        gevent.sleep(0.2)


def warm_up(result: dict) -> None:
    """One tab per language opens every page once: the server's working set is loaded, and the
    number of charts each page shows is learnt (a later view with fewer is not a good view)."""
    expected = {}
    for lang in LANGS:
        with stclient.Session(CONFIG["url"], CONFIG.get("marks"), CONFIG.get("timeout", 120)) as tab:
            for page in stclient.PAGES:
                view = tab.view(page, f"lang={lang}")
                problems = judge(view, lang)
                if problems:
                    result["warmup_errors"].append(f"{page} {lang}: {problems}")
                expected[f"{page}:{lang}"] = max(view.charts, 1)
    CONFIG["expected_charts"] = expected
    result["expected_charts"] = expected


def sweep(env: Environment, result: dict) -> None:
    runner = env.create_local_runner()
    pending = list(CONFIG.get("imports", []))
    jobs = []
    for n in CONFIG["steps"]:
        runner.start(n, spawn_rate=max(5.0, n / 5))
        while runner.user_count < n or runner.state == "spawning":
            gevent.sleep(0.5)
        gevent.sleep(CONFIG.get("settle", 5))  # the new tabs' first views
        t0, cpu0, ccpu0 = now(), cpu_seconds(CONFIG["pids"]), client_cpu()
        mine = [spec for spec in pending if spec["step"] == n]
        for k, spec in enumerate(mine):  # a third into the step's window (two in one step: a third apart)
            pending.remove(spec)
            delay = CONFIG["step_seconds"] * (k + 1) / (len(mine) + 2)
            jobs.append(gevent.spawn_later(delay, run_import, spec, result["imports"]))
        gevent.sleep(CONFIG["step_seconds"])
        t1, cpu1, ccpu1 = now(), cpu_seconds(CONFIG["pids"]), client_cpu()
        drain(t0, CONFIG.get("timeout", 120) + 5)
        views = [r for r in RECORDS if t0 <= r["start"] < t1]  # the views started in the window
        cpu_views = max(len(views), 1)
        step = {
            "sessions": n,
            "seconds": t1 - t0,
            **summary(views),
            "server_cpu_per_view": (cpu1 - cpu0) / cpu_views,
            "server_cpu_pct": 100 * (cpu1 - cpu0) / (t1 - t0),
            "client_cpu_per_view": (ccpu1 - ccpu0) / cpu_views,
            "client_cpu_pct": 100 * (ccpu1 - ccpu0) / (t1 - t0),
            "memory_mb": rss_mb(CONFIG["pids"]),
            "loadavg": os.getloadavg()[0],
            "pages": {p: summary([v for v in views if v["page"] == p]) for p in stclient.PAGES},
            "problems": sorted({e for v in views for e in v["errors"]})[:10],
        }
        result["steps"].append(step)
        print(
            f"  {n:4d} sessions: {step['views']} views, p50 {step['p50']:.2f} s, p95 {step['p95']:.2f} s, "
            f"max {step['max']:.2f} s, errors {step['errors']}, server CPU {step['server_cpu_per_view']:.3f} s/view "
            f"({step['server_cpu_pct']:.0f} %)",
            file=sys.stderr,
            flush=True,
        )
        if CONFIG.get("stop_above") and (step["p95"] > 1.0 or step["errors"]):
            break
        if result["health_stalls"]:  # the server stopped answering: nothing more to learn
            break
    gevent.joinall(jobs, timeout=600)
    for spec in pending:  # the sweep stopped before the import's step: it runs now, one after the other
        run_import(spec, result["imports"])  # the leaders go on reading while the imports run
    # ... and a while after the last one: the server warms it, switches, drops the oldest
    # version's caches and a minute later the previous one's: its memory at the end is after both switches.
    gevent.sleep(CONFIG.get("after_import_seconds", 75))
    STOP.set()
    drain(0, CONFIG.get("timeout", 120) + 5)
    runner.quit()


def burst(env: Environment, result: dict) -> None:
    runner = env.create_local_runner()
    t0, cpu0 = now(), cpu_seconds(CONFIG["pids"])
    runner.start(CONFIG["sessions"], spawn_rate=CONFIG["sessions"])
    deadline = time.monotonic() + CONFIG["seconds"]
    while time.monotonic() < deadline and not result["health_stalls"]:  # a frozen server: stop early
        gevent.sleep(1)
    STOP.set()
    drain(0, CONFIG.get("timeout", 120) + 5)
    runner.quit()
    result["steps"].append(
        {
            "sessions": CONFIG["sessions"],
            "seconds": now() - t0,
            **summary(RECORDS),
            "server_cpu_per_view": (cpu_seconds(CONFIG["pids"]) - cpu0) / max(len(RECORDS), 1),
            "problems": sorted({e for v in RECORDS for e in v["errors"]})[:10],
        }
    )


def first_views(result: dict) -> None:
    """Tabs connect, then all open their first page at once (one page each, both languages)."""
    go = Event()
    pages = list(stclient.PAGES)

    def leader(i: int) -> None:
        page, lang = pages[i % len(pages)], LANGS[(i // len(pages) + i) % 2]
        try:
            tab = stclient.Session(CONFIG["url"], CONFIG.get("marks"), CONFIG.get("timeout", 120))
        except Exception as exc:
            record(i, page, lang, now(), None, [f"connect: {type(exc).__name__}: {exc}"])
            return
        go.wait()
        started = now()
        try:
            view = tab.view(page, f"lang={lang}")
            record(i, page, lang, started, view, judge(view, lang))
        except Exception as exc:
            record(i, page, lang, started, None, [f"{type(exc).__name__}: {str(exc)[:200]}"])
        finally:
            tab.close()

    lets = [gevent.spawn(leader, i) for i in range(CONFIG["sessions"])]
    gevent.sleep(1.0)
    go.set()
    gevent.joinall(lets, timeout=CONFIG.get("timeout", 120) + 30)
    result["steps"].append(
        {
            "sessions": CONFIG["sessions"],
            **summary(RECORDS),
            "problems": sorted({e for v in RECORDS for e in v["errors"]})[:10],
        }
    )


def main() -> int:
    CONFIG.update(json.loads(Path(sys.argv[1]).read_text()))
    result: dict = {
        "steps": [],
        "imports": [],
        "health_failures": [],
        "health_stalls": [],
        "memory": [],
        "warmup_errors": [],
        "expected_charts": CONFIG.get("expected_charts", {}),
    }
    stop = Event()
    watchers = [gevent.spawn(watch_health, result, stop), gevent.spawn(watch_memory, result, stop)]
    cpu0, ccpu0, t0 = cpu_seconds(CONFIG["pids"]), client_cpu(), now()
    try:
        mode = CONFIG["mode"]
        if mode == "first":
            first_views(result)
        else:
            if CONFIG.get("warm", True):
                warm_up(result)
            result["memory_base"] = rss_mb(CONFIG["pids"])  # growth is measured from the working set
            user = Burst if mode == "burst" else Reader
            env = Environment(user_classes=[user], events=events)
            (burst if mode == "burst" else sweep)(env, result)
    finally:
        stop.set()
        gevent.joinall(watchers, timeout=15)
        result["records"] = RECORDS
        result["server_cpu"] = cpu_seconds(CONFIG["pids"]) - cpu0
        result["client_cpu"] = client_cpu() - ccpu0
        result["wall"] = now() - t0
        Path(sys.argv[2]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
