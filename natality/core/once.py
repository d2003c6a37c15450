"""Shared objects built once per key, under a lock: ``functools.lru_cache`` with a single flight,
and entries that can be dropped by what they were made from (``evict_versions``).

``functools.lru_cache`` lets every thread that misses compute the value at the same time: on a
fresh server, six leaders opening their first page together each built the scorecard, the DuckDB
connection of the version and the map layers (six times the work, and objects built concurrently
that are not safe to build so). Here the first caller of a key builds it while the others of the
same key wait for that result; callers of other keys are not held up.

Most keys name an extract version (its directory, alone or inside a tuple such as the
scorecard's stamp). When an import switches the live version, a server drops the entries of the
versions no longer served (``evict_versions``): their connections, scorecards and layers would
otherwise stay until enough newer keys pushed them out (hundreds of MB at 2,000 townships).
"""

from __future__ import annotations

import collections
import functools
import threading
import weakref
from collections.abc import Callable, Collection
from pathlib import PurePath
from typing import Any, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int | None
    currsize: int


def mentions(obj: Any, names: Collection[str]) -> bool:
    """Whether ``obj`` is, or holds in a tuple/list/frozenset (at any depth), one of ``names`` (a
    ``str`` or a path whose text is one)."""
    if isinstance(obj, str):
        return obj in names
    if isinstance(obj, PurePath):
        return str(obj) in names
    if isinstance(obj, tuple | list | frozenset):
        return any(mentions(item, names) for item in obj)
    return False


class _Cache:
    """One decorated function's entries: least recently used first."""

    def __init__(self, function: Callable[..., Any], maxsize: int | None) -> None:
        self.function, self.maxsize = function, maxsize
        self.entries: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self.guard = threading.Lock()
        self.locks: dict[Any, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: Any, args: tuple, kwargs: dict) -> Any:
        with self.guard:
            if key in self.entries:
                self.entries.move_to_end(key)
                self.hits += 1
                return self.entries[key]
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:  # the first caller of a key builds it; the others of that key wait here
            with self.guard:
                if key in self.entries:
                    self.entries.move_to_end(key)
                    self.hits += 1
                    return self.entries[key]
                self.misses += 1
            try:
                value = self.function(*args, **kwargs)
            except BaseException:
                with self.guard:
                    self.locks.pop(key, None)
                raise
            with self.guard:
                self.entries[key] = value
                self.locks.pop(key, None)  # a waiter holding it finds the entry
                while self.maxsize is not None and len(self.entries) > self.maxsize:
                    self.entries.popitem(last=False)
            return value

    def evict(self, keep: Callable[[Any], bool]) -> int:
        with self.guard:
            gone = [key for key in self.entries if not keep(key)]
            for key in gone:
                del self.entries[key]
        return len(gone)

    def clear(self) -> None:
        with self.guard:
            self.entries.clear()
            self.hits = self.misses = 0

    def info(self) -> CacheInfo:
        with self.guard:
            return CacheInfo(self.hits, self.misses, self.maxsize, len(self.entries))


_caches: weakref.WeakSet[_Cache] = weakref.WeakSet()
_caches_lock = threading.Lock()


def cache(maxsize: int | None = 128) -> Callable[[F], F]:
    """Decorator: like ``functools.lru_cache(maxsize)`` (with its ``cache_clear`` and
    ``cache_info``), but a key is computed by one thread at a time."""

    def wrap(function: F) -> F:
        kept = _Cache(function, maxsize)
        with _caches_lock:
            _caches.add(kept)

        @functools.wraps(function)
        def once(*args: Any, **kwargs: Any) -> Any:
            return kept.get((args, tuple(sorted(kwargs.items()))), args, kwargs)

        once.cache_clear = kept.clear  # type: ignore[attr-defined]
        once.cache_info = kept.info  # type: ignore[attr-defined]
        once._once = kept  # type: ignore[attr-defined]  # (the function's entries, for evict_versions)
        return once  # type: ignore[return-value]

    return wrap


def evict_versions(gone: Collection[str]) -> int:
    """Drop, from every ``cache``, the entries whose arguments name one of the version directories
    ``gone``; returns how many were dropped."""
    names = frozenset(str(g) for g in gone)
    if not names:
        return 0
    with _caches_lock:
        caches = list(_caches)
    return sum(c.evict(lambda key: not mentions(key, names)) for c in caches)


def entries_naming(version: str) -> int:
    """How many entries of all caches name the version directory ``version`` (for tests and the bench)."""
    names = frozenset({str(version)})
    with _caches_lock:
        caches = list(_caches)
    count = 0
    for c in caches:
        with c.guard:
            count += sum(1 for key in c.entries if mentions(key, names))
    return count
