"""No leader pays for a cold start: what every visitor of a version shares is made in the
background as soon as the server sees the version (its first session, and within seconds of an
import switching the live one).

At 2,000 townships a version's DuckDB connection sums the births once (about 1.3 s of CPU), its
scorecard with the rank simulation takes about 3 s to compute (or a few milliseconds to read
when the import stored it, ``scorecard.stored``), and the map layers are dissolved and
simplified once. ``warm(version_dir)`` starts one daemon thread per version and process that
makes them; a visitor arriving meanwhile waits for the same work (``core/once``) instead of
doing it again. ``watch(data_dir)`` checks every few seconds which version is live and warms a
new one before anyone opens it.

The threads are daemons, but a daemon killed by the interpreter's exit while DuckDB or polars
runs in it aborts the process ("FATAL: exception not rethrown", exit 134): at exit ``stop()``
tells them to stop after their current step and waits for them.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from natality.core import db, extract
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring

WATCH_SECONDS = 5.0
_lock = threading.Lock()
_warmed: set[str] = set()
_watched: set[str] = set()
_threads: list[threading.Thread] = []
_stopping = threading.Event()
STOP_WAIT_SECONDS = 60.0
log = logging.getLogger("natality")


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


def warm(version_dir: str, pages: Callable[[str], None] | None = None) -> bool:
    """Start warming ``version_dir`` in the background, then ``pages(version_dir)`` (the first
    page's own cached results); False when it was started before."""
    with _lock:
        if version_dir in _warmed:
            return False
        _warmed.add(version_dir)
    if _stopping.is_set():
        return False
    start_thread(_warm, version_dir, pages, name="natality-warm")
    return True


def _warm(version_dir: str, pages: Callable[[str], None] | None = None) -> None:
    start = time.perf_counter()
    steps = [
        lambda: db.connection(version_dir),
        lambda: scoring.region_scorecard(version_dir, "zh", None),
        lambda: scoring.region_scorecard(version_dir, "en", None),
        lambda: layers.region_geojson(version_dir, None, map_view.map_unit(version_dir, None)),
        lambda: layers.shaped_count(version_dir, None),
        lambda: pages(version_dir) if pages is not None else None,
    ]
    try:
        for step in steps:
            if _stopping.is_set():  # the process is ending
                return
            step()
    except Exception:  # a damaged version: the page says so when it is opened
        log.warning("warming %s failed", version_dir, exc_info=True)
        return
    log.info("warmed %s in %.1f s", version_dir, time.perf_counter() - start)


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
        _stopping.wait(WATCH_SECONDS)
