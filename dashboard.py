"""Entry point: page config, navigation over the pages, and the shared sidebar."""

import logging

import streamlit as st

from natality import ui
from natality.core import db, extract, i18n, literal

st.set_page_config(
    page_title="乡镇出生监测 · Township births",
    page_icon="📊",
    layout="wide",
    initial_sidebar_state="collapsed" if ui.presentation_requested() else "auto",
)

lang = ui.language_selector()
ui.require_login(lang)
ui.presentation_mode()
ui.narrow_css()
ui.ensure_demo(extract.default_data_dir())

pages = [
    st.Page("pages/overview.py", title=i18n.t("nav.overview", lang), url_path="overview", default=True),
    st.Page("pages/births.py", title=i18n.t("nav.births", lang), url_path="births"),
    st.Page("pages/sex-ratio.py", title=i18n.t("nav.sex_ratio", lang), url_path="sex-ratio"),
    st.Page("pages/scorecard.py", title=i18n.t("nav.scorecard", lang), url_path="scorecard"),
    st.Page("pages/township.py", title=i18n.t("nav.township", lang), url_path="township"),
    st.Page("pages/map.py", title=i18n.t("nav.map", lang), url_path="map"),
    st.Page("pages/compare.py", title=i18n.t("nav.compare", lang), url_path="compare"),
    st.Page("pages/data.py", title=i18n.t("nav.data", lang), url_path="data"),
]
page = st.navigation(pages)

st.session_state.pop(ui.PINNED, None)  # pinned anew by this run's first page_context()
st.session_state[ui.ROUTED] = True
st.session_state[ui.PAGE_KEY] = page.url_path or "overview"
ctx = ui.page_context()
ui.region_select(ctx, st.sidebar)
st.sidebar.markdown(f"**{literal.md(ctx.region())}**")
st.sidebar.caption(ctx.t("app.cutoff", month=ctx.cutoff_text()))
if ctx.manifest.get("synthetic"):
    st.sidebar.info(ctx.t("app.synthetic_banner"))

ui.copy_link_button(ctx.lang)
try:
    page.run()
except db.DamagedExtract as exc:  # a file damaged after the first check: the same message
    st.error(ctx.t("extract.damaged", file=literal.md(exc.file), version=exc.version, reason=literal.md(exc.reason)))
    st.info(ctx.t("extract.recover", versions=", ".join(r["version"] for r in extract.list_versions(ctx.data_dir))))
except Exception as exc:  # a page error becomes a message, never a traceback
    logging.getLogger("natality").exception("page %s failed", page.title)
    st.error(ctx.t("app.error", error=literal.md(str(exc) or type(exc).__name__)))
finally:
    st.session_state[ui.ROUTED] = False
    st.session_state.pop(ui.PINNED, None)
if st.session_state.get("present"):  # after the page: its URL state is complete
    ui.view_qr(ctx.lang, page.url_path or "")
