"""Figures shared by every process that serves a version (issue 19 at 2,000 townships: an import's
switch built each page's figures once per replica): a figure built in one process is stored beside
the version, and a second process reads it, builds nothing and sends the same JSON; it waits for a
figure another process is building; a half-written or damaged file is never served."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import plotly.io as pio
import polars as pl
import pytest

from natality.core import once_files
from natality.ui import figures

ROOT = Path(__file__).resolve().parent.parent

# The builder lives in a module of its own, imported by the same name in every process (a figure is
# known by its builder's module and name and its arguments). FIG_FORBID=1: building fails.
MODULE = """
import os, time
import numpy as np
import plotly.graph_objects as go
from natality.core import theme

def bars(frame, title):
    if os.environ.get("FIG_FORBID") == "1":
        raise AssertionError("built, although another process had stored it")
    time.sleep(float(os.environ.get("FIG_SLOW", "0")))
    with open(os.environ["FIG_LOG"], "a") as log:
        log.write(f"{os.getpid()} built\\n")
    fig = go.Figure(go.Bar(x=frame["township"].to_list(), y=np.asarray(frame["births"], dtype=float)))
    fig.add_scatter(x=[0.5, 1.5], y=np.array([[1, 2], [3, 4]])[0], name="line")
    return theme.finish_figure(fig, title, "subtitle", "footnote")
"""

SCRIPT = """
import sys
import plotly.io as pio
import polars as pl
from natality.core import once_files
from natality.ui import figures
import figmod
figures.run_version(sys.argv[1])
made = figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]}), "出生")
print(pio.to_json(made, validate=False, engine="orjson"))
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    (tmp_path / "figmod.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    version = tmp_path / "data.versions" / "v1"
    version.mkdir(parents=True)
    log = tmp_path / "built.log"
    monkeypatch.setenv("FIG_LOG", str(log))
    figures.clear()
    yield version, log
    figures.run_version(None)
    figures.clear()


def run_process(version: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": f"{version.parent.parent}{os.pathsep}{ROOT}", **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(version)], env=full, capture_output=True, text=True
    )


def stored(version: Path) -> list[Path]:
    return sorted(figures.store_folder(str(version)).glob("*"))


def test_a_second_process_reads_the_first_ones_figure_and_builds_nothing(setup, monkeypatch):
    version, log = setup
    first = run_process(version)
    assert first.returncode == 0, first.stderr
    assert len(log.read_text().splitlines()) == 1
    assert [p.suffix for p in stored(version)] == [".json"]  # no lock, no temporary file left
    second = run_process(version, FIG_FORBID="1")
    assert second.returncode == 0, second.stderr  # the builder was not called
    assert second.stdout == first.stdout
    # ... and it equals a fresh computation in this process, without a version (nothing stored)
    import figmod

    fresh = figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]}), "出生")
    assert pio.to_json(fresh, validate=False, engine="orjson") + "\n" == first.stdout
    # read in this process: the dict plotly's own figure gives (its arrays as typed arrays)
    figures.clear()
    figures.run_version(str(version))
    monkeypatch.setenv("FIG_FORBID", "1")
    read = figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]}), "出生")
    assert read.to_dict()["data"] == fresh.to_dict()["data"]
    assert read.to_dict()["layout"] == fresh.to_dict()["layout"]
    # other inputs are never served the stored figure: they are built
    with pytest.raises(AssertionError, match="built"):
        figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 5]}), "出生")
    with pytest.raises(AssertionError, match="built"):
        figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]}), "出生 2024")


def test_a_process_waits_for_the_figure_another_one_is_building(setup, monkeypatch):
    version, log = setup
    slow = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(version)],
        env={**os.environ, "PYTHONPATH": f"{version.parent.parent}{os.pathsep}{ROOT}", "FIG_SLOW": "2"},
        stdout=subprocess.PIPE,
        text=True,
    )
    folder = figures.store_folder(str(version))
    deadline = time.monotonic() + 60
    while not list(folder.glob("*.lock")) if folder.exists() else True:
        assert time.monotonic() < deadline and slow.poll() is None, "the other process never took the lock"
        time.sleep(0.01)
    import figmod

    monkeypatch.setenv("FIG_FORBID", "1")  # this process must not build it: it waits and reads
    figures.run_version(str(version))
    read = figures.figure(figmod.bars, pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]}), "出生")
    out, _ = slow.communicate(timeout=60)
    assert slow.returncode == 0
    assert pio.to_json(read, validate=False, engine="orjson") + "\n" == out
    assert len(log.read_text().splitlines()) == 1


def test_a_half_written_or_damaged_file_is_never_served(setup, monkeypatch):
    version, log = setup
    import figmod

    frame = pl.DataFrame({"township": ["甲镇", "B"], "births": [3, 4]})
    figures.run_version(str(version))
    whole = pio.to_json(figures.figure(figmod.bars, frame, "出生"), validate=False, engine="orjson")
    [path] = stored(version)
    # a writer killed mid-way: its temporary file is there, the figure's own file cut short
    path.with_name(f".{path.name}.999.1.tmp").write_text(path.read_text()[:50])
    path.write_text(path.read_text()[: len(path.read_text()) // 2])
    figures.clear()
    again = figures.figure(figmod.bars, frame, "出生")  # rebuilt (and stored whole again), not the cut file
    assert pio.to_json(again, validate=False, engine="orjson") == whole
    assert len(log.read_text().splitlines()) == 2
    assert path.with_name(f".{path.name}.999.1.tmp").exists()  # never read, never renamed
    monkeypatch.setenv("FIG_FORBID", "1")
    figures.clear()
    assert pio.to_json(figures.figure(figmod.bars, frame, "出生"), validate=False, engine="orjson") == whole


def test_a_lock_left_by_a_killed_process_is_taken_over(setup, monkeypatch):
    version, _log = setup
    import figmod

    monkeypatch.setattr(once_files, "WAIT_SECONDS", 0.5)
    frame = pl.DataFrame({"township": ["A"], "births": [1]})
    figures.run_version(str(version))
    figures.figure(figmod.bars, frame, "t")
    [path] = stored(version)
    path.unlink()
    lock = path.with_name(path.name + ".lock")
    lock.touch()
    os.utime(lock, (time.time() - 60, time.time() - 60))  # a builder killed a minute ago
    figures.clear()
    started = time.monotonic()
    figures.figure(figmod.bars, frame, "t")
    assert time.monotonic() - started < 0.5  # not waited for
    assert path.exists() and not lock.exists()


def test_a_version_that_cannot_be_written_to_builds_in_memory(setup):
    version, _log = setup
    import figmod

    (version / "derived").write_text("a file where the folder would be")
    figures.run_version(str(version))
    made = figures.figure(figmod.bars, pl.DataFrame({"township": ["A"], "births": [1]}), "t")
    assert made.to_dict()["data"][0]["x"] == ["A"]
    assert figures.figure(figmod.bars, pl.DataFrame({"township": ["A"], "births": [1]}), "t") is made


def test_alerts_are_made_once_per_version_for_both_languages_and_read_by_the_next_process(tmp_path, monkeypatch):
    """The data alerts (seconds at 2,000 townships) are judged once per version and region, not once
    per language and process: a process that finds them stored computes nothing."""
    import numpy as np

    from natality.births import alerts
    from natality.core import extract
    from natality.ui import cached
    from tests.test_projection import TOWNS, A, B, clean_rows, make_extract

    rows = clean_rows(np.random.default_rng(7), [A, B], lam=np.array([30.0, 30.0]))
    rows = [(c, m, s, o, a, p, n * 10 if (c, m) == (A, "2021-08") else n) for c, m, s, o, a, p, n in rows]
    version = str(extract.live_version_dir(make_extract(tmp_path / "x", TOWNS, rows, cutoff="2022-12")))
    fresh = {lang: alerts.data_alerts(version, lang) for lang in ("zh", "en")}
    judged = []
    real_compute = alerts.compute
    monkeypatch.setattr(alerts, "compute", lambda inputs: judged.append(1) or real_compute(inputs))
    for lang in ("zh", "en"):
        found, phi, budget, cells = cached._data_alerts(version, lang, None)
        assert found.equals(fresh[lang][0]) and (phi, cells) == fresh[lang][1:] and budget == alerts.BUDGET
    assert len(judged) == 1  # once for both languages
    [kept] = (Path(version) / "derived").glob("alerts-*/*")
    assert sorted(p.name for p in kept.iterdir()) == ["alerts.arrow", "numbers.json"]
    # another process (its caches empty) reads them: nothing judged again, the same alerts
    cached._alerts_found.clear()
    cached._data_alerts.clear()
    for lang in ("en", "zh"):
        found, phi, _, cells = cached._data_alerts(version, lang, None)
        assert found.equals(fresh[lang][0]) and (phi, cells) == fresh[lang][1:]
    assert len(judged) == 1
    assert found.filter(pl.col("kind") == "high")["township_code"].to_list() == [A]


def test_a_full_store_keeps_further_figures_in_memory_only(setup, monkeypatch):
    version, log = setup
    import figmod

    figures.run_version(str(version))
    figures.figure(figmod.bars, pl.DataFrame({"township": ["A"], "births": [1]}), "t")
    [first] = stored(version)
    monkeypatch.setattr(figures, "STORE_MAX_BYTES", first.stat().st_size + 100)
    made = figures.figure(figmod.bars, pl.DataFrame({"township": ["B"], "births": [2]}), "t")
    assert made.to_dict()["data"][0]["x"] == ["B"]
    assert stored(version) == [first]  # nothing else written, no temporary file left
    assert len(log.read_text().splitlines()) == 2


def test_the_overview_changes_are_read_by_the_next_process(demo_data, monkeypatch):
    from natality.compare import monthly
    from natality.core import extract
    from natality.core.context import Ctx
    from natality.ui import cached

    version = str(extract.live_version_dir(demo_data))
    kept = extract.read_manifest(version)

    def ctx(lang: str) -> Ctx:
        return Ctx(lang=lang, data_dir=str(demo_data), version_dir=version, manifest=kept, region_code=None)

    made = {lang: cached.month_changes(ctx(lang)) for lang in ("zh", "en")}
    assert made["zh"] != made["en"] and made["zh"][1]  # a heading and sentences in each language
    cached._month_changes.clear()

    def forbidden(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(monthly, "overview_panel", forbidden)
    assert {lang: cached.month_changes(ctx(lang)) for lang in ("zh", "en")} == made


def test_the_warm_process_makes_what_a_server_then_reads(tmp_path, monkeypatch):
    """``python -m natality.ui.warm_process VERSION`` (started by a server's warm at nice 10) writes
    the version's alerts, Overview changes and figures; the server's own warm then judges no
    alert and computes no changes again."""
    import numpy as np

    from natality.births import alerts
    from natality.compare import monthly
    from natality.core import extract
    from natality.ui import cached
    from tests.test_projection import TOWNS, A, B, clean_rows, make_extract

    rows = clean_rows(np.random.default_rng(5), [A, B], lam=np.array([20.0, 20.0]))
    version = str(extract.live_version_dir(make_extract(tmp_path / "x", TOWNS, rows, cutoff="2022-10")))
    done = subprocess.run(
        [sys.executable, "-m", "natality.ui.warm_process", version],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    kinds = sorted(p.name.split("-")[0] for p in (Path(version) / "derived").iterdir())
    assert {"alerts", "changes", "figures"} <= set(kinds)
    assert list((Path(version) / "derived").glob("figures-*/*.json"))  # the Overview's map

    def forbidden(*args, **kwargs):
        raise AssertionError("computed again in the server")

    monkeypatch.setattr(alerts, "compute", forbidden)
    monkeypatch.setattr(monthly, "overview_panel", forbidden)
    figures.clear()
    cached.warm_overview(version)


def test_replicas_start_one_warm_process_per_version(tmp_path, monkeypatch):
    """Two replicas warming the same new version at once (here two threads: the lock is a file)
    start one warm process between them; the second waits for its end instead of starting another."""
    import numpy as np

    from natality.core import extract
    from natality.ui import warm
    from tests.test_projection import TOWNS, A, B, clean_rows, make_extract

    rows = clean_rows(np.random.default_rng(5), [A, B], lam=np.array([20.0, 20.0]))
    version = str(extract.live_version_dir(make_extract(tmp_path / "x", TOWNS, rows, cutoff="2022-10")))
    started, real = [], warm._warm_process
    monkeypatch.setattr(warm, "_warm_process", lambda *a: started.append(a[0]) or real(*a))
    results: list[bool] = []
    replicas = [
        threading.Thread(target=lambda: results.append(warm._prepare_elsewhere(version, threading.Event(), 120)))
        for _ in range(2)
    ]
    for r in replicas:
        r.start()
    for r in replicas:
        r.join()
    assert results == [True, True] and started == [version]
    assert list((Path(version) / "derived").glob("alerts-*/*/alerts.arrow"))  # what it made
    assert warm._prepare_elsewhere(version, threading.Event(), 120) and started == [version]  # done: not again
