"""Plotly text against a width, by an estimate of each character's width (a CJK character is
square, Latin letters about 0.55 of the font size): titles broken into lines (``wrap_text``), and
the labels of a map or a scatter that clear each other at a narrow width (``thin_map_labels``,
``thin_point_labels``). Used by ``narrow`` to lay a figure out again for a phone or a portrait image.
"""

from __future__ import annotations

import math
import re

import numpy as np

from natality.core.label_places import place_labels
from natality.maps.labels import text_em

TOKEN = re.compile(r"(<[^>]*>|&#?\w+;)")
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_CLOSING = set("，。、：；！？）》」』】,.:;!?)%‰")


def wrap_text(text: str, width_px: float, size: float, bold: bool = False) -> list[str]:
    """``text`` (plotly's HTML-like markup) broken into lines no wider than ``width_px`` at font
    ``size``: between words, or between any two CJK characters; tags are kept and not counted,
    an entity (``&lt;``) counts as one character. Existing ``<br>`` breaks are kept."""
    limit = width_px / (size * (1.06 if bold else 1.0))
    lines: list[str] = []
    for paragraph in BREAK.split(text or ""):
        line, used = "", 0.0
        for piece in _pieces(paragraph):
            em = 0.0 if piece.startswith("<") else 0.6 if piece.startswith("&") else text_em(piece)
            # a word's trailing space may pass the edge; a closing mark never starts a line
            # (Chinese line-breaking rules): it may overhang
            fits = used + em - (text_em(piece) - text_em(piece.rstrip())) <= limit or piece[:1] in _CLOSING
            if not fits and used > 0 and not piece.startswith("<"):
                lines.append(line.rstrip())
                line, used = "", 0.0
                piece = piece.lstrip()
            line += piece
            used += em
        lines.append(line.rstrip())
    return lines


# A number with its date units is one piece: "2026年1-9月" is never broken before its "月"
_DATE = r"[0-9][^\s\u2e80-\uffff]*(?:[年月日][^\s\u2e80-\uffff]*)+\s*"


def _pieces(paragraph: str) -> list[str]:
    """Tags, entities, dates ("2026年1-9月"), single CJK characters and Latin words (with their
    trailing space)."""
    out: list[str] = []
    for chunk in TOKEN.split(paragraph):
        if not chunk:
            continue
        if TOKEN.fullmatch(chunk):
            out.append(chunk)
            continue
        out += re.findall(_DATE + r"|[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+", chunk)
    return out


def geo_ranges(layout: dict, geo: str) -> tuple[list | None, list | None]:
    box = layout.get(geo, {})
    return box.get("lonaxis", {}).get("range"), box.get("lataxis", {}).get("range")


def thin_map_labels(layout: dict, data: list[dict], geos: list[str], width_px: float) -> None:
    """Keep only the map labels that clear each other at this width, largest units first (the
    order the label traces already have); the rest stay in the tap label and the table."""
    lon, lat = geo_ranges(layout, geos[0])
    if not lon or not lat:
        return
    width = (width_px - 20) / len(geos)
    deg_x = (lon[1] - lon[0]) / width
    deg_y = deg_x * math.cos(math.radians((lat[0] + lat[1]) / 2))
    kept: list[tuple[float, float, float, float]] = []  # shared: dark and light labels are two traces
    for trace in data:
        texts = trace.get("text")
        if trace.get("type") != "scattergeo" or trace.get("mode") != "text" or texts is None or len(texts) < 2:
            continue
        size = trace.get("textfont", {}).get("size") or 12
        keep = []
        for x, y, text in zip(trace["lon"], trace["lat"], texts, strict=True):
            lines = BREAK.split(text or "")
            half_w = max(text_em(line) for line in lines) * size / 2 * deg_x
            half_h = len(lines) * size * 1.15 / 2 * deg_y
            keep.append(all(abs(x - kx) > half_w + kw or abs(y - ky) > half_h + kh for kx, ky, kw, kh in kept))
            if keep[-1]:
                kept.append((x, y, half_w, half_h))
        for key in ("lon", "lat", "text"):
            trace[key] = [v for v, k in zip(trace[key], keep, strict=True) if k]


def thin_point_labels(layout: dict, data: list[dict], width: float, height: float) -> None:
    """Point labels (a scatter's ``text`` mode, e.g. township names on the funnel plot) that would
    overlap at this size: the points furthest from the middle keep theirs, the others are left
    to a tap and the table. Only on the first pair of axes, with ranges set or from the data."""
    points = []  # (x, y, label, trace, index)
    for trace in data:
        texts, xs, ys = trace.get("text"), trace.get("x"), trace.get("y")
        first_axes = not trace.get("xaxis", "x")[1:] and not trace.get("yaxis", "y")[1:]
        labelled = trace.get("type") == "scatter" and "text" in (trace.get("mode") or "")
        if not (labelled and first_axes and isinstance(texts, (list, tuple)) and xs is not None and ys is not None):
            continue
        points += [
            (x, y, str(v), trace, i)
            for i, (x, y, v) in enumerate(zip(xs, ys, texts, strict=False))
            if v and _number(x) and _number(y)
        ]
    if len(points) < 2:
        return
    x0, x1 = _axis_range(layout.get("xaxis", {}), [p[0] for p in points])
    y0, y1 = _axis_range(layout.get("yaxis", {}), [p[1] for p in points])
    if x1 <= x0 or y1 <= y0:
        return
    middle = sorted(p[1] for p in points)[len(points) // 2]
    ordered = sorted(points, key=lambda p: -abs(p[1] - middle))
    # labels beside markers (the funnel's townships) take any free place around their point
    # (core.label_places); labels that are the point (a line's end) keep theirs or go
    beside = [p for p in ordered if "markers" in (p[3].get("mode") or "")]
    if beside:
        _place_beside(beside, (x0, x1), (y0, y1), width, height, middle)
    kept: list[tuple[float, float, float, float]] = []
    for x, y, label, trace, i in [p for p in ordered if "markers" not in (p[3].get("mode") or "")]:
        size = (trace.get("textfont") or {}).get("size") or 12
        px, py = (x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height
        where = trace.get("textposition") or "middle center"
        where = where[i] if isinstance(where, (list, tuple)) else where
        py += size * 0.9 * (("bottom" in where) - ("top" in where))  # drawn above or below its point
        half_w, half_h = text_em(TOKEN.sub("", label)) * size / 2, size * 0.65
        # a centred label that would run off the plot's side goes to its point's other side
        side = "left" if px + half_w > width else "right" if px - half_w < 0 else None
        if side and "center" in where.split(" ")[-1]:
            places = trace.get("textposition")
            places = list(places) if isinstance(places, (list, tuple)) else [where] * len(trace["text"])
            places[i] = where.rsplit(" ", 1)[0] + " " + side if " " in where else "middle " + side
            trace["textposition"] = places
            px += (half_w + 4) * (1 if side == "right" else -1)
        if all(abs(px - kx) > half_w + kw or abs(py - ky) > half_h + kh for kx, ky, kw, kh in kept):
            kept.append((px, py, half_w, half_h))
        else:
            trace["text"] = [*trace["text"][:i], "", *trace["text"][i + 1 :]]


def _place_beside(points: list, xs: tuple[float, float], ys: tuple[float, float], width: float, height: float,
                  middle: float) -> None:  # fmt: skip
    """Labels of ``points`` (x, y, label, trace, index; most important first) placed around their
    markers at this size, or blanked where no place is free."""
    size = max((p[3].get("textfont") or {}).get("size") or 12 for p in points)
    x = np.array([(p[0] - xs[0]) / (xs[1] - xs[0]) * width for p in points])
    y = np.array([(ys[1] - p[1]) / (ys[1] - ys[0]) * height for p in points])
    w = np.array([text_em(TOKEN.sub("", p[2])) * size + 4 for p in points])
    places = place_labels(x, y, w, size * 1.3, width, height, below=np.array([p[1] < middle for p in points]))
    for (_, _, _, trace, i), place in zip(points, places, strict=True):
        where = trace.get("textposition") or "middle center"
        where = list(where) if isinstance(where, (list, tuple)) else [where] * len(trace["text"])
        texts = list(trace["text"])
        if place is None:
            texts[i] = ""
        else:
            where[i] = place
        trace["text"], trace["textposition"] = texts, where


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _axis_range(axis: dict, values: list[float]) -> tuple[float, float]:
    """An axis's drawn range: as set, else the data's with plotly's 5 % padding (from 0 with
    ``rangemode: tozero``)."""
    if axis.get("range") and all(_number(v) for v in axis["range"]) and axis.get("type") != "log":
        return float(axis["range"][0]), float(axis["range"][1])
    low, high = min(values), max(values)
    if axis.get("rangemode") == "tozero":
        low = min(low, 0.0)
    pad = (high - low) * 0.05
    return low - pad, high + pad
