"""Data: what extract is live, how complete it is by township and month, its versions and import
log, and (admins) an upload and a rollback."""

import os
import time

import streamlit as st

from natality import ui
from natality.births import alerts
from natality.core import extract, literal, ranking
from natality.versions import view as data_view

ctx = ui.page_context()
st.title(ctx.t("data.title"))


def admin_password() -> str | None:
    """Streamlit secrets ``admin_password``, else env ``NATALITY_ADMIN_PASSWORD``; None: no upload form."""
    try:
        secret = st.secrets.get("admin_password")
    except Exception:  # no secrets.toml at all
        secret = None
    return secret or os.environ.get("NATALITY_ADMIN_PASSWORD") or None


st.subheader(ctx.t("data.live_title"))
st.dataframe(ui.arrow(data_view.extract_facts(ctx.manifest, ctx.lang)), hide_index=True, key="data_facts")
counts = data_view.row_counts(ctx.manifest)
for column, (table, n) in zip(st.columns(len(counts)), counts, strict=True):
    column.metric(ctx.t(f"data.table_{table}"), f"{n:,}")
personal = data_view.personal_columns(ctx.manifest)
st.caption(ctx.t("data.personal", columns="、".join(map(literal.md, personal)))
           if personal else ctx.t("data.personal_none"))  # fmt: skip
sources = data_view.sources_table(ctx.manifest, ctx.lang)
with st.expander(ctx.t("data.sources")):
    if sources.is_empty():
        st.caption(ctx.t("data.no_sources"))
    else:
        st.dataframe(ui.arrow(sources), hide_index=True, key="data_sources")

st.subheader(ctx.t("data.completeness_title"))
year = ui.year_select(ctx, key="year")
period = ctx.period(year)
grid = ui.query(ctx, "data_completeness", year=year)
find = ""
if grid["township_code"].n_unique() > ranking.TOP + ranking.BOTTOM:  # only the gappiest drawn: let the rest be found
    find = st.text_input(ctx.t("common.find_township"), key="data_find", placeholder=ctx.t("common.find_placeholder"),
                         help=ctx.t("common.find_help"))  # fmt: skip
found = ranking.find_townships(ui.query(ctx, "township_list"), find, ctx.name_col)
if ranking.find_note(found, ctx.lang):
    st.caption(ranking.find_note(found, ctx.lang))
flagged, phi, budget, cells = ui.data_alerts(ctx)
fig = ui.figure(data_view.completeness_heatmap,
    grid, ctx.name_col, ctx.lang, ctx.t("data.heatmap_title", period=period), ctx.t("data.heatmap_subtitle"),
    ctx.footnote(), find=found.codes, marks=alerts.heatmap_marks(flagged, year),
)  # fmt: skip
ui.show_chart(fig, "data_completeness", grid, f"completeness_{year}")
gaps = data_view.gap_count(grid)
st.caption(ctx.t("data.gaps", period=period, n=gaps) if gaps else ctx.t("data.no_gaps", period=period))

st.subheader(ctx.t("alerts.title"))
st.caption(ctx.t("alerts.help", cells=f"{cells:,}", budget=budget))
if flagged.is_empty():
    st.success(ctx.t("alerts.none"))
else:
    st.warning(ctx.t("alerts.count", n=flagged.height))
    st.dataframe(alerts.alerts_table(flagged, ctx.lang), hide_index=True, key="data_alerts")

st.subheader(ctx.t("data.versions_title"))
st.caption(ctx.t("data.versions_help"))
st.dataframe(ui.arrow(data_view.versions_table(ctx.data_dir, ctx.lang)), hide_index=True, key="data_versions")
with st.expander(ctx.t("data.log_title")):
    log = data_view.log_table(ctx.data_dir, ctx.lang)
    if log.height:
        st.dataframe(ui.arrow(log), hide_index=True, key="data_log")
    else:
        st.caption(ctx.t("data.log_empty"))

password = admin_password()
if password:
    st.subheader(ctx.t("data.upload_title"))
    limit = data_view.upload_limit_mb()
    st.caption(ctx.t("data.upload_help") + " " + ctx.t("data.upload_limit", mb=limit))
    with st.form("data_upload", clear_on_submit=False):
        given = st.text_input(ctx.t("data.password"), type="password", key="data_password")
        files = {slot: st.file_uploader(ctx.t(f"data.upload_{slot}"), key=f"data_upload_{slot}", max_upload_size=limit)
                 for slot in data_view.UPLOAD_SLOTS}  # fmt: skip
        months_only = st.checkbox(ctx.t("data.months_only"), key="data_months_only")
        sum_duplicates = st.checkbox(ctx.t("data.sum_duplicates"), key="data_sum_duplicates")
        submitted = st.form_submit_button(ctx.t("data.submit"))
    kept = [r["version"] for r in extract.list_versions(ctx.data_dir) if r["readable"] and not r["live"]]
    with st.form("data_rollback"):
        back_to = st.selectbox(ctx.t("data.rollback_to"), kept[::-1], key="data_rollback_version")
        given_back = st.text_input(ctx.t("data.password"), type="password", key="data_rollback_password")
        rollback = st.form_submit_button(ctx.t("data.rollback"), disabled=not kept)
    if submitted or rollback:
        who = ui.session_who()
        sizes = {slot: (f.name, f.size) for slot, f in files.items() if f is not None and submitted}
        refused, st.session_state["data_attempts"] = data_view.refusal(
            st.session_state.get("data_attempts", []), time.monotonic(), given if submitted else given_back,
            password, sizes, limit, ctx.lang)  # fmt: skip
        if refused:
            data_view.refuse_upload(ctx.data_dir, who, sizes, refused)
            st.session_state["data_result"] = (False, refused)
        elif rollback:
            st.session_state["data_result"] = data_view.run_rollback(ctx.data_dir, back_to, who, ctx.lang)
        elif not sizes:
            st.session_state["data_result"] = (False, ctx.t("data.no_files"))
        else:
            uploads = {slot: (f.name, f.getvalue()) for slot, f in files.items() if f is not None}
            with ui.work_progress(ctx.lang, ctx.t("data.importing"), key="data_progress") as progress:
                st.session_state["data_result"] = data_view.run_upload(uploads, ctx.data_dir, months_only, ctx.lang,
                                                                       who, sum_duplicates, progress)  # fmt: skip
        if st.session_state["data_result"][0]:
            st.rerun()  # draw the page again over the new version
    ui.finished_progress("data_progress")
    ok, message = st.session_state.pop("data_result", (None, ""))
    if ok is not None:
        head, _, details = message.partition("\n")
        (st.success if ok else st.error)(literal.md(head))  # plain text with file names in it
        if details:
            st.code(details, language=None, wrap_lines=True)
