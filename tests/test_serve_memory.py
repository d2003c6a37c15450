"""A server's memory stays bounded (issue 19): at most two glibc malloc arenas in an app process
(``MALLOC_ARENA_MAX=2`` from ``deploy/serve.py`` and ``make run``), whatever the number of threads
running sessions' scripts: with an arena per thread, memory freed by sessions that left stayed.

Real processes: a fresh interpreter runs eight threads that allocate at the same time (as eight
sessions' script runs do) and glibc's own ``malloc_stats`` counts its arenas; a process started
as a replica is, whose environment is read from /proc.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

THREADS = """
import ctypes, sys, threading
{limit}
barrier = threading.Barrier(8)
kept = []

def run():
    barrier.wait()  # all eight alive at once, each making its first allocations
    kept.append([bytearray(4096) for _ in range(200)])
    barrier.wait()

threads = [threading.Thread(target=run) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" block per arena, on stderr
"""


def arenas(limit: str, env: dict[str, str] | None = None) -> int:
    code = THREADS.format(limit=limit)
    full = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | (env or {})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=full)
    assert done.returncode == 0, done.stderr
    return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_malloc_arena_max_bounds_the_arenas_of_script_threads_after_the_servers_imports():
    imports = "import natality.ui.serve"  # polars, DuckDB, Streamlit: what a server has loaded
    assert arenas(imports) > 2  # without it glibc gives threads arenas of their own (up to 8 per core)
    assert arenas(imports, {"MALLOC_ARENA_MAX": "2"}) == 2
    # mallopt after those imports is the fallback only: it stops new arenas, not those made already
    late = imports + "\nassert natality.ui.serve.limit_arenas()"
    assert arenas(late) <= arenas(imports)
    assert arenas(imports + "\nassert not natality.ui.serve.limit_arenas()", {"MALLOC_ARENA_MAX": "3"}) == 3


def environ(pid: int) -> dict[str, str]:
    """The process's environment, read once it runs its own program (/proc shows the parent's
    environment in a forked child that has not yet exec'd: the test read it too soon once)."""
    proc = Path(f"/proc/{pid}")
    deadline = time.monotonic() + 10
    while b"time.sleep" not in (proc / "cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    raw = (proc / "environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_app_processes_start_with_two_arenas_unless_the_operator_says_otherwise(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "deploy"))
    import serve as deploy

    wait = ["-c", "import time; time.sleep(60)"]  # a process that waits, started as a replica is
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    proc = deploy.start_app(tmp_path, 1, None, starter=wait)
    try:
        assert environ(proc.pid)["MALLOC_ARENA_MAX"] == "2"
    finally:
        deploy.stop_app(proc)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    proc = deploy.start_app(tmp_path, 1, None, starter=wait)
    try:
        assert environ(proc.pid)["MALLOC_ARENA_MAX"] == "4"
    finally:
        deploy.stop_app(proc)
