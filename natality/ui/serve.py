"""``python -m natality.ui.serve [streamlit run options]``: the dashboard, its first visitor
served warm (``make run``).

``streamlit run`` imports the app only when the first session opens a page, so a fresh
server's first visitor waited for every import (plotly, geopandas, DuckDB, the pack's
python-pptx and kaleido), plotly's first figure and the version's shared work. Here the same
``streamlit run dashboard.py`` runs in this process while a thread makes those beside the
starting server; ``ui.warm`` then keeps later versions warm, and holds new script runs on the
version served until the next one is warm (``warm.hold_back``).
"""

from __future__ import annotations

import importlib
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


def main(streamlit_args: list[str]) -> int:
    """``streamlit run dashboard.py STREAMLIT_ARGS`` in this process, preloading beside it."""
    data = extract.default_data_dir()
    background.hold_back()  # new runs keep the served version until a new one is warm
    background.start_thread(preload, data, name="natality-preload")  # waited for at exit (ui.warm.stop)
    sys.argv = ["streamlit", "run", str(DASHBOARD), *streamlit_args]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
