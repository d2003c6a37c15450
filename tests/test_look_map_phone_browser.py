"""The county map of a province (the demo of 60 townships in four counties) at 390 px in Chromium:
in WeChat's browser, and in one that sends a desktop's headers (Playwright's ``is_mobile`` alone, a
narrowed desktop window: ``ui.phone``'s probe tells the server its width), the phone's figure: its
title wrapped inside the chart, no toolbar over it, the map across the width; at 1,366 px the
desktop's."""

from __future__ import annotations

import pytest

from natality.demo.county import build_demo
from tests.conftest import SHOTS, assert_no_exception, start_streamlit, stop_streamlit
from tests.test_phone_browser import MEASURE, PHONE, overlaps, settle


@pytest.fixture(scope="module")
def province_server(tmp_path_factory):
    data = build_demo(tmp_path_factory.mktemp("prov") / "demo", townships=60)
    proc, url = start_streamlit(data, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield url
    stop_streamlit(proc)


TITLE_LINES = "() => document.querySelectorAll('.js-plotly-plot .g-gtitle text tspan.line').length"
# plotly's toolbar: the buttons' bar (MEASURE of test_phone_browser boxes its container, 0 px high)
MODEBAR = """() => { const bar = document.querySelector('.js-plotly-plot .modebar');
  const r = bar && bar.getBoundingClientRect();
  return r && r.width * r.height > 0 ? {x: r.x, y: r.y, w: r.width, h: r.height} : null; }"""


@pytest.mark.browser
def test_the_province_map_title_on_a_390_px_screen(province_server, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    desktop_headers = {k: v for k, v in PHONE.items() if k != "user_agent"}
    for name, kind in (("wechat", PHONE), ("desktop_headers", desktop_headers)):
        context = chromium.new_context(**kind, locale="zh-CN")
        page = context.new_page()
        try:
            page.goto(f"{province_server}/map?lang=zh")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            settle(page)
            assert_no_exception(page)
            assert page.locator("h1").first.inner_text() == "区县地图"
            (chart,) = page.evaluate(MEASURE)
            toolbar = page.evaluate(MODEBAR)
            assert not overlaps(chart["title"], toolbar), (name, chart["title"], toolbar)  # was so in a narrow window
            assert not overlaps(chart["title"], chart["legend"]), (name, chart)
            # "示范省各县（市、区）出生人数（人），" / "2026年1-9月" and the subtitle, inside the chart
            assert page.evaluate(TITLE_LINES) >= 3, name
            assert chart["title"]["x"] + chart["title"]["w"] <= chart["chart"]["x"] + chart["chart"]["w"], name
            assert chart["map"] >= 0.8 * chart["column"], (name, chart)  # the phone's map, the whole width
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"look_map_phone_{name}.png"))
        finally:
            context.close()
    # a desktop stays a desktop: the probe tells nothing at 1,366 px, the figure keeps its toolbar
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{province_server}/map?lang=zh")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        settle(page)
        assert page.locator(".js-plotly-plot .modebar-btn").count() > 0
        assert page.evaluate(TITLE_LINES) == 0  # the title one line, the subtitle plotly's own
        # the probe's frame takes no room above the page's title
        assert page.locator(".st-key-narrow_probe").bounding_box()["height"] == 0
    finally:
        context.close()
