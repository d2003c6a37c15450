"""Shared objects built once per key, under a lock: ``functools.lru_cache`` with a single flight.

``functools.lru_cache`` lets every thread that misses compute the value at the same time: on a
fresh server, six leaders opening their first page together each built the scorecard, the DuckDB
connection of the version and the map layers (six times the work, and objects built concurrently
that are not safe to build so). Here the first caller of a key builds it while the others of the
same key wait for that result; callers of other keys are not held up.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def cache(maxsize: int | None = 128) -> Callable[[F], F]:
    """Decorator: like ``functools.lru_cache(maxsize)`` (and with its ``cache_clear``), but a key
    is computed by one thread at a time."""

    def wrap(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        guard = threading.Lock()
        locks: dict[Any, threading.Lock] = {}

        @functools.wraps(function)
        def once(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            with guard:
                lock = locks.get(key)
                if lock is None:
                    if len(locks) > 4 * (maxsize or 1024):  # forget the locks of keys long gone
                        locks.clear()
                    lock = locks[key] = threading.Lock()
            with lock:
                return cached(*args, **kwargs)

        def cache_clear() -> None:
            cached.cache_clear()

        once.cache_clear = cache_clear  # type: ignore[attr-defined]
        once.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return once  # type: ignore[return-value]

    return wrap
