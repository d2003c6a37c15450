"""The Data page's admin forms: an upload of new source files and a rollback to a kept version, behind
the admin password, with their session state (password attempts, the last result shown once)."""

from __future__ import annotations

import os
import time

import streamlit as st

from natality.core import extract, literal
from natality.core.context import Ctx
from natality.ui.access import session_who
from natality.ui.progress import finished_progress, work_progress
from natality.versions import view as data_view

ATTEMPTS = "data_attempts"  # times of this session's recent password attempts
PROGRESS = "data_progress"  # the steps of the last import, shown collapsed after its rerun
RESULT = "data_result"  # (ok, message) of the last upload or rollback, shown on the next run


def admin_password() -> str | None:
    """Streamlit secrets ``admin_password``, else env ``NATALITY_ADMIN_PASSWORD``; None: no upload form."""
    try:
        secret = st.secrets.get("admin_password")
    except Exception:  # no secrets.toml at all
        secret = None
    return secret or os.environ.get("NATALITY_ADMIN_PASSWORD") or None


def admin_forms(ctx: Ctx) -> None:
    """The upload and rollback forms when an admin password is set (nothing otherwise); a
    successful import or rollback draws the page again over the new live version."""
    password = admin_password()
    if not password:
        return
    st.subheader(ctx.t("data.upload_title"))
    limit = data_view.upload_limit_mb()
    st.caption(ctx.t("data.upload_help") + " " + ctx.t("data.upload_limit", mb=limit))
    with st.form("data_upload", clear_on_submit=False):
        given = st.text_input(ctx.t("data.password"), type="password", key="data_password")
        files = {
            slot: st.file_uploader(ctx.t(f"data.upload_{slot}"), key=f"data_upload_{slot}", max_upload_size=limit)
            for slot in data_view.UPLOAD_SLOTS
        }
        months_only = st.checkbox(ctx.t("data.months_only"), key="data_months_only")
        sum_duplicates = st.checkbox(ctx.t("data.sum_duplicates"), key="data_sum_duplicates")
        submitted = st.form_submit_button(ctx.t("data.submit"))
    kept = [r["version"] for r in extract.list_versions(ctx.data_dir) if r["readable"] and not r["live"]]
    with st.form("data_rollback"):
        back_to = st.selectbox(ctx.t("data.rollback_to"), kept[::-1], key="data_rollback_version")
        given_back = st.text_input(ctx.t("data.password"), type="password", key="data_rollback_password")
        rollback = st.form_submit_button(ctx.t("data.rollback"), disabled=not kept)
    if submitted or rollback:
        who = session_who()
        sizes = {slot: (f.name, f.size) for slot, f in files.items() if f is not None and submitted}
        attempt = given if submitted else given_back
        history = st.session_state.get(ATTEMPTS, [])
        refused, st.session_state[ATTEMPTS] = data_view.refusal(
            history, time.monotonic(), attempt, password, sizes, limit, ctx.lang
        )
        if refused:
            data_view.refuse_upload(ctx.data_dir, who, sizes, refused)
            st.session_state[RESULT] = (False, refused)
        elif rollback:
            st.session_state[RESULT] = data_view.run_rollback(ctx.data_dir, back_to, who, ctx.lang)
        elif not sizes:
            st.session_state[RESULT] = (False, ctx.t("data.no_files"))
        else:
            uploads = {slot: (f.name, f.getvalue()) for slot, f in files.items() if f is not None}
            with work_progress(ctx.lang, ctx.t("data.importing"), key=PROGRESS) as progress:
                st.session_state[RESULT] = data_view.run_upload(
                    uploads, ctx.data_dir, months_only, ctx.lang, who, sum_duplicates, progress
                )
        if st.session_state[RESULT][0]:
            st.rerun()  # draw the page again over the new version
    finished_progress(PROGRESS)
    ok, message = st.session_state.pop(RESULT, (None, ""))
    if ok is not None:
        head, _, details = message.partition("\n")
        (st.success if ok else st.error)(literal.md(head))  # plain text with file names in it
        if details:
            st.code(details, language=None, wrap_lines=True)
