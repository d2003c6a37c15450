"""No cold view after an import, and memory bounded across imports (issue 19, points 1 and 2).

Under a server (``natality.ui.serve``: ``warm.hold_back``) a new script run keeps getting the
version served so far while the new live version warms, then the new one; at each switch what was
kept for versions neither served nor previous (``core/once`` entries, shared figures, Streamlit's
cached results) is dropped. Real imports (``python -m natality import``) over a copy of the demo
county; a real AppTest of the dashboard; a real ``natality.ui.serve`` over Streamlit's protocol.
"""

from __future__ import annotations

import subprocess
import sys
import time

import plotly.graph_objects as go
import polars as pl
import pytest
import streamlit as st
from streamlit.runtime.caching import cache_data_api, cache_resource_api
from streamlit.testing.v1 import AppTest

from natality.core import db, extract
from natality.scorecard import scoring
from natality.ui import figures, version_caches, warm
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))
import months
import serve
import stclient


@pytest.fixture
def held(monkeypatch):
    """Hold back as a server does; the watcher never ticks on its own during the test."""
    monkeypatch.setattr(warm, "WATCH_SECONDS", 3600.0)
    monkeypatch.setattr(warm, "RETIRE_SECONDS", 600.0)  # the previous version kept through the test
    monkeypatch.setattr(warm, "RETIRE_QUIET_SECONDS", 600.0)
    warm.hold_back(True)
    yield
    warm.hold_back(False)


@pytest.fixture
def live(demo_data, tmp_path):
    data = months.live_copy(demo_data, tmp_path / "live" / "demo")
    files = months.next_months(data, tmp_path, 2)
    return data, files


def publish(data, births) -> str:
    done = subprocess.run(months.import_command(data, births), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return str(extract.live_version_dir(data))


def bar(frame: pl.DataFrame) -> go.Figure:
    return go.Figure(go.Bar(x=frame["township_code"].to_list(), y=frame["births"].to_list()))


def streamlit_entries(name: str) -> int:
    """Entries in Streamlit's own data or resource cache of the function ``name`` (one stat per entry)."""
    caches = [
        c
        for kind in (cache_data_api._data_caches, cache_resource_api._resource_caches)
        for f in kind._function_caches.values()
        for c in f.values()
    ]
    stats = [s for c in caches for family in c.get_stats().values() for s in family]
    # a data cache gives one stat per entry, a resource cache one stat whose length is its entries
    return sum(
        s.byte_length if s.category_name == "st_cache_resource" else 1 for s in stats if s.cache_name.endswith(name)
    )


def use(version: str) -> None:
    """What a page view of ``version`` keeps: a query result (Streamlit's cache), a figure, the
    connection and scorecard (core/once)."""
    from natality.ui import cached

    frame = cached._query(version, "births_by_township_year", (("region", None), ("year", 2024)))
    figures.run_version(version)
    figures.figure(bar, frame)
    figures.run_version(None)
    scoring.region_scorecard(version, "en", None)


def test_a_run_during_the_warm_gets_the_old_version_after_it_the_new_and_two_imports_drop_the_first(live, held):
    data, ((_, first), (_, second)) = live
    v1 = str(warm.version_for_run(data))
    assert v1 == str(extract.live_version_dir(data))
    assert warm.warm(v1) and warm.wait_ready(v1)
    st.cache_data.clear()  # earlier tests of the suite may have filled the query cache to its cap
    st.cache_resource.clear()
    use(v1)
    kept_v1 = version_caches.cached_for(v1)
    assert kept_v1["once"] >= 3 and kept_v1["figures"] == 1 and kept_v1["streamlit"] == 1, kept_v1
    query_entries = streamlit_entries("_query")

    v2 = publish(data, first)
    assert v2 != v1
    assert str(warm.version_for_run(data)) == v1  # its warm has just started: the old version
    assert str(warm.version_for_run(data, pinned=v1)) == v1
    assert warm.wait_ready(v2, timeout=120)
    assert str(warm.version_for_run(data)) == v2  # warm: the new one
    assert warm.serving(extract.data_dir_of(v2)) == v2
    use(v2)
    assert version_caches.cached_for(v1)["once"] == kept_v1["once"]  # the previous version stays
    assert streamlit_entries("_query") == query_entries + 1

    v3 = publish(data, second)
    assert str(warm.version_for_run(data)) == v2
    assert warm.wait_ready(v3, timeout=120)
    assert str(warm.version_for_run(data)) == v3
    assert version_caches.cached_for(v1) == {"once": 0, "figures": 0, "streamlit": 0}
    assert streamlit_entries("_query") == query_entries  # v1's result cleared from Streamlit's cache
    kept_v2 = version_caches.cached_for(v2)
    assert kept_v2["once"] >= 3 and kept_v2["figures"] == 1  # previous: kept
    assert version_caches.cached_for(v3)["once"] >= 3
    assert v1 not in {key[0][0] for key in db.connection._once.entries}


def test_the_previous_version_is_dropped_once_no_run_can_still_use_it(live, held, monkeypatch):
    monkeypatch.setattr(warm, "RETIRE_SECONDS", 1.0)
    data, ((_, first), _) = live
    v1 = str(warm.version_for_run(data))
    assert warm.warm(v1) and warm.wait_ready(v1)
    use(v1)
    assert version_caches.cached_for(v1)["once"] >= 3
    v2 = publish(data, first)
    assert str(warm.version_for_run(data)) == v1
    assert warm.wait_ready(v2, timeout=120)
    deadline = time.monotonic() + 60
    while version_caches.cached_for(v1) != {"once": 0, "figures": 0, "streamlit": 0} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert version_caches.cached_for(v1) == {"once": 0, "figures": 0, "streamlit": 0}
    assert str(warm.version_for_run(data)) == v2 and version_caches.cached_for(v2)["once"] >= 3


def test_without_hold_a_run_gets_the_new_version_at_once(live):
    data, ((_, first), _) = live
    v1 = str(warm.version_for_run(data))
    v2 = publish(data, first)
    assert str(warm.version_for_run(data)) == v2 != v1


def cutoff_caption(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Data up to"))


def test_apptest_of_the_dashboard_during_and_after_the_warm(live, held, monkeypatch):
    data, ((month, first), _) = live
    monkeypatch.setenv("NATALITY_DATA", str(data))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    before = cutoff_caption(at)
    v2 = publish(data, first)
    at.run()
    assert not at.exception and cutoff_caption(at) == before  # during the warm: the old month
    assert warm.wait_ready(v2, timeout=120)
    at.run()
    assert not at.exception
    assert cutoff_caption(at) != before and month[:4] in cutoff_caption(at)


def test_a_served_process_shows_the_old_version_until_the_new_is_warm(live, tmp_path):
    """A real ``python -m natality.ui.serve``: views right after an import show the month before,
    later ones the new month, never both in one view."""
    data, ((month, first), _) = live
    before = extract.read_manifest(data)["cutoff_month"]
    marks = {before: stclient.version_marks(before), month: stclient.version_marks(month)}
    port = serve.free_port()
    proc = serve.start_app(
        data, port, tmp_path / "serve.log", starter=["-m", "natality.ui.serve"], env={"NATALITY_WATCH_SECONDS": "3600"}
    )
    try:
        assert serve.wait_healthy(f"http://127.0.0.1:{port}"), (tmp_path / "serve.log").read_text()
        tab = stclient.Session(f"http://127.0.0.1:{port}", marks, timeout=120)
        view = tab.view("births", "lang=en")
        assert view.good and view.marks == {before}, view.errors
        publish(data, first)
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not seen or seen[-1] != {month}):
            view = tab.view("births", "lang=en")
            assert view.good, view.errors
            seen.append(view.marks)
        assert seen[0] == {before}  # the first view after the import: the new version was not warm yet
        assert seen[-1] == {month}
        assert all(len(m) == 1 for m in seen)
        tab.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
