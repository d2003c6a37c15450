"""The Map page through AppTest (both languages, every indicator) and in a real Chromium."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from natality.maps import view as map_view
from tests.apptest_pages import open_boxes, open_page
from tests.conftest import SHOTS, assert_no_exception, wait_for_app


def map_app(lang: str, **params) -> AppTest:
    return open_page("pages/map.py", lang=lang, **params)


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def choropleths(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == "choropleth" and len(t["locations"]) > 1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_page_every_indicator(demo_env, lang):
    at = map_app(lang, year=2025)
    codes = db.run_query("map_township_year", demo_env, year=2025, last_month=12)["township_code"].to_list()
    assert at.title[0].value == ("乡镇地图" if lang == "zh" else "Township map")
    for indicator in map_view.indicator_options(str(demo_env), 2025):
        at.selectbox(key="indicator").set_value(indicator).run()
        assert not at.exception, (indicator, at.exception)
        fig = figure(at)
        (choro,) = choropleths(fig)
        assert sorted(choro["locations"]) == sorted(codes)  # all 19 townships drawn
        title = fig["layout"]["title"]["text"]
        assert ("2025年" if lang == "zh" else "2025") in title
        assert any("2026" in (a.get("text") or "") for a in fig["layout"]["annotations"])  # cut-off
        # a text trace first: plotly.js then fetches no world TopoJSON
        assert fig["data"][0]["type"] == "scattergeo"
        # in Chinese every one of the 19 townships carries its name; the longer English names of
        # two narrow townships would overlap their neighbours, so those two are left to the hover
        labels = [s for t in fig["data"] if t.get("mode") == "text" for s in t["text"]]
        assert len(labels) == (19 if lang == "zh" else 17) and len(codes) == 19


def test_births_map_values_match_the_query(demo_env):
    at = map_app("zh", year=2024, indicator="births", classes="equal")
    raw = db.run_query("map_township_year", demo_env, year=2024, last_month=12)
    (choro,) = choropleths(figure(at))
    births = dict(zip(raw["township_code"], raw["births"], strict=True))
    hover = {c: h for c, (_, h) in zip(choro["locations"], choro["customdata"], strict=True)}
    for code, n in births.items():
        assert f"{n:,} 人" in hover[code]
    # equal classes: the township with the most births is in the top class, the fewest in the first
    z = dict(zip(choro["locations"], choro["z"], strict=True))
    assert z[max(births, key=births.get)] == 4.5 and z[min(births, key=births.get)] == 0.5


def test_two_years_side_by_side_and_target_classes(demo_env):
    at = map_app("en", year=2019, indicator="births", classes="target", compare=2018)
    fig = figure(at)
    assert len(choropleths(fig)) == 2
    legend = [t["name"] for t in fig["data"] if t.get("showlegend")]
    assert legend[0].startswith("Met (") and legend[1].startswith("Missed (")
    table = open_boxes(at).dataframe[0].value  # "Show the table", opened
    assert set(table["period"]) == {"2018", "2019"}


def test_clicking_a_township_selection_is_understood():
    assert map_view.clicked_code({"selection": {"points": [{"location": "419901104000"}]}}) == "419901104000"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_in_the_browser_offline(streamlit_server, browser_page, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.goto(f"{streamlit_server}/map?lang={lang}&year=2025&indicator=birth_rate&labels=name_value")
    wait_for_app(browser_page)
    assert_no_exception(browser_page)
    plot = browser_page.locator(".js-plotly-plot").first
    plot.wait_for()
    # 19 township shapes drawn, and their labels
    assert plot.locator("g.choroplethlocation, path.choroplethlocation").count() >= 19
    name = "城关镇" if lang == "zh" else "Chengguan"  # English labels wrap: Chengguan<br>Town
    plot.locator("text", has_text=name).first.wait_for(timeout=10_000)  # the on-map label
    plot.screenshot(path=str(SHOTS / f"map_page_{lang}.png"))
    # a click on a township opens its profile (or outlines it when there is no profile page)
    box = plot.locator("path.choroplethlocation").nth(3).bounding_box()
    browser_page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    browser_page.wait_for_url("**/township?*township=4199011*", timeout=20_000)
    wait_for_app(browser_page)
    assert_no_exception(browser_page)


@pytest.mark.browser
def test_two_year_map_and_overview_map_in_the_browser(streamlit_server, browser_page):
    browser_page.goto(f"{streamlit_server}/map?lang=en&year=2025&compare=2020&indicator=srb_shrunk&classes=natural")
    wait_for_app(browser_page)
    assert_no_exception(browser_page)
    plot = browser_page.locator(".js-plotly-plot").first
    plot.locator("path.choroplethlocation").nth(37).wait_for(timeout=10_000)  # 19 townships x 2 years
    plot.screenshot(path=str(SHOTS / "map_pair_en.png"))
    browser_page.goto(f"{streamlit_server}/?lang=zh")
    wait_for_app(browser_page)
    assert_no_exception(browser_page)
    small = browser_page.locator(".js-plotly-plot").nth(2)
    small.locator("text", has_text="城关镇").first.wait_for(timeout=10_000)
    small.screenshot(path=str(SHOTS / "map_overview_zh.png"))
