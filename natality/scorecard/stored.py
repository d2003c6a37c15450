"""The scorecard of a version kept on disk, so that no leader and no command pays for it twice.

The scorecard of every year with its 200-draw rank simulation is the same for everyone who
reads a version: at 2,000 townships it takes about 3 s of CPU, which a fresh server's first
visitor and every ``python -m natality query scorecard`` process used to pay. It is computed
once, right after an import or a demo build (``python -m natality import|demo``, the Data
page's upload) or by the first process that needs it, and written into the version's
``derived/`` folder: ``derived/scorecard-<key>/`` (what is the same in both languages: indicator
values, the county's values, the simulation's keys as Parquet and its ranking keys as
``ranking.npy``, every column of the verdicts and scorecard tables that is not text, and
``meta.json``) and ``derived/scorecard-<key>-<lang>/`` (those two tables' text columns, in the same
row order, and their column order): the numbers are written once, not once per language. The key is a hash of the
version's files (name, size, time), the indicator registry in force and the code and messages
that compute the scorecard, so a changed registry or a new release never reads a stale one.
The shared entry also keeps the rows the rank simulation drew from and, in ``meta.json``, the
code's and the registry's hashes: ``earlier`` finds the newest other kept version's entry of the
same code and registry, whose draws of an unchanged year a new version takes instead of drawing
them again (``uncertainty.EarlierDraws``).

``derived/`` is not part of the extract's contract (DESIGN.md): it holds nothing that cannot be
computed again from the tables, an import never copies it into a new version, each entry is
written in a temporary folder and renamed into place whole, and a version that cannot be
written to (read-only, full disk) is simply computed in memory as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

from natality.core import once_files

DERIVED = "derived"
# 2: status and card stored as their numbers (shared) and their texts (per language); 3: the rows
# the rank simulation drew from, and the code and registry in meta.json (``earlier``)
FORMAT = 3
# What the scorecard's numbers and words come from besides the extract (not the pages nor the
# figures: a release that changes only those keeps the stored scorecards and their draws).
_SOURCES = (
    *(f"natality/{p}" for p in ("scorecard/*.py", "scorecard/*.yaml", "srb/*.py", "core/db.py", "core/i18n.py")),
    "natality/core/locales/*.yaml",
    "queries/**/*.sql",
)


def code_fingerprint() -> str:
    """A hash of the code and messages the scorecard is computed with (and of queries/*.sql)."""
    return once_files.code_fingerprint(_SOURCES, f"format {FORMAT}")


def key(stamp: tuple, lang: str | None = None) -> str:
    """The entry's name for a ``scoring._stamp`` (version dir, its files, the default registry)."""
    digest = hashlib.blake2b(repr((stamp[1:], code_fingerprint())).encode(), digest_size=12)
    return f"scorecard-{digest.hexdigest()}" + (f"-{lang}" if lang else "")


def load(
    version_dir: str | Path, name: str, only: tuple[str, ...] | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, np.ndarray], dict] | None:
    """(tables, arrays, meta) of a stored entry (its tables in ``only``, all without), or None when
    there is none (or it cannot be read: then it is computed again)."""
    folder = Path(version_dir) / DERIVED / name
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        wanted = [t for t in meta["tables"] if only is None or t in only]
        tables = {t: pl.read_parquet(folder / f"{t}.parquet") for t in wanted}
        arrays = {a: np.load(folder / f"{a}.npy", allow_pickle=False) for a in meta["arrays"]}
    except (OSError, ValueError, KeyError, pl.exceptions.PolarsError):
        return None
    return tables, arrays, meta


def save(
    version_dir: str | Path, name: str, tables: dict[str, pl.DataFrame], arrays: dict[str, np.ndarray], meta: dict
) -> bool:
    """Write an entry whole (a temporary folder renamed into place); False when the version
    cannot be written to or another process wrote the same entry first."""
    derived = Path(version_dir) / DERIVED
    final = derived / name
    if final.is_dir():
        return False
    tmp = None
    try:
        derived.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=derived))
        tmp.chmod(0o755)  # readable by a server running as another user, as the tables are
        for table, frame in tables.items():
            # lz4: at 2,000 townships the verdicts' texts write in 0.08 s of CPU instead of zstd's
            # 0.12 and read in 0.014 s instead of 0.024 (a cache: its 30 % more bytes matter less)
            frame.write_parquet(tmp / f"{table}.parquet", compression="lz4")
        for array, values in arrays.items():
            np.save(tmp / f"{array}.npy", values, allow_pickle=False)
        meta = {**meta, "tables": list(tables), "arrays": list(arrays)}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.rename(tmp, final)
        return True
    except (OSError, ValueError, pl.exceptions.PolarsError):  # polars wraps a full disk in its own error
        return False
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def registry_digest(registry: object) -> str:
    """A hash of an indicator registry's contents (not of where it was read from)."""
    text = repr(dataclasses.replace(registry, source=""))  # a frozen dataclass: its repr is its contents
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def earlier(
    version_dir: str | Path, registry: str, only: tuple[str, ...]
) -> tuple[dict[str, pl.DataFrame], dict[str, np.ndarray], dict] | None:
    """The shared entry (its tables in ``only``) of the newest other kept version of the same
    extract (``DIR.versions/``) written by this code with the registry of digest ``registry``;
    None when there is none. What a caller takes from it must not depend on anything but the rows
    it compares (``uncertainty.EarlierDraws``)."""
    here = Path(version_dir)
    if not here.parent.name.endswith(".versions"):
        return None
    try:
        others = sorted((p for p in here.parent.iterdir() if p != here and not p.name.startswith(".")), reverse=True)
    except OSError:
        return None
    for version in others:
        folder = version / DERIVED
        names = sorted(p.name for p in folder.glob("scorecard-*") if p.name.count("-") == 1) if folder.is_dir() else []
        for name in names:
            try:
                meta = json.loads((folder / name / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("code") == code_fingerprint() and meta.get("registry") == registry:
                found = load(version, name, only)
                if found is not None and set(only) <= found[0].keys():
                    return found
    return None
