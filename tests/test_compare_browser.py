"""The Compare page in Chromium: renders offline, its URL reopens the same view, the camera
button saves a 1920 x 1080 PNG, and ?present=1 hides the app's chrome. Screenshots are kept."""

import io

import pytest
from PIL import Image

from tests.conftest import SHOTS, assert_no_exception, wait_for_app


def open_compare(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_timeout(1500)
    assert_no_exception(page)


@pytest.mark.browser
def test_compare_page_deep_link_and_slide_png(streamlit_server, browser_page, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_compare(browser_page, f"{streamlit_server}/compare?lang=zh&year=2024&base=2023")
    assert browser_page.locator("h1").first.inner_text() == "年度对比"
    browser_page.screenshot(path=str(SHOTS / "compare_zh.png"), full_page=True)
    copied = browser_page.url
    assert "year=2024" in copied and "base=2023" in copied and "lang=zh" in copied
    metrics = browser_page.locator("[data-testid='stMetricValue']").all_inner_texts()

    # A colleague opens the copied URL: same view.
    other = browser_page.context.new_page()
    open_compare(other, copied)
    assert other.locator("[data-testid='stMetricValue']").all_inner_texts() == metrics
    other.close()

    # The camera button of the first chart saves a slide-size PNG.
    chart = browser_page.locator(".js-plotly-plot").first
    chart.hover()
    with browser_page.expect_download() as download:
        chart.locator(".modebar-btn[data-title*='png' i], .modebar-btn[data-title*='PNG']").first.click()
    path = tmp_path / "chart.png"
    download.value.save_as(path)
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert image.size == (1920, 1080)
    image.save(SHOTS / "compare_camera_zh.png")


@pytest.mark.browser
def test_presentation_mode_from_the_url(streamlit_server, browser_page):
    open_compare(browser_page, f"{streamlit_server}/compare?lang=en&year=2026&base=2025&present=1")
    assert browser_page.locator("[data-testid='stToolbar']").is_hidden()
    size = browser_page.locator("h1").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 44  # 3rem
    value = browser_page.locator("[data-testid='stMetricValue']").first
    leaves = (
        "e => Math.min(...[e, ...e.querySelectorAll('*')].filter(x => !x.childElementCount)"
        ".map(x => parseFloat(getComputedStyle(x).fontSize)))"
    )
    assert value.evaluate(leaves) >= 48  # the text itself, not only its box
    browser_page.screenshot(path=str(SHOTS / "compare_present_en.png"), full_page=True)


@pytest.mark.browser
def test_meeting_pack_download_button(streamlit_server, browser_page, tmp_path):
    from pptx import Presentation

    open_compare(browser_page, f"{streamlit_server}/compare?lang=zh&year=2025")
    browser_page.get_by_role("button", name="生成会议材料").click()
    button = browser_page.get_by_role("button", name="下载会议材料")
    button.wait_for(timeout=120_000)
    with browser_page.expect_download() as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "meeting_pack_2025_zh.pptx"
    titles = [slide.shapes.title.text for slide in Presentation(str(path)).slides]
    assert titles[0] == "会议材料" and "考核评分" in titles
