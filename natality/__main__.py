import gc

gc.disable()  # before any other import (see below)
import atexit  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

# A command is a short process. The cyclic collector would walk the ~300,000 objects that loading
# polars, DuckDB and numpy makes, again and again, for no garbage: off while the modules load,
# then what they made is frozen out of every later collection. At the end the interpreter's
# teardown (every module's objects freed one by one, a last collection) cost a small import
# 0.1 s: the process leaves with os._exit once the command is done, its output flushed and the
# atexit functions run. A command that ends otherwise (--help, a usage error, a thread still
# running) thaws the objects and exits as usual (frozen, DuckDB's bindings would report them).
from natality.cli import entry  # noqa: E402

gc.freeze()
gc.enable()


def _leave(code: int) -> None:
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head): nothing more to say
            stream.flush()
    os._exit(code)


try:
    code = entry()
finally:
    if threading.active_count() > 1 or sys.exc_info()[0] is not None:
        gc.unfreeze()
# Only as the process's own main module (python -m natality): a caller that runs this file in its
# process (runpy) gets SystemExit as before.
alone = (
    getattr(sys.modules["__main__"], "__spec__", None) is not None
    and sys.modules["__main__"].__spec__.name == __spec__.name
)
if alone and isinstance(code, int) and threading.active_count() == 1:
    _leave(code)
gc.unfreeze()
sys.exit(code)
