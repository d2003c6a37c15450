"""The score distribution of a province: where more than ``MAX_STACK`` townships share a score,
they are counted in bars of one point (a stack of 1,600 dots put a tick per dot on the axis)."""

from __future__ import annotations

import polars as pl

from natality.scorecard import charts
from natality.scorecard.indicators import DEFAULT_REGISTRY, load_registry

REG = load_registry(path=DEFAULT_REGISTRY)


def card(rows: list[tuple[float, str, bool]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(f"乡{i:03d}", s, i + 1, c, v) for i, (s, c, v) in enumerate(rows)],
        schema=["township_name", "score", "rank", "class", "vetoed"],
        orient="row",
    )


def test_many_at_one_score_are_counted_in_bars_of_one_point():
    # 25 at 100 (advanced), 72.4 and 72.9 (lagging, one bar 72-73 of 2), 91.0 (advanced),
    # a vetoed township at 80.5 (key management, hatched) and one at 10.2 (key management)
    rows = [(100.0, "advanced", False)] * 25 + [
        (72.4, "lagging", False),
        (72.9, "lagging", False),
        (91.0, "advanced", False),
        (80.5, "key_management", True),
        (10.2, "key_management", False),
    ]
    fig = charts.score_distribution(card(rows), REG, "zh", "t", "s", "f")
    bars = [(tr.name, tuple(tr.x), tuple(tr.y), tr.marker.pattern.shape, tr.showlegend) for tr in fig.data]
    assert bars == [
        ("先进 (26)", (91.5, 100.5), (1, 25), "", True),
        ("后进（黄牌警告） (2)", (72.5,), (2,), "", True),
        ("重点管理 (2)", (10.5,), (1,), "", True),
        ("重点管理 (2)", (80.5,), (1,), "x", False),
    ]
    assert fig.layout.barmode == "stack" and fig.layout.yaxis.dtick is None
    # the bar at 100 (25) is more than 4 times the next tallest (72-73: 2): the axis stops at
    # 2 x 1.6 = 3.2 and the cut bar says its count
    assert fig.layout.yaxis.range == (0, 3.2)
    cut = [a for a in fig.layout.annotations if a.text == "25 ↑"]
    assert len(cut) == 1 and cut[0].x == 100.5 and cut[0].y == 3.2
    assert [tuple(c) for c in fig.data[0].customdata] == [("91–92",), ("100",)]


def test_a_county_keeps_its_dots():
    rows = [(100.0, "advanced", False)] * 20 + [(70.0, "lagging", False)]
    fig = charts.score_distribution(card(rows), REG, "en", "t", "s", "f")
    assert {tr.type for tr in fig.data} == {"scatter"}
    assert fig.layout.yaxis.dtick == 1 and tuple(fig.layout.yaxis.range) == (0, 21)
