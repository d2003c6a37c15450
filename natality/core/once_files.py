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
plotly and polars versions: new code never reads what old code wrote.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import polars as pl

T = TypeVar("T")
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02
_PACKAGE = Path(__file__).resolve().parent.parent  # natality/


@functools.cache
def code_fingerprint() -> str:
    """A hash of the code, messages and queries results are made with, and of plotly's and polars' versions."""
    # plotly's version from its metadata: an import or a query process never loads plotly itself
    digest = hashlib.blake2b(f"plotly {metadata.version('plotly')} polars {pl.__version__}".encode(), digest_size=10)
    files = [p for pattern in ("**/*.py", "**/*.yaml") for p in sorted(_PACKAGE.glob(pattern))]
    files += sorted((_PACKAGE.parent / "queries").rglob("*.sql"))
    files += [*sorted((_PACKAGE.parent / "pages").glob("*.py")), _PACKAGE.parent / "dashboard.py"]
    files = [p for p in files if p.is_file()]
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def derived_path(version: str | Path | None, kind: str, name: str) -> Path | None:
    """``<version>/derived/<kind>-<code>/<name>`` (None without a version: nothing shared)."""
    if not version:
        return None
    return Path(version) / "derived" / f"{kind}-{code_fingerprint()}" / name


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
