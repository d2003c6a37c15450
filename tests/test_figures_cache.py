"""Figures built once for everyone (issue 19, point 2): ``ui.figure`` shares a figure between
calls with the same inputs only, and sends plotly's dict unchanged."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from natality.core import theme
from natality.ui import figures

CALLS: list[str] = []


def bars(frame: pl.DataFrame, title: str) -> go.Figure:
    CALLS.append(title)
    fig = go.Figure(go.Bar(x=frame["township"].to_list(), y=frame["births"].to_list()))
    return theme.finish_figure(fig, title, "subtitle", "footnote")


def test_same_inputs_share_one_figure_other_inputs_get_their_own():
    figures.clear()
    CALLS.clear()
    frame = pl.DataFrame({"township": ["A", "B"], "births": [3, 4]})
    first = figures.figure(bars, frame, "births")
    again = figures.figure(bars, pl.DataFrame({"township": ["A", "B"], "births": [3, 4]}), "births")
    assert again is first and CALLS == ["births"]
    changed = figures.figure(bars, frame.with_columns(births=pl.Series([3, 5])), "births")
    assert changed is not first and list(changed.to_dict()["data"][0]["y"]) == [3, 5]
    other_title = figures.figure(bars, frame, "births 2024")
    assert other_title is not first and CALLS == ["births", "births", "births 2024"]
    # the dict Streamlit serialises is the builder's own figure, unchanged
    assert pio.to_json(first, validate=False) == pio.to_json(bars(frame, "births"), validate=False)


def test_presentation_copy_leaves_the_shared_figure_alone():
    figures.clear()
    frame = pl.DataFrame({"township": ["A"], "births": [1]})
    shared = figures.figure(bars, frame, "t")
    big = theme.presentation_figure(shared.full())
    assert big.layout.font.size == 18
    assert shared.to_dict()["layout"]["font"]["size"] == 14


def test_lambdas_are_not_cached_and_the_budget_evicts_the_oldest(monkeypatch):
    figures.clear()
    made = [figures.figure(lambda k=k: go.Figure(go.Bar(y=[k]))) for k in (1, 2)]
    assert made[0] is not made[1]
    monkeypatch.setattr(figures, "MAX_FIGURES", 2)
    frames = [pl.DataFrame({"township": ["A"], "births": [k]}) for k in range(3)]
    kept = [figures.figure(bars, f, "x") for f in frames]
    assert figures.figure(bars, frames[2], "x") is kept[2]
    assert figures.figure(bars, frames[0], "x") is not kept[0]  # evicted: built again
