"""A process's memory across imports, without leaders: ``python bench/switch_memory.py [--townships N]``.

In one process, as a server does it (``ui.warm``, held back): the live version of a copy of the
demo (2,000 townships by default) is warmed with the Overview's shared parts, then ``--imports``
months are imported one after the other; after each, the new version is warmed, served, and the
one before it retired (``RETIRE_SECONDS`` shortened to 2 s). Prints the RSS after each switch and
what is still kept for the version served before; the RSS should not climb by a version's
working set per import. Separates what versions keep from what sessions keep (``make load``
measures both together).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import months  # noqa: E402

from natality import ui  # noqa: E402
from natality.core import extract  # noqa: E402
from natality.demo.county import build_demo  # noqa: E402
from natality.ui import version_caches, warm  # noqa: E402


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--townships", type=int, default=2000)
    ap.add_argument("--imports", type=int, default=3)
    ap.add_argument("--template", type=Path, default=None, help="an extract to copy (default: a new demo)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natality-switch-"))
    template = args.template or work / "template" / "demo"
    if not (template / "manifest.json").exists():
        build_demo(template, townships=args.townships)
    data = months.live_copy(template, work / "live" / "demo")
    warm.RETIRE_SECONDS = 2.0
    warm.hold_back(True)
    version = str(warm.version_for_run(data, pages=ui.warm_overview))
    warm.warm(version, ui.warm_overview)
    warm.wait_ready(version, 600)
    first = rss_mb()
    print(f"{version.rsplit('/', 1)[-1]} warmed: RSS {first:.0f} MB", flush=True)
    for month, births in months.next_months(data, work, args.imports):
        subprocess.run(months.import_command(data, births), cwd=ROOT, check=True, capture_output=True)
        live = str(extract.live_version_dir(data))
        warm.version_for_run(data, pages=ui.warm_overview)  # sees the new version: warms it
        warm.wait_ready(live, 600)
        time.sleep(warm.RETIRE_SECONDS + 2)
        served = warm.serving(extract.data_dir_of(live)) == live
        print(
            f"import of {month}: served {served}, RSS {rss_mb():.0f} MB ({rss_mb() - first:+.0f}), "
            f"kept for the version before: {version_caches.cached_for(version)}",
            flush=True,
        )
        version = live
    return 0


if __name__ == "__main__":
    sys.exit(main())
