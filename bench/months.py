"""The staff's monthly import, made from the extract itself (``make load`` and the replica tests)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from natality.core import extract

ROOT = Path(__file__).resolve().parent.parent


def next_month(ym: str, k: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7]) + k
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y}-{m:02d}"


def month_births(version: Path, source_month: str, new_month: str, path: Path) -> Path:
    """An aggregated births file for ``new_month``: the counts of ``source_month`` moved there."""
    births = pl.read_parquet(version / "births.parquet")
    births = births.filter(pl.col("month").dt.strftime("%Y-%m") == source_month)
    keys = [c for c in births.columns if c not in ("month", "births")]
    counts = births.group_by(keys).agg(pl.col("births").sum()).with_columns(month=pl.lit(new_month))
    counts.select("township_code", "month", *keys[1:], "births").write_csv(path)
    return path


def live_copy(template: Path, data: Path) -> Path:
    """A copy of an extract's versions with its live link (imports into it leave the template alone)."""
    data.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(extract.versions_dir(template), extract.versions_dir(data), symlinks=True)
    data.symlink_to(Path(f"{data.name}.versions") / template.resolve().name)
    return data


def next_months(data: Path, work: Path, count: int) -> list[tuple[str, Path]]:
    """``count`` births files, each the next month after the extract's cut-off (the same month a
    year before, moved): (month, file) in the order they are to be imported."""
    version = extract.live_version_dir(data)
    cutoff = extract.read_manifest(data)["cutoff_month"]
    out = []
    for k in range(1, count + 1):
        month = next_month(cutoff, k)
        out.append((month, month_births(version, next_month(cutoff, k - 12), month, work / f"births_{month}.csv")))
    return out


def import_command(data: Path, births: Path) -> list[str]:
    """``python -m natality import`` of one month's births file (run at nice 10 by the CLI)."""
    return [
        sys.executable,
        "-m",
        "natality",
        "import",
        "--out",
        str(data),
        "--births",
        str(births),
        "--months-only",
        "--lang",
        "en",
    ]
