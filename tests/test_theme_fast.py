"""finish_figure's fast path (the template set unvalidated, the layout by ``_perform_update``)
gives the same figure as plotly's validating ``update_layout`` did, key for key."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from natality.core import theme


def _reference(fig: go.Figure, title: str, subtitle: str, footnote: str, height: int = 460) -> go.Figure:
    """finish_figure as it was: everything through ``update_layout``."""
    fig.update_layout(template=theme.house_template(), **theme.house_layout(title, subtitle, height))
    fig.add_annotation(**theme.footnote_annotation(footnote))
    return fig


def _bar() -> go.Figure:
    return go.Figure(go.Bar(x=["甲镇", "乙镇"], y=[3, 4], name="出生"))


def _dressed() -> go.Figure:
    """A builder's own layout before the theme: a legend, margins, a title as text, an annotation."""
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[1.5, None, 2.5], mode="lines+markers"))
    fig.update_layout(
        title="old",
        legend={"traceorder": "reversed", "y": 0.5},
        margin={"l": 10, "b": 5},
        yaxis={"rangemode": "tozero"},
    )
    fig.add_annotation(text="a mark", x=2, y=2)
    return fig


def _canonical(fig: go.Figure) -> str:
    return json.dumps(json.loads(pio.to_json(fig, validate=False)), sort_keys=True, ensure_ascii=False)


def test_finish_figure_matches_update_layout() -> None:
    for make, height in ((_bar, 460), (_dressed, 520)):
        fast = theme.finish_figure(make(), "出生 2024", "全县", "截至 2026-09", height)
        slow = _reference(make(), "出生 2024", "全县", "截至 2026-09", height)
        assert _canonical(fast) == _canonical(slow)
        assert fast.layout.title.text == "<b>出生 2024</b>"
        assert fast.layout.legend.orientation == "h"
        assert fast.layout.legend.traceorder == ("reversed" if make is _dressed else None)
        assert fast.layout.margin.l == 60 and fast.layout.height == height
        # written out here, not read from house_layout: the shared dict itself must say this
        assert fast.layout.title.subtitle.text == "全县" and fast.layout.title.y == 1 - 12 / height
        assert fast.layout.annotations[-1].text == "截至 2026-09" and fast.layout.annotations[-1].yshift == -62


def test_template_is_a_copy_per_figure() -> None:
    """Changing one figure's template leaves the house template and other figures alone."""
    one = theme.finish_figure(_bar(), "t", "s", "f")
    two = theme.finish_figure(_bar(), "t", "s", "f")
    one.layout.template.layout.paper_bgcolor = "black"
    assert two.layout.template.layout.paper_bgcolor != "black"
    assert theme.house_template().layout.paper_bgcolor != "black"
