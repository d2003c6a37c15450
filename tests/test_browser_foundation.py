"""Every page in a real Chromium against a real Streamlit server: no exception, nothing fetched
from outside localhost, a screenshot per page and language (tests/screenshots/, looked at by people)."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from natality.core import db
from tests.conftest import SHOTS, assert_no_exception, wait_for_app

# How long a step may take on a machine busy with the whole suite (a wait ends as soon as its state is there).
UNDER_LOAD = 180_000

PAGES = ["", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]


def existing_pages(server_url: str, page) -> list[str]:
    page.goto(f"{server_url}/?lang=en")
    wait_for_app(page)
    links = page.locator("[data-testid='stSidebarNav'] a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    paths = {link.rstrip("/").rsplit("/", 1)[-1] for link in links}
    return [p for p in PAGES if p == "" or p in paths]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_offline(streamlit_server, browser_page, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = existing_pages(streamlit_server, browser_page)
    assert "births" in pages
    for path in pages:
        browser_page.goto(f"{streamlit_server}/{path}?lang={lang}")
        wait_for_app(browser_page)
        assert_no_exception(browser_page)
        if path not in ("data", "township"):
            browser_page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            browser_page.wait_for_timeout(1000)
        browser_page.screenshot(path=str(SHOTS / f"{path or 'overview'}_{lang}.png"), full_page=True)
    title = browser_page.locator("h1").first.inner_text()
    assert title


@pytest.mark.browser
def test_overview_in_chinese_shows_chinese_kpis(streamlit_server, browser_page):
    browser_page.goto(f"{streamlit_server}/?lang=zh&year=2024")
    wait_for_app(browser_page)
    browser_page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    # the run may still be drawing its metrics when the first chart is up (a busy machine)
    browser_page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stMetric]'))"
        ".some(m => m.innerText.includes('出生人数'))",
        timeout=30_000,
    )
    text = browser_page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any("出生人数" in t for t in text) and any("出生人口性别比" in t for t in text)
    # The township ranking chart draws all 19 townships.
    assert browser_page.locator(".js-plotly-plot").nth(1).locator("g.bars path, g.point path").count() >= 19


@pytest.mark.browser
def test_first_request_of_a_fresh_server_to_a_deep_link_goes_through_the_router(demo_data, chromium, tmp_path):
    """A bookmark opened on a server nobody has visited yet still gets the sidebar and language."""
    from tests.conftest import start_streamlit

    proc, url = start_streamlit(demo_data, tmp_path / "fresh.log")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/births?lang=en&year=2024")
        wait_for_app(page)
        # The router's sidebar: the folder-mode run reruns through dashboard.py within a moment.
        page.get_by_text("语言 / Language").wait_for(timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        assert page.get_by_text("语言 / Language").count() == 1
        assert page.locator("h1").first.inner_text() == "Births"
        assert "year=2024" in page.url
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.browser
def test_clicking_a_township_bar_opens_its_profile(streamlit_server, browser_page, demo_data):
    by_town = db.run_query("births_by_township_year", demo_data, year=2024)
    top = by_town.sort("births", descending=True)["township_code"][0]
    browser_page.goto(f"{streamlit_server}/births?lang=en&year=2024")
    wait_for_app(browser_page)
    # Wait for the states the click needs, each as long as a loaded machine takes, never a fixed time:
    # every township's bar drawn (bars are drawn bottom-up: the last is the most births in 2024) ...
    bars = browser_page.locator(".js-plotly-plot").first.locator("g.point path")
    expect(bars).to_have_count(by_town.height, timeout=UNDER_LOAD)
    box = bars.last.bounding_box(timeout=UNDER_LOAD)
    # ... then a click where the bar is, as a person does (Plotly's drag layer lies over the bars) ...
    browser_page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # ... after which the server reruns the page with the selection and switches to the township's profile.
    browser_page.wait_for_url(re.compile(rf"/township\?(.*&)?township={top}(&|$)"), timeout=UNDER_LOAD)
    expect(browser_page.locator("h1").first).to_have_text(re.compile("^Township profile: "), timeout=UNDER_LOAD)


@pytest.mark.browser
@pytest.mark.parametrize(("path", "chart_index"), [("sex-ratio", 2), ("scorecard", 0)])
def test_clicking_a_township_point_opens_its_profile(streamlit_server, browser_page, path, chart_index):
    """The funnel plot's township points and the rank chart's lines lead to the township profile."""
    browser_page.goto(f"{streamlit_server}/{path}?lang=en&year=2019")
    wait_for_app(browser_page)
    chart = browser_page.locator(".js-plotly-plot").nth(chart_index)
    point = chart.locator("g.points path.point").last
    expect(point).to_be_visible(timeout=UNDER_LOAD)
    # On a machine busy with the whole suite the page may still be laid out or redrawn when the
    # point first shows: click where it has stopped moving, and click again (as a person does)
    # when the first click fell on a chart being redrawn and nothing happened.
    for attempt in range(3):
        # the point into view, not the chart: a tall chart's top (where the point is) may lie above
        point.scroll_into_view_if_needed(timeout=UNDER_LOAD)
        box = settled_box(browser_page, point)
        browser_page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            browser_page.wait_for_url("**/township?**", timeout=30_000 * (attempt + 1))
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    assert "township=419901" in browser_page.url


def settled_box(page, locator, tries: int = 600) -> dict:
    """The locator's bounding box once two readings 200 ms apart agree (the layout has settled)."""
    box = locator.bounding_box(timeout=UNDER_LOAD)
    for _ in range(tries):
        page.wait_for_timeout(200)
        again = locator.bounding_box(timeout=UNDER_LOAD)
        if again == box:
            return box
        box = again
    return box
