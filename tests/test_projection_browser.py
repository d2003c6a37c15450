"""The Township page's projection fan in a real Chromium, on the demo county (cut-off 2026-09)."""

from __future__ import annotations

import polars as pl
import pytest

from natality.births import projection
from tests.conftest import assert_no_exception, wait_for_app

TALL = {"width": 1440, "height": 5200}  # Streamlit scrolls inside the page: a tall window shows it all
CODE = "419901101000"


@pytest.mark.browser
def test_township_page_draws_the_fan_to_december(streamlit_server, browser_page, demo_data):
    row = projection.projection(demo_data, 2026).townships.filter(pl.col("township_code") == CODE).row(0, named=True)
    page = browser_page
    page.set_viewport_size(TALL)
    page.goto(f"{streamlit_server}/township?lang=en&township={CODE}")
    wait_for_app(page)
    title = "Chengguan Town: cumulative births in 2026 and the year-end projection"
    fan = page.locator(".js-plotly-plot").filter(has=page.locator("text.gtitle", has_text=title))
    fan.wait_for(timeout=60_000)
    assert_no_exception(page)
    # the shaded 90 % band is drawn (a filled path), and the subtitle gives the interval's ends
    assert fan.locator("path.js-fill").count() >= 1
    texts = "els => els.map(e => e.textContent)"
    subtitle = " ".join(fan.locator("text").evaluate_all(texts))
    assert f"{row['projected']:,} (90% interval {row['projected_low']:,}–{row['projected_high']:,})" in subtitle
    legend = fan.locator("g.legend text").evaluate_all(texts)
    assert "90% interval" in legend and "2026 cumulative" in legend and "2025 cumulative" in legend
