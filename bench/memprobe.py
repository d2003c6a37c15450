"""``python bench/memprobe.py [streamlit run options]``: ``natality.ui.serve`` with a memory probe
(``bench/session_memory.py --probe``).

On SIGUSR1 the server appends to ``$NATALITY_PROBE`` (a file) where its memory is: the sessions
Streamlit holds, the RSS, then the RSS after a full ``gc.collect()`` (how much was cyclic garbage:
``runner.postScriptGC`` is off) and after ``malloc_trim(0)`` (how much glibc held freed), the
object types that grew since the last probe, and, with ``NATALITY_PROBE_TRACE=N`` (frames), the
lines that allocated most of what grew (from the first probe on). A bench tool, never the service.
"""

from __future__ import annotations

import collections
import ctypes
import gc
import os
import signal
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_last: dict = {"types": collections.Counter(), "snapshot": None}


def _rss() -> float:
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sessions() -> str:
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return "no runtime"
    mgr = Runtime.instance()._session_mgr
    return f"{len(mgr.list_active_sessions())} active, {len(mgr.list_sessions())} held"


def _describe(obj: object) -> str:
    name = type(obj).__qualname__
    if isinstance(obj, dict):
        keys = [str(k)[:40] for k in list(obj)[:6]]
        return f"dict{keys}"
    if isinstance(obj, list | tuple):
        return f"{name}[{len(obj)}]"
    return name


def _holders(type_name: str, depth: int = 14) -> list[str]:
    """The chain of referrers of one live object of ``type_name``, up to a module or ``depth``."""
    import types as pytypes

    sample = next((o for o in gc.get_objects() if type(o).__qualname__ == type_name), None)
    if sample is None:
        return [f"no {type_name} alive"]
    chain, seen, obj = [], set(), sample
    ignore = {id(chain), id(seen)}
    for _ in range(depth):
        seen.add(id(obj))
        refs = [
            r
            for r in gc.get_referrers(obj)
            if id(r) not in seen and id(r) not in ignore and not isinstance(r, pytypes.FrameType)
        ]
        ignore.add(id(refs))
        if not refs:
            chain.append("(no more referrers)")
            break
        # prefer non-container owners (objects' __dict__ lead to their object next)
        obj = refs[0]
        chain.append(f"{_describe(obj)} ({len(refs)} referrers)")
        if isinstance(obj, pytypes.ModuleType):
            break
    return [f"holders of one {type_name}: " + " <- ".join(chain)]


def _size(obj: object, depth: int = 0) -> int:
    """Bytes an object holds, roughly: polars frames by their buffers, containers by what they hold."""
    import polars as pl

    if isinstance(obj, pl.DataFrame):
        return int(obj.estimated_size())
    if isinstance(obj, bytes | str):
        return sys.getsizeof(obj)
    if depth > 4:
        return sys.getsizeof(obj)
    if isinstance(obj, dict):
        return sys.getsizeof(obj) + sum(_size(k, depth + 1) + _size(v, depth + 1) for k, v in obj.items())
    if isinstance(obj, list | tuple | set | frozenset):
        return sys.getsizeof(obj) + sum(_size(v, depth + 1) for v in obj)
    fields = getattr(obj, "__dict__", None)
    if fields is None and hasattr(obj, "__dataclass_fields__"):
        fields = {f: getattr(obj, f) for f in obj.__dataclass_fields__}  # type: ignore[attr-defined]
    if isinstance(fields, dict):
        return sys.getsizeof(obj) + sum(_size(v, depth + 1) for v in fields.values())
    return sys.getsizeof(obj)


def _caches() -> list[str]:
    """Streamlit's caches of the app: entries and bytes (roughly) per cached function, largest first."""
    from streamlit.runtime.caching import cache_data_api, cache_resource_api

    rows = []
    for kind, store in (("resource", cache_resource_api._resource_caches), ("data", cache_data_api._data_caches)):
        for caches in list(store._function_caches.values()):
            for cache in list(caches.values()):
                mem = getattr(cache, "_mem_cache", None) or getattr(getattr(cache, "storage", None), "_mem_cache", {})
                held = list(mem.values())  # a resource's results, a data cache's pickled bytes
                size = sum(_size(getattr(r, "value", r)) for r in held)
                rows.append((size, f"{kind} {cache.display_name.rsplit('.', 1)[-1]}: {len(held)} entries"))
    rows.sort(reverse=True)
    total = sum(size for size, _ in rows)
    head = f"Streamlit caches: {total / 2**20:.0f} MB"
    return [head] + [f"  {size / 2**20:6.1f} MB {what}" for size, what in rows[:12]]


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _glibc() -> str:
    """glibc's heap: bytes in use, free but held (in its arenas), and mmapped blocks."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    mb = 2**20
    return (
        f"glibc: in use {info.uordblks / mb:.0f} MB, free in arenas {info.fordblks / mb:.0f} MB, "
        f"mmapped {info.hblkhd / mb:.0f} MB"
    )


def probe(*_: object) -> None:
    out = [f"--- probe at {time.strftime('%H:%M:%S')}: sessions {_sessions()}"]
    before = _rss()
    out.append(_glibc())
    found = gc.collect()
    after_gc = _rss()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    after_trim = _rss()
    out.append(_glibc() + " (after gc and trim)")
    out.append(
        f"RSS {before:.0f} MB; after gc.collect ({found} unreachable) {after_gc:.0f} MB; "
        f"after malloc_trim {after_trim:.0f} MB"
    )
    types = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
    grown = (types - _last["types"]).most_common(12)
    shrunk = (_last["types"] - types).most_common(6)
    out.append(f"objects tracked by gc: {sum(types.values())}")
    out.append("grown: " + ", ".join(f"{name} +{n}" for name, n in grown))
    out.append("shrunk: " + ", ".join(f"{name} -{n}" for name, n in shrunk))
    _last["types"] = types
    try:
        out.extend(_caches())
    except Exception as exc:  # a bench tool: say so, never stop the server
        out.append(f"caches: not read ({type(exc).__name__}: {exc})")
    if os.environ.get("NATALITY_PROBE_HOLDER"):  # who holds an object of that type
        out.extend(_holders(os.environ["NATALITY_PROBE_HOLDER"]))
    if not tracemalloc.is_tracing() and os.environ.get("NATALITY_PROBE_TRACE"):
        tracemalloc.start(int(os.environ["NATALITY_PROBE_TRACE"]))  # from the first probe on
        _last["snapshot"] = tracemalloc.take_snapshot()
    elif tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot()
        current, _peak = tracemalloc.get_traced_memory()
        out.append(f"traced by Python: {current / 2**20:.0f} MB")
        if _last["snapshot"] is not None:  # against the first snapshot (the warm-up)
            for stat in snapshot.compare_to(_last["snapshot"], "traceback")[:12]:
                innermost = list(reversed(stat.traceback))[:8]  # the allocating line first
                frames = " <- ".join(f"{Path(fr.filename).name}:{fr.lineno}" for fr in innermost)
                out.append(f"  {stat.size_diff / 2**20:+.1f} MB ({stat.count_diff:+d} blocks) {frames}")
    with open(os.environ["NATALITY_PROBE"], "a") as f:
        f.write("\n".join(out) + "\n")


def main() -> int:
    signal.signal(signal.SIGUSR1, probe)
    from natality.ui import serve

    return serve.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
