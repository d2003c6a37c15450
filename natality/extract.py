"""The on-disk extract: locating the live version, reading its manifest, publishing a new one.

An extract directory ``DIR`` is a symlink to ``DIR.versions/<version_id>/``. A new version is
written completely into a staging directory beside the live ones and made live by replacing
the symlink with ``os.replace`` (one atomic rename), so readers never see a half-written extract.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

FORMAT_VERSION = 1
TABLES = ("townships", "births", "population", "reported", "targets")
DEFAULT_DATA_DIR = "data/demo"


class ExtractError(Exception):
    """The extract is missing or unreadable; the message says which file and why."""


def default_data_dir() -> Path:
    """The extract the app reads: ``NATALITY_DATA`` or ``data/demo``."""
    return Path(os.environ.get("NATALITY_DATA") or DEFAULT_DATA_DIR)


def versions_dir(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".versions")


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
    return datetime.now(timezone.utc).strftime("v%Y%m%dT%H%M%S%fZ")


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(out_dir: str | Path, write: Callable[[Path], dict], keep: int = 3) -> Path:
    """Write a new version with ``write(staging_dir) -> manifest`` and make it live atomically.

    ``write`` fills the staging directory with the table files and returns the manifest,
    which is written last. Any exception leaves the live version untouched.
    """
    out_dir = Path(out_dir)
    vdir = versions_dir(out_dir)
    vdir.mkdir(parents=True, exist_ok=True)
    version_id = new_version_id()
    staging = vdir / f".staging-{version_id}"
    staging.mkdir()
    try:
        manifest = write(staging)
        manifest = {"format_version": FORMAT_VERSION, **manifest, "version": version_id}
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        _fsync_tree(staging)
        final = vdir / version_id
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out_dir.exists() and not out_dir.is_symlink():
        # A plain directory (an extract made by hand): keep it as an old version.
        os.rename(out_dir, vdir / f"v00000000-adopted-{version_id}")
    link_tmp = out_dir.with_name(f".{out_dir.name}.link-{version_id}")
    os.symlink(os.path.relpath(final, out_dir.parent), link_tmp)
    os.replace(link_tmp, out_dir)
    _prune(vdir, final, keep)
    return final


def _prune(vdir: Path, live: Path, keep: int) -> None:
    versions = sorted(p for p in vdir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[:-keep]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
