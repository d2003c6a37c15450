"""Shared fixtures: a demo extract built once, a real Streamlit server, a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
import serve  # noqa: E402  (deploy/serve.py: free_port, wait_healthy)

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """The demo county, built once per test session (read-only: tests must not modify it)."""
    from natality.demo.county import build_demo

    out = tmp_path_factory.mktemp("extracts") / "demo"
    build_demo(out)
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The tiny three-township extract of tests/import_fixtures, built once per test module."""
    from tests.import_fixtures import build_tiny_extract

    return build_tiny_extract(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def ext(template, tmp_path) -> Path:
    """A fresh copy of the tiny extract for one test to import into."""
    from tests.import_fixtures import copy_extract

    return copy_extract(template, tmp_path / "data")


@pytest.fixture(scope="module")
def shared_ext(template, tmp_path_factory) -> Path:
    """One copy of the tiny extract for a whole module: a hypothesis test imports into it example after example."""
    from tests.import_fixtures import copy_extract

    return copy_extract(template, tmp_path_factory.mktemp("shared"))


@pytest.fixture
def demo_env(demo_data, monkeypatch) -> Path:
    """NATALITY_DATA pointing at the demo extract, for AppTest runs."""
    monkeypatch.setenv("NATALITY_DATA", str(demo_data))
    return demo_data


def run_pack(
    data: Path, out: Path, year: int, lang: str | None = None, env: dict | None = None, args: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """``python -m natality pack`` as a process, its output captured."""
    cmd = [sys.executable, "-m", "natality", "pack", "--year", str(year), "--data", str(data)]
    cmd += [*(["--lang", lang] if lang else []), *args, "--out", str(out)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})


def start_streamlit(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = serve.free_port()
    proc = serve.start_app(data_dir, port, log_path, starter=["-m", "streamlit", "run", "dashboard.py"])
    url = f"http://127.0.0.1:{port}"
    if serve.wait_healthy(url, 60):
        return proc, url
    proc.kill()
    raise RuntimeError(f"streamlit did not start; see {log_path}")


@pytest.fixture(scope="session")
def streamlit_server(demo_data, tmp_path_factory):
    """A real ``streamlit run dashboard.py`` on a free port over the demo extract; yields its URL."""
    proc, url = start_streamlit(demo_data, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield url
    stop_streamlit(proc)


def stop_streamlit(proc: subprocess.Popen) -> None:
    """Stop a server of start_streamlit: SIGTERM, and SIGKILL after 10 s."""
    serve.stop_app(proc, 10)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the Makefile's test target does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh page; fails the test if the page asks any host but localhost for anything."""
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []

    def check(request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1", "localhost", "::1"):
            outside.append(request.url)

    page.on("request", check)
    page.outside_requests = outside
    yield page
    context.close()
    assert not outside, f"requests left localhost: {outside[:5]}"


def wait_for_app(page, timeout: float = 45_000) -> None:
    """Wait until Streamlit has finished running the script and drawn its output."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    elements = "[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']"
    page.wait_for_function(
        f"() => !document.querySelector('[data-testid=stStatusWidget]')"
        f' && document.querySelectorAll("{elements}").length > 2',
        timeout=timeout,
    )
    page.wait_for_timeout(1500)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, "an exception box is on the page"
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, page.locator(
        "[data-testid='stAlertContentError']"
    ).all_inner_texts()
