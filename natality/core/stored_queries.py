"""Query results made once per version for every replica: the queries leaders ran on the version
served before, run again on a new one by its warm process and read by the serving processes.

After an import's switch each replica ran the pages' queries of the new version again at each
page's first view (at 2,000 townships 0.3-1.3 s a page: the Sex ratio page's SRB by year and
targets, the Compare page's township and county years). Now every process notes the queries it
runs (``note``: name and bound parameters, the ``HOT`` most used), the warm process of a new
version (``ui/warm_process``) runs the serving process's list on it and stores each result in the
version's ``derived/`` folder (``core/db.store_queries`` through ``core/once_files``: a lock, an
atomic rename), and ``db.run_query`` reads a stored result instead of running the query. A
result is stored as Arrow IPC, which keeps polars' types as they were; a file that cannot be read
is run again. Nothing here runs a query (``core/db`` does).
"""

from __future__ import annotations

import collections
import json
import threading
from pathlib import Path
from typing import Any

import polars as pl

from natality.core import once_files

HOT = 64  # the most used queries a process hands to a new version's warm process
_calls: collections.Counter[str] = collections.Counter()  # json [name, params] -> calls
_lock = threading.Lock()


def plain(value: Any) -> Any:
    """A parameter as JSON keeps it (a numpy integer as int); ``_NOT_JSON`` when JSON cannot."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    return value if value is None or isinstance(value, bool | int | float | str) else _NOT_JSON


_NOT_JSON = object()


def call_text(name: str, params: dict[str, Any]) -> str | None:
    """A query call as text (its name and bound parameters, sorted); None for a parameter JSON cannot hold."""
    values = {k: plain(v) for k, v in params.items()}
    if any(v is _NOT_JSON for v in values.values()):
        return None
    return json.dumps([name, dict(sorted(values.items()))], ensure_ascii=False)


def note(name: str, params: dict[str, Any]) -> None:
    """Count a call of ``name`` with ``params`` (a process's hot queries)."""
    text = call_text(name, params)
    if text is not None:
        with _lock:
            _calls[text] += 1
            if len(_calls) > 8 * HOT:  # keep the counter small: the most used stay
                kept = _calls.most_common(HOT)
                _calls.clear()
                _calls.update(dict(kept))


def hot() -> list[tuple[str, dict[str, Any]]]:
    """This process's ``HOT`` most used query calls, most used first."""
    with _lock:
        texts = [text for text, _n in _calls.most_common(HOT)]
    return [(name, params) for name, params in (json.loads(t) for t in texts)]


MONTHS = ("month", "month_to", "last_month")  # parameters that name a month of the year


def moved(
    calls: list[tuple[str, dict[str, Any]]], before: str | None, now: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """The calls as the pages make them once the data's last month moved from ``before`` to
    ``now`` (cut-off months "YYYY-MM" of the two versions): within a year a page that asked for
    months 1..5 asks for 1..6, so a month parameter equal to the old cut-off's month takes the new
    one's. Across a new year, or without both, the calls as they were."""
    if not before or not now or before[:4] != now[:4] or before == now:
        return calls
    old, new = int(before[5:7]), int(now[5:7])
    return [(name, {k: new if k in MONTHS and v == old else v for k, v in params.items()}) for name, params in calls]


def forget() -> None:
    with _lock:
        _calls.clear()


FORM = once_files.ARROW  # a result as Arrow IPC (its polars types kept); written by ``core/db.store_queries``


def path_of(version_dir: str | Path, name: str, params: dict[str, Any]) -> Path | None:
    """Where the result of ``name`` with ``params`` on a version is stored (None: it cannot be)."""
    text = call_text(name, params)
    if text is None:
        return None
    return once_files.derived_path(version_dir, "queries", once_files.name_of(text, name) + FORM.suffix)


def stored(version_dir: str | Path, name: str, params: dict[str, Any]) -> pl.DataFrame | None:
    """The stored result of the call on the version, or None (none stored, or it cannot be read)."""
    return once_files.found(path_of(version_dir, name, params), FORM)
