"""The import log: one JSON line per import, upload attempt or rollback, appended beside the extract.

``DIR.import-log.jsonl`` sits next to the extract ``DIR`` (never inside a version, so it outlives
every import and rollback). Lines are only ever appended (``O_APPEND``, one ``write`` per line,
fsynced), so two writers cannot interleave a line and nothing rewrites the past. Each line says
who (the login name where one is configured, else the browser session's id, or ``cli:USER``),
when, from where (``cli`` or ``page``), which files (name, bytes, SHA-256), what happened
(``ok``, ``failed``, ``locked``, ``refused``, ``rollback``) and the first line of the message.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

RESULTS = ("ok", "failed", "locked", "refused", "rollback")
COLUMNS = ("time", "who", "source", "result", "version", "files", "message")


def log_path(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    return out_dir.with_name(f"{out_dir.name}.import-log.jsonl")


def cli_user() -> str:
    """``cli:<login name>`` of the person running the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"cli:uid{os.getuid()}"


def file_facts(path: Path, shown_name: str | None = None) -> dict:
    """Name (as the user gave it), size and SHA-256 of one input file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"name": shown_name or path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def append(
    out_dir: str | Path,
    *,
    who: str,
    source: str,
    result: str,
    files: list[dict] | None = None,
    version: str | None = None,
    message: str = "",
) -> dict:
    """Append one entry; returns it. A log that cannot be written never fails the import itself."""
    if result not in RESULTS:
        raise ValueError(f"result must be one of {RESULTS}, got {result!r}")
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who,
        "source": source,
        "result": result,
        "version": version,
        "files": files or [],
        "message": message.strip().splitlines()[0][:300] if message.strip() else "",
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # e.g. a read-only data folder: the import's own message says so
    return entry


def read(out_dir: str | Path, limit: int = 200) -> pl.DataFrame:
    """The newest ``limit`` entries, newest first; files as one 'name (bytes)' text per entry.

    A damaged line (a disk that filled mid-write) is skipped, never fatal.
    """
    path = log_path(out_dir)
    rows = []
    if path.is_file():
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.readlines()
        for line in reversed(lines):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            files = entry.get("files") or []
            entry["files"] = ", ".join(
                f"{f.get('name')} ({f.get('bytes', 0):,} B)" for f in files if isinstance(f, dict)
            )
            rows.append({c: None if entry.get(c) is None else str(entry.get(c)) for c in COLUMNS})
            if len(rows) >= limit:
                break
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
