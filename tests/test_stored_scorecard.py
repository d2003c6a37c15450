"""No cold start (issue 19, point 4): a version's scorecard is computed once and stored in its
``derived/`` folder, read back equal by any later process, never read when the version's files,
registry or code changed, prepared by ``python -m natality demo|import``, and warmed by a server
in the background."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from natality.core import extract
from natality.demo.county import build_demo
from natality.scorecard import scoring, stored
from tests.conftest import ROOT, serve

TABLES = ("status", "card", "county", "values", "region_targets")


def _entries(version) -> list[str]:
    """The stored scorecard's entries (``derived/`` also holds a server's shared figures, alerts and
    changes: ``core/once_files``, written as the server warms, at its own pace)."""
    folder = version / stored.DERIVED
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("scorecard-"))


def test_stored_scorecard_reads_back_equal(tmp_path):
    data = tmp_path / "demo"
    build_demo(data)
    version = extract.live_version_dir(data)
    scoring.clear_cache()
    computed = scoring.scorecard_data(data, "en")
    names = _entries(version)
    assert len(names) == 2 and names[1] == names[0] + "-en"  # the shared part and the English texts
    scoring.clear_cache()
    read = scoring.scorecard_data(data, "en")
    assert read is not computed
    for table in TABLES:
        assert_frame_equal(getattr(read, table), getattr(computed, table))
    assert_frame_equal(read.simulation.keys, computed.simulation.keys)
    assert np.array_equal(read.simulation.ranking, computed.simulation.ranking)
    assert (read.cutoff, read.fraction, read.region_code, read.registry) == (
        computed.cutoff,
        computed.fraction,
        computed.region_code,
        computed.registry,
    )
    assert read.card_for(2024).equals(computed.card_for(2024))


def test_a_changed_version_or_code_never_reads_a_stale_scorecard(tmp_path):
    data = tmp_path / "demo"
    build_demo(data)
    version = extract.live_version_dir(data)
    stamp = scoring._stamp(data)
    assert stored.key(stamp, "zh") == stored.key(scoring._stamp(data), "zh")
    (version / "indicators.yaml").write_text((ROOT / "natality/scorecard/indicators.yaml").read_text(encoding="utf-8"))
    assert stored.key(scoring._stamp(data), "zh") != stored.key(stamp, "zh")  # the extract's own registry
    try:
        original = stored.FORMAT
        stored.FORMAT = original + 1
        assert stored.key(stamp, "zh") != stored.key(scoring._stamp(data), "zh")
    finally:
        stored.FORMAT = original


def test_demo_command_prepares_both_languages_and_query_reads_them(tmp_path):
    data = tmp_path / "demo"
    run = [sys.executable, "-m", "natality"]
    subprocess.run([*run, "demo", "--out", str(data)], cwd=ROOT, check=True, capture_output=True, timeout=300)
    names = _entries(extract.live_version_dir(data))
    assert [n.rsplit("-", 1)[-1] for n in names[1:]] == ["en", "zh"] and len(names) == 3
    start = time.process_time()
    out = subprocess.run(
        [*run, "query", "scorecard", "--data", str(data), "-p", "year=2024", "--format", "csv"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    scoring.clear_cache()
    expected = scoring.scorecard(2024, data, "zh").write_csv()
    assert out.stdout == expected
    assert time.process_time() - start < 60  # sanity; the figures are in bench/view_cost.py


def test_server_warms_a_new_version_in_the_background(tmp_path):
    from natality.ui import warm

    data = tmp_path / "demo"
    build_demo(data)
    version = str(extract.live_version_dir(data))
    scoring.clear_cache()
    assert warm.warm(version) is True
    assert warm.warm(version) is False  # once per version and process
    for thread in [t for t in threading.enumerate() if t.name == "natality-warm"]:
        thread.join(timeout=120)
    assert [n.rsplit("-", 1)[-1] for n in _entries(extract.live_version_dir(data))[1:]] == ["en", "zh"]


def test_serve_prepares_the_live_version_before_the_first_visit(tmp_path):
    """``python -m natality.ui.serve`` (make run): the scorecards are made while the server starts."""
    import urllib.request

    sys.path.insert(0, str(ROOT / "bench"))
    from stclient import Session

    data = tmp_path / "demo"
    build_demo(data)
    port = serve.free_port()
    proc = serve.start_app(data, port, None, starter=["-m", "natality.ui.serve"])
    try:
        deadline = time.time() + 120
        while time.time() < deadline and len(_entries(extract.live_version_dir(data))) < 3:
            time.sleep(0.5)  # no visitor yet: the preload alone makes them
        assert [n.rsplit("-", 1)[-1] for n in _entries(extract.live_version_dir(data))[1:]] == ["en", "zh"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=30) as response:
            assert response.status == 200
        session = Session(port, timeout=120)
        view = session.view("", "lang=en")
        session.close()
        assert view.good and view.charts >= 2, view.errors
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_both_languages_share_their_numbers_and_read_back_equal(tmp_path):
    """``prepare`` stores the verdicts' and scorecard's numbers once and each language only its
    texts; each language read back by a later process equals the one computed."""
    data = tmp_path / "demo"
    build_demo(data)
    version = extract.live_version_dir(data)
    scoring.clear_cache()
    scoring.prepare(data)
    computed = {lang: scoring.scorecard_data(data, lang) for lang in ("zh", "en")}
    shared, en, zh = (version / stored.DERIVED / name for name in _entries(version))
    assert (en.name, zh.name) == (shared.name + "-en", shared.name + "-zh")
    status_texts = stored.load(version, en.name)[0]["status_texts"]
    assert {"township_name", "indicator_name", "reason"} <= set(status_texts.columns)
    assert set(status_texts.dtypes) == {pl.String}  # no number twice
    numbers = stored.load(version, shared.name)[0]["status_numbers"]
    assert "value" in numbers.columns and "reason" not in numbers.columns
    scoring.clear_cache()
    for lang in ("en", "zh"):
        read = scoring.scorecard_data(data, lang)
        assert read is not computed[lang]
        assert_frame_equal(read.status, computed[lang].status)
        assert_frame_equal(read.card, computed[lang].card)
    assert computed["zh"].status["reason"][0] != computed["en"].status["reason"][0]
