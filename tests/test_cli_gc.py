"""``python -m natality`` loads its modules without the cyclic collector and freezes them out of
later collections (a short process: 0.1 s of a small import's CPU), runs its command with the
collector on, and thaws them before exit: DuckDB's bindings then report no leaked instance."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import gc, runpy, sys
frozen = []  # at each collection once natality/__main__.py runs: how many objects were frozen


def started(phase, info):
    main = sys.modules.get("__main__")  # runpy's module while natality/__main__.py runs
    spec = getattr(main, "__spec__", None)
    if phase == "start" and getattr(spec, "name", "") == "natality.__main__" and "code" not in vars(main):
        frozen.append(gc.get_freeze_count())  # until the command returned its exit code


gc.callbacks.append(started)
sys.argv = ["natality", "log", "--data", sys.argv[1]]
try:
    runpy.run_module("natality", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print(min(frozen) if frozen else "none", gc.isenabled(), gc.get_freeze_count())
"""


def test_modules_load_without_collections_and_are_frozen_while_the_command_runs(tmp_path):
    command = [sys.executable, "-c", PROBE, str(tmp_path / "none")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "no imports logged yet" in done.stderr, done.stderr
    least_frozen, enabled, frozen_at_exit = done.stdout.split()[-3:]
    # Any collection came after the modules were frozen; the collector is on again; thawed at exit.
    assert least_frozen == "none" or int(least_frozen) > 10_000
    assert (enabled, frozen_at_exit) == ("True", "0")


def test_a_command_exits_without_a_leak_report():
    done = subprocess.run(
        [sys.executable, "-m", "natality", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "usage" in done.stdout
    assert "leaked" not in done.stderr, done.stderr[:500]
