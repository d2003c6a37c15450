"""Hostile and broken links: any value in any URL parameter of any page (an unknown year or
township code, SQL or script text, a 5,000-character value, odd bytes) gives the page's default
view or a clear message, never a traceback, and never reaches SQL as text (values stay bound).
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from natality.core import db
from tests.apptest_pages import open_app

PAGES = [None, "births.py", "sex-ratio.py", "scorecard.py", "map.py", "compare.py", "data.py", "township.py"]
# Every parameter a page reads from its URL (see tests/test_deeplinks.py).
KEYS = [
    "lang",
    "year",
    "township",
    "region",
    "base",
    "indicator",
    "window",
    "ref",
    "classes",
    "labels",
    "compare",
    "present",
    "unit",
]
NASTY = [
    "2099",
    "1900",
    "-1",
    "0",
    "2024.5",
    "1e9",
    "99999999999999999999",
    "",
    " ",
    "null",
    "None",
    "NaN",
    "411621999000",
    "41162110000",
    "4116211000000",
    "' or 1=1 --",
    "'; drop table births; --",
    "$year",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "../../etc/passwd",
    "城关镇",
    "東區",
    "\u202e\u200b",
    "\x00\x01",
    "%00",
    "x" * 5000,
    "1" * 5000,
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers(-(10**6), 10**6).map(str))
params = st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=5)


def _open(page: str | None, query: dict[str, str]) -> AppTest:
    return open_app(page and f"pages/{page}", **query)


def _assert_calm(at: AppTest, query: dict) -> None:
    assert not at.exception, (query, [e.value for e in at.exception])
    # An error box is allowed only as a clear message about the link, never as a crash report.
    for box in at.error:
        assert "Traceback" not in box.value and "Error:" not in box.value, (query, box.value)


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_parameters_never_break_a_page(demo_env, page):
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=params)
    def check(query):
        _assert_calm(_open(page, query), query)

    check()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("value", ["2099", "' or 1=1 --", "x" * 5000, "<script>alert(1)</script>"])
def test_every_parameter_at_once_with_one_bad_value(demo_env, page, value):
    at = _open(page, dict.fromkeys(KEYS, value))
    _assert_calm(at, {"all": value[:20]})


def test_a_bad_township_in_the_link_opens_the_default_view_and_sql_stays_bound(demo_env):
    births = db.run_query("county_births_by_year", demo_env, township_code=None)
    at = _open("township.py", {"lang": "en", "township": "'; drop table births; --"})
    _assert_calm(at, {})
    # the births table is intact: the text never reached SQL
    assert db.run_query("county_births_by_year", demo_env, township_code=None).equals(births)
    codes = db.run_query("township_list", demo_env)["township_code"].to_list()
    assert at.selectbox(key="township").value in codes


def test_an_unknown_year_falls_back_to_the_latest(demo_env):
    at = _open(None, {"lang": "en", "year": "2099"})
    _assert_calm(at, {})
    latest = int(
        db.run_query("county_births_by_year", demo_env, township_code=None).select(pl.col("year").max()).item()
    )
    assert at.selectbox(key="year").value == latest
