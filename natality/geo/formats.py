"""Opening a boundary file of any supported kind as a GeoDataFrame, before validation.

GeoJSON, TopoJSON (GDAL's driver, one layer per object), Shapefile (also zipped, also without a
.cpg encoding file), GeoPackage and GeoParquet.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import pyogrio

OUTPUT_CRS = "EPSG:4326"
_ENCODINGS = ("UTF-8", "GB18030")
_SUFFIXES = ".geojson .json .topojson .shp .zip .gpkg .parquet .geoparquet"


class BoundaryError(ValueError):
    """A boundary file cannot be used; the message names the file and what was expected."""


def read_any(path: Path, encoding: str | None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise BoundaryError(f"{path}: file not found; expected a boundary file ({_SUFFIXES})")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".geoparquet"):
            return _read_geoparquet(path)
        if suffix == ".shp" and encoding is None and not path.with_suffix(".cpg").exists():
            encoding = _guess_dbf_encoding(
                path.with_suffix(".dbf").read_bytes() if path.with_suffix(".dbf").exists() else b""
            )
        if suffix == ".zip" and encoding is None:
            encoding = _zipped_dbf_encoding(path)
        if suffix in (".json", ".geojson", ".topojson") and _is_topojson(path):
            return _read_topojson(path)
        return gpd.read_file(path, engine="pyogrio", encoding=encoding)
    except BoundaryError:
        raise
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        ValueError,
        OSError,
        zipfile.BadZipFile,
    ) as e:
        raise BoundaryError(
            f"{path.name}: cannot read as a boundary file ({e}); expected GeoJSON, TopoJSON,"
            " Shapefile (.shp with .dbf/.shx), GeoPackage or GeoParquet"
        ) from e


def _read_geoparquet(path: Path) -> gpd.GeoDataFrame:
    """GeoParquet without its secondary geometry columns (an extract's display geometry): only the
    primary one is read, so only it is decoded into shapes."""
    schema = pq.read_schema(path)
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
    others = set(geo.get("columns", {})) - {geo.get("primary_column")}
    return gpd.read_parquet(path, columns=[c for c in schema.names if c not in others] if others else None)


def _is_topojson(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(4096).decode("utf-8", errors="ignore")
    return '"Topology"' in head.replace(" ", "")


def _read_topojson(path: Path) -> gpd.GeoDataFrame:
    """GDAL's TopoJSON driver gives one layer per object; take the one with the most polygons."""
    layers = [name for name, _ in pyogrio.list_layers(path)]
    frames = [gpd.read_file(path, engine="pyogrio", layer=name) for name in layers]
    frames = [f for f in frames if len(f) and f.geom_type.str.contains("Polygon").any()]
    if not frames:
        raise BoundaryError(f"{path.name}: the TopoJSON has no polygon object; expected townships")
    best = max(frames, key=len)
    return best.set_crs(best.crs or OUTPUT_CRS, allow_override=True)


def _zipped_dbf_encoding(path: Path) -> str | None:
    """A zipped Shapefile without .cpg gets the same guess as an unzipped one."""
    with zipfile.ZipFile(path) as zf:
        names = [n.lower() for n in zf.namelist()]
        dbfs = [n for n in zf.namelist() if n.lower().endswith(".dbf")]
        if not dbfs or any(n.endswith(".cpg") for n in names):
            return None
        return _guess_dbf_encoding(zf.read(dbfs[0]))


def _guess_dbf_encoding(data: bytes) -> str:
    """A .dbf without .cpg: UTF-8 if its records decode as UTF-8, else GB18030 (Chinese GIS)."""
    if not data:
        return "UTF-8"
    header_len = int.from_bytes(data[8:10], "little") if len(data) >= 10 else 0
    body = data[header_len:]
    for enc in _ENCODINGS:
        try:
            body.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "GB18030"
