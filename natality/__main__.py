import gc
import sys

# A command is a short process: the cyclic collector would walk the ~300,000 objects that loading
# polars, DuckDB and numpy makes, again and again, for no garbage (a tenth of a small import's CPU).
# Off while the modules load; what they made is then frozen out of every later collection, and
# thawed before the interpreter's last collection at exit (DuckDB's bindings count what is left).
gc.disable()
from natality.cli import entry  # noqa: E402

gc.freeze()
gc.enable()
try:
    code = entry()
finally:
    gc.unfreeze()
sys.exit(code)
