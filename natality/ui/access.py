"""Who is acting (for the import log) and the county's login (``st.login`` when configured)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from natality.core import i18n


def session_who() -> str:
    """Who is acting, for the import log: the login name (``st.login``) where one is configured,
    else ``session:`` and this browser session's id."""
    try:
        if st.user.get("is_logged_in"):
            return str(st.user.get("email") or st.user.get("name") or st.user.get("sub"))
    except Exception:  # no [auth] section in secrets.toml: st.user has no login
        pass
    run_ctx = get_script_run_ctx()
    return f"session:{run_ctx.session_id[:12]}" if run_ctx is not None else "session:?"


def login_configured() -> bool:
    """An ``[auth]`` section (OpenID Connect) in ``.streamlit/secrets.toml``."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def require_login(lang: str) -> None:
    """Behind the county's login: with ``[auth]`` configured only a logged-in user sees the app
    (``st.login``); the sidebar says who is logged in, with a way out."""
    if not login_configured():
        return
    if not st.user.get("is_logged_in"):
        st.title(i18n.t("app.login_title", lang))
        st.caption(i18n.t("app.login_help", lang))
        st.button(i18n.t("app.login", lang), on_click=st.login, type="primary", key="login")
        st.stop()
    st.sidebar.caption(i18n.t("app.logged_in", lang, who=session_who()))
    st.sidebar.button(i18n.t("app.logout", lang), on_click=st.logout, key="logout")
