"""Deep links: every page opened from a URL's query parameters shows that view (widgets and
output), and keeps the parameters in the URL so that it can be copied again."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from tests.apptest_pages import open_boxes, open_page

PAGES = Path(__file__).resolve().parent.parent / "pages"


def open_url(page: str | None, params: dict) -> AppTest:
    return open_page(page and f"pages/{page}", **params)


def url_value(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def towns(data: Path) -> list[str]:
    return db.run_query("township_list", data)["township_code"].to_list()


def test_overview_year_language_and_presentation_mode(demo_env):
    at = open_url(None, {"lang": "en", "year": 2019, "present": 1})
    assert at.radio(key="lang").value == "en" and at.title[0].value == "Demo County births overview"
    assert at.selectbox(key="year").value == 2019
    births = db.run_query("county_period_summary", demo_env, year=2019, month_to=12)
    assert at.metric[0].value == f"{births.filter(pl.col('year') == 2019)['births'][0]:,}"
    assert at.toggle(key="present").value is True
    assert url_value(at, "present") == "1" and url_value(at, "year") == "2019"
    assert any("stToolbar" in str(h.proto) for h in at.get("html")), "presentation CSS missing"


def test_presentation_mode_off_by_default(demo_env):
    at = open_url(None, {"lang": "zh"})
    assert at.toggle(key="present").value is False and url_value(at, "present") is None
    assert not any("stToolbar" in str(h.proto) for h in at.get("html"))


def test_births_year_and_township(demo_env):
    code = towns(demo_env)[3]
    at = open_url("births.py", {"lang": "zh", "year": 2020, "township": code})
    assert at.selectbox(key="year").value == 2020 and at.selectbox(key="township").value == code
    monthly = db.run_query("births_by_month", demo_env, year=2020, township_code=code)
    january = monthly.filter((pl.col("year") == 2020) & (pl.col("month") == 1))["births"][0]
    assert open_boxes(at).dataframe[1].value.iloc[0, 1] == january  # the tables, opened
    assert (url_value(at, "year"), url_value(at, "township")) == ("2020", code)


def test_sex_ratio_year_window_reference_township(demo_env):
    code = towns(demo_env)[5]
    params = {"lang": "en", "year": 2022, "window": 1, "ref": "natural", "township": code}
    at = open_url(next(p.name for p in PAGES.glob("sex*ratio.py")), params)
    assert at.selectbox(key="year").value == 2022 and at.selectbox(key="window").value == 1
    assert at.selectbox(key="ref").value == "natural" and at.selectbox(key="township").value == code
    assert any("2022" in s.value for s in at.subheader)
    for key, value in params.items():
        assert url_value(at, key) == str(value), key


def test_scorecard_year(demo_env):
    at = open_url("scorecard.py", {"lang": "en", "year": 2019})
    assert at.selectbox(key="year").value == 2019
    assert any("2019" in m.value for m in at.markdown)


def test_township_profile(demo_env):
    code = towns(demo_env)[2]
    at = open_url("township.py", {"lang": "zh", "township": code, "year": 2019})
    assert at.selectbox(key="township").value == code and at.selectbox(key="year").value == 2019
    name = db.run_query("township_list", demo_env).filter(pl.col("township_code") == code)["township_name"][0]
    assert name in at.title[0].value


def test_map_options(demo_env):
    params = {"lang": "en", "year": 2024, "indicator": "srb", "classes": "equal", "labels": "none", "compare": 2023}
    at = open_url("map.py", params)
    assert at.selectbox(key="year").value == 2024 and at.selectbox(key="indicator").value == "srb"
    assert at.selectbox(key="classes").value == "equal" and at.selectbox(key="labels").value == "none"
    assert at.selectbox(key="compare").value == 2023
    table = open_boxes(at).dataframe[0].value  # "Show the table", opened
    assert len(table) == 2 * len(towns(demo_env))  # both years of the comparison
    for key, value in params.items():
        assert url_value(at, key) == str(value), key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_years_and_indicator(demo_env, lang):
    at = open_url("compare.py", {"lang": lang, "year": 2024, "base": 2020, "indicator": "srb"})
    assert at.selectbox(key="year").value == 2024 and at.selectbox(key="base").value == 2020
    assert at.selectbox(key="indicator").value == "srb"
    births = db.run_query("births_by_township_year", demo_env, year=2024)["births"].sum()
    before = db.run_query("births_by_township_year", demo_env, year=2020)["births"].sum()
    assert at.metric[0].value == f"{births:,}" and at.metric[0].delta == f"{100 * (births - before) / before:+.1f}%"
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert f"{before:,}" in sentences and f"{births:,}" in sentences
    assert len(at.get("plotly_chart")) == 2
    assert (url_value(at, "base"), url_value(at, "indicator")) == ("2020", "srb")


def test_compare_partial_year_uses_the_same_months(demo_env):
    at = open_url("compare.py", {"lang": "en", "year": 2026, "base": 2025})
    summary = db.run_query("county_period_summary", demo_env, year=2026, month_to=9)
    births = dict(zip(summary["year"], summary["births"], strict=True))
    assert at.metric[0].value == f"{births[2026]:,}"
    assert "months 1-9" in at.caption[0].value or any("months 1-9" in c.value for c in at.caption)
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert f"(2025 Jan-Sep: {births[2025]:,})" in sentences


def test_data_year(demo_env):
    at = open_url("data.py", {"lang": "en", "year": 2021})
    assert at.selectbox(key="year").value == 2021
    assert any("2021" in c.value for c in at.caption)
