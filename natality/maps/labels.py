"""Township names on a map: readable on a slide, never piled on top of each other.

Dark text with a white halo on light fills and white text with a dark halo on dark ones; the
largest townships are labelled first and a label that would overlap one already placed is left
to the hover. Sizes are estimated for a 960 x 540 slide, the size of the PNG export.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import polars as pl

from natality.core.literal import plot, plot_series
from natality.core.short_names import short_names
from natality.core.theme import FONT_FAMILY
from natality.maps.frame import bulk_frame, polygon_extent

LABEL_SHADOW = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff"  # a halo keeps labels legible
DARK_SHADOW = "0 0 2px #000, 0 0 3px #000"
MAX_LABELS = 60  # beyond this only the largest units get a label (a province-size map)


def label_traces(
    geojson, codes, values, fill, label_mode, value_format: str, lang, panels=1, bulk=None, plot_height=370
) -> list[go.Scattergeo]:
    """Dark text with a white halo on light fills, white text with a dark halo on dark fills.

    bulk: ``frame.bulk_frame(geojson)`` when the caller has it already (it costs a pass over
    every vertex, which shows at 2,000 townships); plot_height: px the map is drawn in (a taller
    map has room for more names)."""
    if label_mode == "none":
        return []
    by_code = {f["id"]: f for f in geojson["features"]}
    size = (13 if len(codes) <= 30 else 11 if len(codes) <= 60 else 9) - (2 if panels > 1 else 0)
    size -= 1 if lang == "en" else 0  # Latin names are longer than their Chinese originals
    label = {}
    for c, name in zip(codes, short_unit_names([by_code[c] for c in codes], lang), strict=True):
        # English names wrap before their last word ("Zhangzhuang<br>Township") to stay narrow
        head, _, tail = name.rpartition(" ")
        name = f"{head}<br>{tail}" if lang == "en" and head else name
        v = values.get(c)
        if label_mode == "name_value" and v is not None and not isinstance(v, bool):
            name = f"{name}<br>{format(v, value_format)}"
        label[c] = name
    extent = {c: polygon_extent(by_code[c]["geometry"]) for c in codes}
    # largest units first; a label that would overlap one already placed is left to the hover
    ordered = sorted(codes, key=lambda c: -extent[c])
    bulk = bulk or bulk_frame(geojson)
    chosen = _non_overlapping(ordered, by_code, label, size, lang, 700 / panels, bulk, plot_height)[:MAX_LABELS]
    traces = []
    for dark_fill in (False, True):
        picked = [c for c in chosen if _is_dark(fill[c]) == dark_fill]
        font = {"family": FONT_FAMILY, "size": size}
        font |= (
            {"color": "#ffffff", "shadow": DARK_SHADOW} if dark_fill else {"color": "#102a43", "shadow": LABEL_SHADOW}
        )
        traces.append(
            go.Scattergeo(
                lon=[by_code[c]["properties"]["label_lon"] for c in picked],
                lat=[by_code[c]["properties"]["label_lat"] for c in picked],
                mode="text",
                text=[label[c] for c in picked],
                textfont=font,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def _non_overlapping(
    codes: list[str],
    by_code: dict,
    label: dict[str, str],
    size: int,
    lang: str,
    width_px: float,
    bulk: tuple,
    height_px: float = 370,
) -> list[str]:
    """Greedy label placement: keep a label only if its box (estimated from the text length and
    the font size on a slide-size map of about `width_px` x 380 px) clears every label kept before.
    Units outside the frame (far islands) get no label."""
    (x0, y0, x1, y1), outside = bulk
    codes = [c for c in codes if c not in outside]
    # the map fits a width_px x 370 px box (a 960 x 540 slide less title and footnote), Mercator
    cos_lat = math.cos(math.radians((y0 + y1) / 2))
    deg_x = max((x1 - x0 or 1.0) / width_px, (y1 - y0 or 1.0) / height_px / cos_lat)  # lon degrees per px
    deg_y = deg_x * cos_lat
    kept: list[tuple[float, float, float, float]] = []
    out = []
    for c in codes:
        x, y = by_code[c]["properties"]["label_lon"], by_code[c]["properties"]["label_lat"]
        lines = label[c].split("<br>")
        half_w = max(map(text_em, lines)) * size / 2 * deg_x
        half_h = len(lines) * size * 1.15 / 2 * deg_y
        if all(abs(x - kx) > half_w + kw or abs(y - ky) > half_h + kh for kx, ky, kw, kh in kept):
            kept.append((x, y, half_w, half_h))
            out.append(c)
    return out


def text_em(text: str) -> float:
    """Width of a line in font-size units: a CJK character is square, Latin and digits ~0.55."""
    return sum(0.95 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


def _is_dark(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45


def unit_name(feature: dict[str, Any], lang: str) -> str:
    """The unit's name as plotly text (escaped: labels, hovers and footnotes of map figures)."""
    return plot(_raw_name(feature, lang))


def short_unit_names(features: list[dict[str, Any]], lang: str) -> list[str]:
    """The units' names shortened for a label on the map (``short_names.short_names``: the
    generic suffix dropped first, then cut, since a 100-character name would cover its
    neighbours; the hover keeps it whole), as plotly text. The place tells two units apart, so a
    shortened name gets no code."""
    raw = pl.Series([_raw_name(f, lang) for f in features], dtype=pl.String)
    return plot_series(short_names(raw)).to_list()


def _raw_name(feature: dict[str, Any], lang: str) -> str:
    props = feature["properties"]
    return str((props.get("name_en") if lang == "en" else None) or props.get("name") or feature["id"])
