"""A finished figure laid out again for a narrow width: a phone's screen and the portrait image
shared in chat groups (1080 px wide).

Plotly does not wrap text, so titles, subtitles and footnotes are broken into lines
(``narrow_text``) from an estimate of each character's width (a CJK character is square, Latin
letters about 0.6 of the font size), the margins are set from the number of lines, the legend goes
below the plot, and a map fills the width with only the township labels that fit at that width. The figure the desktop
shows is never changed: every function returns a copy.
"""

from __future__ import annotations

import copy
import html
import math
import re
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from natality.core import literal
from natality.core.short_names import MAX_WIDTH, short_labels
from natality.export.narrow_text import BREAK, TOKEN, geo_ranges, thin_map_labels, thin_point_labels, wrap_text
from natality.maps.labels import text_em

# The plotly chart on a 390 px phone: 390 less Streamlit's side padding (2 x 16 px); text is
# wrapped a little narrower still, so that a 360 px phone gets no clipped line either.
PHONE_WIDTH = 358
PHONE_TEXT_WIDTH = 320
# On a touch screen plotly's floating toolbar lies over the title: no toolbar (the images and the
# table are download buttons under the chart).
PHONE_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}
# The portrait image: 540 px of layout at scale 2 is 1080 px wide, at least 4:5 (1080 x 1350).
PORTRAIT_WIDTH = 540
PORTRAIT_MIN_HEIGHT = 675
LINE = 1.3  # plotly's line height, in font sizes
MIN_PLOT = 240  # the plot area of a phone chart, px (the whole chart is >= 260 px)


@dataclass(frozen=True)
class Narrow:
    """Type sizes and widths of one narrow layout."""

    width: int  # layout px of the figure
    text_width: int  # px a title line may take
    title: int
    body: int
    foot: int
    min_height: int
    names: int = MAX_WIDTH  # display columns of a township name on a bar chart's axis


# A township's name on a bar chart's axis: 8 CJK characters on a phone, 10 in the portrait image,
# so that the bars keep more than half the width (with 12 they kept 46 % of a phone's).
PHONE = Narrow(PHONE_WIDTH, PHONE_TEXT_WIDTH, title=16, body=13, foot=11, min_height=260, names=16)
PORTRAIT = Narrow(
    PORTRAIT_WIDTH, PORTRAIT_WIDTH - 28, title=21, body=15, foot=12, min_height=PORTRAIT_MIN_HEIGHT, names=20
)


def phone_figure(fig: go.Figure) -> go.Figure:
    """The figure as a 390 px phone shows it (see the module docstring)."""
    return narrow_figure(fig, PHONE)


def portrait_figure(fig: go.Figure) -> go.Figure:
    """The figure as a portrait image for a chat group: 540 px of layout (1080 px at scale 2),
    title, period (in the title or subtitle), source and cut-off (the footnote) all inside."""
    return narrow_figure(fig, PORTRAIT)


def _footnote(layout: dict) -> dict | None:
    """The house footnote (``theme.finish_figure``): the paper-anchored annotation under the plot."""
    for annotation in layout.get("annotations", ()):
        under = annotation.get("y") == 0 and annotation.get("yanchor") == "top"
        if under and (annotation.get("yshift") or 0) < -30 and annotation.get("xref") == "paper":
            return annotation
    return None


def narrow_figure(fig: go.Figure, spec: Narrow) -> go.Figure:
    """A copy of a house-themed figure laid out for ``spec.width`` px.

    Worked on the figure's plain data (``to_dict``, a deep copy) and made a figure again without
    validation: it was validated when it was built, and plotly's own copy and ``update_layout``
    validate the whole house template again, several times the cost of all the rest."""
    d = fig.to_dict()
    if type(fig).to_dict is not go.Figure.to_dict:  # a figure that hands out its own dict (ui's shared
        d = copy.deepcopy(d)  # ``Built``): changed here, it would change for every session
    layout, data = d["layout"], d["data"]
    title = layout.get("title", {})
    heading = wrap_text(_plain_bold(title.get("text") or ""), spec.text_width, spec.title, bold=True)
    sub = wrap_text(title.get("subtitle", {}).get("text") or "", spec.text_width, spec.body)
    # one text element: plotly spaces its lines by the element's font size, so the height is known
    lines = [f"<b>{line}</b>" for line in heading if line] + [
        f"<span style='font-size:{spec.body}px;color:#52606D'>{line}</span>" for line in sub if line
    ]
    top = 10 + round(len(lines) * LINE * spec.title) + 10 if lines else 16
    # titles of the top row of small multiples stand above their panels, in the margin
    panel_titles = any(
        a.get("yref") == "paper" and a.get("yanchor") == "bottom" and (a.get("y") or 0) >= 0.9
        for a in layout.get("annotations", ())
    )
    top += round(spec.body * 1.7) if panel_titles else 0
    geos = _geo_names(data)
    _shorter_bar_names(layout, data, spec.names)
    _shorter_township_labels(layout, data, spec.names)
    left, right = (10, 10) if geos else _side_margins(layout, data, spec)
    _room_for_end_labels(layout, data, spec.width - left - right)
    legend_items = _legend_labels(layout, data)
    # a grid of equal columns across the plot's width (plotly's own wrapping of a legend under
    # the plot is hard to foresee)
    legend_rows, legend_columns = _legend_grid(legend_items, spec, spec.width - left - right - 6)
    groups = {t.get("legendgroup") for t in data if t.get("legendgroup") and t.get("showlegend") is not False}
    if legend_items and groups:  # plotly lays legend groups out in blocks of their own: a row each
        titles = sum(len(BREAK.split(item)) for item in legend_items if item.startswith("\n"))
        entries = len(legend_items) - (1 if titles else 0)
        legend_rows, legend_columns = titles + entries + (len(groups) - 1) // 2, 0
    legend_h = round(legend_rows * spec.body * 1.9) + (6 if legend_rows else 0)
    foot = _footnote(layout)
    foot_lines = wrap_text(foot["text"], spec.width - 20, spec.foot) if foot is not None else []
    foot_h = round(len(foot_lines) * LINE * spec.foot) + 6 if foot_lines else 0
    axis_h = 4 if geos else _x_ticks(layout, data, spec)
    bottom = axis_h + legend_h + foot_h + 8
    plot = _map_plot_height(layout, geos, spec) if geos else max(MIN_PLOT, (layout.get("height") or 460) - 170)
    height = max(spec.min_height, top + plot + bottom)
    layout.update(
        width=spec.width if spec is PORTRAIT else None,
        height=height,
        autosize=spec is not PORTRAIT,
        font={**layout.get("font", {}), "size": spec.body},
        title={
            "text": "<br>".join(lines),
            "font": {**title.get("font", {}), "size": spec.title},
            "x": 0.01,
            "xanchor": "left",
            # plotly lowers a one-line title by its cap height (0.7 em) to hang it from "top", but
            # not a title of several lines: lower those here, or the first line is cut off
            "y": 1 - (10 + (0.7 * spec.title if len(lines) > 1 else 0)) / height,
            "yref": "container",
            "yanchor": "top",
        },
        margin={"l": left, "r": right, "t": top, "b": bottom},
    )
    if legend_items:
        old = layout.get("legend", {})
        layout["legend"] = {
            **old,
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "paper",
            "yref": "paper",
            "y": -(axis_h + 4) / (height - top - bottom),
            "yanchor": "top",
            "title": {**old.get("title", {}), "side": "top"},
            "font": {**old.get("font", {}), "size": spec.body - 1},
            "entrywidthmode": "fraction" if legend_columns else "pixels",
            "entrywidth": 1 / legend_columns - 0.01 if legend_columns else 0,
            "valign": "middle",
        }
        layout["showlegend"] = True
    if foot is not None:
        foot.update(
            text="<br>".join(foot_lines),
            yshift=-(axis_h + legend_h + 2),
            xshift=-(left - 8),  # from the figure's left edge, as wide as the figure
            align="left",
            font={**foot.get("font", {}), "size": spec.foot},
        )
    if not geos:
        for name in _axes(layout, "xaxis") + _axes(layout, "yaxis"):
            layout.setdefault(name, {})["automargin"] = True
        thin_point_labels(layout, data, spec.width - left - right, height - top - bottom)
    else:
        _fill_width(layout, geos)
        thin_map_labels(layout, data, geos, spec.width)
    return go.Figure(d, _validate=False)


def _axes(layout: dict, kind: str) -> list[str]:
    """The layout's axes of a kind ("xaxis", "xaxis2", ...), the first always among them."""
    return [kind, *(k for k in layout if k.startswith(kind) and k != kind)]


def _shorter_bar_names(layout: dict, data: list[dict], columns: int) -> None:
    """Township names on a horizontal bar chart's axis shortened again, to ``columns`` (unique, as
    ``core.short_names.short_labels`` makes them): bars whose hover texts are the full names and
    whose customdata are the codes (``births.charts.township_births_bar``); other bars as they are."""
    for trace in data:
        names, full, codes = trace.get("y"), trace.get("hovertext"), trace.get("customdata")
        if trace.get("type") != "bar" or trace.get("orientation") != "h" or names is None or full is None:
            continue
        if codes is None or isinstance(full, str) or not len(names) == len(full) == len(codes):
            continue
        raw = pl.Series([html.unescape(str(name)) for name in full], dtype=pl.String)
        shorter = literal.plot_series(short_labels(raw, pl.Series([str(c) for c in codes]), columns)).to_list()
        renamed = dict(zip(names, shorter, strict=True))
        trace["y"] = shorter
        axis = layout.get("yaxis" + str(trace.get("yaxis", "y"))[1:], {})
        if axis.get("categoryarray") is not None:
            axis["categoryarray"] = [renamed.get(c, c) for c in axis["categoryarray"]]


def _shorter_township_labels(layout: dict, data: list[dict], columns: int) -> None:
    """Township names written beside points and lines shortened again, to ``columns``, unique
    across the figure (one ``short_labels`` call): in the text traces whose ``meta`` has
    ``township_labels`` (the labelled points' places ``index``, all when absent; their full
    ``names`` and ``codes``; a ``prefix`` and ``suffixes``: ``compare.charts.slope_chart``,
    ``srb.funnel_chart.srb_funnel``) and the annotations named ``township_label:CODE`` whose full
    names the layout's ``meta`` holds (``scorecard.bump_chart.rank_bump``). Labelled points only:
    a few dozen, not a province's 2,000."""
    targets: list[tuple[dict, list[int] | None]] = []  # (trace, places) or (annotation, None)
    names: list[str] = []
    codes: list[str] = []
    prefixes: list[str] = []
    suffixes: list[str] = []
    for trace in data:
        meta = trace.get("meta")
        own = meta.get("township_labels") if isinstance(meta, dict) else None
        if not own or not own.get("names") or not isinstance(trace.get("text"), (list, tuple)):
            continue
        count = len(own["names"])
        trace["text"] = list(trace["text"])
        targets.append((trace, own.get("index") or list(range(count))))
        names += own["names"]
        codes += [str(c) for c in own["codes"]]
        prefixes += [own.get("prefix", "")] * count
        suffixes += own.get("suffixes") or [""] * count
    meta = layout.get("meta")
    full = meta.get("township_names") if isinstance(meta, dict) else None
    for annotation in layout.get("annotations", ()) if full else ():
        code = str(annotation.get("name") or "").removeprefix("township_label:")
        if code != annotation.get("name") and code in full:
            targets.append((annotation, None))
            names.append(full[code])
            codes.append(code)
            prefixes.append("")
            suffixes.append("")
    if not targets:
        return
    shorter = literal.plot_series(short_labels(pl.Series(names, dtype=pl.String), pl.Series(codes), columns))
    texts = (pl.Series(prefixes, dtype=pl.String) + shorter + pl.Series(suffixes, dtype=pl.String)).to_list()
    at = 0
    for target, places in targets:
        if places is None:
            target["text"], at = texts[at], at + 1
            continue
        for place, text in zip(places, texts[at : at + len(places)], strict=True):
            target["text"][place] = text
        at += len(places)


def _room_for_end_labels(layout: dict, data: list[dict], plot_width: float) -> None:
    """The x range of a chart with labels at its lines' right ends (``slope_chart``'s) widened
    so that the longest label fits inside the plot: with the range [a, b] and the labels starting at
    1 (the second category), their room is (b - 1) / (b - a) of the plot's width."""
    for trace in data:
        meta = trace.get("meta")
        if not (isinstance(meta, dict) and meta.get("township_labels", {}).get("ends") and trace.get("text")):
            continue
        axis = layout.setdefault("xaxis", {})
        low, high = (axis.get("range") or [-0.15, 1.9])[:2]
        size = (trace.get("textfont") or {}).get("size") or 14
        need = max(text_em(html.unescape(str(v))) for v in trace["text"]) * size + 8
        share = min(need / max(plot_width, 1.0), 0.7)  # beyond 70 % the lines would be lost
        axis["range"] = [low, max(high, (1 - share * low) / (1 - share))]


def _side_margins(layout: dict, data: list[dict], spec: Narrow) -> tuple[int, int]:
    """(left, right) margins of a chart with axes: room for the y tick labels (township names of
    a horizontal bar chart) and title, a right-hand axis, and values written past the bars.
    Generous, so that plotly's automargin need not move the plot after the footnote is placed."""
    size = spec.body - 1
    bars = [t for t in data if t.get("type") == "bar" and t.get("orientation") == "h"]
    names = [v for t in bars for v in (t.get("y") if t.get("y") is not None else ()) if isinstance(v, str)]
    left = round(max(text_em(line) for v in names for line in BREAK.split(v)) * size) + 14 if names else 36
    left += round(spec.body * 1.6) if _has_axis_title(layout, "yaxis") and not names else 0
    right = 10
    if any(layout[n].get("side") == "right" and layout[n].get("overlaying") for n in _axes(layout, "yaxis")[1:]):
        right += 50
    if any(t.get("textposition") == "outside" for t in bars):
        right += 30
    return left, right


def _plain_bold(text: str) -> str:
    """The title without the house ``<b>`` wrapper (each wrapped line gets its own)."""
    return re.sub(r"</?b>", "", text)


def _legend_labels(layout: dict, data: list[dict]) -> list[str]:
    """The entries plotly draws in the legend (by its own rules: a lone trace gets none)."""
    if layout.get("showlegend") is False:
        return []
    quiet = ("choropleth", "heatmap")

    def drawn(t: dict) -> bool:
        shown = t.get("showlegend")
        return bool(t.get("name")) and (shown is True or (shown is None and len(data) > 1 and t["type"] not in quiet))

    names = [t["name"] for t in data if drawn(t)]
    title = layout.get("legend", {}).get("title", {}).get("text")
    return names + ([f"\n{title}"] if names and title else [])


def _legend_grid(labels: list[str], spec: Narrow, width: float) -> tuple[int, int]:
    """(rows, columns) of a horizontal legend of these entries within ``width`` px: one row when
    all fit (columns 0: plotly's own spacing), else a grid of equal columns, each wider than the
    widest entry (text, swatch and gaps); a legend title, marked by a leading newline, takes rows
    of its own."""
    titles = sum(len(BREAK.split(label)) for label in labels if label.startswith("\n"))
    entries = [
        max(text_em(line) for line in BREAK.split(TOKEN.sub("", label))) * (spec.body - 1) + 46
        for label in labels
        if not label.startswith("\n")
    ]
    if not entries:
        return titles, 0
    if sum(entries) <= width:
        return titles + 1, 0
    columns = max(1, min(len(entries), int(width // max(entries))))
    return titles + math.ceil(len(entries) / columns), columns


def _has_axis_title(layout: dict, kind: str) -> bool:
    return any((layout.get(name, {}).get("title") or {}).get("text") for name in _axes(layout, kind))


def _geo_names(data: list[dict]) -> list[str]:
    """The geo subplots that draw something ("geo", "geo2", ...), in order."""
    used = {t.get("geo") or "geo" for t in data if t.get("type") in ("choropleth", "scattergeo")}
    return sorted(used, key=lambda n: int(n[3:] or 1))


def _x_ticks(layout: dict, data: list[dict], spec: Narrow) -> int:
    """Height of the x axis under the plot: its tick labels (tilted 45 degrees when text labels are
    too many for the width: then set so, so that the estimate holds) and its title."""
    # text on the axis (numbers and dates are thinned by plotly itself)
    upright = [t for t in data if t.get("type") in ("bar", "scatter") and t.get("orientation") != "h"]
    labels = [v for t in upright for v in (t.get("x") if t.get("x") is not None else ()) if isinstance(v, str) and v]
    size = spec.body - 1
    height = round(size * 1.6)
    if labels:
        widest = max(text_em(v) for v in labels) * size
        panels = max(1, len({t.get("xaxis") for t in data if t.get("xaxis")}))
        tilted = len(set(labels)) * (widest + 6) > (spec.width - 90) / panels
        for name in _axes(layout, "xaxis"):
            layout.setdefault(name, {})["tickangle"] = -45 if tilted else 0
        height = round((widest + size) * 0.71) + 8 if tilted else height
    return height + (round(spec.body * 1.9) if _has_axis_title(layout, "xaxis") else 0)


def _map_plot_height(layout: dict, geos: list[str], spec: Narrow) -> int:
    """Height of a map's plot so that its width, not its height, is the bound: the whole column."""
    lon, lat = geo_ranges(layout, geos[0])
    if not lon or not lat:
        return max(MIN_PLOT, spec.width)
    width = (spec.width - 20) / len(geos)
    aspect = _mercator(lat[1]) - _mercator(lat[0])
    aspect /= math.radians(lon[1] - lon[0]) or 1.0
    return max(MIN_PLOT, math.ceil(width * aspect) + 4)


def _mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _fill_width(layout: dict, geos: list[str]) -> None:
    """Maps side by side across the whole width (the desktop keeps 20 % for the legend)."""
    step = 1 / len(geos)
    old = [layout.get(g, {}).get("domain", {}).get("x") for g in geos]
    for i, name in enumerate(geos):
        layout.setdefault(name, {}).setdefault("domain", {})["x"] = [
            i * step,
            (i + 1) * step - (0.01 if i + 1 < len(geos) else 0),
        ]
    # panel titles ("2023", "2024") sit over the centre of their map
    centres = {round((x[0] + x[1]) / 2, 3): i for i, x in enumerate(old) if x}
    for annotation in layout.get("annotations", ()):
        i = centres.get(round(annotation.get("x") or -1, 3)) if annotation.get("xref") == "paper" else None
        if i is not None and annotation.get("y") != 0:
            annotation["x"] = (i + 0.5) * step
