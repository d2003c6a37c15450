"""Caches of version-keyed results, and dropping everything kept for versions no longer served.

``cache_data`` / ``cache_resource``: Streamlit's caches for a function whose first argument is a
version directory; each remembers the calls made per version, since Streamlit's caches are keyed
by a hash and can only be cleared by the arguments. ``evict(gone)`` drops the ``core/once``
entries, the ``ui/figures`` figures and those Streamlit entries of the versions ``gone`` (``ui.warm``
calls it at a switch and when the previous version retires), then asks the C allocator to give the
freed memory back.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import ctypes.util
import functools
import gc
import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from natality.core import once
from natality.ui.figures import evict_versions as evict_figures
from natality.ui.figures import figures_for

log = logging.getLogger("natality")


class _Calls:
    """A Streamlit-cached function and the arguments it was called with, per version (its first
    argument): Streamlit's caches are keyed by a hash and can only be cleared by the arguments."""

    def __init__(self, cached: Any, function: Callable[..., Any], max_entries: int) -> None:
        self.cached, self.limit = cached, 4 * max_entries
        self.names = list(inspect.signature(function).parameters)
        self.by_version: dict[str, collections.OrderedDict[str, tuple]] = collections.defaultdict(
            collections.OrderedDict
        )
        self.lock = threading.Lock()

    def record(self, args: tuple, kwargs: dict) -> None:
        if not args:
            return
        # underscore arguments are not hashed by Streamlit: not needed to clear the entry
        kept = tuple(None if n.startswith("_") else a for n, a in zip(self.names, args, strict=False))
        kept_kw = {k: (None if k.startswith("_") else v) for k, v in kwargs.items()}
        token = repr((kept, sorted(kept_kw.items())))
        with self.lock:
            calls = self.by_version[str(args[0])]
            calls[token] = (kept, kept_kw)
            calls.move_to_end(token)
            while len(calls) > self.limit:  # long evicted by Streamlit's own max_entries
                calls.popitem(last=False)

    def evict(self, gone: set[str]) -> int:
        with self.lock:
            calls = [c for v in gone for c in self.by_version.pop(v, {}).values()]
        for args, kwargs in calls:
            self.cached.clear(*args, **kwargs)
        return len(calls)

    def count(self, version: str) -> int:
        with self.lock:
            return len(self.by_version.get(version, ()))


_recorded: list[_Calls] = []


def _by_version(decorator: Callable[..., Any], max_entries: int) -> Callable[[Any], Any]:
    def wrap(function: Callable[..., Any]) -> Any:
        cached = decorator(show_spinner=False, max_entries=max_entries)(function)
        calls = _Calls(cached, function, max_entries)
        _recorded.append(calls)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.record(args, kwargs)
            return cached(*args, **kwargs)

        call.clear = cached.clear  # type: ignore[attr-defined]
        return call

    return wrap


def cache_data(max_entries: int) -> Callable[[Any], Any]:
    """``st.cache_data`` for a function whose first argument is a version directory: its entries
    of a version are dropped when the server stops serving that version."""
    return _by_version(st.cache_data, max_entries)


def cache_resource(max_entries: int) -> Callable[[Any], Any]:
    """``st.cache_resource`` keyed by a version directory first, dropped as ``cache_data``'s."""
    return _by_version(st.cache_resource, max_entries)


def evict(gone: set[str]) -> dict[str, int]:
    """Drop every cached thing made for the versions ``gone``; how many of each kind."""
    dropped = {
        "once": once.evict_versions(gone),
        "figures": evict_figures(gone),
        "streamlit": sum(c.evict(gone) for c in list(_recorded)),
    }
    gc.collect()
    _trim()
    log.info("dropped what was kept for %s: %s", sorted(gone), dropped)
    return dropped


def cached_for(version: str) -> dict[str, int]:
    """What is kept for ``version``, by kind (tests, the bench)."""
    return {
        "once": once.entries_naming(version),
        "figures": figures_for(version),
        "streamlit": sum(c.count(version) for c in list(_recorded)),
    }


@functools.cache
def libc() -> Any:
    """The C library (glibc here), or None."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def _trim() -> None:
    """Give the memory freed by the eviction back to the system (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        c = libc()
        if c is not None:
            c.malloc_trim(0)
