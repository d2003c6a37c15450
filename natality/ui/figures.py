"""Figures built once for everyone: a page's figure is the same for every leader who asks for the
same data, texts and language, so it is built (and turned into plotly's dict) once and shared.

Building a plotly figure validates every property it is given, and the house theme's template
with it: that was most of a page view's server CPU (``make viewcost``). ``figure(builder, *args)``
keys the figure by the builder and a fingerprint of its arguments (polars frames by their row
hashes, the shared GeoJSON by its version, region and unit), so a figure can never be served
for other inputs than its own. What is kept is a ``Built`` figure: Streamlit reads its dict as it
is, without copying or validating it again. Kept figures are never changed; presentation mode
makes its own copy (``full``).

Each kept figure remembers the extract versions it was shown for (the version of the script run
that asked, ``run_version``, and any version its arguments name): when an import switches the
live version, ``evict_versions`` drops the figures of versions no longer served.

**Shared by every process.** A figure built for a script run (or a warm-up) of a version is also
written beside that version, as the JSON plotly would send, in ``derived/figures-<code>/`` (named
by the fingerprint above; ``<code>`` hashes the package's code and messages and the plotly and
polars versions): another replica, or this server after a restart, reads it instead of building
it again. It is written under a temporary name and renamed whole, so a half-written file is never
read; a ``.lock`` file created exclusively by the first process that builds a figure makes a
second one wait for the file instead of building it too (``core/once_files``). A version that
cannot be written to, or whose figures fill ``STORE_MAX_BYTES``, keeps its figures in memory only.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import os
import pickle
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from natality.core import once_files
from natality.geo.boundaries import geojson_size_bytes

MAX_FIGURES = 256
MAX_BYTES = 64 * 1024 * 1024  # JSON size of the kept figures (a province map is ~1 MB)
STORE_MAX_BYTES = 256 * 1024 * 1024  # JSON size of the figures stored beside one version


class Built(go.Figure):
    """A finished figure as plotly's dict, shown by ``st.plotly_chart`` without another copy.

    Only ``to_dict``/``to_plotly_json`` (what Streamlit and plotly.io read) give the figure; for
    anything else (a presentation-mode copy, a test reading traces) use ``full()``."""

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    def full(self) -> go.Figure:
        return go.Figure(self._spec)


class SharedGeoJSON(dict):
    """A GeoJSON dict shared by every session (never changed), known by what it was made from."""

    def __init__(self, geojson: dict, fingerprint: tuple) -> None:
        super().__init__(geojson)
        self.fingerprint = fingerprint

    @functools.cached_property
    def size_bytes(self) -> int:
        """Bytes as sent to the browser (measured once)."""
        return geojson_size_bytes(self)


_lock = threading.Lock()
_figures: collections.OrderedDict[bytes, tuple[Any, int, set[str]]] = collections.OrderedDict()
_bytes = 0
_run = threading.local()  # the extract version of the script run on this thread


def run_version(version: str | None) -> None:
    """Say which extract version this thread's script run (or warm-up) shows: figures built or
    reused from here on are kept for it."""
    _run.version = version


def _versions_of(args: Any) -> set[str]:
    tags = {v for v in (getattr(_run, "version", None),) if v}
    for arg in args:
        if isinstance(arg, SharedGeoJSON):
            tags.add(str(arg.fingerprint[0]))
    return tags


def figure(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``builder(*args, **kwargs)``, built once per distinct arguments and shared (never change it).

    The builder returns a figure, or a tuple of figures (each kept as ``Built``). A lambda or a
    local function is not known by its name: its figure is built every time."""
    global _bytes
    if "<" in builder.__qualname__:
        return _built(builder(*args, **kwargs))
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, (builder.__module__, builder.__qualname__, args, kwargs))
    key = digest.digest()
    tags = _versions_of(args)
    with _lock:
        kept = _figures.get(key)
        if kept is not None:
            _figures.move_to_end(key)
            kept[2].update(tags)
            return kept[0]
    built, size = _shared(key, builder, args, kwargs)
    with _lock:
        if key not in _figures:
            _figures[key] = (built, size, tags)
            _bytes += size
        while _figures and (len(_figures) > MAX_FIGURES or _bytes > MAX_BYTES):
            _bytes -= _figures.popitem(last=False)[1][1]
    return built


def _built(made: Any) -> Any:
    return tuple(Built(f.to_dict()) for f in made) if isinstance(made, tuple) else Built(made.to_dict())


def _figures_of(built: Any) -> tuple:
    return built if isinstance(built, tuple) else (built,)


# --- the figures stored beside a version, read by every process that serves it (core/once_files)


def _shared(key: bytes, builder: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Any, int]:
    """The figure of ``key`` and its JSON size: read from the run's version when a process stored
    it, else built (and stored, unless another process is building it: then waited for)."""

    def build() -> tuple[Any, list[str]]:
        built = _built(builder(*args, **kwargs))
        return built, [pio.to_json(b, validate=False, engine="orjson") for b in _figures_of(built)]

    path = store_folder(getattr(_run, "version", None))
    built, texts = once_files.shared(path and path / f"{key.hex()}.json", build, _write, _read)
    return built, sum(len(t) for t in texts)


def store_folder(version: str | None) -> Path | None:
    """Where the figures of ``version`` are stored (None: no version, nothing stored)."""
    path = once_files.derived_path(version, "figures", "-")
    return path.parent if path else None


def _write(made: tuple[Any, list[str]], path: Path) -> None:
    # A version's folder is capped: every township's own figure (the Township page's locator map
    # embeds the region's GeoJSON, ~1 MB at 2,000 townships) must not fill the disk.
    with os.scandir(path.parent) as entries:
        kept = sum(e.stat().st_size for e in entries if e.name.endswith(".json"))
    if kept + sum(len(t) for t in made[1]) > STORE_MAX_BYTES:
        raise OSError("the version's figure store is full")  # (nothing written: built in memory)
    head = '{"tuple":true,"figures":[' if isinstance(made[0], tuple) else '{"tuple":false,"figures":['
    path.write_text(head + ",".join(made[1]) + "]}", encoding="utf-8")


def _read(path: Path) -> tuple[Any, list[str]]:
    kept = orjson.loads(path.read_bytes())
    specs = kept["figures"]
    built = tuple(Built(s) for s in specs) if kept["tuple"] else Built(specs[0])
    return built, [orjson.dumps(s).decode() for s in specs]  # (sizes: the JSON sent)


def clear() -> None:
    global _bytes
    with _lock:
        _figures.clear()
        _bytes = 0


def evict_versions(gone: set[str]) -> int:
    """Drop the figures kept only for versions in ``gone`` (a figure also shown for a version still
    served stays); returns how many were dropped."""
    global _bytes
    with _lock:
        dropped = [k for k, (_, _, tags) in _figures.items() if tags and tags <= gone]
        for key in dropped:
            _bytes -= _figures.pop(key)[1]
        for _, _, tags in _figures.values():
            tags -= gone
    return len(dropped)


def figures_for(version: str) -> int:
    """How many kept figures were shown for ``version`` (tests, the bench)."""
    with _lock:
        return sum(1 for _, _, tags in _figures.values() if version in tags)


# A frame's fingerprint, remembered while the frame lives: a query's frame is one shared object
# (``ui.query``), so each view hashes its rows once per version, not once per view.
_frame_digests: dict[int, tuple[weakref.ref, bytes]] = {}
_digests_lock = threading.RLock()  # re-entrant: a frame may die (and be forgotten) while it is held


def _forget(ident: int) -> None:
    with _digests_lock:
        _frame_digests.pop(ident, None)


def _frame_digest(frame: pl.DataFrame) -> bytes:
    with _digests_lock:
        kept = _frame_digests.get(id(frame))
    if kept is not None and kept[0]() is frame:
        return kept[1]
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"frame{frame.shape}{list(frame.schema.items())};".encode())
    if frame.height and frame.width:
        try:
            digest.update(frame.hash_rows(seed=1).to_numpy().tobytes())
        except pl.exceptions.PolarsError:  # a column type rows cannot be hashed by: its bytes
            digest.update(pickle.dumps(frame))
    value = digest.digest()
    ident = id(frame)
    with _digests_lock:
        _frame_digests[ident] = (weakref.ref(frame, lambda _, ident=ident: _forget(ident)), value)
    return value


def _feed(digest: Any, obj: Any) -> None:
    """Feed ``obj`` into the hash: its type and content, recursively."""
    if obj is None or isinstance(obj, str | int | float | bool):
        digest.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, pl.DataFrame):
        digest.update(b"frame:" + _frame_digest(obj))
    elif isinstance(obj, pl.Series):
        _feed(digest, obj.to_frame())
    elif isinstance(obj, SharedGeoJSON):
        _feed(digest, ("geojson", obj.fingerprint))
    elif isinstance(obj, dict):
        digest.update(b"{")
        for key, value in obj.items():
            _feed(digest, key)
            _feed(digest, value)
        digest.update(b"}")
    elif isinstance(obj, list | tuple):
        digest.update(f"{type(obj).__name__}[".encode())
        for value in obj:
            _feed(digest, value)
        digest.update(b"]")
    elif isinstance(obj, set | frozenset):
        parts = []
        for value in obj:
            part = hashlib.blake2b(digest_size=20)
            _feed(part, value)
            parts.append(part.digest())
        digest.update(b"set" + b"".join(sorted(parts)))
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        digest.update(type(obj).__qualname__.encode())
        _feed(digest, [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)])
    else:
        digest.update(type(obj).__qualname__.encode() + pickle.dumps(obj))
