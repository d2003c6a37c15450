"""Many leaders at once: the server must neither freeze nor fail first views (issue 19, point 0).

Two defects showed under load: a deadlock between a Python function run inside a polars
expression (``map_batches(_erfc)`` of the compare table) and another thread's polars-to-pandas
conversion, which froze the whole server; and ``theme.house_template()`` built lazily by
whichever sessions came first, which plotly cannot do from several threads ("Invalid value").
Each is reproduced here in a fresh process (both failed on the old code: the first hung until
killed in 3 of 3 runs, the second failed 14-16 of 16 threads in 4 of 5 runs), and a burst of
sessions opens the compare, data, map and scorecard pages of a freshly started real server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, start_streamlit, stop_streamlit

sys.path.insert(0, str(ROOT / "bench"))
from stclient import Session

DEADLOCK = r"""
import threading, time
import numpy as np, polars as pl
from natality.compare import comparison as compare

n = 2000
def year(seed):
    r = np.random.default_rng(seed)
    b, g = r.integers(100, 900, n), r.integers(100, 900, n)
    return pl.DataFrame({"township_code": [f"{i:012d}" for i in range(n)], "births": b + g, "boys": b,
                         "girls": g, "population": r.integers(10000, 90000, n)})
now, base = year(1), year(2)
names = {f"{i:012d}": f"T{i}" for i in range(n)}
table = pl.DataFrame({f"c{j}": np.random.default_rng(j).random(20000) for j in range(12)}
                     | {"name": [str(i) for i in range(20000)]})
stop = time.monotonic() + 4
done = [0, 0]
def compare_pages():
    while time.monotonic() < stop:
        compare.compare_table(now, base, 12, names, None, None)
        done[0] += 1
def table_to_pandas():  # what st.dataframe(polars frame) does
    while time.monotonic() < stop:
        table.to_pandas()
        done[1] += 1
threads = [threading.Thread(target=f, daemon=True) for f in [compare_pages] * 6 + [table_to_pandas] * 6]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done", done[0], done[1])
"""

TEMPLATE_RACE = r"""
import threading
import plotly.graph_objects as go
from natality.core import theme

N = 16
start = threading.Barrier(N)
errors = []
def first_figure():
    start.wait()
    try:
        fig = theme.finish_figure(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), "title", "subtitle", "footnote")
        fig.to_plotly_json()
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=first_figure) for _ in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("errors", len(errors), errors[:1])
"""


def _run(code: str, timeout: float) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the process hung (a deadlock): no end within {timeout} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.timeout(120)
def test_compare_tables_and_pandas_conversions_at_once_never_freeze():
    out = _run(DEADLOCK, timeout=40)  # 4 s of work; the old code never ended
    compared, converted = map(int, re.fullmatch(r"done (\d+) (\d+)\s*", out).groups())
    assert compared > 0 and converted > 0


@pytest.mark.timeout(120)
def test_first_figures_of_a_fresh_process_from_many_threads_at_once():
    for _ in range(3):  # a fresh process each time: the template is built on first use or never
        assert _run(TEMPLATE_RACE, timeout=60).startswith("errors 0 "), "a first figure failed"


def test_no_python_callbacks_inside_polars_expressions():
    """A guard beside the tests above: polars must never call back into Python under the GIL."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "natality").rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.(map_batches|map_elements|map_rows|map_groups|apply)\(", line) and "styler" not in line
    ]
    assert found == []


PAGES = ["compare", "data", "map", "scorecard"]


@pytest.mark.timeout(240)
def test_burst_of_first_views_on_a_fresh_server(demo_data, tmp_path):
    """12 sessions open their first page at the same moment on a server just started, then go on
    through the compare, data, map and scorecard pages in both languages: every view finishes
    with its title and no error box, and the server answers its health check throughout."""
    proc, url = start_streamlit(demo_data, tmp_path / "streamlit.log")
    port = int(url.rsplit(":", 1)[1])
    sessions, failures, views = 12, [], []
    start = threading.Barrier(sessions)

    def leader(i: int) -> None:
        session = Session(port, timeout=90)
        try:
            start.wait(timeout=60)
            lang = "en" if i % 2 else "zh"
            for k in range(4):
                page = PAGES[(i + k) % len(PAGES)]
                view = session.view(page, f"lang={lang}")
                views.append(view)
                if not view.good:
                    failures.append(f"session {i} /{page}?lang={lang}: {view.errors or 'unfinished or no title'}")
        except Exception as exc:  # a dropped connection or a timeout is a failure too
            failures.append(f"session {i}: {exc!r}")
        finally:
            session.close()

    try:
        threads = [threading.Thread(target=leader, args=(i,), daemon=True) for i in range(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads), "sessions still waiting: the server froze"
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.status == 200
        assert failures == []
        assert len(views) == sessions * 4
        assert all(v.charts >= 1 for v in views), "every one of these pages draws a chart"
    finally:
        stop_streamlit(proc)
        log = Path(tmp_path / "streamlit.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]
