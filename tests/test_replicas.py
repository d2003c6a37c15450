"""Replicas behind nginx (deploy/serve.py, ``make serve REPLICAS=N``): one address, sticky tabs,
an import seen by every replica at once, and notes from two processes at the same moment kept."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from natality.core import extract, notes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))
import months  # noqa: E402
import serve  # noqa: E402
import stclient  # noqa: E402

WRITER = """
import sys, time, pathlib
from natality.core import notes
data, author, count, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
(folder / author).touch()  # ready
while not (folder / "go").exists():  # both processes start writing at the same moment
    time.sleep(0.001)
for k in range(count):
    notes.add_note(data, "overview", "overview_trend", {"year": "2024"}, author, f"{author} {k}")
"""


def test_notes_written_from_two_processes_at_once_are_all_kept(tmp_path):
    data = tmp_path / "x"  # the notes file lies beside the extract; the extract itself is not needed
    notes.add_note(data, "births", "births_monthly", {"year": "2023"}, "张", "first")  # the file exists
    stamp = notes.file_stamp(data)
    # Two plain processes (not multiprocessing's spawn: it runs the parent's __main__ again, which
    # after the pages' AppTests is dashboard.py, building a demo extract in the working folder).
    folder = tmp_path / "sync"
    folder.mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data), who, "60", str(folder)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("王", "李")
    ]
    deadline = time.monotonic() + 120
    while not all((folder / who).exists() for who in ("王", "李")) and time.monotonic() < deadline:
        time.sleep(0.01)
    (folder / "go").touch()
    outcomes = [(w.wait(timeout=120), w.stderr.read()) for w in writers]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert notes.file_stamp(data) != stamp  # what the page's cache of notes is keyed on moved
    kept = notes.notes_for_year(data, 2024)
    assert len(kept) == 120 and len({n.id for n in kept}) == 120
    assert sorted(n.body for n in kept if n.author == "王") == sorted(f"王 {k}" for k in range(60))
    with notes._connect(data) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


@pytest.fixture
def cluster(tmp_path, demo_data):
    if not Path(serve.NGINX).exists():
        if shutil.which("apt-get") is None:
            pytest.skip("nginx is not installed and cannot be here (no apt-get): apt-get install nginx")
        pytest.fail(f"{serve.NGINX} is missing: apt-get install nginx (make system-deps does)")
    data = months.live_copy(demo_data, tmp_path / "live" / "demo")
    running = serve.start(data, 2, run_dir=tmp_path / "run")
    yield running, data
    running.stop()


def _replica_of(tab: stclient.Session, urls: list[str]) -> int:
    """Which replica holds the tab's session: the one that takes an upload addressed to it."""
    taken = [k for k, url in enumerate(urls) if tab.upload(b"x", base_url=url) == 204]
    assert len(taken) == 1, taken  # the session lives in exactly one process
    return taken[0]


def test_two_replicas_behind_nginx_keep_each_tab_and_switch_together(cluster, tmp_path):
    running, data = cluster
    before = extract.read_manifest(data)["cutoff_month"]
    ((month, births),) = months.next_months(data, tmp_path, 1)
    marks = {before: stclient.version_marks(before), month: stclient.version_marks(month)}
    tabs, where = [], set()
    for _ in range(16):  # a new tab gets a random replica: open tabs until both hold one
        tab = stclient.Session(running.url, marks)
        view = tab.view("map", "lang=en")
        assert not view.errors and view.charts == 1 and view.marks == {before}
        assert tab.upload(b"township,births\n", base_url=running.url) == 204  # through nginx: its replica
        tabs.append(tab)
        where.add(_replica_of(tab, running.replica_urls))
        if where == {0, 1}:
            break
    assert where == {0, 1}
    assert "natality_route" in tabs[0].cookies
    done = subprocess.run(months.import_command(data, births), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Every replica shows the new month once it has warmed it (until then the month before: no
    # cold view), within seconds, and no view mixes the two.
    deadline = time.monotonic() + 120
    for tab in tabs:
        view = tab.view("births", "lang=en")
        while view.marks == {before} and time.monotonic() < deadline:
            time.sleep(0.5)
            view = tab.view("births", "lang=en")
        assert not view.errors and view.charts == 4 and view.marks == {month}
        tab.close()
    # the new version's figures were built once for both replicas and stored whole beside it
    stored = list((extract.live_version_dir(data) / "derived").glob("figures-*/*"))
    assert stored and all(p.suffix == ".json" and not p.name.startswith(".") for p in stored), stored


def test_a_note_written_while_another_replica_has_the_file_open_changes_the_cache_key(tmp_path):
    """With another connection open (a replica reading notes), a write stays in the write-ahead log
    and the notes file itself is untouched: the key of the page's cached notes must still move."""
    data = tmp_path / "x"
    notes.add_note(data, "births", "births_monthly", {"year": "2024"}, "王", "first")
    with closing(sqlite3.connect(notes.notes_path(data))) as held:
        held.execute("select count(*) from notes").fetchone()
        main_file = notes.notes_path(data).stat()
        before = notes.file_stamp(data)
        notes.add_note(data, "births", "births_monthly", {"year": "2024"}, "李", "second")
        assert notes.notes_path(data).stat().st_size == main_file.st_size  # the write is in the log
        assert notes.file_stamp(data) != before
        assert len(notes.notes_for_year(data, 2024)) == 2
