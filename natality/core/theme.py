"""The house theme: fonts, colours and the frame every figure carries (title, subtitle, footnote).

Every figure carries its own title (with period and unit), subtitle (filters) and footnote
(data cut-off and source), so that a screenshot or an exported PNG explains itself.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BaseFigure

# CJK-capable fonts first: exported images must render Chinese (Noto Sans CJK SC is what the
# Debian package fonts-noto-cjk installs; the others cover Windows and macOS viewers).
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#999999"]
PREVIOUS = "#9AA5B1"  # the comparison period is always the quieter colour
PARTIAL_OPACITY = 0.45
# Slide export: 960 x 540 at scale 2 is a 1920 x 1080 PNG with 14 px type drawn at 28 px.
EXPORT_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "width": 960, "height": 540, "scale": 2},
}


# The trace types the dashboard draws: the house template keeps plotly_white's defaults for these.
TRACE_TYPES = ("bar", "scatter", "heatmap", "choropleth", "scattergeo")


def _build_house_template() -> go.layout.Template:
    white = pio.templates["plotly_white"]
    data = {kind: getattr(white.data, kind) for kind in TRACE_TYPES}
    return go.layout.Template(layout=white.layout, data=data)


# Built once, at import (under Python's import lock), never lazily on a first call: plotly's
# template objects are not safe to build from several threads at once, and a fresh server's
# first sessions arriving together got "Invalid value" errors. plotly's default template (read
# by every go.Figure()) is loaded here too for the same reason.
_HOUSE_TEMPLATE = _build_house_template()
pio.templates[pio.templates.default]


def house_template() -> go.layout.Template:
    """plotly_white's layout and its defaults for the traces drawn here, built once per process.

    Naming "plotly_white" made plotly copy and validate its defaults for all 24 trace types on
    every figure, a fifth of a page's server time under load; the picture is the same.
    """
    return _HOUSE_TEMPLATE


def house_layout(title: str, subtitle: str, height: int = 460) -> dict:
    """The layout every figure carries (fonts, colours, margins, legend, and the title and subtitle
    pinned to the top left), as the dict that ``finish_figure`` applies."""
    return {
        "colorway": PALETTE,
        "font": {"family": FONT_FAMILY, "size": 14, "color": "#1F2933"},
        "title": {
            "text": f"<b>{title}</b>",
            "subtitle": {"text": subtitle, "font": {"size": 14, "color": "#52606D"}},
            "x": 0.01,
            "xanchor": "left",
            # Pinned near the top edge in pixels, so that no export size cuts the title off.
            "y": 1 - 12 / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 18},
        },
        "margin": {"l": 60, "r": 30, "t": 90, "b": 80},
        "height": height,
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }


def footnote_annotation(footnote: str) -> dict:
    """The footnote (data cut-off and source) under the plot, at the figure's left edge."""
    return {
        "text": footnote,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -62,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 12, "color": "#52606D"},
    }


def finish_figure(fig: go.Figure, title: str, subtitle: str, footnote: str, height: int = 460) -> go.Figure:
    """Apply the house theme and put title, subtitle and footnote inside the figure.

    The house template, validated once at import, is set without validating it again (as plotly
    sets its own default template), and the layout is updated by plotly's validating
    ``_perform_update`` without ``update_layout``'s batch and relayout bookkeeping (kept for
    widgets): the same figure for half the CPU, a third of a figure's first build
    (tests/test_theme_fast.py compares both ways)."""
    layout = fig.layout
    validate = layout._validate
    layout._validate = False
    try:
        layout.template = house_template()
    finally:
        layout._validate = validate
    BaseFigure._perform_update(layout, house_layout(title, subtitle, height))
    fig.add_annotation(**footnote_annotation(footnote))
    return fig


def presentation_figure(fig: go.Figure) -> go.Figure:
    """A copy with type large enough for a projector (presentation mode); the original is untouched."""
    big = go.Figure(fig)
    big.update_layout(
        font={"size": 18},
        title={"font": {"size": 24}, "subtitle": {"font": {"size": 18}}},
        legend={"font": {"size": 17}},
        height=round((fig.layout.height or 460) * 1.2),
        margin={"b": (fig.layout.margin.b or 80) + 24},
    )
    for annotation in big.layout.annotations:
        annotation.font.size = (annotation.font.size or 12) + 4
    return big


def add_band(fig: go.Figure, x: list, low: list, high: list, fillcolor: str, upper: dict, lower: dict) -> None:
    """A shaded band between ``low`` and ``high``: an invisible upper edge (``upper``: its other trace
    properties), then the lower edge filled up to it (``lower``: its name, hover ...)."""
    fig.add_scatter(x=x, y=high, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip", **upper)
    fig.add_scatter(x=x, y=low, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=fillcolor, **lower)
