"""Phones: which browser is one (from the request's headers), and the page CSS for narrow screens.

The choice is made from the headers Streamlit gives in ``st.context.headers``: the client hint
``Sec-CH-UA-Mobile: ?1`` (Chrome, Edge and Android WebViews send it) or a phone's User-Agent
(``Mobile``/``iPhone``/``Android``, which WeChat's built-in browser carries beside
``MicroMessenger``; WeChat on a Windows or Mac desktop and tablets are not phones). The server
must know before it draws a figure, and the browser's width reaches the server only after a
first draw: a window under 640 px whose headers say desktop (a narrowed desktop window, a phone
emulated without its user agent) is told by a probe (``narrow_probe/index.html``, a component of
no height) that reruns the page once, after which the session is a phone's. The CSS below (tiles
two a row, nothing wider than the screen) holds for any narrow window from the first draw.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

_PHONE_AGENT = re.compile(r"iPhone|iPod|Android.*Mobile|Mobile.*Android|Windows Phone|HarmonyOS.*Mobile|Mobi", re.I)
_NOT_PHONE = re.compile(r"iPad|WindowsWechat|MacWechat|Tablet", re.I)


def is_phone_request(headers: Mapping[str, str]) -> bool:
    """Whether a request with these headers comes from a phone (names case-insensitive)."""
    lower = {k.lower(): v for k, v in headers.items()}
    agent = lower.get("user-agent", "")
    if lower.get("sec-ch-ua-mobile", "").strip() == "?1":
        return True
    return bool(_PHONE_AGENT.search(agent)) and not _NOT_PHONE.search(agent)


NARROW_KEY = "narrow_screen"  # session state: the probe found a window under 640 px
NARROW_PX = 640


def is_phone() -> bool:
    """Whether this session's browser is a phone (``is_phone_request`` on ``st.context.headers``),
    or a window the probe found narrow."""
    try:
        headers = st.context.headers
        narrow = bool(st.session_state.get(NARROW_KEY))
    except Exception:  # no browser (a script run in a test harness): the desktop layout
        return False
    return narrow or is_phone_request(dict(headers.items()) if headers else {})


# Narrow screens (a phone, or any window under 640 px): the page never scrolls sideways, metric
# tiles in a container keyed "tiles_..." go two a row (Streamlit would stack its columns one a
# row), tables scroll inside themselves, and plotly's toolbar is not drawn over a chart's title (a
# narrow window the headers do not call a phone gets the desktop figure, whose one-line title runs
# under it; images and tables are download buttons under every chart). At any width the probe's
# frame is out of the flow of the page: no gap above the title.
NARROW_CSS = """<style>
.st-key-narrow_probe {position: absolute !important; height: 0 !important; overflow: hidden; width: 100%;}
@media (max-width: 640px) {
  .stMainBlockContainer {padding-left: 1rem !important; padding-right: 1rem !important; max-width: 100vw;}
  [data-testid="stMain"] .stMarkdown, [data-testid="stMain"] .stCaption {overflow-wrap: anywhere;}
  [data-testid="stMain"] h1 {font-size: 1.6rem; padding-top: .5rem;}
  [class*="st-key-tiles_"] [data-testid="stHorizontalBlock"] {flex-wrap: wrap !important; gap: .5rem 1rem !important;}
  [class*="st-key-tiles_"] [data-testid="stColumn"] {
    flex: 1 1 calc(50% - .5rem) !important; min-width: calc(50% - .5rem) !important;
    max-width: calc(50% - .5rem) !important; width: calc(50% - .5rem) !important;}
  [data-testid="stMain"] [data-testid="stMetricValue"] {font-size: 1.6rem;}
  [data-testid="stDataFrame"], [data-testid="stTable"] {max-width: 100%; overflow-x: auto;}
  .js-plotly-plot, .stPlotlyChart {max-width: 100%;}
  .js-plotly-plot .modebar-container {display: none !important;}
}
</style>"""


@functools.cache
def _probe() -> Callable[..., Any]:
    import streamlit.components.v1 as components

    return components.declare_component("narrow_probe", path=str(Path(__file__).parent / "narrow_probe"))


def narrow_css() -> None:
    """Put the narrow-screen CSS on the page (once per run, before the page draws), and, until the
    session is known to be a phone's, the probe of the window's width."""
    st.html(NARROW_CSS)
    if is_phone():
        return
    width = _probe()(key="narrow_probe", default=None)
    if isinstance(width, (int, float)) and width < NARROW_PX:
        st.session_state[NARROW_KEY] = True  # this run draws the page for a phone already
