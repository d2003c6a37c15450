"""Township boundaries: read any county's boundary file, validate it, simplify it for display.

Geometry is read with geopandas/pyogrio (GeoJSON, TopoJSON, Shapefile, GeoPackage, GeoParquet),
made valid, dissolved by township code and reprojected to EPSG:4326. The display geometry is a
coverage simplification, so neighbouring townships keep sharing their edges.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from natality.core import literal
from natality.geo.formats import BoundaryError, read_any

OUTPUT_CRS = "EPSG:4326"
# Field names seen in Chinese boundary files (compared case-insensitively), most specific first.
CODE_FIELDS = (
    "township_code",
    "towncode",
    "town_code",
    "xzqdm",
    "xzdm",
    "xzqhdm",
    "qhdm",
    "zldwdm",
    "adcode",
    "gb",
    "code",
    "dm",
    "乡镇代码",
    "行政区划代码",
    "区划代码",
    "行政代码",
    "统计用区划代码",
    "代码",
)
NAME_FIELDS = (
    "name",
    "townname",
    "town_name",
    "township_name",
    "xzqmc",
    "xzmc",
    "xzqhmc",
    "qhmc",
    "zldwmc",
    "mc",
    "乡镇名称",
    "乡镇名",
    "行政区划名称",
    "区划名称",
    "名称",
    "乡镇",
    "街道",
    "名字",
)
PARENT_FIELDS = (
    "parent_name",
    "parent",
    "countyname",
    "county_name",
    "county",
    "pname",
    "xian",
    "qxmc",
    "所属县",
    "县名称",
    "区县名称",
    "区县",
    "县",
    "上级名称",
    "上级",
)


def read_boundaries(
    path: str | Path,
    code_field: str | None = None,
    name_field: str | None = None,
    parent_field: str | None = None,
    encoding: str | None = None,
    crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read a boundary file as township_code (str), name, parent_name, geometry (EPSG:4326).

    Geometries are made valid; several features with one code are dissolved into one unit.
    `crs` overrides (or supplies) the file's CRS; `encoding` is for Shapefiles without .cpg.
    """
    path = Path(path)
    raw = read_any(path, encoding)
    if raw.empty:
        raise BoundaryError(f"{path.name}: the file has no features; expected township polygons")
    code_col = _pick_field(raw, code_field, CODE_FIELDS, path, "township code")
    name_col = _pick_field(raw, name_field, NAME_FIELDS, path, "township name")
    parent_col = _pick_field(raw, parent_field, PARENT_FIELDS, path, "parent", required=False)
    gdf = _with_crs(raw, crs, path)
    codes = raw[code_col].map(_code_text)
    if codes.isna().any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(codes.isna().to_numpy())[:5])
        raise BoundaryError(f"{path.name}: empty township code in field '{code_col}' (feature {rows})")
    geoms = shapely.force_2d(gdf.geometry.to_numpy())  # heights (Z) mean nothing on a map
    geoms = _polygonal(shapely.make_valid(geoms, method="structure"))
    bad = codes[shapely.is_empty(geoms) | pd.isna(geoms)]
    if len(bad):
        raise BoundaryError(
            f"{path.name}: no polygon geometry for township code(s) {', '.join(bad.unique()[:5])};"
            " expected a Polygon or MultiPolygon for every township"
        )
    names = raw[name_col].astype("string").str.strip()
    control = names.str.contains(literal.NAME_CONTROL, regex=True).fillna(False).to_numpy(bool)
    too_long = (names.str.len() > literal.MAX_NAME).fillna(False).to_numpy(bool)
    if control.any() or too_long.any():
        refused = [
            (int(i) + 1, names.iloc[i], "name_control" if control[i] else "name_too_long")
            for i in np.flatnonzero(control | too_long)
        ]
        raise BoundaryNameError(path.name, name_col, refused)
    frame = gpd.GeoDataFrame(
        {
            "township_code": codes.to_numpy(),
            "name": names.to_numpy(),
            "parent_name": (raw[parent_col].map(_code_text).to_numpy() if parent_col else [None] * len(raw)),
        },
        geometry=geoms,
        crs=OUTPUT_CRS,
    )
    return _dissolve_by_code(frame)


class BoundaryNameError(BoundaryError):
    """Township names that cannot be kept (``literal.name_problem``): ``refused`` lists
    (feature number, name, problem key) for the field ``field`` of the file ``file``."""

    def __init__(self, file: str, field: str, refused: list[tuple[int, str, str]]) -> None:
        first = refused[0]
        super().__init__(
            f"{file}: {len(refused)} township name(s) in field '{field}' with control characters or "
            f"over {literal.MAX_NAME} characters (feature {first[0]}: {first[2]})"
        )
        self.file, self.field, self.refused = file, field, refused


def display_geometry(gdf: gpd.GeoDataFrame, tolerance: float | None = None) -> gpd.GeoDataFrame:
    """Simplified copy for drawing: coverage simplification keeps shared edges shared.

    The default tolerance is 1/1500 of a county map's extent (about 40 m): the whole map's when
    it is one county, else about 4.5 townships across (a county's usual width), so that a county
    drawn out of a province's extract keeps its detail; natality.geo.layers derives the coarser
    levels of a city or province map from this one.
    A coverage with small overlaps or gaps is cleaned first so that the result stays a coverage.
    """
    out = gdf.copy()
    geoms = out.geometry.to_numpy()
    if len(geoms) == 0:
        return out
    if tolerance is None:
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        county = 4.5 * float(np.sqrt(np.median(shapely.area(geoms))))
        tolerance = min(max(maxx - minx, maxy - miny), county) / 1500
    if not shapely.coverage_is_valid(geoms):
        geoms = _polygonal(shapely.coverage_clean(geoms))
    simple = _polygonal(shapely.make_valid(shapely.coverage_simplify(geoms, tolerance)))
    # a unit that collapsed (a speck smaller than the tolerance) keeps its original shape
    keep = shapely.is_empty(simple) | pd.isna(simple)
    simple[keep] = geoms[keep]
    out = out.set_geometry(gpd.GeoSeries(simple, index=out.index, crs=out.crs))
    return out


def geojson_features(gdf: gpd.GeoDataFrame, precision: int = 5, code_col: str = "township_code") -> dict[str, Any]:
    """FeatureCollection with feature id = the unit's code, rounded coordinates (5 dp ~ 1 m).

    Properties: name, name_en (when present), label_lon/label_lat (the centre of the largest
    inscribed circle, where a label fits best). A unit without a shape (an import can have
    some) cannot be drawn and is left out. Built for whole arrays at once: 2,000 townships
    take a fraction of a second.
    """
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    geoms = shapely.transform(gdf.geometry.to_numpy(), lambda xy: np.round(xy, precision))
    shapes = [json.loads(text) for text in shapely.to_geojson(geoms)]
    labels = np.round(label_points(gdf.geometry.to_numpy()), precision)
    codes = gdf[code_col].astype(str).to_list()
    names = gdf["name"].to_list() if "name" in gdf.columns else [None] * len(gdf)
    names_en = gdf["name_en"].to_list() if "name_en" in gdf.columns else [None] * len(gdf)
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {
                "name": _text_or_none(name),
                "name_en": _text_or_none(name_en),
                "label_lon": float(lon),
                "label_lat": float(lat),
            },
            "geometry": shape,
        }
        for code, name, name_en, (lon, lat), shape in zip(codes, names, names_en, labels, shapes, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def label_points(geoms: np.ndarray) -> np.ndarray:
    """(n, 2) centres of the largest inscribed circle of each unit's largest part: always inside.

    Vectorised over all units; the circle is found to 1 % of the part's size, plenty for a label.
    """
    out = np.full((len(geoms), 2), np.nan)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    if len(parts) == 0:
        return out
    area = shapely.area(parts)
    order = np.lexsort((-area, owner))  # by unit, largest part first
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    main = parts[first]
    box = shapely.bounds(main)
    size = np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    centres = shapely.get_point(shapely.maximum_inscribed_circle(main, np.maximum(size / 100, 1e-9)), 0)
    out[owner[first]] = shapely.get_coordinates(centres)
    return out


def _text_or_none(value: object) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)


def display_townships(data_dir: str | Path) -> gpd.GeoDataFrame:
    """The live extract's townships with their display geometry: township_code, name, name_en,
    geometry (EPSG:4326, sorted by code). The stored display geometry when the extract has one,
    else simplified here; a township without a shape keeps an empty geometry."""
    from natality.core.extract import live_version_dir

    path = Path(live_version_dir(data_dir)) / "townships.parquet"
    gdf = gpd.read_parquet(path)
    if "geometry_display" in gdf.columns:
        display = gdf["geometry_display"]
        if not isinstance(display, gpd.GeoSeries):  # stored as plain WKB
            display = gpd.GeoSeries.from_wkb(display, crs=gdf.crs)
        gdf = gdf.drop(columns=[gdf.geometry.name, "geometry_display"]).set_geometry(display.rename("geometry"))
    else:
        gdf = display_geometry(gdf)
    keep = [c for c in ("township_code", "name", "name_en") if c in gdf.columns]
    gdf = gdf[[*keep, gdf.geometry.name]].to_crs(OUTPUT_CRS).sort_values("township_code")
    return gdf.reset_index(drop=True)


def township_geojson(data_dir: str | Path) -> dict[str, Any]:
    """Display geometry of the live extract's townships as a GeoJSON FeatureCollection."""
    return geojson_features(display_townships(data_dir))


def geojson_size_bytes(geojson: dict[str, Any]) -> int:
    """Bytes of the GeoJSON as sent to the browser (compact JSON)."""
    return len(json.dumps(geojson, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


# --- reading -------------------------------------------------------------------------------


def _pick_field(
    gdf: gpd.GeoDataFrame,
    given: str | None,
    candidates: tuple[str, ...],
    path: Path,
    what: str,
    required: bool = True,
) -> str | None:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if given is not None:
        if given in columns:
            return given
        raise BoundaryError(f"{path.name}: no field '{given}' for the {what}; fields are {', '.join(columns)}")
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    if required:
        raise BoundaryError(
            f"{path.name}: cannot find the {what} field (expected one of "
            f"{', '.join(candidates[:8])}, ...); fields are {', '.join(map(str, columns))}."
            " Name it explicitly."
        )
    return None


def _code_text(value: object) -> str | None:
    """Codes are strings; a number that came in as int/float is written without decimals."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _with_crs(gdf: gpd.GeoDataFrame, crs: str | int | None, path: Path) -> gpd.GeoDataFrame:
    try:
        if crs is not None:
            gdf = gdf.set_crs(CRS.from_user_input(crs), allow_override=True)
    except CRSError as e:
        raise BoundaryError(f"{path.name}: unknown CRS {crs!r} ({e}); expected e.g. EPSG:4490") from e
    minx, miny, maxx, maxy = gdf.total_bounds
    lonlat_like = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    if gdf.crs is None:
        if not lonlat_like:
            raise BoundaryError(
                f"{path.name}: the file has no CRS and its coordinates are not longitude/latitude;"
                " give the CRS (e.g. EPSG:4549 for CGCS2000 / 3-degree Gauss-Kruger CM 120E)"
            )
        gdf = gdf.set_crs(OUTPUT_CRS)
    out = gdf.to_crs(OUTPUT_CRS)
    minx, miny, maxx, maxy = out.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise BoundaryError(
            f"{path.name}: coordinates fall outside the globe after reprojection from {gdf.crs};"
            " the CRS is probably wrong: give the right one"
        )
    return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts (make_valid can return lines or points beside them)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out[i] = g
            continue
        parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        parts = [q for p in parts for q in shapely.get_parts(p)]
        if not parts:
            out[i] = shapely.Polygon()
        elif len(parts) == 1:
            out[i] = parts[0]
        else:
            out[i] = shapely.MultiPolygon(parts)
    return out


def _dissolve_by_code(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Several features with one code (islands, exclaves) become one unit."""
    if frame["township_code"].is_unique:
        return frame.sort_values("township_code").reset_index(drop=True)
    first = frame.drop(columns="geometry").groupby("township_code", sort=True).first()
    geoms = frame.groupby("township_code", sort=True)["geometry"].agg(lambda s: shapely.union_all(s.to_numpy()))
    out = gpd.GeoDataFrame(first.reset_index(), geometry=_polygonal(geoms.to_numpy()), crs=frame.crs)
    return out
