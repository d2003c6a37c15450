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
"""

from __future__ import annotations

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
log = logging.getLogger("natality")


def warm(version_dir: str, pages: Callable[[str], None] | None = None) -> bool:
    """Start warming ``version_dir`` in the background, then ``pages(version_dir)`` (the first
    page's own cached results); False when it was started before."""
    with _lock:
        if version_dir in _warmed:
            return False
        _warmed.add(version_dir)
    threading.Thread(target=_warm, args=(version_dir, pages), name="natality-warm", daemon=True).start()
    return True


def _warm(version_dir: str, pages: Callable[[str], None] | None = None) -> None:
    start = time.perf_counter()
    try:
        db.connection(version_dir)
        for lang in ("zh", "en"):
            scoring.region_scorecard(version_dir, lang, None)
        unit = map_view.map_unit(version_dir, None)
        layers.region_geojson(version_dir, None, unit)
        layers.shaped_count(version_dir, None)
        if pages is not None:
            pages(version_dir)
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
    threading.Thread(target=_watch, args=(key, pages), name="natality-watch", daemon=True).start()


def _watch(data_dir: str, pages: Callable[[str], None] | None) -> None:
    while True:
        with contextlib.suppress(extract.ExtractError):  # no extract yet: the page says so
            warm(str(extract.live_version_dir(data_dir)), pages)
        time.sleep(WATCH_SECONDS)
