"""A chart's downloads in real Chromium now that they are made only when opened: the Overview's
trend chart, "Show the table" clicked, its CSV downloaded; "Images" clicked, the slide PNG downloaded."""

from __future__ import annotations

import io

import polars as pl
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from natality.core import db, extract
from tests.conftest import assert_no_exception, start_streamlit, wait_for_app
from tests.test_notes import tiny


def download_bytes(page, button) -> bytes:
    """Click ``button`` once the script run its opening started has finished; click again if that
    click fell into a rerun that replaced the button (under CI's load a click did nothing once)."""
    for attempt in range(2):
        wait_for_app(page)
        try:
            with page.expect_download(timeout=30_000) as download:
                button.click()
            return download.value.path().read_bytes()
        except PlaywrightTimeout:
            if attempt:
                raise
    raise AssertionError("unreachable")


@pytest.mark.browser
def test_a_charts_table_and_image_download_after_one_click_each(chromium, tmp_path):
    data = tiny(tmp_path / "x")
    proc, url = start_streamlit(data, tmp_path / "downloads.log")
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{url}/?lang=zh&year=2024")
        wait_for_app(page)
        assert_no_exception(page)
        assert page.get_by_role("button", name="下载 CSV").count() == 0  # closed: no buttons sent

        table_box = page.locator("[data-testid='stExpander']").filter(has_text="查看数据表").first
        table_box.locator("summary").click()
        csv_button = table_box.get_by_role("button", name="下载 CSV")
        csv_button.wait_for(timeout=30_000)
        raw = download_bytes(page, csv_button)
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        shown = pl.read_csv(io.BytesIO(raw[3:]))
        trend = db.run_query("county_births_by_year", extract.live_version_dir(data), township_code=None)
        assert shown["births"].to_list() == trend["births"].to_list() == [5, 10]  # 2023: 5; 2024: 7 + 3

        page.locator("[data-testid='stPopover']").first.get_by_role("button").first.click()
        slide = page.get_by_role("button", name="横版（幻灯片 1920×1080）")
        slide.wait_for(timeout=30_000)
        with page.expect_download(timeout=90_000) as download:
            slide.click()
        assert download.value.suggested_filename.endswith("_slide.png")
        assert Image.open(download.value.path()).size == (1920, 1080)
        assert_no_exception(page)
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
