"""The map of a province in a real Chromium (issue 10): 100 counties, a click opens one county
(its 20 townships, ?region= in the URL, every page narrowed), "back" goes up, the choice box
opens a county too, and a township click still opens its profile. Nothing leaves localhost."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SHOTS, assert_no_exception, start_streamlit, stop_streamlit, wait_for_app
from tests.test_map_scale import grid_extract

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def province_server(tmp_path_factory):
    data = grid_extract(tmp_path_factory.mktemp("province") / "p")
    proc, url = start_streamlit(data, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield url
    stop_streamlit(proc)


def drawn(page) -> list[str]:
    """Locations of the map's choropleth, as plotly.js holds them."""
    return page.evaluate(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const choro = gd.data.filter(t => t.type === 'choropleth' && t.locations.length > 1);
            return choro.length ? Array.from(choro[0].locations) : [];
        }"""
    )


def wait_for_units(page, n: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot path.choroplethlocation').length === {n}",
        timeout=30_000,
    )


def click_unit(page, nth: int) -> None:
    shape = page.locator(".js-plotly-plot path.choroplethlocation").nth(nth)
    box = shape.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_province_map_opens_a_county_and_goes_back(province_server, browser_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    page.goto(f"{province_server}/map?lang=zh&year=2024&indicator=birth_rate")
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_units(page, 100)
    counties = drawn(page)
    assert len(counties) == 100 and all(re.fullmatch(r"41\d{4}", c) for c in counties)
    page.get_by_text("各县（市、区）出生率").first.wait_for()
    page.locator(".js-plotly-plot").first.screenshot(path=str(SHOTS / "map_province_counties_zh.png"))

    # a click on a county narrows the app to it: its 20 townships, ?region= in the URL
    click_unit(page, 44)
    page.wait_for_url(re.compile(r"region=41\d{4}"), timeout=30_000)
    county = re.search(r"region=(41\d{4})", page.url).group(1)
    assert county in counties
    wait_for_app(page)
    wait_for_units(page, 20)
    assert_no_exception(page)
    assert all(code.startswith(county) for code in drawn(page))
    page.get_by_text("各乡镇出生率").first.wait_for()
    page.screenshot(path=str(SHOTS / "map_county_townships_zh.png"), full_page=True)

    # "back" goes up to the county's city (ten counties)
    page.get_by_role("button", name=re.compile("^返回")).click()
    page.wait_for_url(re.compile(rf"region={county[:4]}00"), timeout=30_000)
    wait_for_app(page)
    wait_for_units(page, 10)
    assert sorted(drawn(page)) == sorted(c for c in counties if c.startswith(county[:4]))
    # ... and up again to the whole province, where there is no way further up
    page.get_by_role("button", name=re.compile("^返回")).click()
    page.wait_for_function("() => !location.search.includes('region=')", timeout=30_000)
    wait_for_app(page)
    wait_for_units(page, 100)
    assert page.get_by_role("button", name=re.compile("^返回")).count() == 0

    # choosing a county in the box opens it as well
    page.locator("[data-testid='stSelectbox']").filter(has_text="查看县（市、区）").locator("input").click()
    page.get_by_role("option", name="第4县").click()
    page.wait_for_url(re.compile(r"region=410104"), timeout=30_000)
    wait_for_app(page)
    wait_for_units(page, 20)
    assert_no_exception(page)
    page.get_by_text("第4县各乡镇出生率").first.wait_for()

    # on a county's map a township click opens the township profile, as before
    click_unit(page, 7)
    page.wait_for_url(re.compile(r"/township\?.*township=41\d{10}"), timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)


def test_english_county_map_and_a_bookmarked_county(province_server, browser_page):
    page = browser_page
    page.goto(f"{province_server}/map?lang=en&year=2024&indicator=srb_shrunk&region=410305")
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_units(page, 20)
    assert all(code.startswith("410305") for code in drawn(page))
    page.get_by_role("button", name=re.compile("^Back to")).wait_for()
    page.goto(f"{province_server}/map?lang=en&year=2024&indicator=srb_shrunk")
    wait_for_app(page)
    wait_for_units(page, 100)
    page.get_by_text("Sex ratio at birth (shrunk) by county").first.wait_for()
    page.locator(".js-plotly-plot").first.screenshot(path=str(SHOTS / "map_province_counties_en.png"))
