"""Map layers of one extract version, built once and kept (a published version never changes).

A map of 2,000 townships must reach the browser in well under 1.5 MB, and a county's own map
must keep the detail it has today. So every version has a few levels of detail:

- ``detail``: the extract's stored display geometry (a coverage simplification at import);
- ``LEVELS`` coarser levels: that same coverage simplified again, level k to about
  ``1 / (PIXELS * 3**k)`` of the extract's extent, i.e. about a pixel of a map of the whole
  extract (k = 0), of a third of it (k = 1), and so on. Coverage simplification keeps shared
  edges shared, so neighbours never gap or overlap at any level.

A region's GeoJSON takes the coarsest level still finer than a pixel of the region's own map,
with only the region's units in it. Counties are the townships dissolved by county code (a
coverage union per county: one GEOS call over all the county's townships, no loop over
townships), simplified the same way. Every function here is cached per version: callers must
never mutate what they get.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from natality.core import once, once_files
from natality.core.db import run_query
from natality.geo.boundaries import display_townships, geojson_features

PIXELS = 900  # a map is drawn about 900 px wide (the page, and a 960 px slide)
LEVELS = 3  # coarse levels besides the stored detail: pixel of the whole, of 1/3, of 1/9
UNITS = ("township", "county")


@once.cache(maxsize=4)
def townships(version_dir: str) -> gpd.GeoDataFrame:
    """township_code, name, name_en, county_code, geometry (stored display geometry; empty where
    a township has no shape), sorted by code."""
    gdf = display_townships(version_dir)
    county = run_query("township_counties", version_dir)
    of = dict(zip(county["township_code"].to_list(), county["county_code"].to_list(), strict=True))
    gdf["county_code"] = [of.get(c, c) for c in gdf["township_code"]]
    geoms = gdf.geometry.to_numpy().copy()
    geoms[pd.isna(geoms)] = shapely.Polygon()
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def has_shape(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()


def extent(gdf: gpd.GeoDataFrame) -> float:
    """The larger side of the units' bounding box, in degrees (0 when none has a shape)."""
    shaped = gdf.geometry.to_numpy()[has_shape(gdf)]
    if len(shaped) == 0:
        return 0.0
    minx, miny, maxx, maxy = shapely.total_bounds(shaped)
    return float(max(maxx - minx, (maxy - miny)))


def tolerance(version_dir: str, level: int) -> float:
    """Simplification tolerance (degrees) of a coarse level: a pixel of the extract / 3**level."""
    return extent(townships(version_dir)) / PIXELS / 3**level


@once.cache(maxsize=16)
def township_level(version_dir: str, level: int | None) -> gpd.GeoDataFrame:
    """The townships at a level of detail (None: the stored detail)."""
    gdf = townships(version_dir)
    if level is None:
        return gdf
    return _simplified(gdf, tolerance(version_dir, level))


@once.cache(maxsize=4)
def counties(version_dir: str) -> gpd.GeoDataFrame:
    """county_code, name, name_en, townships (with a shape), geometry: the townships' stored
    display geometry dissolved per county, sorted by code."""
    gdf = townships(version_dir)
    shaped = gdf[has_shape(gdf)]
    # A clean coverage unions edge by edge (fast and exact); anything else by overlay.
    method = "coverage" if shapely.coverage_is_valid(shaped.geometry.to_numpy()) else "unary"
    out = shaped[["county_code", "geometry"]].dissolve("county_code", method=method, sort=True)
    out["townships"] = shaped.groupby("county_code").size()
    out = out.reset_index()
    names = run_query("regions", version_dir)
    zh = dict(zip(names["region_code"].to_list(), names["name"].to_list(), strict=True))
    en = dict(zip(names["region_code"].to_list(), names["name_en"].to_list(), strict=True))
    # a township that stands for itself (no county in its code) keeps its own names
    own = gdf.set_index("township_code")
    own_en = own["name_en"] if "name_en" in own.columns else own["name"]
    out["name"] = [zh.get(c) or (own["name"].get(c) or c) for c in out["county_code"]]
    out["name_en"] = [en.get(c) or own_en.get(c) or own["name"].get(c) or c for c in out["county_code"]]
    return out[["county_code", "name", "name_en", "townships", "geometry"]]


@once.cache(maxsize=16)
def county_level(version_dir: str, level: int | None) -> gpd.GeoDataFrame:
    gdf = counties(version_dir)
    if level is None:
        return gdf
    return _simplified(gdf, tolerance(version_dir, level))


def region_townships(version_dir: str, region: str | None) -> list[str]:
    """Codes of the townships of ``region`` (None: all of the extract)."""
    return run_query("township_list", version_dir, region=region)["township_code"].to_list()


SMALL = 60  # a county-size map (this many townships or fewer, one county) keeps full detail


def level_for(version_dir: str, codes: list[str]) -> int | None:
    """The level of detail for a map of these townships: full detail (None) for one county of
    up to SMALL townships, else the coarsest level whose tolerance stays under a pixel."""
    gdf = townships(version_dir)
    part = gdf[gdf["township_code"].isin(codes)]
    if len(part) <= SMALL and part["county_code"].nunique() <= 1:
        return None
    pixel = extent(part) / PIXELS
    for level in range(LEVELS):
        if 0 < tolerance(version_dir, level) <= pixel:
            return level
    return None


@once.cache(maxsize=32)
def region_geojson(version_dir: str, region: str | None, unit: str = "township") -> dict[str, Any]:
    """GeoJSON of the region's townships (unit="township") or of its counties ("county").

    Feature ids are township or county codes; a county appears when any of its townships lies
    in the region. Coordinates are rounded to 5 decimals at full detail, 4 (about 10 m, under
    a tenth of a pixel) at the coarse levels.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown map unit {unit!r}; expected one of {UNITS}")
    # Made by the first process serving the version (the warm process, ``ui/warm_process``) and
    # read as JSON by the others: a replica dissolves and simplifies no layer of its own.
    build = functools.partial(_region_geojson, version_dir, region, unit)
    return once_files.kept(version_dir, "geojson", once_files.name_of((region, unit)), build, _GEOJSON)


def _collection(made: Any) -> dict[str, Any]:
    if not isinstance(made, dict) or made.get("type") != "FeatureCollection":
        raise ValueError("no FeatureCollection")
    return made


_GEOJSON = once_files.JSON.then(_collection)


def _region_geojson(version_dir: str, region: str | None, unit: str) -> dict[str, Any]:
    codes = region_townships(version_dir, region)
    level = level_for(version_dir, codes)
    precision = 5 if level is None else 4
    if unit == "township":
        gdf = township_level(version_dir, level)
        return geojson_features(gdf[gdf["township_code"].isin(codes)], precision)
    wanted = set(townships(version_dir).set_index("township_code").loc[codes, "county_code"]) if codes else set()
    gdf = county_level(version_dir, level)
    return geojson_features(gdf[gdf["county_code"].isin(wanted)], precision, code_col="county_code")


def county_count(version_dir: str, region: str | None) -> int:
    """How many counties the region's townships lie in (a township whose code names no county
    stands for itself on a county map, but is no county)."""
    return region_counts(version_dir, region)[0]


def shaped_count(version_dir: str, region: str | None) -> tuple[int, int]:
    """(townships of the region, those of them with a shape)."""
    _counties, codes, shaped = region_counts(version_dir, region)
    return codes, shaped


@once.cache(maxsize=32)
def region_counts(version_dir: str, region: str | None) -> tuple[int, int, int]:
    """(counties, townships, townships with a shape) of the region: stored beside its GeoJSON, so
    a replica that reads the layers never loads the boundary file for them."""

    def build() -> tuple[int, int, int]:
        codes = region_townships(version_dir, region)
        gdf = townships(version_dir)
        part = gdf[gdf["township_code"].isin(codes)]
        counties = int(part.loc[part["county_code"] != part["township_code"], "county_code"].nunique())
        return counties, len(codes), int(has_shape(part).sum())

    def three(made: Any) -> tuple[int, int, int]:
        counties, codes, shaped = (int(n) for n in made)
        return counties, codes, shaped

    name = once_files.name_of((region, "counts"))
    return once_files.kept(version_dir, "geojson", name, build, once_files.JSON.then(three))


def _simplified(gdf: gpd.GeoDataFrame, tol: float) -> gpd.GeoDataFrame:
    """Coverage simplification of the units with a shape (shared edges stay shared); a unit
    that would collapse, or a set that is no clean coverage, falls back to simplifying each
    unit on its own with its topology preserved."""
    out = gdf.copy()
    mask = has_shape(gdf)
    geoms = gdf.geometry.to_numpy()[mask]
    if len(geoms) == 0 or not math.isfinite(tol) or tol <= 0:
        return out
    if shapely.coverage_is_valid(geoms):
        simple = shapely.coverage_simplify(geoms, tol)
    else:
        simple = shapely.simplify(geoms, tol, preserve_topology=True)
    lost = shapely.is_empty(simple) | pd.isna(simple) | ~shapely.is_valid(simple)
    simple[lost] = geoms[lost]
    values = out.geometry.to_numpy().copy()
    values[mask] = simple
    return out.set_geometry(gpd.GeoSeries(values, index=out.index, crs=out.crs))
