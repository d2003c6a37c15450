"""The Compare page's meeting pack: a format, a button that builds the pack (PowerPoint or PDF) for
the year, region and language shown, and its download, kept in the session until the view changes."""

from __future__ import annotations

import streamlit as st

from natality.core.context import Ctx
from natality.export import pack as export
from natality.ui.progress import work_progress

PACK = "pack"  # (year, lang, format, region, bytes) of the pack built last in this session


def meeting_pack(ctx: Ctx, year: int) -> None:
    """The meeting pack's format choice, build button and (once built) download button."""
    st.subheader(ctx.t("compare.pack_title"))
    left, right = st.columns([1, 3])
    fmt = left.radio(ctx.t("compare.pack_format"), ["pptx", "pdf"], key="pack_format", horizontal=True)
    right.caption(ctx.t("compare.pack_help", year=year))
    if right.button(ctx.t("compare.pack_build"), key="pack_build"):
        with work_progress(ctx.lang, ctx.t("compare.pack_build")) as progress:
            try:
                built = export.pack_bytes(ctx.version_dir, year, ctx.lang, fmt, ctx.region_code, progress)
                st.session_state[PACK] = (year, ctx.lang, fmt, ctx.region_code, built)
            except export.ExportError as exc:
                st.error(ctx.t("compare.pack_failed", error=str(exc)))
    pack = st.session_state.get(PACK)
    if pack and pack[:4] == (year, ctx.lang, fmt, ctx.region_code):
        stem = f"meeting_pack_{ctx.region_code}_{year}" if ctx.region_code else f"meeting_pack_{year}"
        right.download_button(
            ctx.t("compare.pack_download"),
            pack[4],
            file_name=f"{stem}_{ctx.lang}.{fmt}",
            mime=export.MIME[fmt],
            key="pack_download",
            on_click="ignore",
            type="primary",
        )
