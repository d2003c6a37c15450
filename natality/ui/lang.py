"""The session's language: the sidebar's choice, the URL's ``?lang=``, else the browser's locale."""

from __future__ import annotations

import streamlit as st

from natality.core import i18n


def language() -> str:
    """The session's language: the sidebar choice, else ``?lang=``, else the browser's locale."""
    chosen = st.session_state.get("lang")
    if chosen in i18n.LANGS:
        return chosen
    from_url = i18n.normalise_lang(st.query_params.get("lang"))
    if from_url:
        return from_url
    return "zh" if i18n.normalise_lang(st.context.locale) == "zh" else "en"


def language_selector() -> str:
    lang = language()
    st.session_state["lang"] = lang
    st.sidebar.radio(
        "语言 / Language",
        list(i18n.LANGS),
        key="lang",
        format_func={"zh": "中文", "en": "English"}.get,
        horizontal=True,
    )
    st.query_params["lang"] = st.session_state["lang"]
    return st.session_state["lang"]
