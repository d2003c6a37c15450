"""The run's context: language, live extract and region for one script run, with the version pinned
so that the sidebar and the page read the same one; the router's first rerun; the demo on first start."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from natality.core import db, extract, i18n, literal
from natality.core.context import Ctx
from natality.demo.county import build_demo
from natality.ui.cached import manifest, warm_overview
from natality.ui.lang import language
from natality.ui.regions import region_names, requested_region
from natality.ui.warm import version_for_run
from natality.ui.warm import warm as warm_version
from natality.ui.warm import watch as watch_extract

ROUTED = "_routed_by_dashboard"
PINNED = "_version_of_this_run"


def ensure_demo(data_dir: Path) -> None:
    """Build the demo extract on first start when the default extract is absent."""
    if data_dir == Path(extract.DEFAULT_DATA_DIR) and not (data_dir / "manifest.json").exists():
        with st.spinner("正在生成演示数据 / Building the demo county…"):
            build_demo(data_dir)


def _ensure_routed() -> None:
    """Rerun through dashboard.py when Streamlit ran a page file on its own.

    With a ``pages/`` folder beside the entry script, Streamlit serves the very first request of
    a fresh server in its old folder mode, running e.g. ``pages/scorecard.py`` without the router
    (no sidebar, no language choice). One rerun goes through ``st.navigation`` and fixes it.
    """
    if st.session_state.get(ROUTED):
        return
    run = get_script_run_ctx()
    folder_mode = PagesManager.uses_pages_directory  # True only until st.navigation first runs
    if folder_mode and run is not None and Path(run.main_script_path).name == "dashboard.py":
        # What st.navigation itself does on its first call; the folder mode never set it.
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_context() -> Ctx:
    """Language, live extract and region for this run; stops the page with a clear message if no extract."""
    _ensure_routed()
    lang = language()
    data_dir = extract.default_data_dir()
    # One version per script run: the sidebar (dashboard.py) and the page read the version the
    # run started on, even when an import switches the live one in between.
    pinned = st.session_state.get(PINNED) if st.session_state.get(ROUTED) else None
    try:
        version_dir = version_for_run(data_dir, pinned, warm_overview)  # held while a new one warms
    except extract.ExtractError:
        st.error(i18n.t("app.no_extract", lang, path=literal.md(data_dir)))
        st.stop()
    if st.session_state.get(ROUTED):
        st.session_state[PINNED] = str(version_dir)
    watch_extract(data_dir, warm_overview)  # what every visitor shares, made in the background
    warm_version(str(version_dir), warm_overview)
    try:
        db.connection(str(version_dir))
    except db.DamagedExtract as exc:
        reason = literal.md(exc.reason)
        st.error(i18n.t("extract.damaged", lang, file=literal.md(exc.file), version=exc.version, reason=reason))
        kept = ", ".join(r["version"] + (" *" if r["live"] else "") for r in extract.list_versions(data_dir))
        st.info(i18n.t("extract.recover", lang, versions=kept or "—"))
        st.stop()
    version_manifest = manifest(str(version_dir))
    code = requested_region()
    names = region_names(str(version_dir), version_manifest).get(code or "")
    return Ctx(
        lang=lang,
        data_dir=str(data_dir),
        version_dir=str(version_dir),
        manifest=version_manifest,
        region_code=code if names else None,
        region_names=names,
    )
