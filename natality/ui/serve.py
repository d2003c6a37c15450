"""``python -m natality.ui.serve [streamlit run options]``: the dashboard, its first visitor
served warm (``make run``).

``streamlit run`` imports the app only when the first session opens a page, so a fresh
server's first visitor waited for every import (plotly, geopandas, DuckDB, the pack's
python-pptx and kaleido), plotly's first figure and the version's shared work. Here the same
``streamlit run dashboard.py`` runs in this process while a thread makes those beside the
starting server; ``ui.warm`` then keeps later versions warm, and holds new script runs on the
version served until the next one is warm (``warm.hold_back``). The process uses at most two
glibc malloc arenas (``MALLOC_ARENA_MAX=2``, set by ``make run`` and ``deploy/serve.py``;
``limit_arenas`` when it is not set).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
from streamlit.runtime import Runtime
from streamlit.web import cli as streamlit_cli

import natality.ui.warm as background
from natality.core import db, extract, i18n, theme
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring
from natality.ui import version_caches
from natality.ui.cached import warm_overview

DASHBOARD = Path(__file__).resolve().parent.parent.parent / "dashboard.py"


# What a first page view imports and builds, made while the server starts instead (run_serve).
PRELOAD_MODULES = (
    "natality.births.view",
    "natality.births.charts",
    "natality.srb.view",
    "natality.srb.charts",
    "natality.scorecard.table",
    "natality.scorecard.charts",
    "natality.maps.view",
    "natality.maps.charts",
    "natality.compare.view",
    "natality.compare.charts",
    "natality.compare.monthly",
    "natality.versions.view",
    "natality.export.pack",
    "natality.ui",
    "scipy.stats",
)


def preload(data: str | Path) -> None:
    """Import what the pages import, draw a first figure, and make the live version's shared
    work (its DuckDB connection, scorecards in both languages, map layers): a fresh server's
    first visitor then finds them ready. Runs in a thread beside the starting server."""
    for name in PRELOAD_MODULES:
        importlib.import_module(name)
    i18n.catalogue()
    theme.finish_figure(go.Figure(go.Bar(x=[1], y=[1])), "", "", "").to_dict()
    try:
        version = str(extract.live_version_dir(data))
        db.connection(version)
        for lang in ("zh", "en"):
            scoring.region_scorecard(version, lang, None)
        layers.region_geojson(version, None, map_view.map_unit(version, None))
        # The Overview's own cached parts go to Streamlit's caches: wait for its runtime to exist.
        deadline = time.monotonic() + 60
        while not Runtime.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if Runtime.exists():
            warm_overview(version)
    except Exception as exc:  # no extract yet, or a damaged one: the pages say so
        print(f"note: nothing preloaded ({type(exc).__name__}: {exc})", file=sys.stderr)


M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most ``arenas`` glibc malloc arenas from now on, as ``MALLOC_ARENA_MAX`` does; False
    when that variable is set (it wins) or glibc is not there.

    glibc gives each thread its own arena, up to 8 per core, and Streamlit runs every session's
    script in a thread of its own: memory the sessions freed stayed scattered over the arenas,
    where ``malloc_trim`` could not give it back (2,000 townships: +83 MB after 40 sessions had
    come and gone, +28 MB with 2 arenas; bench/session_memory.py, bench/README). The variable is
    the sure way (``make run`` and ``deploy/serve.py`` set it): by the time this runs, the imports
    of polars, DuckDB and Streamlit have started threads that made arenas of their own already
    (this call then only stops more from being made)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    libc = version_caches.libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas))


def main(streamlit_args: list[str]) -> int:
    """``streamlit run dashboard.py STREAMLIT_ARGS`` in this process, preloading beside it."""
    limit_arenas()  # first: before any thread of the server starts
    data = extract.default_data_dir()
    background.hold_back()  # new runs keep the served version until a new one is warm
    background.start_thread(preload, data, name="natality-preload")  # waited for at exit (ui.warm.stop)
    sys.argv = ["streamlit", "run", str(DASHBOARD), *streamlit_args]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
