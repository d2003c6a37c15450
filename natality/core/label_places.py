"""Point labels placed without overlap: each labelled point tries eight places around itself
(above, below, right, left, then the corners), in order of priority, and takes the first one
inside the plot that meets no label placed before it and no labelled point's marker; a label
with no such place is left out (the hover and the table still name the point).

Pixels of the plot area, x from its left, y from its top. A loop over the labelled points only (a
few dozen at most: the funnel names its outliers and largest townships, never 2,000), each
checking its eight places against every box placed before at once (numpy).
"""

from __future__ import annotations

import numpy as np

# plotly's textposition names; the box of each, from the point: its left edge at
# x + DX * width + SX * radius, its top at y + DY * height + SY * radius
POSITIONS = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
_DX = np.array([-0.5, -0.5, 0.0, -1.0, 0.0, -1.0, 0.0, -1.0])
_SX = np.array([0.0, 0.0, 1.0, -1.0, 0.6, -0.6, 0.6, -0.6])
_DY = np.array([-1.0, 0.0, -0.5, -0.5, -1.0, -1.0, 0.0, 0.0])
_SY = np.array([-1.0, 1.0, 0.0, 0.0, -0.6, -0.6, 0.6, 0.6])
# a point below the middle tries below first: its label away from the crowd at the reference
_BELOW_FIRST = np.array([1, 0, 2, 3, 6, 7, 4, 5])


def place_labels(
    x: np.ndarray,
    y: np.ndarray,
    width: np.ndarray,
    height: float,
    plot_width: float,
    plot_height: float,
    radius: float = 7.0,
    below: np.ndarray | None = None,
) -> list[str | None]:
    """Where each label goes (a ``POSITIONS`` name) or None where none fits.

    ``x``, ``y``: the points in plot pixels, most important first; ``width``: each label's width
    in pixels; ``height``: a label's height; ``radius``: from a point to its label (half the
    marker and a gap); ``below``: the points whose label tries below before above."""
    x, y, width = (np.asarray(a, dtype=float) for a in (x, y, width))
    below = np.zeros(len(x), dtype=bool) if below is None else np.asarray(below, dtype=bool)
    half = 0.8 * radius  # the labelled markers: no label over them
    markers = np.column_stack([x - half, y - half, x + half, y + half])
    placed = np.empty((0, 4))
    out: list[str | None] = []
    for i in range(len(x)):
        order = _BELOW_FIRST if below[i] else np.arange(len(POSITIONS))
        left = x[i] + _DX[order] * width[i] + _SX[order] * radius
        top = y[i] + _DY[order] * height + _SY[order] * radius
        boxes = np.column_stack([left, top, left + width[i], top + height])
        inside = (boxes[:, 0] >= 0) & (boxes[:, 1] >= 0) & (boxes[:, 2] <= plot_width) & (boxes[:, 3] <= plot_height)
        others = np.vstack([placed, np.delete(markers, i, axis=0)])
        meets = (
            (boxes[:, None, 0] < others[None, :, 2])
            & (others[None, :, 0] < boxes[:, None, 2])
            & (boxes[:, None, 1] < others[None, :, 3])
            & (others[None, :, 1] < boxes[:, None, 3])
        ).any(axis=1)
        free = np.flatnonzero(inside & ~meets)
        if free.size == 0:
            out.append(None)
            continue
        placed = np.vstack([placed, boxes[free[0]]])
        out.append(POSITIONS[order[free[0]]])
    return out
