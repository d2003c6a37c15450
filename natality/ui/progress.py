"""Long work on a page (an upload's import, the meeting pack) shown as it goes: ``st.status`` with
``st.progress`` and the step it is on, then, collapsed, the steps it went through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from natality.core import literal
from natality.core.progress import Progress, fraction, step_text


@contextmanager
def work_progress(lang: str, label: str, key: str | None = None) -> Iterator[Progress]:
    """A status box with a progress bar; yields the ``Progress`` to give the work. The steps are
    kept in ``st.session_state[key]`` (when given) for ``finished_progress`` after a rerun."""
    steps: list[str] = []
    holder = st.empty()  # the live box, replaced by ``finished_progress``'s when a key is given
    with holder.status(literal.md(label), expanded=True) as status:
        bar = st.progress(0.0, text=literal.md(label))

        def report(done: int, total: int, message: str, fmt: dict) -> None:
            steps.append(step_text(done, total, message, fmt, lang))
            bar.progress(fraction(done, total), text=literal.md(steps[-1]))  # file names: as written

        try:
            yield report
        except Exception:
            status.update(label=literal.md(steps[-1] if steps else label), state="error")
            raise
        status.update(label=literal.md(steps[-1] if steps else label), state="complete", expanded=False)
    if key is not None:
        st.session_state[key] = (steps[-1] if steps else label, steps)
        holder.empty()


def finished_progress(key: str) -> None:
    """The steps of the work kept under ``key`` (then forgotten), collapsed under its last step."""
    done = st.session_state.pop(key, None)
    if done:
        with st.status(literal.md(done[0]), state="complete", expanded=False):
            st.text("\n".join(done[1]))
