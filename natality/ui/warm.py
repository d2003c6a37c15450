"""No leader pays for a cold start, and a server's memory stays bounded across imports.

**Warm.** What every visitor of a version shares is made in the background as soon as the server
sees the version (its first session, and within seconds of an import switching the live one). At
2,000 townships a version's DuckDB connection sums the births once (about 1.3 s of CPU), its
scorecard with the rank simulation takes about 3 s to compute (or a few milliseconds to read when
the import stored it, ``scorecard.stored``), the map layers are dissolved and simplified once,
and the Overview's alerts, projection and map take seconds more. ``warm(version_dir)`` starts one
thread per version and process that makes them; a visitor arriving meanwhile waits for the same
work (``core/once``) instead of doing it again. ``watch(data_dir)`` checks every few seconds which
version is live and warms a new one before anyone opens it. With replicas, the first process to
make a version's figures, data alerts and Overview changes writes them beside the version and the
others read them (``ui.figures``, ``ui.cached``, ``core/once_files``). Under a server these are
made first by one process per version at nice 10 for all replicas (``ui/warm_process``, started
by the first replica to warm the version; the others wait for its end), with the connection's
births tables, the map layers, the projection and the results of the queries the starting
replica's leaders ran most on the version before (``core/stored_queries``), so the serving
processes' warm only reads them and makes what is each process's own (its DuckDB connection from
the stored tables, page frames). ``NATALITY_WARM_PROCESS=0`` turns that process off.

**Hold back, then switch.** Under a server started by ``natality.ui.serve`` (``hold_back()``),
``version_for_run`` keeps giving new script runs the version served so far while the new live
version is being warmed, and switches when its warm is done (or after ``HOLD_SECONDS``): nobody
pays for the new version's cold work. Elsewhere (``streamlit run``, AppTests) a run gets the live
version at once. A run keeps one version from its start (``ui.page_context`` pins it).

**Evict.** At a switch, what was kept for versions neither served nor previous is dropped, and
the previous version's too as soon as no script run is still on it (checked every
``RETIRE_POLL_SECONDS`` from ``RETIRE_QUIET_SECONDS`` after the switch: each run's thread
remembers the version it got), at the latest ``RETIRE_SECONDS`` after the switch:
``core/once`` entries (connections, scorecards, layers, projections), the figures of
``ui/figures`` and the Streamlit caches declared with ``cache_data``/``cache_resource`` (``ui/version_caches``)
(each remembers the calls made per version, its first argument); then the C allocator is asked
to give freed memory back.

The threads are daemons, but a daemon killed by the interpreter's exit while DuckDB or polars
runs in it aborts the process ("FATAL: exception not rethrown", exit 134): at exit ``stop()``
tells them to stop after their current step and waits for them.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from natality.core import db, extract, once_files, stored_queries
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring
from natality.ui.figures import run_version
from natality.ui.version_caches import evict

WATCH_SECONDS = 5.0  # NATALITY_WATCH_SECONDS overrides it (a test that wants no tick of its own)
HOLD_SECONDS = 120.0  # the longest a new version waits for its warm before it is served anyway
RETIRE_SECONDS = 30.0  # after a switch, the previous version's caches are kept at most this long
RETIRE_QUIET_SECONDS = 1.0  # ... and at least this long; dropped once no run is on it any more
RETIRE_POLL_SECONDS = 0.5
STOP_WAIT_SECONDS = 60.0
_lock = threading.Lock()
_warmed: set[str] = set()
_ready: dict[str, threading.Event] = {}  # version -> set when its warm has ended
_started_at: dict[str, float] = {}
_watched: set[str] = set()
_threads: list[threading.Thread] = []
_stopping = threading.Event()
_hold = threading.Event()
_serving: dict[str, str] = {}  # data dir -> the version new script runs get
_previous: dict[str, str] = {}  # data dir -> the version served before it
_known: dict[str, set[str]] = collections.defaultdict(set)  # data dir -> versions with cached work
_runs: weakref.WeakKeyDictionary[threading.Thread, str] = weakref.WeakKeyDictionary()  # thread -> its run's version
log = logging.getLogger("natality")
_ROOT = Path(__file__).resolve().parent.parent.parent


def start_thread(target: Callable[..., None], *args: object, name: str) -> None:
    """A daemon thread that ``stop()`` waits for at exit."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    with _lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


def stopping() -> bool:
    return _stopping.is_set()


@atexit.register
def stop() -> None:
    """Stop warming and watching, and wait for the threads' current steps to end."""
    _stopping.set()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    with _lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def hold_back(on: bool = True) -> None:
    """Serve the previous version to new runs while a new one warms (``natality.ui.serve``)."""
    if on:
        _hold.set()
    else:
        _hold.clear()


def version_for_run(
    data_dir: str | Path, pinned: str | None = None, pages: Callable[[str], None] | None = None
) -> Path:
    """The version a script run shows: ``pinned`` (the run's own, kept from its start), else the
    version served. ExtractError when ``data_dir`` holds no extract."""
    if pinned:
        chosen = pinned
    else:
        live = str(extract.live_version_dir(data_dir))
        key = _extract_of(live)
        served = serving(key)
        if served == live:
            chosen = live
        elif served is None or not _hold.is_set() or not Path(served).is_dir() or _warm_over(live):
            chosen = live
            _switch(key, live, evict_now=False)
        else:  # the new live version is being warmed: the one served so far, until it is ready
            warm(live, pages)
            chosen = served
    with _lock:
        _known[_extract_of(chosen)].add(chosen)
        _runs[threading.current_thread()] = chosen  # (a script thread runs one run at a time)
    run_version(chosen)
    return Path(chosen)


def _extract_of(version_dir: str) -> str:
    """The key of a version's extract: its directory as the version's own (resolved) path names it."""
    return str(extract.data_dir_of(version_dir))


def _warm_over(version: str) -> bool:
    with _lock:
        ready, started = _ready.get(version), _started_at.get(version)
    if ready is not None and ready.is_set():
        return True
    return started is not None and time.monotonic() - started > HOLD_SECONDS


def _switch(data_dir: str, version: str, evict_now: bool = True) -> None:
    """Serve ``version`` to new runs of ``data_dir``; drop what was kept for versions neither
    served nor previous (in this thread, or in a background one)."""
    with _lock:
        served = _serving.get(data_dir)
        if served == version:
            return
        _serving[data_dir] = version
        if served is not None:
            _previous[data_dir] = served
        keep = {version, _previous.get(data_dir)} | {v for v in _warmed if not _ready[v].is_set()}
        gone = {v for v in _known[data_dir] if v not in keep}
        _known[data_dir] -= gone
        _known[data_dir].add(version)
        for v in gone & _warmed:  # warmed again should it come back (a rollback)
            _warmed.discard(v)
            _ready.pop(v, None)
            _started_at.pop(v, None)
    if served is not None:
        log.info("serving %s (was %s)", version, served)
        start_thread(_retire, data_dir, served, name="natality-retire")
    if gone:
        if evict_now:
            evict(gone)
        else:
            start_thread(evict, gone, name="natality-evict")


def in_flight(version: str) -> bool:
    """Whether a live thread's latest run got ``version`` (a script run still on it)."""
    with _lock:
        return any(v == version and t.is_alive() for t, v in list(_runs.items()))


def _retire(data_dir: str, previous: str) -> None:
    """Once no run is still on the version served before (runs last seconds; at the latest
    RETIRE_SECONDS after the switch), drop its caches too, unless it is served again: the peak
    then holds two versions' working sets for seconds, not half a minute."""
    switched = time.monotonic()
    while True:
        if _stopping.wait(RETIRE_POLL_SECONDS):
            return
        waited = time.monotonic() - switched
        if waited >= RETIRE_SECONDS or (waited >= RETIRE_QUIET_SECONDS and not in_flight(previous)):
            break
    with _lock:
        if _previous.get(data_dir) != previous or _serving.get(data_dir) == previous:
            return
        _previous.pop(data_dir, None)
        _known[data_dir].discard(previous)
        _warmed.discard(previous)
        _ready.pop(previous, None)
        _started_at.pop(previous, None)
    evict({previous})


def serving(data_dir: str | Path) -> str | None:
    """The version new script runs of the extract get (None before the first run); ``data_dir``
    as ``extract.data_dir_of`` gives it."""
    with _lock:
        return _serving.get(str(data_dir))


def wait_ready(version_dir: str | Path, timeout: float = 120.0) -> bool:
    """Wait for the warm of ``version_dir`` to end (tests, the bench); False when none was started
    or it did not end in time."""
    with _lock:
        ready = _ready.get(str(version_dir))
    return ready is not None and ready.wait(timeout)


def warm(version_dir: str, pages: Callable[[str], None] | None = None) -> bool:
    """Start warming ``version_dir`` in the background, then ``pages(version_dir)`` (the first
    page's own cached results); False when it was started before."""
    with _lock:
        if version_dir in _warmed:
            return False
        _warmed.add(version_dir)
        _ready[version_dir] = threading.Event()
        _started_at[version_dir] = time.monotonic()
        _known[_extract_of(version_dir)].add(version_dir)
    if _stopping.is_set():
        _ready[version_dir].set()
        return False
    start_thread(_warm, version_dir, pages, name="natality-warm")
    return True


def _warm(version_dir: str, pages: Callable[[str], None] | None = None) -> None:
    start = time.perf_counter()
    if _hold.is_set() and pages is not None and os.environ.get("NATALITY_WARM_PROCESS", "1") != "0":
        _prepare_elsewhere(version_dir, _stopping, HOLD_SECONDS)  # its results read below
    run_version(version_dir)  # the figures made here are kept for this version
    steps = [
        lambda: db.connection(version_dir),
        lambda: scoring.region_scorecard(version_dir, "zh", None),
        lambda: scoring.region_scorecard(version_dir, "en", None),
        lambda: layers.region_geojson(version_dir, None, map_view.map_unit(version_dir, None)),
        lambda: layers.region_geojson(version_dir, None, "township"),  # the Township page's locator map
        lambda: layers.shaped_count(version_dir, None),
        lambda: pages(version_dir) if pages is not None else None,
    ]
    try:
        for step in steps:
            if _stopping.is_set():  # the process is ending
                return
            step()
        log.info("warmed %s in %.1f s", version_dir, time.perf_counter() - start)
        run_version(None)
        _switch_if_live(version_dir)
    except Exception:  # a damaged version: the page says so when it is opened
        log.warning("warming %s failed", version_dir, exc_info=True)
    finally:
        run_version(None)
        with _lock:
            ready = _ready.get(version_dir)
        if ready is not None:
            ready.set()  # after the switch: whoever waits for it finds it served


def _prepare_elsewhere(version_dir: str, stopping: threading.Event, limit: float) -> bool:
    """``python -m natality.ui.warm_process VERSION``: the version's shared work made at nice 10
    and written for every process (``ui/warm_process``), read by this process's warm afterwards.
    Waits for it at most ``limit`` seconds, or until ``stopping`` is set (then it is killed); True
    when it ended by itself with success. One process for all replicas: the first to get here
    takes the version's ``warm`` lock and starts it, the others wait for its end (``core/once_files``)."""

    def write(ok: bool, path: Path) -> None:
        if not ok:
            raise OSError("the warm process failed")  # (nothing written: tried again next time)
        path.write_text("done\n", encoding="utf-8")

    done = once_files.derived_path(version_dir, "warm", "done")
    return once_files.shared(done, lambda: _warm_process(version_dir, stopping, limit), write, lambda _: True, limit)


def _warm_process(version_dir: str, stopping: threading.Event, limit: float) -> bool:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "natality.ui.warm_process", version_dir, _hot_queries(version_dir)],
            cwd=_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    deadline = time.monotonic() + limit
    while child.poll() is None:
        if stopping.wait(0.2) or time.monotonic() > deadline:
            child.kill()
            child.wait()
            return False
    return child.returncode == 0


def _hot_queries(version_dir: str) -> str:
    """The queries this process's leaders ran most, as the pages will ask them of the new version
    (its cut-off month against the served one's), for the warm process to run and store (JSON)."""
    served = serving(_extract_of(version_dir))
    try:
        before = extract.read_manifest(served).get("cutoff_month") if served else None
        now = extract.read_manifest(version_dir).get("cutoff_month")
    except (OSError, ValueError, extract.ExtractError):
        before = now = None
    return json.dumps(stored_queries.moved(stored_queries.hot(), before, now), ensure_ascii=False)


def _switch_if_live(version_dir: str) -> None:
    """Under hold: serve the version just warmed if it is still the live one of an extract served."""
    data_dir = _extract_of(version_dir)
    with _lock:
        switch = _hold.is_set() and data_dir in _serving
    with contextlib.suppress(extract.ExtractError, OSError):
        if switch and str(extract.live_version_dir(data_dir)) == version_dir:
            _switch(data_dir, version_dir)


def watch(data_dir: str | Path, pages: Callable[[str], None] | None = None) -> None:
    """Warm the live version of ``data_dir`` now and every new one within WATCH_SECONDS of its import."""
    key = str(data_dir)
    with _lock:
        if key in _watched:
            return
        _watched.add(key)
    start_thread(_watch, key, pages, name="natality-watch")


def _watch(data_dir: str, pages: Callable[[str], None] | None) -> None:
    while not _stopping.is_set():
        with contextlib.suppress(extract.ExtractError):  # no extract yet: the page says so
            warm(str(extract.live_version_dir(data_dir)), pages)
        _stopping.wait(float(os.environ.get("NATALITY_WATCH_SECONDS") or WATCH_SECONDS))
