"""The funnel's township labels never overlap: placed beside their points in order of how far
the township is from the reference, left out where no place is free (core.label_places)."""

from __future__ import annotations

import numpy as np
import polars as pl

from natality.core.label_places import place_labels
from natality.core.short_names import display_width
from natality.srb import funnel_chart
from natality.srb.tables import township_srb_table
from tests.factory import srb_township_rows


def test_five_labels_at_one_point_take_the_free_sides_and_the_fifth_is_left_out():
    # labels 40 x 10 px, 7 px from the point (100, 50) of a 200 x 100 plot; the point's marker
    # is 11.2 px square. Above: x 80-120, y 33-43; below: y 57-67; right: x 107-147, y 45-55;
    # left: x 53-93; every corner (e.g. top right: x 104.2-144.2, y 35.8-45.8) meets one of them.
    x, y = np.full(5, 100.0), np.full(5, 50.0)
    places = place_labels(x, y, np.full(5, 40.0), 10.0, 200.0, 100.0)
    assert places == ["top center", "bottom center", "middle right", "middle left", None]


def test_a_label_at_the_edge_goes_inside_and_a_low_point_tries_below_first():
    # at x = 195 of 200 px only the left keeps a 40 px label inside the plot
    assert place_labels(np.array([195.0]), np.array([50.0]), np.array([40.0]), 10.0, 200.0, 100.0) == ["middle left"]
    below = place_labels(np.array([100.0]), np.array([50.0]), np.array([40.0]), 10.0, 200.0, 100.0, below=[True])
    assert below == ["bottom center"]
    # near the top only below fits (above would start at y = -7)
    assert place_labels(np.array([100.0]), np.array([10.0]), np.array([40.0]), 10.0, 200.0, 100.0) == ["bottom center"]


def _boxes(fig, plot_height: float) -> list[tuple[str, float, float, float, float]]:
    """The drawn labels' boxes in px of a ``PLOT_WIDTH`` plot: (text, left, top, right, bottom)."""
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    size = funnel_chart.LABEL_SIZE
    out = []
    for tr in fig.data:
        if tr.mode != "markers+text":
            continue
        for bx, sy, text, where in zip(tr.x, tr.y, tr.text, tr.textposition, strict=True):
            if not text:
                continue
            px = (bx - x0) / (x1 - x0) * funnel_chart.PLOT_WIDTH
            py = (y1 - sy) / (y1 - y0) * plot_height
            w = int(pl.select(display_width(pl.lit(text))).item()) * 0.55 * size + 4
            h = size * 1.3
            vert, horiz = where.split(" ")
            r = 7 if "center" in where or "middle" in where else 0.6 * 7  # corners: diagonally
            left = {"center": px - w / 2, "right": px + r, "left": px - r - w}[horiz]
            top = {"top": py - r - h, "bottom": py + r, "middle": py - h / 2}[vert]
            out.append((text, left, top, left + w, top + h))
    return out


def test_crowded_outliers_of_a_province_are_labelled_without_overlap():
    # 60 ordinary townships of 1,000 births (512 boys: SRB 104.9) and 12 outliers side by side:
    # 1,000-1,011 births, 600-611 boys (SRB about 150), names of 4 characters
    rows = [(f"41990{i:03d}1000", f"常乡{i:02d}", 512, 488) for i in range(60)]
    rows += [(f"41991{i:03d}1000", f"热点{i:02d}", 600 + i, 400) for i in range(12)]
    table = township_srb_table(srb_township_rows(rows), 105.0)
    assert int((table["classification"] == "above").sum()) == 12
    fig = funnel_chart.srb_funnel(table, 105.0, "zh", "t", "line one<br>line two", "f")
    assert fig.layout.margin.t == 150
    boxes = _boxes(fig, funnel_chart.HEIGHT - 150 - funnel_chart.BOTTOM)
    shown = [b[0] for b in boxes]
    assert "热点11" in shown  # the furthest from 105 (611 boys to 400 girls) is named first
    assert 2 <= len(shown) < 12 + funnel_chart.LARGEST_LABELLED  # not all of a crowd fit
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[3] <= b[1] + 1e-9 or b[3] <= a[1] + 1e-9 or a[4] <= b[2] + 1e-9 or b[4] <= a[2] + 1e-9
            assert apart, f"{a[0]} and {b[0]} overlap: {a[1:]} {b[1:]}"
    # every point still names itself on hover; the phone's meta lists only the labelled ones
    hover = [c[0] for tr in fig.data if tr.mode == "markers+text" for c in tr.customdata]
    assert len(hover) == 72
    meta = [n for tr in fig.data if tr.mode == "markers+text" for n in tr.meta["township_labels"]["names"]]
    assert sorted(meta) == sorted(shown)
