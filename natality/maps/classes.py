"""Classifying township values for a choropleth: breaks, class of each value, class colours.

Maps use a handful of classes, not a continuous scale: a leader reads "which of five bands"
far more reliably than a shade, and the legend can count the townships in each band.
"""

from __future__ import annotations

from collections.abc import Sequence

import jenkspy
import numpy as np

METHODS = ("quantiles", "equal", "natural", "target")
# ColorBrewer YlOrRd / Blues / RdBu: print well and survive greyscale photocopies.
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026", "#800026", "#4d0013")
NEGATIVE = ("#08519c", "#3182bd", "#6baed6", "#bdd7e7")  # darkest furthest below zero
POSITIVE = ("#fcae91", "#fb6a4a", "#de2d26", "#a50f15")  # darkest furthest above zero
TARGET = {"met": "#2c7bb6", "missed": "#d7191c"}
NO_DATA = "#ffffff"
TOO_FEW = "#d9d9d9"


def class_breaks(values: Sequence[float | None], method: str, k: int = 5) -> list[float]:
    """k + 1 ascending edges from min to max (fewer when there are few distinct values).

    quantiles: equal counts per class; equal: equal widths; natural: Fisher-Jenks optimal
    breaks (the least within-class variance), computed exactly by ``jenkspy`` (in C: 2,000
    townships in a fraction of the time numpy's dynamic programming took).
    """
    if method not in METHODS or method == "target":
        raise ValueError(f"unknown classification {method!r}; expected one of {METHODS[:3]}")
    x = np.sort(np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float))
    if x.size == 0:
        return []
    distinct = np.unique(x)
    if distinct.size == 1:
        return [float(x[0]), float(x[0])]
    if method == "equal":
        return [float(e) for e in np.linspace(x[0], x[-1], max(1, k) + 1)]
    k = max(1, min(k, distinct.size))
    if method == "quantiles":
        edges = np.quantile(x, np.linspace(0, 1, k + 1))
    else:
        edges = np.array(jenkspy.jenks_breaks(x, n_classes=k))
    return [float(e) for e in np.unique(edges)]


def assign_classes(values: Sequence[float | None], breaks: Sequence[float]) -> list[int | None]:
    """Class index per value: class i holds (breaks[i], breaks[i+1]], the first includes its
    lower edge. None for a missing value."""
    if len(breaks) < 2:
        return [None if v is None else 0 for v in values]
    inner = np.asarray(breaks[1:-1], dtype=float)
    out: list[int | None] = []
    for v in values:
        if v is None or not np.isfinite(v):
            out.append(None)
        else:
            out.append(int(np.searchsorted(inner, v, side="left")))
    return out


def class_colours(breaks: Sequence[float], diverging: bool = False) -> list[str]:
    """One colour per class. Diverging: blues below zero, reds above, so the sign is visible."""
    if len(breaks) < 2:
        return []  # nothing to classify (no value at all): no class, no colour
    n = len(breaks) - 1
    if not diverging:
        if n <= 5:
            return list(SEQUENTIAL[:5] if n == 5 else SEQUENTIAL[1 : 1 + n])
        return list(SEQUENTIAL[:n])
    lows = [b for b in breaks[:-1]]
    highs = [b for b in breaks[1:]]
    below = [i for i in range(n) if highs[i] <= 0]
    above = [i for i in range(n) if lows[i] >= 0]
    colours = ["#f7f7f7"] * n  # a class straddling zero stays neutral
    for i, shade in zip(below, _spread(NEGATIVE, len(below)), strict=True):
        colours[i] = shade  # NEGATIVE runs dark -> light, like the classes toward zero
    for i, shade in zip(above, _spread(POSITIVE, len(above)), strict=True):
        colours[i] = shade
    return colours


def _spread(shades: tuple[str, ...], m: int) -> list[str]:
    """m shades spread over the ramp (m > len: the ends repeat), keeping the order."""
    if m == 0:
        return []
    if m == 1:
        return [shades[len(shades) // 2]]
    idx = np.round(np.linspace(0, len(shades) - 1, m)).astype(int)
    return [shades[i] for i in idx]


def with_zero_break(breaks: list[float]) -> list[float]:
    """Add 0 as a break when the range spans it, so no class mixes falls with rises."""
    if len(breaks) >= 2 and breaks[0] < 0 < breaks[-1] and 0.0 not in breaks:
        return sorted([*breaks, 0.0])
    return breaks
