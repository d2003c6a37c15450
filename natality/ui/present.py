"""Presentation mode (``?present=1``): the app's own chrome hidden, type enlarged, the sidebar
collapsed on load, and figures with larger type (``for_display``)."""

from __future__ import annotations

import streamlit as st

from natality.core import i18n
from natality.ui.lang import language

PRESENT_CSS = """<style>
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stAppDeployButton"],
[data-testid="stMainMenu"], [data-testid="stElementToolbar"], [data-testid="stSidebarNav"] {display: none !important;}
[data-testid="stHeader"] {background: transparent; pointer-events: none;}
[data-testid="stHeader"] button {pointer-events: auto;}  /* the empty header lets taps through to the page */
.stMainBlockContainer {padding-top: 1.2rem; max-width: 100%;}
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label {font-size: 1.35rem !important;}
[data-testid="stMain"] h1 {font-size: 3rem;}
[data-testid="stMain"] h2, [data-testid="stMain"] h3 {font-size: 2.1rem;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: 3.2rem !important;}
</style>"""


def presenting() -> bool:
    """Whether this session is in presentation mode now (the sidebar switch's value)."""
    return bool(st.session_state.get("present"))


def presentation_requested() -> bool:
    """Whether the URL asks for presentation mode (``?present=1``), before any widget exists."""
    return st.session_state.get("present", st.query_params.get("present") in ("1", "true"))


def presentation_mode() -> bool:
    """Sidebar switch for presentation mode, kept in the URL as ``?present=1``."""
    if "present" not in st.session_state:
        st.session_state["present"] = st.query_params.get("present") in ("1", "true")
    lang = language()
    on = st.sidebar.toggle(i18n.t("export.present", lang), key="present", help=i18n.t("export.present_help", lang))
    if on:
        st.query_params["present"] = "1"
        st.html(PRESENT_CSS)
    else:
        st.query_params.pop("present", None)
    return on
