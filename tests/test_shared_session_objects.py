"""A server's memory stays bounded at 2,000 townships (issue 19): what every session shows the same
is one object per version (and region and language), not a copy per session's view that its
widgets keep; and the version served before an import is dropped as soon as no run is on it.

The demo county (a real extract), real imports (``python -m natality import``), Streamlit's
own caches.
"""

from __future__ import annotations

import sys
import threading
import time

import polars as pl
import pytest

from natality.core import extract
from natality.core.context import Ctx
from natality.srb import view as srb_view
from natality.ui import cached, version_caches, warm
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import months

from tests.test_warm_switch import publish, use


def session_ctx(data, lang: str) -> Ctx:
    """The context one session's run builds (a new object per run, as ``ui.page_context`` makes)."""
    version = str(extract.live_version_dir(data))
    return Ctx(
        lang=lang,
        data_dir=str(data),
        version_dir=version,
        manifest=extract.read_manifest(version),
        region_code=None,
        region_names=None,
    )


def test_two_sessions_get_the_same_names_dict_and_an_evicted_version_a_new_one(demo_data):
    first, second, english = session_ctx(demo_data, "zh"), session_ctx(demo_data, "zh"), session_ctx(demo_data, "en")
    names = cached.township_names(first)
    assert len(names) == 19 and names["419901101000"] == "城关镇"
    assert cached.township_names(second) is names  # shared, not built again per session
    assert cached.township_names(english) is not names
    assert list(cached.township_names(english)) == list(names)  # the same codes, the other language
    assert cached.township_names(english) != names
    version = first.version_dir
    assert version_caches.cached_for(version)["streamlit"] >= 2
    version_caches.evict({version})
    assert version_caches.cached_for(version)["streamlit"] == 0
    again = cached.township_names(first)
    assert again is not names and again == names  # made anew after the eviction


def srb_table(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["township_code", "label", "classification", "births"], orient="row")


def test_the_sex_ratio_selector_options_are_shared_between_sessions_showing_the_same_table():
    rows = [
        ("t1", "甲镇", "within", 90),
        ("t2", "乙镇", "above", 40),
        ("t3", "丙镇", "within", 120),
        ("t4", "丁镇", "below", 10),
    ]
    codes, names, default = srb_view.township_options(srb_table(rows))
    assert codes == ["t2", "t4", "t3", "t1"]  # flagged first (by births), then by births
    assert names == {"t2": "乙镇", "t4": "丁镇", "t3": "丙镇", "t1": "甲镇"} and default == "t2"
    other_codes, other_names, _ = srb_view.township_options(srb_table(list(reversed(rows))))  # another session's frame
    assert other_codes is codes and other_names is names
    moved = [("t1", "甲镇", "above", 90), *rows[1:]]
    moved_codes, _, moved_default = srb_view.township_options(srb_table(moved))
    assert moved_codes == ["t1", "t2", "t4", "t3"] and moved_default == "t1" and moved_codes is not codes
    english = [(c, f"Town {c}", k, b) for c, _, k, b in rows]
    assert srb_view.township_options(srb_table(english))[1]["t2"] == "Town t2"  # labels are part of the key
    for n in range(srb_view.OPTIONS_KEPT + 4):  # bounded: the oldest are forgotten
        srb_view.township_options(srb_table([(f"x{n}", "x", "within", 1)]))
    assert srb_view.township_options(srb_table(rows))[0] is not codes
    assert srb_view.township_options(srb_table([]))[2] is None
    # what the cache keeps of a table is its digest, not the frame (2,000 rows each)
    info = srb_view._options.cache_info()
    assert info.currsize == srb_view.OPTIONS_KEPT
    assert all(args[0].frame is None for args, _kwargs in srb_view._options._once.entries)


def test_the_previous_version_is_dropped_as_soon_as_no_run_is_on_it(demo_data, tmp_path, monkeypatch):
    monkeypatch.setattr(warm, "WATCH_SECONDS", 3600.0)
    monkeypatch.setattr(warm, "RETIRE_SECONDS", 600.0)  # the old rule kept it 10 minutes
    monkeypatch.setattr(warm, "RETIRE_QUIET_SECONDS", 0.5)
    data = months.live_copy(demo_data, tmp_path / "live" / "demo")
    ((_, births),) = months.next_months(data, tmp_path, 1)
    started, release = threading.Event(), threading.Event()
    got: list[str] = []

    def slow_run() -> None:  # a session's script run that began on the old version and still runs
        got.append(str(warm.version_for_run(data)))
        started.set()
        release.wait(120)

    run = threading.Thread(target=slow_run)
    run.start()
    try:
        assert started.wait(60)
        v1 = got[0]
        use(v1)
        assert version_caches.cached_for(v1)["once"] >= 2
        v2 = publish(data, births)
        assert str(warm.version_for_run(data)) == v2  # no hold: switched at once, v1 now previous
        time.sleep(3)
        assert warm.in_flight(v1)
        assert version_caches.cached_for(v1)["once"] >= 2  # a run is still on it: kept
    finally:
        release.set()
        run.join(60)
    deadline = time.monotonic() + 30
    while version_caches.cached_for(v1) != {"once": 0, "figures": 0, "streamlit": 0} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert version_caches.cached_for(v1) == {"once": 0, "figures": 0, "streamlit": 0}
    assert not warm.in_flight(v1) and time.monotonic() < deadline


@pytest.fixture(autouse=True)
def _no_hold():
    warm.hold_back(False)
    yield
