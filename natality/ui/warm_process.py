"""A version's shared work made by a process of its own, at nice 10 (started by ``ui.warm`` under a server).

What every process serving a version can read from its ``derived/`` folder (the scorecards, the
data alerts, the Overview's changes and figures: ``core/once_files``) is made first by
``python -m natality.ui.warm_process VERSION``, so that the work that builds them competes less
with the leaders' views in the serving processes; their warm then reads them. With replicas each
starts one and the lock files make them share the work (the second waits for the first's
results). The DuckDB connection's births tables (``core/db``) and the map layers' GeoJSON
(``geo/layers``) are stored the same way, so a replica reads them instead of summing births and
dissolving layers; query frames and the rest are each process's own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys

from natality.core import db
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring
from natality.ui.cached import warm_overview
from natality.ui.figures import run_version


def prepare(version_dir: str, calls: list[tuple[str, dict]] = ()) -> None:
    """Make the version's shared work at nice 10; what other processes read is written. ``calls``:
    the (query, parameters) the serving process ran most, whose results are stored for the pages'
    first views."""
    with contextlib.suppress(OSError):
        os.nice(10)
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # no runtime here: its caches' warnings
    run_version(version_dir)  # figures are stored for this version
    for lang in ("zh", "en"):
        scoring.region_scorecard(version_dir, lang, None)
    warm_overview(version_dir)
    for unit in {map_view.map_unit(version_dir, None), "township"}:  # the Overview's map, the Township page's
        layers.region_geojson(version_dir, None, unit)
    layers.shaped_count(version_dir, None)
    db.store_queries(version_dir, [(str(name), dict(params)) for name, params in calls])


if __name__ == "__main__":
    prepare(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else [])
