"""The write step of an import: fill the staging directory of a new version, make its manifest.

Tables this import did not bring are copied from the live version, so importing next year's
targets keeps births, townships and the rest exactly as they were.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from natality.core import extract
from natality.importing.townships import finish_townships, townships_from_codes
from natality.importing.validate_births import BirthsInput
from natality.importing.validate_tables import TableInput

if TYPE_CHECKING:
    import geopandas as gpd

OPTIONAL_TABLES = ("regions", "crosswalk")  # tables an extract may have (older ones have none)


@dataclass(frozen=True)
class Checked:
    """Everything an import read and checked, for the write step."""

    births: BirthsInput | None
    tables: Mapping[str, TableInput]  # population, targets, reported
    shapes: gpd.GeoDataFrame | None  # the boundary file's townships
    files: tuple[dict, ...]  # per input file: table, file, path, encoding, sheet, personal, ignored
    region: str  # the extract's county (or wider) code
    regions: TableInput | None = None  # names of counties, cities, provinces
    crosswalk: pl.DataFrame | None = None
    mapped: frozenset[str] = frozenset()  # old codes the crosswalk maps onto today's townships
    live_manifest: Mapping | None = None  # the live version's manifest, as read before the checks
    digests: Mapping[str, str] = field(default_factory=dict)  # input path -> SHA-256, as the import log has it


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_version(req, live: Path | None, state: Checked, staging: Path) -> dict:
    """Fill the staging directory: new tables written, the others copied from the live version."""
    births, tables, shapes = state.births, state.tables, state.shapes
    manifest = dict(state.live_manifest) if state.live_manifest is not None else {}
    if live is not None and state.live_manifest is None:
        manifest = extract.read_manifest(live)
    written: set[str] = set()
    births_frame = None
    if births is not None:
        births_frame = births.frame
        if req.months_only and live is not None and (live / "births.parquet").is_file():
            old = pl.read_parquet(live / "births.parquet")
            months = births_frame["month"].unique().implode()
            births_frame = pl.concat([old.filter(~pl.col("month").is_in(months)), births_frame], how="vertical_relaxed")
            # one thread: 45,000 rows sort in 2 ms, and a second thread only waits for a busy core
            births_frame = births_frame.sort(
                "township_code", "month", "sex", "birth_order", nulls_last=True, multithreaded=False
            )
        births_frame.write_parquet(staging / "births.parquet")
        written.add("births")
    if shapes is not None or live is None:
        towns = _townships(shapes, births, births_frame, live, state.mapped)
        finish_townships(towns, state.region).to_parquet(staging / "townships.parquet", index=False)
        written.add("townships")
    for table, result in tables.items():
        _by_year(result.frame, live, table).write_parquet(staging / f"{table}.parquet")
        written.add(table)
    if state.crosswalk is not None:  # replaces the live one whole: it is one consistent history
        state.crosswalk.write_parquet(staging / "crosswalk.parquet")
        written.add("crosswalk")
    if state.regions is not None:
        _regions(state.regions.frame, live).write_parquet(staging / "regions.parquet")
        written.add("regions")
    if live is not None:
        for item in live.iterdir():
            if item.is_file() and item.name != "manifest.json" and item.stem not in written:
                shutil.copy2(item, staging / item.name)
    return _manifest(req, manifest, state, written, staging, births_frame)


def _manifest(
    req, old: dict, state: Checked, written: set[str], staging: Path, births: pl.DataFrame | None = None
) -> dict:
    """The new manifest: the live one's facts, updated for what this import replaced. A table
    copied from the live version keeps the live manifest's count (the same file), the births
    written (``births``) are counted where they lie: only a table without a count is read."""
    manifest = {k: v for k, v in old.items() if k not in ("version", "format_version")}
    if "births" in written or "townships" in written:
        manifest["synthetic"] = False
        manifest.pop("demo_hotspots", None)
        manifest.pop("demo_seed", None)

    def carried(entry: object) -> bool:  # an entry about a table this import keeps
        table = entry.get("table") if isinstance(entry, dict) else None
        return table not in written or (table == "births" and req.months_only)

    sources = [s for s in manifest.get("source_files", []) if carried(s)]
    personal = [p for p in manifest.get("dropped_personal_columns", []) if carried(p)]
    for info in state.files:
        digest = state.digests.get(str(info["path"])) or _sha256(info["path"])
        sources.append({"table": info["table"], "path": info["file"], "sha256": digest})
        personal += [{"table": info["table"], "file": info["file"], "column": c} for c in info["personal"]]
    if req.boundaries is not None:
        digest = state.digests.get(str(req.boundaries)) or _sha256(req.boundaries)
        sources.append({"table": "townships", "path": req.boundaries.name, "sha256": digest})
    counts, counted = {}, old.get("row_counts") or {}
    for table in (*extract.TABLES, *OPTIONAL_TABLES):
        path = staging / f"{table}.parquet"
        if not path.is_file():
            continue
        if table == "births" and births is not None:
            counts[table] = births.height
        elif table not in written and isinstance(counted.get(table), int):
            counts[table] = counted[table]
        else:
            counts[table] = pl.scan_parquet(path).select(pl.len()).collect().item()
    cutoff = manifest.get("cutoff_month")
    if (staging / "births.parquet").is_file():
        if births is None:
            births = pl.scan_parquet(staging / "births.parquet").select("month").collect()
        last = births["month"].max()
        cutoff = last.strftime("%Y-%m") if last is not None else cutoff
    shapeless = old.get("townships_without_shape")
    if "townships" in written or not isinstance(shapeless, list):
        shapeless = _shapeless(staging / "townships.parquet")
    manifest.update(
        region_name=req.name or manifest.get("region_name") or state.region,
        region_name_en=manifest.get("region_name_en") or req.name or state.region,
        region_code=state.region,
        synthetic=manifest.get("synthetic", False),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        cutoff_month=cutoff,
        population_basis=manifest.get("population_basis", "mean"),
        source_files=sources,
        row_counts=counts,
        dropped_personal_columns=personal,
        imported_tables=sorted(written),
        townships_without_shape=shapeless,
    )
    return manifest


def _regions(frame: pl.DataFrame, live: Path | None) -> pl.DataFrame:
    """Region names: the codes in the file get its names; other codes of the live version stay."""
    old_path = live / "regions.parquet" if live is not None else None
    if old_path is None or not old_path.is_file():
        return frame
    old = pl.read_parquet(old_path)
    old = old.select(
        [(pl.col(c) if c in old.columns else pl.lit(None)).cast(t).alias(c) for c, t in frame.schema.items()]
    )
    kept = old.filter(~pl.col("region_code").is_in(frame["region_code"].implode()))
    return pl.concat([kept, frame]).sort("region_code")


def _by_year(frame: pl.DataFrame, live: Path | None, table: str) -> pl.DataFrame:
    """Population, targets, reported: the years in the file replace those years; others stay.

    Next year's targets arrive alone; replacing the whole table would drop every past year's.
    """
    old_path = live / f"{table}.parquet" if live is not None else None
    if old_path is None or not old_path.is_file():
        return frame
    old = pl.read_parquet(old_path)
    years = frame["year"].unique().implode()
    keys = [c for c in ("township_code", "year", "indicator") if c in frame.columns]
    kept = old.filter(~pl.col("year").is_in(years)).select(frame.columns).cast(frame.schema)
    return pl.concat([kept, frame]).sort(keys)


def _townships(
    shapes, births, births_frame: pl.DataFrame | None, live: Path | None, mapped: set[str] = frozenset()
) -> gpd.GeoDataFrame:
    """The boundary file's townships (or, without one, the births' codes), plus a shapeless row
    for every code that has births but no shape, so that its births count in every table (not
    for the old codes of the crosswalk, ``mapped``: their births count under today's codes)."""
    import geopandas as gpd  # only here: an import into a live extract without boundaries starts without it
    import pandas as pd

    names = dict(births.names) if births is not None else {}
    if births_frame is None and live is not None and (live / "births.parquet").is_file():
        births_frame = pl.read_parquet(live / "births.parquet", columns=["township_code"])
    if live is not None and (live / "townships.parquet").is_file():
        old = pl.read_parquet(live / "townships.parquet", columns=["township_code", "name"])
        names = {**dict(old.iter_rows()), **names}
    birth_codes = set(births_frame["township_code"].unique()) - mapped if births_frame is not None else set()
    base = shapes if shapes is not None else townships_from_codes(names, sorted(birth_codes))
    missing = sorted(birth_codes - set(base["township_code"]))
    if not missing:
        return base
    extra = townships_from_codes(names, missing)
    return gpd.GeoDataFrame(pd.concat([base, extra], ignore_index=True), geometry="geometry", crs="EPSG:4326")


def _shapeless(path: Path) -> list[str]:
    """Codes of townships without a boundary shape (the map says how many)."""
    if not path.is_file():
        return []
    frame = pl.read_parquet(path, columns=["township_code", "geometry"])
    return frame.filter(pl.col("geometry").is_null())["township_code"].to_list()
