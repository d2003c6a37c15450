"""The hostile-name extract in a real Chromium: on every page no link, image or script comes from
a name, and the names read exactly as written (Markdown headings and captions, plotly's titles,
tick labels and point labels). Screenshots go to /tmp/shots/ for people."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from natality.core.literal import JOINER
from natality.core.short_names import short_labels
from tests.conftest import assert_no_exception, start_streamlit, wait_for_app
from tests.hostile_names import CODES, EXTRACT_NAME, TOWNS, build_hostile_extract

SHOTS = Path("/tmp/shots")
PAGES = ["overview", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]
# Anchors, images and handlers that only markup read from a name could have put on a page.
FROM_NAMES = """() => ({
  links: [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || '')
           .filter(h => h.includes('127.0.0.2') || h.startsWith('mailto:') || h.includes('example.com')),
  svgLinks: document.querySelectorAll('.js-plotly-plot svg a').length,
  images: [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || '')
            .filter(s => s === 'x' || s.includes('127.0.0.2')),
  handlers: document.querySelectorAll('[onerror]').length,
  // a name's own **粗**, _斜_, ~~删~~ or _x_ read as emphasis (the sidebar's bold region is ours)
  format: [...document.querySelectorAll('strong, em, del, code, h1 strong, h1 em')].map(e => e.textContent)
            .filter(t => ['粗', '斜', '删', 'x', '码'].includes(t)),
})"""
VISIBLE = """() => document.body.innerText + '\\n' +
  [...document.querySelectorAll('.js-plotly-plot svg text')].map(t => t.textContent).join('\\n')"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    data = build_hostile_extract(tmp_path_factory.mktemp("hostile"))
    proc, url = start_streamlit(data, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.browser
def test_no_page_turns_a_name_into_a_link_image_or_format(hostile_server, browser_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    browser_page.set_viewport_size({"width": 1440, "height": 3600})
    for lang, page in [("zh", p) for p in PAGES] + [("en", "township")]:
        query = f"lang={lang}" + (f"&township={CODES[0]}" if page == "township" else "")
        browser_page.goto(f"{hostile_server}/{page}?{query}")
        wait_for_app(browser_page)
        if page not in ("scorecard", "data"):
            browser_page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        browser_page.wait_for_timeout(1500)
        assert_no_exception(browser_page)
        browser_page.screenshot(path=str(SHOTS / f"hostile_{page}_{lang}.png"))
        found = browser_page.evaluate(FROM_NAMES)
        assert found == {"links": [], "svgLinks": 0, "images": [], "handlers": 0, "format": []}, (page, lang, found)
        visible = browser_page.evaluate(VISIBLE).replace(JOINER, "")
        assert EXTRACT_NAME in visible, (page, lang)  # the sidebar's region, as written
        if page in ("overview", "births"):  # the ranking's tick labels, shortened (core.short_names)
            for name in short_labels(pl.Series(TOWNS), pl.Series(CODES)).to_list()[:4]:
                assert name in visible, (page, name)
        if page == "township":  # the page title (Markdown) and the charts' titles
            heading = browser_page.locator("h1").first.inner_text().replace(JOINER, "")
            assert TOWNS[0] in heading, heading
    assert dialogs == []
