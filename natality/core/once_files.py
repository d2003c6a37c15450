"""Work shared by every process that serves a version: made by the first one, read by the others.

``core/once`` makes a shared object once per process. With several replicas (``make serve``) each
made the same figures and frames of a version again after an import's switch, at 2,000 townships
seconds of CPU each while leaders' views waited. ``shared(path, build, write, read)`` reads
``path`` when a process wrote it; else the first process takes ``path.lock`` (created
exclusively) and builds, writes under a temporary name and renames it into place, so a
half-written result is never read; a second process finding the lock waits for the result (at
most ``WAIT_SECONDS``; a lock older than that was left by a killed process and is taken over)
instead of building it too. A path that cannot be written (a read-only version) is built in
memory. A result that cannot be read (damaged) is built again.

Paths lie in a version's ``derived/`` folder (``derived_path``), named by what they were made from
and by ``code_fingerprint()``, a hash of the package's code, messages and queries (and the pages) and of the
plotly and polars versions: new code never reads what old code wrote. ``kept(version, kind, name,
build, form)`` is ``shared`` at ``derived/<kind>-<code>/<name><suffix>``, the file written and read
by a ``Form`` (``JSON``, ``ARROW`` or a caller's own); ``name_of(key)`` names a file by a hash of
what it was made from. ``code_fingerprint(sources, salt)`` hashes other files too (the stored
scorecard's narrower set, ``scorecard/stored``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import polars as pl

T = TypeVar("T")
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02
_ROOT = Path(__file__).resolve().parent.parent.parent  # the project: natality/, queries/, pages/
# What every result in derived/ is made with: the package's code and messages, the queries, the pages.
CODE = ("natality/**/*.py", "natality/**/*.yaml", "queries/**/*.sql", "pages/*.py", "dashboard.py")


RACY_SECONDS = 2.0  # a file changed this recently may change again within its timestamp's tick


@functools.cache
def code_fingerprint(sources: tuple[str, ...] = CODE, salt: str | None = None) -> str:
    """A hash of the files ``sources`` (glob patterns under the project) and ``salt``; by default of
    the code, messages and queries results are made with, and of plotly's and polars' versions.

    Every command that reads or writes derived/ needs it, and reading and hashing some 300 files
    cost 0.02-0.03 s a process: the hash is kept in ``natality/__pycache__`` under a name made of
    each file's path, size and modification time (as Python trusts its own bytecode cache), and of
    plotly's installed files. A file changed within the last ``RACY_SECONDS`` is not trusted by its
    time (a second change in the same clock tick would keep it): then the files are read."""
    files = [(path, path.stat()) for pattern in sources for path in sorted(_ROOT.glob(pattern)) if path.is_file()]
    now = time.time_ns()
    racy = any(now - st.st_mtime_ns < RACY_SECONDS * 1e9 for _, st in files)
    stamp = repr((sources, salt, _plotly_stamp(), [(str(p), st.st_size, st.st_mtime_ns) for p, st in files]))
    which = hashlib.blake2b(repr((sources, salt)).encode(), digest_size=6).hexdigest()  # one kept file per set
    kept = (
        _ROOT
        / "natality"
        / "__pycache__"
        / f"code-{which}-{hashlib.blake2b(stamp.encode(), digest_size=12).hexdigest()}"
    )
    if not racy:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = kept.read_text(encoding="ascii")
            if len(text) == 20 and all(c in "0123456789abcdef" for c in text):
                return text
    if salt is None:  # plotly's version from its metadata: an import or a query process never loads plotly itself
        salt = f"plotly {metadata.version('plotly')} polars {pl.__version__}"
    digest = hashlib.blake2b(salt.encode(), digest_size=10)
    for path, _ in files:
        digest.update(path.relative_to(_ROOT).as_posix().encode() + path.read_bytes())
    if not racy:
        with contextlib.suppress(OSError):  # a read-only install: computed again by each process
            kept.parent.mkdir(exist_ok=True)
            for older in kept.parent.glob(f"code-{which}-*"):  # what the files' earlier times made
                older.unlink(missing_ok=True)
            _write(kept, digest.hexdigest(), lambda text, path: path.write_text(text, encoding="ascii"))
    return digest.hexdigest()


def _plotly_stamp() -> tuple:
    """plotly's installed package file (path, size, time): another plotly, another hash kept."""
    spec = importlib.util.find_spec("plotly")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    st = origin.stat() if origin is not None and origin.is_file() else None
    return (str(origin), st.st_size, st.st_mtime_ns, pl.__version__) if st else (None, pl.__version__)


def derived_path(version: str | Path | None, kind: str, name: str) -> Path | None:
    """``<version>/derived/<kind>-<code>/<name>`` (None without a version: nothing shared)."""
    if not version:
        return None
    return Path(version) / "derived" / f"{kind}-{code_fingerprint()}" / name


class Form(NamedTuple):
    """How a result is kept in a file: its name's ``suffix``, ``write(value, path)``, ``read(path)``
    (which raises on what it cannot take: the result is then made again)."""

    suffix: str
    write: Callable[[Any, Path], None]
    read: Callable[[Path], Any]

    def then(self, take: Callable[[Any], Any]) -> Form:
        """This form, its read value passed through ``take`` (a check or a conversion that raises)."""
        return self._replace(read=lambda path: take(self.read(path)))


def _write_json(value: Any, path: Path) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


JSON = Form(".json", _write_json, lambda path: json.loads(path.read_text(encoding="utf-8")))
ARROW = Form(".arrow", pl.DataFrame.write_ipc, pl.read_ipc)  # a polars frame as Arrow IPC: its types as they were


def name_of(key: object, label: str = "") -> str:
    """A file name for what a result was made from: a hash of ``key`` (a text, or the ``repr`` of
    a tuple of plain values), after ``label-`` when given."""
    text = key if isinstance(key, str) else repr(key)
    digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    return f"{label}-{digest}" if label else digest


def kept(
    version: str | Path | None, kind: str, name: str, build: Callable[[], T], form: Form, wait: float | None = None
) -> T:
    """``shared`` at ``derived/<kind>-<code>/<name><suffix>``: the version's result read when a
    process kept it, else built (and kept for the others)."""
    return shared(derived_path(version, kind, name + form.suffix), build, form.write, form.read, wait)


def found(path: Path | None, form: Form) -> Any | None:
    """What ``path`` holds, or None (no file, or one that cannot be read); builds nothing."""
    return None if path is None else _read(path, form.read)


def shared(
    path: Path | None,
    build: Callable[[], T],
    write: Callable[[T, Path], None],
    read: Callable[[Path], T],
    wait: float | None = None,
) -> T:
    """What ``path`` holds (``read``), else ``build()``, written to ``path`` (``write(value, tmp)``
    then renamed) by the one process that holds its lock while the others wait for it (at most
    ``wait`` seconds, ``WAIT_SECONDS`` by default; a lock older than that was left by a killed
    process)."""
    if path is None:
        return build()
    found = _read(path, read)
    if found is not None:
        return found
    wait = WAIT_SECONDS if wait is None else wait
    owner = _lock(path, wait)
    if owner is False:  # another process builds it: wait for its result
        deadline = time.monotonic() + wait
        lock = _lock_path(path)
        while time.monotonic() < deadline and lock.exists():
            time.sleep(POLL_SECONDS)
        found = _read(path, read)
        if found is not None:
            return found
    try:
        value = build()
        if owner is not None:
            _write(path, value, write)
    finally:
        if owner:
            _lock_path(path).unlink(missing_ok=True)
    return value


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _read(path: Path, read: Callable[[Path], T]) -> T | None:
    if not path.exists():
        return None
    try:
        return read(path)
    except Exception:  # damaged (a full disk, a hand edit): made again
        return None


def _lock(path: Path, stale: float) -> bool | None:
    """True: this process builds; False: another one does; None: nothing can be written here."""
    lock = _lock_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only version, or a file where the folder would be
        return None
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        return True
    except FileExistsError:
        try:
            if time.time() - lock.stat().st_mtime > stale:  # left by a killed process
                lock.unlink(missing_ok=True)
                return _lock(path, stale)
        except OSError:
            pass
        return False
    except OSError:
        return None


def _write(path: Path, value: T, write: Callable[[T, Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(value, tmp)
        os.replace(tmp, path)  # whole or not at all
    except (OSError, pl.exceptions.PolarsError):  # full disk; or another process's result is there
        with contextlib.suppress(OSError):
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
