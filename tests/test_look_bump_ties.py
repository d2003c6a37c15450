"""The rank bump of a province whose townships tie: each panel as many ranks high as it has
townships, so that ten townships sharing rank 1 keep their names inside their panel."""

from __future__ import annotations

import polars as pl

from natality.scorecard import bump_chart


def code(i: int) -> str:
    return f"4199{i:04d}1000"


def test_tied_ranks_keep_a_panel_of_ten_ranks_and_every_name_in_it():
    # 40 townships; in 2024 ranks 1-40; in 2025 the first 15 tie at rank 1 (100 points), 16-28
    # rank 16-28, and the last 12 tie at rank 29 (0 points)
    rows = []
    for i in range(1, 41):
        rank_2025 = 1 if i <= 15 else i if i <= 28 else 29
        for year, rank in ((2024, i), (2025, rank_2025)):
            rows.append((year, code(i), f"乡{i:02d}", 100.0 - rank, rank, "", False))
    card = pl.DataFrame(
        rows,
        schema=["year", "township_code", "township_name", "score", "rank", "class_label", "vetoed"],
        orient="row",
    )
    fig = bump_chart.rank_bump(card, "zh", "t", "s", "f")
    # the top ten (all at rank 1): ranks 1-10; the bottom ten (all at rank 29): ranks 20-29
    assert fig.layout.yaxis.range == (10.5, 0.5)
    assert fig.layout.yaxis2.range == (29.5, 19.5)
    ends = [a for a in fig.layout.annotations if (a.name or "").startswith("township_label:")]
    assert len(ends) == 20
    for a in ends:
        low, high = (fig.layout.yaxis if a.yref == "y" else fig.layout.yaxis2).range
        assert high <= a.y <= low, f"{a.text} at {a.y} outside its panel {low}-{high}"
