"""``python -m natality`` loads its modules without the cyclic collector and freezes them out of
later collections, runs its command with the collector on, and leaves with ``os._exit`` once the
command returned (its output flushed, its atexit functions run): no teardown of every module's
objects, a tenth of a small import's CPU. DuckDB's bindings report no leaked instance either way."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import atexit, gc, runpy, sys
frozen = []  # at each collection once natality/__main__.py runs: how many objects were frozen


def started(phase, info):
    main = sys.modules.get("__main__")  # runpy's module while natality/__main__.py runs
    spec = getattr(main, "__spec__", None)
    if phase == "start" and getattr(spec, "name", "") == "natality.__main__" and "code" not in vars(main):
        frozen.append(gc.get_freeze_count())  # until the command returned its exit code


gc.callbacks.append(started)
atexit.register(lambda: print(min(frozen) if frozen else "none", gc.isenabled(), gc.get_freeze_count() > 10_000))
sys.argv = ["natality", "log", "--data", sys.argv[1], "--format", "json"]
runpy.run_module("natality", run_name="__main__", alter_sys=True)
print("not reached: the process left with os._exit")
"""


def test_modules_load_without_collections_and_the_process_leaves_at_once(tmp_path):
    command = [sys.executable, "-c", PROBE, str(tmp_path / "none")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[]"  # the command's own output, flushed before leaving
    least_frozen, enabled, frozen = lines[1].split()  # printed by an atexit function: they ran
    # Any collection came after the modules were frozen; the collector is on again.
    assert least_frozen == "none" or int(least_frozen) > 10_000
    assert (enabled, frozen) == ("True", "True")
    assert len(lines) == 2 and "leaked" not in done.stderr


def test_a_command_that_ends_otherwise_exits_without_a_leak_report():
    for args, code in ((["--help"], 0), (["query"], 2)):  # argparse's exits: the interpreter's own teardown
        done = subprocess.run(
            [sys.executable, "-m", "natality", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == code and "usage" in done.stdout + done.stderr
        assert "leaked" not in done.stderr, done.stderr[:500]
