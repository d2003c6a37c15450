"""``python -m natality import``: its arguments, without importing the importer (readers,
geopandas: about a second), so that the other commands start fast; the handler is given by
the caller (``importer.main_args``, or natality.cli importing it when the command runs)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path


def register_cli(sub: argparse._SubParsersAction, handler: Callable[[argparse.Namespace], int]) -> None:
    """Add ``import`` to the ``python -m natality`` sub-commands (hooked by natality.cli)."""
    p = sub.add_parser("import", help="import source files into a new version of an extract")
    p.add_argument("--out", required=True, type=Path, help="extract directory (created or updated)")
    helps = {
        "births": "births: one row per child, or counts by township and month (CSV, Excel, Parquet)",
        "boundaries": "township boundaries (GeoJSON, TopoJSON, zipped Shapefile, GeoPackage, GeoParquet)",
        "population": "population by township and year",
        "targets": "targets by township (or county) and year",
        "reported": "reported indicators (numerator, denominator) by township and year",
        "regions": "names of counties, cities and provinces: 6-digit code, name, English name",
        "crosswalk": "merged, split and renamed townships: old_code, new_code, from_year, share (old_name)",
        "mapping": "YAML mapping for unusual headers and values",
    }
    for table, text in helps.items():
        p.add_argument(f"--{table}", type=Path, default=None, metavar="FILE", help=text)
    p.add_argument("--name", default=None, help="region name shown in the app")
    p.add_argument("--months-only", action="store_true", help="replace only the months present in the births file")
    p.add_argument(
        "--sum-duplicates",
        action="store_true",
        help="add up repeated rows of counts (same township, month, sex, order)",
    )
    p.add_argument("--code-field", default=None, help="boundary field holding township codes")
    p.add_argument("--name-field", default=None, help="boundary field holding township names")
    p.add_argument("--parent-field", default=None, help="boundary field holding the parent's name")
    p.add_argument("--encoding", default=None, help="encoding of a Shapefile without .cpg")
    p.add_argument("--crs", default=None, help="CRS of a boundary file that does not say (e.g. EPSG:4490)")
    p.add_argument("--lang", default=None, help="zh or en (default: NATALITY_LANG, then the locale)")
    p.add_argument(
        "--progress",
        choices=["bar", "lines", "none"],
        default=None,
        help="steps and rows read on stderr: a bar (default on a terminal), plain lines (default otherwise), or none",
    )
    p.set_defaults(handler=handler)


IMPORT_NICE_ENV = "NATALITY_IMPORT_NICE"  # CPU niceness of a command-line import (default 10; 0: none)


def yield_cpu_to_the_dashboard() -> int:
    """Lower this process's CPU priority (``nice``, default 10): an import run while leaders
    browse must not starve the dashboard's server on a 2-core machine (bench/load.py). Called
    by ``python -m natality import`` only (natality/__main__.py), never inside the server or a
    test process. Returns the niceness now."""
    try:
        step = int(os.environ.get(IMPORT_NICE_ENV, "10"))
    except ValueError:
        step = 10
    return os.nice(max(0, min(step, 19)))
