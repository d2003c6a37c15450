"""The Sex ratio page in a real Chromium: both languages on the demo county, and an extract
with a 1-birth township and a township without girls. Screenshots go to /tmp/shots/ for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from natality.core import db
from tests.conftest import assert_no_exception, start_streamlit, wait_for_app
from tests.factory import make_extract

SHOTS = Path("/tmp/shots")
TALL = {"width": 1440, "height": 5200}  # Streamlit scrolls inside the page: a tall window shows it all


def open_page(page, url: str) -> None:
    page.set_viewport_size(TALL)
    page.goto(url)
    wait_for_app(page)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5", timeout=60_000)
    # widgets and the data grid load their code on first use: wait for them before a screenshot
    page.locator("[data-testid='stSelectbox']").nth(3).wait_for(timeout=60_000)
    page.wait_for_selector("[data-testid='stDataFrame'] canvas", timeout=60_000)
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    # a deep link must open the page itself (the page file is named after its URL for this)
    assert page.get_by_text("Page not found").count() == 0


def grid_text(page) -> str:
    """The township table's cells as the browser shows them (the data grid's accessible table)."""
    return " ".join(page.locator("[data-testid='stDataFrame'] table td").all_inner_texts())


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_funnel_names_the_hotspots(streamlit_server, browser_page, demo_data, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_page(browser_page, f"{streamlit_server}/sex-ratio?lang={lang}")
    browser_page.screenshot(path=str(SHOTS / f"sex_ratio_{lang}.png"))
    hotspots = json.loads((demo_data / "manifest.json").read_text())["demo_hotspots"]
    towns = db.run_query("srb_by_township", demo_data, year_from=2024, year_to=2026)
    col = "township_name" if lang == "zh" else "township_name_en"
    names = towns.filter(towns["township_code"].is_in(hotspots))[col].to_list()
    funnel = browser_page.locator(".js-plotly-plot").nth(2)
    labels = funnel.locator("g.textpoint text").evaluate_all("els => els.map(e => e.textContent)")
    for name in names:
        assert name in labels
    title = funnel.locator("text.gtitle").text_content()
    assert ("各乡镇出生人口性别比" in title) if lang == "zh" else ("Townships' sex ratio" in title)


@pytest.mark.browser
def test_tiny_townships_are_marked_too_few(tmp_path, browser_page):
    a, b, c = "419901101000", "419901102000", "419901103000"
    data = make_extract(
        tmp_path / "tiny",
        [(a, "城关镇", "Chengguan"), (b, "一人乡", "One Birth"), (c, "无女乡", "No Girls")],
        [
            (a, "2024-01", "M", 1, "25-29", None, 160),
            (a, "2024-02", "F", 1, "25-29", None, 150),
            (b, "2024-03", "F", 2, "25-29", None, 1),
            (c, "2024-01", "M", 1, "20-24", None, 4),
        ],
        cutoff="2024-06",
    )
    proc, url = start_streamlit(data, tmp_path / "streamlit.log")
    try:
        for lang in ("zh", "en"):
            open_page(browser_page, f"{url}/sex-ratio?lang={lang}&window=1&township={c}")
            browser_page.screenshot(path=str(SHOTS / f"sex_ratio_tiny_{lang}.png"))
            body = browser_page.locator("[data-testid='stMain']").inner_text()
            for bad in ("None", "NaN", "nan", "inf", "Infinity"):
                assert bad not in body.replace("Infinity", "") or bad == "Infinity", bad
            cells = grid_text(browser_page)
            if cells:  # the grid's accessible cells, when it exposes them
                assert "None" not in cells and "nan" not in cells
                assert ("出生太少" in cells) if lang == "zh" else ("Too few births" in cells)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
