"""Map values per township on a hand-made extract: query, indicators, too-few and target status."""

from __future__ import annotations

import polars as pl
import pytest

from natality.core import db
from natality.maps import view as map_view
from natality.srb.stats import shrink_srb
from tests.factory import make_extract

A, B, C = "419901101000", "419901102000", "419901103000"


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    births = [
        (A, "2022-02", "M", 1, "25-29", None, 100),
        (B, "2022-02", "F", 1, "25-29", None, 40),
        (A, "2023-01", "M", 1, "25-29", None, 60), (A, "2023-01", "F", 1, "25-29", None, 40),
        (A, "2023-01", "M", 3, "30-34", None, 10),
        (A, "2023-09", "M", 1, "25-29", None, 5),
        (B, "2023-03", "M", 2, "30-34", None, 30), (B, "2023-03", "F", 2, "30-34", None, 30),
        (A, "2024-02", "F", 1, "25-29", None, 50),
    ]  # fmt: skip
    return make_extract(
        tmp_path_factory.mktemp("map") / "x",
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian"), (C, "李集镇", "Liji")],
        births,
        population=[(A, 2023, 10_000), (B, 2023, 500), (C, 2023, 2_000)],
        targets=[(A, 2023, "births", 120.0), (B, 2023, "births", 50.0)],
        cutoff="2024-06",
    )


def test_query_counts_the_same_months_in_both_years(extract_dir):
    full = db.run_query("map_township_year", extract_dir, year=2023, last_month=12)
    cols = ["township_code", "births", "boys", "girls", "births_order3p", "births_order_known", "births_prev"]
    assert full.select(cols).rows() == [
        (A, 115, 75, 40, 10, 115, 100),
        (B, 60, 30, 30, 0, 60, 40),
        (C, 0, 0, 0, 0, 0, 0),
    ]
    assert full["population"].to_list() == [10_000, 500, 2_000]
    # 2024 is partial (to June): the previous year counts January-June only (A's September is out)
    ytd = db.run_query("map_township_year", extract_dir, year=2024, last_month=6)
    assert ytd.select("township_code", "births", "births_prev").rows() == [(A, 50, 110), (B, 0, 60), (C, 0, 0)]
    assert ytd["population"].to_list() == [None, None, None]


def _table(extract_dir, indicator, year=2023, months=12, lang="zh"):
    raw = db.run_query("map_township_year", extract_dir, year=year, last_month=months)
    return map_view.map_table(raw, indicator, year, months, lang, str(extract_dir))


def test_births_and_target_status(extract_dir):
    table = _table(extract_dir, "births")
    assert table.select("township_code", "name", "value", "met").rows() == [
        (A, "城关镇", 115.0, False),  # 2023: births are a floor to reach; 115 < 120
        (B, "王店乡", 60.0, True),
        (C, "李集镇", 0.0, None),  # no target: neither met nor missed
    ]
    assert "目标 120：未达标" in table["hover"][0]


def test_birth_rate_with_small_population_greyed(extract_dir):
    table = _table(extract_dir, "birth_rate", lang="en")
    assert table["value"].to_list() == pytest.approx([11.5, 120.0, 0.0])
    assert table["too_few"].to_list() == [False, True, False]  # B: 500 people < 1,000
    assert table["denominator"].to_list() == [10_000, 500, 2_000]
    assert table["name"].to_list() == ["Chengguan", "Wangdian", "Liji"]
    assert "115 births / mean population 10,000" in table["hover"][0]
    assert "95% interval" in table["hover"][0]


def test_srb_raw_and_shrunk(extract_dir):
    raw = _table(extract_dir, "srb")
    assert raw["value"].to_list() == pytest.approx([187.5, 100.0, None], nan_ok=False)
    assert raw["too_few"].to_list() == [True, True, False]  # < 200 births; C has none: no data
    shrunk = _table(extract_dir, "srb_shrunk")
    expected = shrink_srb([75, 30, 0], [40, 30, 0]).srb
    assert shrunk["value"].to_list() == pytest.approx(expected)
    assert shrunk["too_few"].to_list() == [False, False, False]
    assert "原始值 187.5（出生 115 人）" in shrunk["hover"][0]


def test_share_order3p_and_change(extract_dir):
    share = _table(extract_dir, "share_order3p")
    assert share["value"].to_list()[:2] == pytest.approx([100 * 10 / 115, 0.0])
    assert share["value"][2] is None and share["too_few"].to_list() == [True, True, False]
    change = _table(extract_dir, "change")
    assert change["value"].to_list()[:2] == pytest.approx([15.0, 50.0])
    assert change["value"][2] is None
    assert change["too_few"].to_list() == [False, True, False]  # B had 40 births the year before


def test_options_follow_targets(extract_dir):
    version = str(extract_dir)
    assert map_view.method_options(version, "births", 2023) == ["quantiles", "equal", "natural", "target"]
    assert map_view.method_options(version, "change", 2023) == ["quantiles", "equal", "natural"]
    assert map_view.method_options(version, "births", 2024) == ["quantiles", "equal", "natural"]


def test_clicked_code_reads_location_or_customdata():
    assert map_view.clicked_code({"selection": {"points": [{"location": A}]}}) == A
    assert map_view.clicked_code({"selection": {"points": [{"customdata": [B, "x"]}]}}) == B
    assert map_view.clicked_code({"selection": {"points": []}}) is None
    assert map_view.clicked_code(None) is None


def test_map_texts_have_unit_period_and_footnote():
    texts = map_view.map_texts("birth_rate", "natural", "2026年1-9月", "数据截至2026年9月", "zh")
    assert texts.title == "各乡镇出生率（‰），2026年1-9月"
    assert texts.legend_title == "2026年1-9月（‰）"
    assert texts.footnote == "数据截至2026年9月"
    en = map_view.map_texts("births", "target", "2025", "Data up to 2026-09", "en", partial=True)
    assert (en.title, en.met, en.missed) == ("Births by township (births), 2025", "On track", "At risk")


def test_schema_of_map_table(extract_dir):
    table = _table(extract_dir, "births")
    assert table.schema == pl.Schema({"township_code": pl.String, "name": pl.String, **map_view.COLUMNS})
