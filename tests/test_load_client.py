"""The load test's protocol client (bench/stclient.py) against a real server: a good view has its
title and charts and names one version; an error box on the page, an exception element or a
page that never finishes is reported, not counted as good."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from natality.core import extract
from tests.conftest import start_streamlit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import stclient


def good(view: stclient.View, lang: str) -> bool:
    return not view.errors and view.has_title(stclient.page_title(view.page, lang)) and view.charts >= 1


def test_views_over_the_protocol_bring_the_page_title_charts_and_one_version(streamlit_server, demo_data):
    month = extract.read_manifest(demo_data)["cutoff_month"]
    marks = {month: stclient.version_marks(month), "other": stclient.version_marks("1999-01")}
    with stclient.Session(streamlit_server, marks) as tab:
        first = tab.view("births", "lang=en")  # the first view names the page by its URL path
        assert tab.pages["births"] and tab.session_id
        # at once again (Streamlit forgets a tab's cached messages unused for 2 runs: on a server
        # other tests used before, births -> sex-ratio -> births found them forgotten)
        again = tab.view("births", "lang=en")
        second = tab.view("sex-ratio", "lang=en")  # then by its hash, as a click in the sidebar
    assert good(first, "en") and good(second, "en") and good(again, "en")
    assert first.headings[0] == "Births" and first.charts == 4 and second.charts == 5
    assert first.marks == second.marks == {month}  # the sidebar and every footnote name the cut-off
    # the same page again counts the same charts, whether they come in full or as references to
    # the tab's message cache (on a fresh server they came as references, 51 KB -> smaller; on the
    # suite's shared server, used by many tests before, in full: the bytes are not compared here)
    assert again.charts == first.charts and again.headings == first.headings
    with stclient.Session(streamlit_server) as tab:
        zh = tab.view("overview", "lang=zh")
    assert good(zh, "zh") and zh.headings[0].endswith("出生概览")


def test_an_error_box_or_an_exception_makes_a_bad_view(tmp_path, demo_data):
    damaged = tmp_path / "demo"
    shutil.copytree(extract.versions_dir(demo_data), extract.versions_dir(damaged), symlinks=True)
    damaged.symlink_to(Path(f"{damaged.name}.versions") / demo_data.resolve().name)
    births = damaged.resolve() / "births.parquet"
    births.write_bytes(births.read_bytes()[:300])  # truncated: every page says so in an error box
    proc, url = start_streamlit(damaged, tmp_path / "streamlit.log")
    try:
        with stclient.Session(url, timeout=60) as tab:
            view = tab.view("births", "lang=en")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not good(view, "en")
    assert any(e.startswith("error box:") and "births.parquet" in e for e in view.errors), view.errors

    # an exception element (what st.exception and an uncaught error send) is an error too
    fwd = ForwardMsg()
    fwd.delta.new_element.exception.type = "ValueError"
    fwd.delta.new_element.exception.message = "Invalid value"
    plain = stclient.View(page="map", query="")
    stclient.Session._take(tab, fwd, plain)
    assert plain.errors == ["exception ValueError: Invalid value"]


def test_a_stream_that_closes_is_an_error_not_a_hang(streamlit_server):
    tab = stclient.Session(streamlit_server, timeout=5)
    tab.close()
    with pytest.raises(stclient.ProtocolError):
        tab.view("map", "lang=en")


def test_the_locust_driver_runs_a_short_sweep(streamlit_server, demo_data, tmp_path):
    """``make load``'s driver (bench/swarm.py, Locust users in their own process) for a few
    seconds: views counted, none failed, the charts each page draws learnt in the warm-up."""
    import json
    import subprocess

    month = extract.read_manifest(demo_data)["cutoff_month"]
    config = {
        "mode": "sweep",
        "url": streamlit_server,
        "pids": [],
        "steps": [3],
        "step_seconds": 4,
        "settle": 1,
        "think": 0.5,
        "seed": 1,
        "timeout": 60,
        "marks": {month: stclient.version_marks(month)},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    bench = Path(__file__).resolve().parent.parent / "bench"
    done = subprocess.run(
        [sys.executable, str(bench / "swarm.py"), str(tmp_path / "config.json"), str(tmp_path / "result.json")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "result.json").read_text())
    (step,) = result["steps"]
    assert step["sessions"] == 3 and step["views"] >= 3 and step["errors"] == 0, step["problems"]
    assert result["warmup_errors"] == [] and result["expected_charts"]["births:en"] == 4
    assert all(r["marks"] == [month] for r in result["records"]) and result["health_failures"] == []
