"""The 2,000-township province demo (`python -m natality demo --townships 2000`): every page opens
in both languages without an error, for the whole province and for one county of it, and no
chart draws a bar or a line per township. Slow (one build, ~50 page runs); the timing of these
pages belongs to `make bench`, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from natality.demo.county import build_demo
from tests.apptest_pages import open_app

PAGES = [None, "births.py", "sex-ratio.py", "scorecard.py", "map.py", "compare.py", "data.py", "township.py"]


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province") / "demo"
    build_demo(out, townships=2000)
    return out


@pytest.fixture(scope="module")
def a_county(province) -> tuple[str, str, int]:
    """The first county of the province: its code, its Chinese name, its number of townships."""
    regions = db.run_query("regions", str(province.resolve()))
    row = regions.filter(pl.col("level") == "county").row(0, named=True)
    return row["region_code"], row["name"], row["townships"]


def open_page(data: Path, page: str | None, lang: str, **params) -> AppTest:
    return open_app(page and f"pages/{page}", 300, lang=lang, **params)


def check(at: AppTest, page: str | None) -> list[dict]:
    assert not at.exception, (page, at.exception)
    assert not at.error, (page, [e.value for e in at.error])
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for fig in figures:
        bars = [tr for tr in fig["data"] if tr.get("type") == "bar" and tr.get("orientation") == "h"]
        assert all(len(tr.get("x") or []) <= 21 for tr in bars), (page, fig["layout"].get("title"))
        assert len([tr for tr in fig["data"] if str(tr.get("mode", "")).startswith("lines")]) <= 25, page
    return figures


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_the_province_opens(province, monkeypatch, page, lang):
    monkeypatch.setenv("NATALITY_DATA", str(province))
    params = {"township": db.run_query("township_list", str(province.resolve()))["township_code"][0]}
    at = open_page(province, page, lang, **(params if page == "township.py" else {}))
    check(at, page)
    if page in ("map.py", "compare.py"):  # a province map draws its counties, not 2,000 townships
        counties = db.run_query("regions", str(province.resolve())).filter(pl.col("level") == "county")
        maps = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        maps = [fig for fig in maps if any(tr.get("type") == "choropleth" for tr in fig["data"])]
        drawn = {loc for tr in maps[0]["data"] for loc in (tr.get("locations") or [])}
        assert drawn and drawn <= set(counties["region_code"])
    if page == "map.py":  # it draws counties, and says so
        assert at.title[0].value == ("区县地图" if lang == "zh" else "County map")
    if page == "scorecard.py":  # a province's partial-year basis is not "the county's"
        texts = " ".join(m.value for m in at.markdown) + " ".join(i.value for i in at.info)
        assert "本县" not in texts and "the county's" not in texts


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_one_county_of_the_province(province, a_county, monkeypatch, page):
    code, name, n = a_county
    monkeypatch.setenv("NATALITY_DATA", str(province))
    towns = db.run_query("township_list", str(province.resolve()), region=code)
    assert towns.height == n
    params = {"region": code, **({"township": towns["township_code"][0]} if page == "township.py" else {})}
    at = open_page(province, page, "zh", **params)
    figures = check(at, page)
    shown = {c for f in figures for tr in f["data"] for c in (tr.get("customdata") or []) if isinstance(c, str)}
    outside = {c for c in shown if len(c) >= 9 and c.isdigit() and not c.startswith(code)}
    assert not outside, (page, sorted(outside)[:5])  # nothing of another county is drawn
    if page is None:
        assert any(name in t.value for t in at.title), [t.value for t in at.title]
    if page == "map.py":  # one county of the province: its townships
        assert at.title[0].value == "乡镇地图"
