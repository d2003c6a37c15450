"""Township maps as plotly figures: a classed choropleth and a small locator map.

Pure builders: (GeoJSON, DataFrame, texts) -> go.Figure. Fully offline: geo.visible=False draws
no base map (plotly fetches its world TopoJSON only for a visible base layer), and the frame is
set from the township geometry itself, fitted to the bulk of the units so that a far island does
not shrink the county to a dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from natality.core.theme import FONT_FAMILY, finish_figure
from natality.maps.classes import (
    NO_DATA,
    TARGET,
    TOO_FEW,
    assign_classes,
    class_breaks,
    class_colours,
    with_zero_break,
)
from natality.maps.frame import bulk_frame, frame_geos
from natality.maps.labels import LABEL_SHADOW, MAX_LABELS, label_traces, short_unit_names, unit_name

BORDER = "#ffffff"


HEIGHT = 560  # a map of a county's townships, px
LOCATOR_NEIGHBOURS = 40  # townships around the one a locator map shows
TALL_HEIGHT = 760  # of more than MAX_LABELS units (a province's counties): their names need the room


@dataclass(frozen=True)
class MapTexts:
    """Every text of a map, already in the user's language."""

    title: str
    subtitle: str
    footnote: str
    legend_title: str
    no_data: str
    too_few: str = ""
    met: str = ""
    missed: str = ""
    value_format: str = ",.1f"  # Python format spec for values in legend and labels
    outside: str = ""  # "{names}" is replaced by units drawn outside the frame
    panel_counts: str = ""  # "{panels}": says which panel each count in the legend belongs to


def township_choropleth(
    geojson: dict[str, Any],
    df: pl.DataFrame,
    value_col: str,
    texts: MapTexts,
    lang: str,
    *,
    method: str = "quantiles",
    k: int = 5,
    label_mode: str = "name",
    panel_col: str | None = None,
    diverging: bool = False,
    highlight: str | None = None,
    height: int | None = None,
    code_col: str = "township_code",
) -> go.Figure:
    """Choropleth of `value_col` by `code_col` (townships, or counties: any unit whose code is
    the GeoJSON feature id), one panel per value of `panel_col`.

    df: code_col, value_col (float, or bool met/missed for method="target"; null = no
    data), optional too_few (bool: a value too small to judge), hover (str) and panel_col.
    All panels share one classification, so two years are on the same colour scale.
    """
    panels = df[panel_col].unique(maintain_order=True).to_list() if panel_col else [None]
    codes_in_map = [f["id"] for f in geojson["features"]]
    if height is None:  # a province's hundred counties need a larger map than a county's townships
        height = TALL_HEIGHT if len(codes_in_map) > MAX_LABELS else HEIGHT
    frame = df.rename({code_col: "_unit"}).filter(pl.col("_unit").is_in(codes_in_map))
    if "too_few" not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("too_few"))
    frame = frame.with_columns(pl.col("too_few").fill_null(False))
    judged = frame.filter(pl.col(value_col).is_not_null() & ~pl.col("too_few"))
    if method == "target":
        names, colours = [texts.met, texts.missed], [TARGET["met"], TARGET["missed"]]
        to_class = {True: 0, False: 1}
        classes_of = lambda vals: [None if v is None else to_class[bool(v)] for v in vals]  # noqa: E731
    else:
        breaks = class_breaks(judged[value_col].to_list(), method, k)
        breaks = with_zero_break(breaks) if diverging else breaks
        names = _range_names(breaks, texts.value_format)
        colours = class_colours(breaks, diverging)
        classes_of = lambda vals: assign_classes(vals, breaks)  # noqa: E731
    n_class = len(names)
    # one trace per panel: z = class index, on a stepwise colour scale with two extra steps
    scale = _step_scale([*colours, TOO_FEW, NO_DATA])
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        specs=[[{"type": "choropleth"}] * len(panels)],
        subplot_titles=[str(p) for p in panels] if panel_col else None,
        horizontal_spacing=0.02,
    )
    by_code = {f["id"]: f for f in geojson["features"]}
    bulk = bulk_frame(geojson)  # once: the frame and every panel's labels use it
    counts: list[list[int]] = []  # per panel, per class (+ too few, + no data)
    for col, panel in enumerate(panels, start=1):
        part = frame.filter(pl.col(panel_col) == panel) if panel_col else frame
        values = dict(zip(part["_unit"], part[value_col], strict=True))
        too_few = dict(zip(part["_unit"], part["too_few"], strict=True))
        hover = dict(zip(part["_unit"], part["hover"], strict=True)) if "hover" in part.columns else {}
        klass = dict(zip(part["_unit"], classes_of(part[value_col].to_list()), strict=True))
        z, count = [], [0] * (n_class + 2)
        for code in codes_in_map:
            cls = n_class if too_few.get(code) else klass.get(code)
            cls = n_class + 1 if cls is None else cls
            count[cls] += 1
            z.append(cls + 0.5)
        counts.append(count)
        # An anchor first, on purpose: plotly.js decides whether to download its world TopoJSON
        # from the first trace of a geo subplot, and a lon/lat scattergeo needs none.
        fig.add_trace(_anchor_trace(geojson), row=1, col=col)
        fill = {code: ([*colours, TOO_FEW, NO_DATA])[int(zz)] for code, zz in zip(codes_in_map, z, strict=True)}
        room = max(370, height - 190)  # px high the map is drawn in (a county's 560: 370)
        for trace in label_traces(
            geojson, codes_in_map, values, fill, label_mode, texts.value_format, lang, len(panels), bulk, room
        ):
            fig.add_trace(trace, row=1, col=col)
        fig.add_trace(
            go.Choropleth(
                geojson=geojson,
                featureidkey="id",
                locations=codes_in_map,
                z=z,
                zmin=0,
                zmax=n_class + 2,
                colorscale=scale,
                showscale=False,
                marker={"line": {"color": "#8a8a8a", "width": 0.6}},
                customdata=[[c, hover.get(c) or unit_name(by_code[c], lang)] for c in codes_in_map],
                hovertemplate="%{customdata[1]}<extra></extra>",
                name=str(panel) if panel is not None else "",
            ),
            row=1,
            col=col,
        )
        if highlight in by_code:
            fig.add_trace(_outline_trace(by_code[highlight]), row=1, col=col)
    legend = [*zip(names, colours, strict=True), (texts.too_few, TOO_FEW), (texts.no_data, NO_DATA)]
    for i, (label, colour) in enumerate(legend):
        if i >= n_class and not any(c[i] for c in counts):
            continue  # "too few" and "no data" appear only when some township is one
        fig.add_trace(_legend_swatch(f"{label} ({' | '.join(str(c[i]) for c in counts)})", colour))
    outside = frame_geos(fig, geojson, len(panels), bulk)
    footnote = texts.footnote
    if outside and texts.outside:
        footnote += "<br>" + texts.outside.format(names="、".join(unit_name(by_code[c], lang) for c in outside))
    finish_figure(fig, texts.title, texts.subtitle, footnote, height=height)
    fig.update_annotations(selector={"text": footnote}, align="left")  # a two-line footnote
    extra_lines = footnote.count("<br>")
    legend_title = texts.legend_title
    if panel_col and texts.panel_counts:
        legend_title += (
            "<br><span style='font-size:12px'>"
            + texts.panel_counts.format(panels=" | ".join(str(p) for p in panels))
            + "</span>"
        )
    # maps side by side in the left 80 %, the legend in the rest
    width = 0.8 / len(panels)
    for i in range(len(panels)):
        fig.update_layout({f"geo{i + 1 if i else ''}": {"domain": {"x": [i * width, (i + 1) * width - 0.01]}}})
    for i, ann in enumerate(fig.layout.annotations[: len(panels) if panel_col else 0]):
        ann.x = (i + 0.5) * width
    fig.update_layout(
        legend={
            "title": {"text": legend_title},
            "orientation": "v",
            "x": 0.81,
            "xanchor": "left",
            "y": 0.5,
            "yanchor": "middle",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        margin={"l": 20, "r": 20, "t": 110 if panel_col else 90, "b": 80 + 18 * extra_lines},
        dragmode=False,
    )
    return fig


def locator_map(geojson: dict[str, Any], highlight_code: str | None, lang: str, height: int = 260) -> go.Figure:
    """Small county map with one township filled, for a profile or the overview; of a larger
    region only the ``LOCATOR_NEIGHBOURS`` townships nearest it (a province's 2,000 outlines
    drawn 260 px high are a grey blob with the township a speck in it)."""
    by_code = {f["id"]: f for f in geojson["features"]}
    props = by_code[highlight_code]["properties"] if highlight_code in by_code else None
    if props and len(by_code) > LOCATOR_NEIGHBOURS:
        geojson = _neighbourhood(geojson, props)
        by_code = {f["id"]: f for f in geojson["features"]}
    codes = list(by_code)
    # text first: the first trace of a geo decides whether plotly.js fetches its world TopoJSON
    fig = go.Figure(
        go.Scattergeo(
            lon=[props["label_lon"] if props else None],
            lat=[props["label_lat"] if props else None],
            mode="text",
            text=short_unit_names([by_code[highlight_code]], lang) if props else [""],
            textfont={"family": FONT_FAMILY, "size": 13, "color": "#102a43", "shadow": LABEL_SHADOW},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Choropleth(
            geojson=geojson,
            featureidkey="id",
            locations=codes,
            z=[1 if c == highlight_code else 0 for c in codes],
            zmin=0,
            zmax=1,
            colorscale=[[0, "#e4e7eb"], [1, "#0072B2"]],
            showscale=False,
            marker={"line": {"color": "#ffffff", "width": 0.8}},
            customdata=[[c, unit_name(by_code[c], lang)] for c in codes],
            hovertemplate="%{customdata[1]}<extra></extra>",
        )
    )
    frame_geos(fig, geojson, 1)
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        dragmode=False,
        font={"family": FONT_FAMILY},
    )
    return fig


def _neighbourhood(geojson: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """The ``LOCATOR_NEIGHBOURS`` features whose label points lie nearest ``props``' (by
    distance on the ground: longitude shrunk by the cosine of the latitude), in their order."""
    features = geojson["features"]
    lon = np.array([f["properties"]["label_lon"] for f in features], dtype=float)
    lat = np.array([f["properties"]["label_lat"] for f in features], dtype=float)
    shrink = math.cos(math.radians(props["label_lat"]))
    # rounded: equal distances (a grid's) tie exactly and keep the features' order
    distance = np.round(((lon - props["label_lon"]) * shrink) ** 2 + (lat - props["label_lat"]) ** 2, 9)
    nearest = np.sort(np.argsort(distance, kind="stable")[:LOCATOR_NEIGHBOURS])
    return {**geojson, "features": [features[i] for i in nearest]}


def _step_scale(colours: list[str]) -> list[list[Any]]:
    n = len(colours)
    scale = []
    for i, c in enumerate(colours):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def _range_names(breaks: list[float], spec: str) -> list[str]:
    if len(breaks) < 2:
        return []
    return [f"{format(breaks[i], spec)} – {format(breaks[i + 1], spec)}" for i in range(len(breaks) - 1)]


def _anchor_trace(geojson: dict[str, Any]) -> go.Scattergeo:
    f = geojson["features"][0]["properties"] if geojson["features"] else {"label_lon": 0, "label_lat": 0}
    return go.Scattergeo(
        lon=[f["label_lon"]],
        lat=[f["label_lat"]],
        mode="markers",
        marker={"size": 0, "opacity": 0},
        hoverinfo="skip",
        showlegend=False,
    )


def _outline_trace(feature: dict[str, Any]) -> go.Choropleth:
    return go.Choropleth(
        geojson={"type": "FeatureCollection", "features": [feature]},
        featureidkey="id",
        locations=[feature["id"]],
        z=[0],
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        showscale=False,
        marker={"line": {"color": "#102a43", "width": 3}},
        hoverinfo="skip",
    )


def _legend_swatch(label: str, colour: str) -> go.Scattergeo:
    return go.Scattergeo(
        lon=[None],
        lat=[None],
        mode="markers",
        marker={"symbol": "square", "size": 14, "color": colour, "line": {"color": "#8a8a8a", "width": 1}},
        name=label,
        showlegend=True,
        hoverinfo="skip",
    )
