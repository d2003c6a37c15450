"""Scorecard and Township pages: AppTest in both languages, and a real browser with screenshots."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.scorecard import scoring
from natality.scorecard import table as scorecard_table
from tests.apptest_pages import open_boxes, open_page
from tests.conftest import assert_no_exception, wait_for_app

SHOTS = Path("/tmp/shots")
HOTSPOT = "419901106000"  # 陈楼乡, a planted SRB hotspot of the demo county (for screenshots)


def _run(page: str, **params: str) -> AppTest:
    return open_page(page, **params)


@pytest.mark.parametrize(
    ("lang", "title", "vetoed"), [("zh", "乡镇考核评分", "3 个被一票否决"), ("en", "Township scorecard", "3 vetoed")]
)
def test_scorecard_page_2019(demo_env, lang, title, vetoed):
    at = _run("pages/scorecard.py", lang=lang, year="2019")
    assert at.title[0].value == title
    assert vetoed in at.markdown[0].value
    assert len(at.dataframe) == 1  # the scorecard grid; the verdicts are made when opened
    assert len(open_boxes(at, "_verdicts_box").dataframe) == 2  # the scorecard grid and the verdicts
    assert at.get("download_button")


@pytest.mark.parametrize(("lang", "note"), [("zh", "1–9 月出生占全年的比例"), ("en", "born in January to month 9")])
def test_scorecard_page_partial_year(demo_env, lang, note):
    at = _run("pages/scorecard.py", lang=lang, year="2026")
    assert note in at.info[0].value


@pytest.mark.parametrize(
    ("lang", "title", "veto"), [("zh", "乡镇档案：", "一票否决"), ("en", "Township profile: ", "Vetoed")]
)
def test_township_page(demo_env, lang, title, veto):
    card = scoring.scorecard(2019, demo_env, lang)
    worst = card.filter(pl.col("vetoed")).row(0, named=True)  # a planted SRB hotspot
    at = _run("pages/township.py", lang=lang, township=worst["township_code"], year="2019")
    assert at.title[0].value == title + worst["township_name"]
    assert at.warning[0].value.startswith(veto)
    assert [m.value for m in at.metric] == [
        f"{worst['score']:.1f}",
        scorecard_table.rank_text(
            worst["rank"],
            worst["rank_change"],
            lang,
            worst["rank_low"],
            worst["rank_high"],
            worst["rank_change_sure"],
            worst["tied"],
        ),
        worst["class_label"],
    ]


def test_excel_export_has_coloured_cells(demo_data):
    data = scoring.scorecard_data(demo_data, "en")
    wide = scorecard_table.wide_table(data.card_for(2019), data.status_for(2019), data.registry)
    book = openpyxl.load_workbook(io.BytesIO(scorecard_table.excel_bytes(wide, data.registry, "en", "T", "F")))
    sheet = book.active
    header = [c.value for c in sheet[3]]
    col = header.index("Sex ratio at birth (boys per 100 girls)") + 1
    vetoed = wide.with_row_index().filter(pl.col("vetoed"))["index"][0]
    cell = sheet.cell(row=4 + vetoed, column=col)
    assert cell.fill.fgColor.rgb.endswith("F8C9A4")  # orange: missed
    assert cell.number_format.startswith('"✗ "')


@pytest.mark.browser
def test_scorecard_and_township_in_browser(streamlit_server, browser_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    # The first visit to a fresh server goes through the entry page (see the report: a deep link
    # as the very first request is served by Streamlit's pages/ folder fallback).
    page.goto(f"{streamlit_server}/?lang=en")
    wait_for_app(page)
    page.set_viewport_size({"width": 1440, "height": 3400})  # the whole page in one screenshot
    for lang, year, expect in (
        ("zh", 2019, "一票否决"),
        ("en", 2019, "vetoed"),
        ("en", 2026, "on track"),
        ("zh", 2026, "进度正常"),
    ):
        page.goto(f"{streamlit_server}/scorecard?lang={lang}&year={year}")
        wait_for_app(page)
        assert_no_exception(page)
        page.get_by_text(expect).first.wait_for(timeout=30_000)
        _wait_for_charts(page, 2)
        page.screenshot(path=str(SHOTS / f"scorecard_{year}_{lang}.png"), full_page=True)
    for lang in ("zh", "en"):
        page.goto(f"{streamlit_server}/township?lang={lang}&township={HOTSPOT}&year=2019")
        wait_for_app(page)
        assert_no_exception(page)
        _wait_for_charts(page, 5)  # locator map, indicators, births by order, SRB, rank history
        page.screenshot(path=str(SHOTS / f"township_{lang}.png"), full_page=True)


def _wait_for_charts(page, n: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n}", timeout=60_000
    )
    page.wait_for_timeout(1500)
