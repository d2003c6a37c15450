"""Cached data and layers: query results, scorecards, projections, alerts and map GeoJSON, kept per
extract version (and region and language where they differ), so a new import shows without a restart.

``st.cache_data`` for results a session may change (dicts, lists), ``st.cache_resource`` for
what no one changes and every session shares without a copy: query frames, projections, alerts
and the GeoJSON. ``warm_overview`` makes the Overview's shared parts before the first visitor asks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl

from natality.births import alerts, projection
from natality.compare import comparison, monthly
from natality.core import db, extract, once_files
from natality.core.context import Ctx
from natality.geo import layers
from natality.maps import view as map_view
from natality.scorecard import scoring
from natality.ui.figures import SharedGeoJSON, figure
from natality.ui.regions import region_names, regions
from natality.ui.version_caches import cache_data as version_cache_data
from natality.ui.version_caches import cache_resource as version_cache_resource


@version_cache_data(max_entries=8)
def manifest(version_dir: str) -> dict:
    """The version's manifest (``extract.read_manifest``), read once per version."""
    return extract.read_manifest(version_dir)


# Shared, not copied: ``st.cache_data`` unpickles a copy of the frame on every call (polars frames
# are never changed in place here), and a frame that is the same object each view lets ``ui.figure``
# remember its fingerprint instead of hashing its rows again.
@version_cache_resource(max_entries=256)
def _query(version_dir: str, name: str, params: tuple) -> pl.DataFrame:
    return db.run_query(name, version_dir, **dict(params))


def query(ctx: Ctx, name: str, **params: Any) -> pl.DataFrame:
    """``db.run_query`` cached per extract version and region: a new import shows without a restart."""
    return _query(ctx.version_dir, name, tuple(sorted(ctx.scoped(name, params).items())))


def scorecard_data(ctx: Ctx) -> scoring.ScorecardData:
    """Every year judged and scored (the Scorecard's numbers) for the session's region, ranked
    within it; kept per extract version, language and region (``scoring.region_scorecard``)."""
    return scoring.region_scorecard(ctx.version_dir, ctx.lang, ctx.region_code)


# One dict per version, region and language, shared by every session (never change it): at 2,000
# townships a dict built per view was ~250 KB (its 2,000 names new strings each time) that every
# session's selectbox kept in its widget state (bench/README, "Where a server's memory goes").
@version_cache_resource(max_entries=32)
def _township_names(version_dir: str, region: str | None, name_col: str, _ctx: Ctx) -> dict[str, str]:
    towns = query(_ctx, "township_list")
    return dict(zip(towns["township_code"].to_list(), towns[name_col].to_list(), strict=True))


def township_names(ctx: Ctx) -> dict[str, str]:
    """township_code -> display name in the session's language (ambiguous names disambiguated):
    the same dict for every session of the extract version, region and language (never change it)."""
    return _township_names(ctx.version_dir, ctx.region_code, ctx.name_col, ctx)


@version_cache_resource(max_entries=16)
def _township_geojson(version_dir: str, region: str | None = None) -> SharedGeoJSON:
    # shared, not copied per session (a province's is ~1 MB); figures know it by its fingerprint
    return SharedGeoJSON(layers.region_geojson(version_dir, region, "township"), (version_dir, region, "township"))


def township_geojson(ctx: Ctx) -> dict:
    """The region's townships' display geometry as GeoJSON, cached per extract version and
    region (never mutate it); coarser for a city or province, so 2,000 townships stay ~1 MB."""
    return _township_geojson(ctx.version_dir, ctx.region_code)


@version_cache_resource(max_entries=16)
def _county_geojson(version_dir: str, region: str | None) -> SharedGeoJSON:
    return SharedGeoJSON(layers.region_geojson(version_dir, region, "county"), (version_dir, region, "county"))


def county_geojson(ctx: Ctx) -> dict:
    """The region's counties (dissolved from their townships) as GeoJSON, cached per extract
    version and region (never mutate it)."""
    return _county_geojson(ctx.version_dir, ctx.region_code)


def map_geojson(ctx: Ctx, unit: str) -> dict:
    """The GeoJSON of a map of ``unit`` ("township" or "county") for the session's region."""
    return county_geojson(ctx) if unit == "county" else township_geojson(ctx)


@version_cache_data(max_entries=16)
def _month_changes(version_dir: str, region: str | None, lang: str, _ctx: Ctx) -> tuple[str, list[str]]:
    def build() -> tuple[str, list[str]]:
        return monthly.overview_panel(_ctx, scorecard_data(_ctx).registry, lambda name, **p: query(_ctx, name, **p))

    def read(path: Path) -> tuple[str, list[str]]:
        heading, sentences = json.loads(path.read_text(encoding="utf-8"))
        return str(heading), [str(s) for s in sentences]

    def write(made: tuple[str, list[str]], path: Path) -> None:
        path.write_text(json.dumps(list(made), ensure_ascii=False), encoding="utf-8")

    name = hashlib.blake2b(repr((region, lang)).encode(), digest_size=8).hexdigest() + ".json"
    return once_files.shared(once_files.derived_path(version_dir, "changes", name), build, write, read)


def month_changes(ctx: Ctx) -> tuple[str, list[str]]:
    """The Overview's "changes since last month" (heading, sentences), computed once per extract
    version, region and language."""
    return _month_changes(ctx.version_dir, ctx.region_code, ctx.lang, ctx)


@version_cache_resource(max_entries=32)  # a frozen dataclass of frames: shared, never copied
def _births_projection(version_dir: str, year: int, region: str | None) -> projection.Projection | None:
    try:
        return projection.projection(version_dir, year, None, region)
    except ValueError:  # a year the data cannot project (after the cut-off)
        return None


def births_projection(ctx: Ctx, year: int) -> projection.Projection | None:
    """The year-end projection of ``year`` at the cut-off for the session's region (None when the
    year cannot be projected), computed once per extract version, year and region."""
    return _births_projection(ctx.version_dir, year, ctx.region_code)


@version_cache_resource(max_entries=16)  # shared frames, never changed
def _alerts_found(version_dir: str, region: str | None) -> tuple[pl.DataFrame, float, float, int]:
    """(alerts, phi, level, township-months judged): the same in both languages, made once per
    version and region by the first process that serves it and read by the others (seconds of
    CPU at 2,000 townships; ``core/once_files``)."""

    def build() -> tuple[pl.DataFrame, float, float, int]:
        inputs = alerts.neighbours(db.run_query("data_alerts_inputs", version_dir, region=region))
        found, phi, level = alerts.compute(inputs)
        return found, phi, level, inputs.height

    name = hashlib.blake2b(repr(region).encode(), digest_size=8).hexdigest()
    return once_files.shared(once_files.derived_path(version_dir, "alerts", name), build, _write_alerts, _read_alerts)


def _write_alerts(found: tuple[pl.DataFrame, float, float, int], path: Path) -> None:
    path.mkdir()
    found[0].write_ipc(path / "alerts.arrow")
    (path / "numbers.json").write_text(json.dumps({"phi": found[1], "level": found[2], "cells": found[3]}))


def _read_alerts(path: Path) -> tuple[pl.DataFrame, float, float, int]:
    numbers = json.loads((path / "numbers.json").read_text())
    frame = pl.read_ipc(path / "alerts.arrow")
    return frame, float(numbers["phi"]), float(numbers["level"]), int(numbers["cells"])


@version_cache_resource(max_entries=16)  # shared frames, never changed
def _data_alerts(version_dir: str, lang: str, region: str | None) -> tuple[pl.DataFrame, float, float, int]:
    found, phi, level, cells = _alerts_found(version_dir, region)  # (alerts.data_alerts, once for both languages)
    found = found.with_columns(reason=pl.Series(alerts.reasons(found, lang, level), dtype=pl.String))
    return found, phi, alerts.BUDGET, cells


def data_alerts(ctx: Ctx) -> tuple[pl.DataFrame, float, float, int]:
    """(alerts with reasons, phi, the false-alert budget, township-months judged) for the session's
    region and language, once per extract version."""
    return _data_alerts(ctx.version_dir, ctx.lang, ctx.region_code)


def warm_overview(version_dir: str) -> None:
    """The Overview's shared parts for the whole extract in both languages (``ui.warm``): its
    queries, the month's changes and its map, the costliest parts of the page most leaders open first."""
    kept = manifest(version_dir)
    names = region_names(version_dir, kept).get("")
    for lang in ("zh", "en"):
        ctx = Ctx(
            lang=lang,
            data_dir=str(extract.data_dir_of(version_dir)),
            version_dir=version_dir,
            manifest=kept,
            region_code=None,
            region_names=names,
        )
        year = ctx.cutoff_year
        query(ctx, "county_period_summary", year=year, month_to=ctx.months_in(year))
        query(ctx, "county_births_by_year", township_code=None)
        query(ctx, "births_by_township_year", year=year)
        query(ctx, "township_list")
        regions(version_dir)
        month_changes(ctx)
        data_alerts(ctx)  # the changes panel names new alerts (seconds at 2,000 townships)
        if ctx.months_in(year) < 12:
            births_projection(ctx, year)  # the year-end tile
        months = ctx.months_in(year)
        figure(map_view.overview_births_map, version_dir, year, months, ctx.period(year), ctx.footnote(), lang)


# A page's shaped frames, the same for every leader who asks for the same version, region,
# language and parameters: made once and shared (never changed), not filtered again per view.


@version_cache_resource(max_entries=64)
def _compare_frames(version_dir: str, region: str | None, lang: str, year: int, base: int, months: int, _ctx: Ctx):
    now = query(_ctx, "map_township_year", year=year, last_month=months)
    before = query(_ctx, "map_township_year", year=base, last_month=months)
    scores_now = comparison.scores_of(scorecard_data(_ctx), year)  # the region's own ranks
    scores_base = comparison.scores_of(scorecard_data(_ctx), base)
    table = comparison.compare_table(now, before, months, township_names(_ctx), scores_now, scores_base)
    county = comparison.county_change(now, before, months)
    births = int(now["births"].sum()) + int(before["births"].sum())
    return births, table, county, scores_now, scores_base


def compare_frames(ctx: Ctx, year: int, base: int, months: int) -> tuple:
    """The Compare page's frames of ``year`` against ``base`` over ``months`` months: (births in
    both periods, the township table, the county's change, the scores of each year), once per
    extract version, region, language and parameters."""
    return _compare_frames(ctx.version_dir, ctx.region_code, ctx.lang, year, base, months, ctx)


@version_cache_resource(max_entries=128)
def _map_frames(
    version_dir: str, region: str | None, lang: str, unit: str, years: tuple[int, ...], indicator: str, _ctx: Ctx
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return map_view.map_frames(_ctx, lambda name, **p: query(_ctx, name, **p), unit, list(years), indicator)


def map_frames(ctx: Ctx, unit: str, years: list[int], indicator: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``map_view.map_frames`` over the cached queries, once per extract version, region,
    language, unit, years and indicator."""
    return _map_frames(ctx.version_dir, ctx.region_code, ctx.lang, unit, tuple(years), indicator, ctx)
