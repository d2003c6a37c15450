"""A ranking chart with a 100-character township name, drawn by plotly.js in a real Chromium at a
phone's 390 px (the phone layout the page serves there) and at 1600 px: the bars keep most of the
width. The same chart with the full names on the axis is drawn beside it, in the same run, as
the baseline the shortening is measured against. Screenshots: tests/screenshots/long_names_*.png.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from natality.births.charts import township_births_bar
from natality.export import narrow
from tests.conftest import SHOTS
from tests.test_long_names import LONG_A, LONG_B, LONG_EN

# The plot area (plotly's drag rectangle over the axes' domain) against the whole figure.
MEASURE = """() => {
  const svg = document.querySelector('.js-plotly-plot .main-svg').getBoundingClientRect();
  const plot = document.querySelector('.draglayer .xy .nsewdrag').getBoundingClientRect();
  const ticks = Array.from(document.querySelectorAll('.yaxislayer-above .ytick text')).map(t => t.textContent);
  return {figure: svg.width, plot: plot.width, ticks: ticks};
}"""

SHOWN = {"phone": "城关镇… [001]", "desktop": "城关镇（含原东关… [001]"}


def _ranking() -> pl.DataFrame:
    """12 townships, two with 100-character names sharing their first 15 characters."""
    names = [LONG_A, LONG_B, *[f"乡{i:02d}" for i in range(3, 13)]]
    return pl.DataFrame(
        {
            "township_code": [f"419901{i:03d}000" for i in range(1, 13)],
            "township_name": names,
            "township_name_en": names,
            "births": [200 - 10 * i for i in range(1, 13)],
        }
    )


def _province() -> pl.DataFrame:
    """2,000 townships: the chart shows 20 and a two-line marker for the 1,980 left out."""
    names = [LONG_A, *[f"乡{i:02d}" for i in range(2, 2001)]]
    return pl.DataFrame(
        {
            "township_code": [f"41{i:010d}" for i in range(1, 2001)],
            "township_name": names,
            "township_name_en": [LONG_EN, *[f"Township {i}" for i in range(2, 2001)]],
            "births": [3000 - i for i in range(1, 2001)],
        }
    )


def _full_names_on_the_axis(fig):
    """The baseline, as the chart was: the full names (its hover texts) on the axis and in the hover."""
    order = list(fig.data[0].hovertext)
    fig.update_traces(y=order, hovertext=None, hovertemplate="%{y}: %{x:,}<extra></extra>")
    return fig.update_layout(yaxis={"categoryarray": order})


def _draw(chromium, fig, width: int, tmp_path, name: str, config: dict) -> dict:
    html = tmp_path / f"{name}.html"
    fig.write_html(html, include_plotlyjs=True, full_html=True, config=config, default_width="100%")
    context = chromium.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(html.as_uri())
        page.wait_for_selector(".draglayer .xy .nsewdrag", timeout=30_000)
        page.wait_for_timeout(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        return page.evaluate(MEASURE)
    finally:
        context.close()


@pytest.mark.browser
def test_long_names_leave_the_bars_most_of_the_width(chromium, tmp_path):
    fig = township_births_bar(_ranking(), "zh", "出生数，2024年", "全县", "数据截至2024年12月")
    phone = narrow.phone_figure(fig)
    province = township_births_bar(_province(), "en", "Births, 2024", "Province", "Data to December 2024")
    shares = {}
    for label, figure, width, config in (
        ("phone", phone, 390, narrow.PHONE_CONFIG),
        ("phone_full_names", narrow.phone_figure(_full_names_on_the_axis(go.Figure(fig))), 390, narrow.PHONE_CONFIG),
        ("desktop", fig, 1600, {"displaylogo": False}),
        ("phone_province_en", narrow.phone_figure(province), 390, narrow.PHONE_CONFIG),
        ("desktop_full_names", _full_names_on_the_axis(go.Figure(fig)), 1600, {"displaylogo": False}),
    ):
        seen = _draw(chromium, figure, width, tmp_path, f"long_names_{label}", config)
        shares[label] = seen["plot"] / seen["figure"]
        if label in SHOWN:  # 12 CJK columns on the desktop, 8 on a phone (export.narrow)
            assert SHOWN[label] in seen["ticks"] and LONG_A not in seen["ticks"]
    print({k: round(v, 2) for k, v in shares.items()})
    assert shares["phone"] >= 0.55 and shares["desktop"] >= 0.8 and shares["phone_province_en"] >= 0.5
    # the baseline in the same run: the full names leave the bars far less
    assert shares["phone_full_names"] < shares["phone"] / 2
