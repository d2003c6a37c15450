"""The demo county's births ranking on a leader's 390 px phone in English, drawn by the real app in
Chromium: the axis shows the bare township names (the generic "Town"/"Township" dropped, since
"Zhangzhuang Township" would not fit 16 columns), none cut, all inside the chart. Screenshot:
tests/screenshots/short_names_phone_en.png."""

from __future__ import annotations

import pytest

from natality.demo.county import TOWNSHIPS
from tests.conftest import SHOTS, assert_no_exception
from tests.test_phone_browser import PHONE, settle

# the ranking bar's y tick labels with their boxes, and the chart's box
TICKS = """() => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => (p.querySelector('.g-gtitle text') || {}).textContent?.startsWith('Births by township'));
  if (!plot) return null;
  const chart = plot.getBoundingClientRect();
  const ticks = Array.from(plot.querySelectorAll('.yaxislayer-above .ytick text')).map(t => {
    const r = t.getBoundingClientRect(); return {text: t.textContent, left: r.left, right: r.right}; });
  return {left: chart.left, right: chart.right, ticks};
}"""

# worked out by hand from the demo's English names: each without " Town" / " Township"
BARE = {
    "Chengguan", "Wangdian", "Liji", "Zhangzhuang", "Liuzhai", "Chenlou", "Gaotai", "Xinji", "Huangqiao", "Baima",
    "Sundian", "Shiqiao", "Maji", "Yanghu", "Liuhe", "Zhouzhuang", "Fanji", "Zhengying", "Wuqiao",
}  # fmt: skip


def test_bare_names_are_the_demo_names_without_suffix():
    assert {en.rsplit(" ", 1)[0] for _, en in TOWNSHIPS} == BARE


@pytest.mark.browser
def test_phone_ranking_axis_shows_bare_english_names(streamlit_server, chromium):
    context = chromium.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{streamlit_server}/births?lang=en")
        settle(page)
        assert_no_exception(page)
        page.wait_for_function(f"() => ({TICKS})() !== null", timeout=30_000)
        seen = page.evaluate(TICKS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "short_names_phone_en.png"), full_page=True)
    finally:
        context.close()
    assert {t["text"] for t in seen["ticks"]} == BARE
    assert len(seen["ticks"]) == 19
    outside = [t["text"] for t in seen["ticks"] if t["left"] < seen["left"] - 0.5 or t["right"] > seen["right"] + 0.5]
    assert outside == []
