"""The frame of a map: fit the view to the bulk of the townships, so that a far-away island
or a mis-placed exclave does not shrink the county to a dot (the parts left out are named)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go


def bulk_frame(geojson: dict[str, Any], factor: float = 4.0) -> tuple[tuple[float, float, float, float], list[str]]:
    """(minlon, minlat, maxlon, maxlat) of the bulk of the units, and the codes left outside.

    A GeoJSON shared by every session (``ui.figures.SharedGeoJSON``, never changed: it takes
    attributes) keeps its frame: each township's locator map of 2,000 townships framed the same
    layer again (~0.1 s of a first view).
    """
    memo = getattr(geojson, "__dict__", None)
    name = f"_bulk_frame_{factor!r}"
    if memo is not None and name in memo:
        bounds, outside = memo[name]
        return bounds, list(outside)
    bounds, outside = _bulk_frame(geojson, factor)
    if memo is not None:
        memo[name] = (bounds, tuple(outside))
    return bounds, outside


def _bulk_frame(geojson: dict[str, Any], factor: float) -> tuple[tuple[float, float, float, float], list[str]]:
    """``bulk_frame``, computed.

    A polygon part is left out only when all three hold: its centre is further from the median
    unit centre than `factor` times the median such distance; it lies clear of the bulk (more
    than a quarter of the bulk's size away); and all parts left out together are under 5 % of
    the area. So islands far out at sea go, while a large township at the edge always stays.
    """
    parts = []  # (code, centre x, centre y, bounds, area)
    for f in geojson["features"]:
        for rings in _polygons(f["geometry"]):
            xy = np.asarray(rings[0], dtype=float)
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            parts.append((f["id"], *(lo + hi) / 2, (*lo, *hi), _ring_area(xy)))
    if not parts:
        return (0.0, 0.0, 1.0, 1.0), []
    labels = np.array([[f["properties"]["label_lon"], f["properties"]["label_lat"]] for f in geojson["features"]])
    centre = np.nanmedian(labels, axis=0)
    kx = math.cos(math.radians(centre[1]))

    def dist(x: float, y: float) -> float:
        return math.hypot((x - centre[0]) * kx, y - centre[1])

    spread = float(np.nanmedian([dist(x, y) for x, y in labels]))
    limit = factor * spread if spread > 0 else math.inf
    near = [p for p in parts if dist(p[1], p[2]) <= limit]
    far = [p for p in parts if dist(p[1], p[2]) > limit]
    bounds = _union(p[3] for p in near)
    gap = 0.25 * max(bounds[2] - bounds[0], bounds[3] - bounds[1])
    clear = [p for p in far if not _touches(p[3], bounds, gap)]
    total = sum(p[4] for p in parts)
    if not clear or sum(p[4] for p in clear) > 0.05 * total:
        return _union(p[3] for p in parts), []
    kept = [p for p in parts if p not in clear]
    return _union(p[3] for p in kept), sorted({p[0] for p in clear})


def _union(boxes) -> tuple[float, float, float, float]:
    b = np.array(list(boxes), dtype=float)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def _touches(box, bounds, gap: float) -> bool:
    return not (
        box[0] > bounds[2] + gap or box[2] < bounds[0] - gap or box[1] > bounds[3] + gap or box[3] < bounds[1] - gap
    )


def _ring_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def frame_geos(fig: go.Figure, geojson: dict[str, Any], n_panels: int, bulk: tuple | None = None) -> list[str]:
    (x0, y0, x1, y1), outside = bulk or bulk_frame(geojson)
    pad_x, pad_y = (x1 - x0) * 0.03 or 0.01, (y1 - y0) * 0.03 or 0.01
    geo = {
        "visible": False,
        "fitbounds": False,
        "projection": {"type": "mercator"},
        "lonaxis": {"range": [x0 - pad_x, x1 + pad_x]},
        "lataxis": {"range": [y0 - pad_y, y1 + pad_y]},
        "bgcolor": "rgba(0,0,0,0)",
        "showframe": False,
    }
    fig.update_geos(**geo)
    return outside


def _polygons(geometry: dict[str, Any]) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def polygon_extent(geometry: dict[str, Any]) -> float:
    xy = np.concatenate([np.asarray(p[0], dtype=float) for p in _polygons(geometry)])
    return float((xy[:, 0].max() - xy[:, 0].min()) * (xy[:, 1].max() - xy[:, 1].min()))
