"""Overview and Births through Streamlit's AppTest, in both languages, with the key numbers."""

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from tests.apptest_pages import open_boxes, open_page
from tests.factory import TWO_TOWNSHIP_CODES, make_extract, make_two_township_extract

A, B = TWO_TOWNSHIP_CODES
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def app(lang: str, page: str | None = None, **params) -> AppTest:
    return open_page(page, 90, lang=lang, **params)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_the_cutoff_year_against_last_year(demo_env, lang):
    at = app(lang)
    summary = db.run_query("county_period_summary", demo_env, year=2026, month_to=9)
    births_2026 = summary.filter(pl.col("year") == 2026)["births"][0]
    values = [m.value for m in at.metric]
    assert values[0] == f"{births_2026:,}"
    labels = [m.label for m in at.metric]
    assert labels[0] == ("出生人数" if lang == "zh" else "Births")
    assert len(at.metric) == 6  # births, rate, SRB, 3rd+ share, townships within plan, year-end projection
    assert at.title[0].value == ("示范县出生概览" if lang == "zh" else "Demo County births overview")
    assert len(at.get("plotly_chart")) == 3  # trend, ranking, township map


def test_overview_year_from_the_url(demo_env):
    at = app("en", year=2019)
    by_town = db.run_query("births_by_township_year", demo_env, year=2019)
    assert at.metric[0].value == f"{by_town['births'].sum():,}"
    assert at.selectbox(key="year").value == 2019
    assert at.query_params["year"] in ("2019", ["2019"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_births_page_in_both_languages(demo_env, lang):
    at = app(lang, "pages/births.py", year=2024)
    assert at.title[0].value == ("出生人数" if lang == "zh" else "Births")
    assert len(at.get("plotly_chart")) == 4
    assert not at.dataframe and not at.get("download_button")  # tables and downloads: made when opened
    assert [e.label for e in at.expander if e.key and e.key.endswith("_notes")] == [
        "批注" if lang == "zh" else "Notes"
    ] * 4
    # the table behind the township chart ends with the county total
    at.session_state["births_by_township_images"] = True  # the first chart's images, opened
    open_boxes(at)
    table = at.dataframe[0].value
    total = db.run_query("births_by_township_year", demo_env, year=2024)["births"].sum()
    assert int(table["births"].iloc[-1]) == total
    keys = [b.key for b in at.get("download_button")]
    assert len([k for k in keys if k.endswith(("_csv", "_xlsx"))]) == 8  # each chart's table, CSV and Excel
    assert len([k for k in keys if k.endswith(("_slide_png", "_portrait_png"))]) == 2  # the opened chart's images


def test_births_township_filter_through_the_url(tmp_path, monkeypatch):
    data = make_two_township_extract(tmp_path / "x")
    monkeypatch.setenv("NATALITY_DATA", str(data))
    at = open_boxes(app("zh", "pages/births.py", year=2024, township=A))
    assert at.selectbox(key="township").value == A
    monthly = at.dataframe[1].value  # month, 2024, 2023, change
    assert monthly.iloc[0].tolist()[1:] == [7, 5, 2]


def test_missing_extract_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("NATALITY_DATA", str(tmp_path / "nothing"))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert "No data found" in at.error[0].value


def test_a_township_without_a_shape_still_counts_and_the_map_says_so(tmp_path, monkeypatch):
    import geopandas as gpd

    from natality.core.extract import live_version_dir

    data = make_extract(
        tmp_path / "x",
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian")],
        [(A, "2024-01", "M", 1, "25-29", None, 7), (B, "2024-01", "F", 1, "25-29", None, 3)],
        [(A, 2024, 1000), (B, 2024, 1000)],
        cutoff="2024-01",
    )
    path = live_version_dir(data) / "townships.parquet"
    gdf = gpd.read_parquet(path)
    gdf.loc[1, "geometry"] = None
    gdf.loc[1, "geometry_display"] = None
    gdf.to_parquet(path)
    monkeypatch.setenv("NATALITY_DATA", str(data))
    at = app("en", "pages/map.py", year=2024)
    assert [w.value for w in at.warning] == [
        "1 township(s) have no shape in the boundary file and cannot be drawn; "
        "their births still count in every table and total."
    ]
    at = app("en", year=2024)
    assert at.metric[0].value == "10"  # both townships' births, shape or not
    assert any(c.value.startswith("2024 Jan, against") for c in at.caption)


def test_presentation_mode_enlarges_the_type_inside_charts(demo_env):
    import json

    normal = app("en", year=2024)
    present = app("en", year=2024, present=1)
    size = [json.loads(c.proto.spec)["layout"]["font"]["size"] for c in normal.get("plotly_chart")]
    big = [json.loads(c.proto.spec)["layout"]["font"]["size"] for c in present.get("plotly_chart")]
    assert size[0] == 14 and big[0] == 18


def test_map_page_has_no_empty_columns_between_its_title_and_the_year(demo_env):
    """On a county's map (no region to go back to, no counties to open) the drill-down row is not
    drawn: its empty columns stacked into a gap under the title on a 390 px phone."""
    at = app("zh", "pages/map.py")
    first = at.main.columns[0]
    assert first.selectbox(key="year").value == 2026
