"""The server process's memory settings (natality.ui.serve): malloc arenas and the frozen imports."""

from __future__ import annotations

import gc

import pytest

from natality.ui import serve


def test_arenas_limited_unless_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert serve.limit_arenas(serve.ARENAS) is True  # glibc accepted M_ARENA_MAX
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert serve.limit_arenas(serve.ARENAS) is False  # the operator's setting is left alone


def test_freeze_takes_the_imports_out_of_full_collections() -> None:
    before = gc.get_freeze_count()
    try:
        serve.freeze_modules()
        assert gc.get_freeze_count() > max(before, 10_000)  # polars, plotly, streamlit ... frozen
        made_after = [[] for _ in range(100)]
        tracked = len(gc.get_objects())  # frozen objects are not among the tracked ones
        assert tracked < gc.get_freeze_count()
        del made_after
    finally:
        gc.unfreeze()
