"""The on-disk extract: locating the live version, reading its manifest, publishing a new one.

An extract directory ``DIR`` is a symlink to ``DIR.versions/<version_id>/``. A new version is
written completely into a staging directory beside the live ones and made live by replacing
the symlink with ``os.replace`` (one atomic rename), so readers never see a half-written extract.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

FORMAT_VERSION = 1
TABLES = ("townships", "births", "population", "reported", "targets")
DEFAULT_DATA_DIR = "data/demo"
# The values of births.mother_age_band (null: unknown), youngest first.
AGE_BANDS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")


class ExtractError(Exception):
    """The extract is missing or unreadable; the message says which file and why."""


def default_data_dir() -> Path:
    """The extract the app reads: ``NATALITY_DATA`` or ``data/demo``."""
    return Path(os.environ.get("NATALITY_DATA") or DEFAULT_DATA_DIR)


def versions_dir(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".versions")


def data_dir_of(version_dir: str | Path) -> Path:
    """The extract directory a version belongs to (``DIR`` of ``DIR.versions/<version>``)."""
    versions = Path(version_dir).parent
    return versions.with_name(versions.name.removesuffix(".versions"))


def live_version_dir(data_dir: str | Path | None = None) -> Path:
    """The directory holding the live version's files (symlinks resolved)."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    real = path.resolve()
    if not (real / "manifest.json").is_file():
        raise ExtractError(f"{path}: no extract here (manifest.json not found)")
    return real


def read_manifest(data_dir: str | Path | None = None) -> dict:
    root = live_version_dir(data_dir)
    with open(root / "manifest.json", encoding="utf-8") as fh:
        manifest = json.load(fh)
    manifest.setdefault("version", root.name)
    return manifest


def new_version_id() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S%fZ")


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):  # files first, then their directories
        if path.is_file() or path.is_dir():
            _fsync_path(path)
    _fsync_path(root)


class ExtractLocked(ExtractError):
    """Another import into the same extract is running."""


def lock_path(out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    return out_dir.with_name(f".{out_dir.name}.lock")


@contextmanager
def import_lock(out_dir: str | Path) -> Iterator[None]:
    """Hold the extract's write lock (an flock the kernel drops when the process dies).

    Hold it around read-live -> validate -> publish, so that two imports of different tables
    cannot each start from the same live version and lose the other's change.
    """
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExtractLocked(f"{out_dir}: another import is running (lock {path.name})") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# Written into every manifest: what a version's derived/ folder is (docs/ARCHITECTURE.md).
DERIVED_NOTE = (
    "derived/: computed from this version's tables after publishing (the scorecard of every year, "
    "natality.scorecard.stored); never copied into a new version; safe to delete"
)


def publish(out_dir: str | Path, write: Callable[[Path], dict], keep: int = 3, locked: bool = False) -> Path:
    """Write a new version with ``write(staging_dir) -> manifest`` and make it live atomically.

    ``write`` fills the staging directory with the table files and returns the manifest,
    which is written last. Everything is fsynced before the one atomic switch (``os.replace``
    of the symlink); any exception, or a kill at any moment, leaves the live version untouched.
    Pass ``locked=True`` when the caller already holds ``import_lock(out_dir)``.
    """
    if not locked:
        with import_lock(out_dir):
            return publish(out_dir, write, keep, locked=True)
    out_dir = Path(out_dir)
    vdir = versions_dir(out_dir)
    vdir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    version_id = new_version_id()
    staging = vdir / f".staging-{version_id}"
    staging.mkdir()
    try:
        manifest = write(staging)
        manifest = {"format_version": FORMAT_VERSION, **manifest, "version": version_id, "derived": DERIVED_NOTE}
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_tree(staging)
        final = vdir / version_id
        os.rename(staging, final)
        _fsync_path(vdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link_tmp = out_dir.with_name(f".{out_dir.name}.link-{version_id}")
    os.symlink(os.path.relpath(final, out_dir.parent), link_tmp)
    if out_dir.exists() and not out_dir.is_symlink():
        # A plain directory (an extract made by hand): keep it as an old version. A directory
        # cannot be replaced by a symlink in one rename, so this one switch has two steps.
        os.rename(out_dir, vdir / f"v00000000-adopted-{version_id}")
    os.replace(link_tmp, out_dir)
    _fsync_path(out_dir.parent)
    _prune(vdir, final, keep)
    return final


def remove_leftovers(out_dir: Path) -> list[str]:
    """Remove what a killed import left (staging dirs, temporary links); the caller holds the lock.

    Returns the names removed, so the next import can say it recovered from an interrupted one.
    """
    vdir = versions_dir(out_dir)
    removed = []
    for stale in sorted(vdir.glob(".staging-*")) if vdir.is_dir() else []:
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale.name)
    for link in sorted(out_dir.parent.glob(f".{out_dir.name}.link-*")) if out_dir.parent.is_dir() else []:
        link.unlink(missing_ok=True)
        removed.append(link.name)
    if not out_dir.exists() and not out_dir.is_symlink() and vdir.is_dir():
        # Killed between the two steps of adopting a plain directory: put it back.
        adopted = sorted(vdir.glob("v00000000-adopted-*"))
        if adopted:
            os.symlink(os.path.relpath(adopted[-1], out_dir.parent), out_dir)
            removed.append(f"{out_dir.name} -> {adopted[-1].name} (restored)")
    return removed


def _prune(vdir: Path, live: Path, keep: int) -> None:
    """Keep the newest ``keep`` versions (the live one always), so a rollback stays possible."""
    versions = sorted(p for p in vdir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[:-keep]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)


def list_versions(out_dir: str | Path) -> list[dict]:
    """The versions kept beside an extract, oldest first: id, live, created_at, cut-off, births rows.

    A version whose manifest is missing or unreadable is listed with ``readable`` False.
    """
    out_dir = Path(out_dir)
    vdir = versions_dir(out_dir)
    live = out_dir.resolve() if out_dir.exists() else None
    rows = []
    for path in sorted(p for p in vdir.iterdir() if p.is_dir() and not p.name.startswith(".")) if vdir.is_dir() else []:
        row = {
            "version": path.name,
            "live": path.resolve() == live,
            "readable": False,
            "created_at": None,
            "cutoff_month": None,
            "births_rows": None,
        }
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            row.update(
                readable=True,
                created_at=manifest.get("created_at"),
                cutoff_month=manifest.get("cutoff_month"),
                births_rows=(manifest.get("row_counts") or {}).get("births"),
            )
        except (OSError, ValueError):
            pass
        rows.append(row)
    return rows


def switch_version(out_dir: str | Path, version: str) -> Path:
    """Make the kept version ``version`` live again, atomically and under the import lock."""
    out_dir = Path(out_dir)
    known = {row["version"]: row for row in list_versions(out_dir)}
    if version not in known:
        raise ExtractError(f"{out_dir}: no version {version[:60]!r}; kept: {', '.join(known) or 'none'}")
    if not known[version]["readable"]:
        raise ExtractError(f"{out_dir}: version {version} has no readable manifest.json")
    with import_lock(out_dir):
        target = versions_dir(out_dir) / version
        link_tmp = out_dir.with_name(f".{out_dir.name}.link-rollback-{new_version_id()}")
        os.symlink(os.path.relpath(target, out_dir.parent), link_tmp)
        os.replace(link_tmp, out_dir)
        _fsync_path(out_dir.parent)
    return target
