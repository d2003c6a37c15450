"""Leaders' notes under a chart, in a page state (stored by ``natality/core/notes.py``)."""

from __future__ import annotations

import streamlit as st

from natality.core import extract, i18n, notes
from natality.ui.lang import language

PAGE_KEY = "_page"  # the url_path of the page being run, set by dashboard.py


NOTED_PAGES = frozenset({"overview", "births", "sex-ratio", "scorecard", "township", "map", "compare"})


AUTHOR_KEY = "note_author"  # the name a leader typed once this session (no login)


def note_author() -> str | None:
    """Who writes: the logged-in user's name (``st.user``), else the name typed this session."""
    return st.user.get("name") or st.session_state.get(AUTHOR_KEY) or None


@st.cache_data(show_spinner=False, max_entries=64)
def _view_notes(data_dir: str, stamp: tuple, page: str, state: tuple) -> list[notes.Note]:
    return notes.notes_for_view(data_dir, page, dict(state))


def view_notes(page: str, state: dict[str, str]) -> list[notes.Note]:
    """The notes of this page state, all charts at once: one indexed query, then cached until the
    notes file changes (its and its write-ahead log's time and size are in the key, so a note written
    by another leader, on this replica or another, shows too)."""
    data_dir = str(extract.default_data_dir())
    return _view_notes(data_dir, notes.file_stamp(data_dir), page, tuple(sorted(state.items())))


def _add_note(page: str, chart: str, state: dict[str, str]) -> None:
    text_key, author_key, error_key = f"{chart}_note_text", f"{chart}_note_author", f"{chart}_note_error"
    author = note_author() or st.session_state.get(author_key, "")
    try:
        notes.add_note(extract.default_data_dir(), page, chart, state, author, st.session_state.get(text_key, ""))
    except notes.NoteError as exc:
        st.session_state[error_key] = exc.key
        return
    st.session_state.pop(error_key, None)
    if not note_author():
        st.session_state[AUTHOR_KEY] = author.strip()
    st.session_state[text_key] = ""


def _delete_note(chart: str, note_id: int) -> None:
    try:
        notes.delete_note(extract.default_data_dir(), note_id, note_author() or "")
    except notes.NoteError as exc:
        st.session_state[f"{chart}_note_error"] = exc.key


def _remember_open(key: str, opened: str) -> None:
    st.session_state[opened] = bool(st.session_state.get(key))


def chart_notes(chart: str) -> None:
    """Under a chart: an expander labelled with how many notes it has in this page state; opened,
    its notes (shown as plain text, never as HTML or Markdown), a form to add one, and a delete
    button on the notes this session's author wrote. The content is made only while the expander
    is open (``on_change="rerun"``): most views never open it, and a closed one costs one element."""
    page = st.session_state.get(PAGE_KEY)
    if page not in NOTED_PAGES:
        return
    lang = language()
    state = notes.page_state(st.query_params.to_dict())
    try:
        here = [n for n in view_notes(page, state) if n.chart == chart]
    except notes.NoteError as exc:  # the notes file cannot be read: the chart stays, the notes say why
        st.caption(i18n.t(exc.key, lang))
        return
    author = note_author()
    label = i18n.t("notes.expander", lang, n=len(here)) if here else i18n.t("notes.expander_none", lang)
    # Whether it is open is kept under its own key: the count in the label is part of the
    # expander's identity, so a note added makes a new expander, opened as the old one was.
    key, opened = f"{chart}_notes", f"{chart}_notes_open"
    box = st.expander(
        label,
        expanded=bool(st.session_state.get(opened)),
        key=key,
        icon=":material/sticky_note_2:",
        on_change=_remember_open,
        args=(key, opened),
    )
    if not box.open:
        return  # closed: the count in its label is all a view sends (the form is made when opened)
    with box:
        for note in here:
            st.text(f"{note.author} · {note.created_at[:16].replace('T', ' ')} UTC", width="stretch")
            st.text(note.body, width="stretch")
            if author and note.author == author:
                st.button(
                    i18n.t("notes.delete", lang),
                    key=f"{chart}_note_delete_{note.id}",
                    on_click=_delete_note,
                    args=(chart, note.id),
                )
        error = st.session_state.get(f"{chart}_note_error")
        if error:
            st.warning(i18n.t(error, lang, n=notes.MAX_TEXT))
        if st.session_state.get("present"):
            return  # presentation mode shows the notes, not the form
        with st.form(f"{chart}_note_form", border=False):
            if author:
                st.text(i18n.t("notes.writing_as", lang, author=author))
            else:
                st.text_input(i18n.t("notes.author", lang), key=f"{chart}_note_author", max_chars=notes.MAX_AUTHOR)
            st.text_area(
                i18n.t("notes.text", lang),
                key=f"{chart}_note_text",
                max_chars=notes.MAX_TEXT,
                placeholder=i18n.t("notes.placeholder", lang),
            )
            st.form_submit_button(i18n.t("notes.add", lang), on_click=_add_note, args=(page, chart, state))
