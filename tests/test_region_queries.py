"""The region hierarchy and the $region parameter of the queries, on two hand-made counties.

County 419901 has townships A and B, county 419902 has C; both lie in city 419900 and province
410000. Every expected number below is added up by hand from the rows of ``two_counties``.
"""

from __future__ import annotations

import pytest

from natality.core import db
from tests.factory import TWO_COUNTY_CODES, make_two_county_extract, two_county_population

A, B, C = TWO_COUNTY_CODES


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory):
    before = [(A, "2023-01", "M", 1, "25-29", None, 4), (C, "2023-02", "F", 1, "25-29", None, 6)]
    return make_two_county_extract(
        tmp_path_factory.mktemp("regions") / "x",
        before,
        two_county_population((2024,)),
        more_regions=[("410000", "某省", None)],
    )


def test_regions_from_the_codes_named_by_the_regions_file(two_counties):
    con = db.connection(str(two_counties.resolve()))
    rows = con.sql("select region_code, level, name, name_en, townships from regions order by region_code").fetchall()
    assert rows == [
        ("410000", "province", "某省", "某省", 3),
        ("419900", "city", "419900", "419900", 3),  # no name given: the code
        ("419901", "county", "甲县", "Jia County", 2),
        ("419902", "county", "乙县", "Yi County", 1),
    ]


@pytest.mark.parametrize(
    ("region", "births", "boys", "girls"),
    [
        (None, 81, 48, 33),  # A 18 + B 10 + C 53
        ("410000", 81, 48, 33),
        ("419900", 81, 48, 33),
        ("419901", 28, 15, 13),  # A 10+8, B 5+5
        ("419902", 53, 33, 20),  # C 30+20+3
        ("999999", 0, 0, 0),  # a code of no township: nothing, not everything
    ],
)
def test_srb_county_follows_the_region(two_counties, region, births, boys, girls):
    row = db.run_query("srb_county", two_counties, year_from=2024, year_to=2024, region=region).to_dicts()[0]
    assert (row["births"], row["boys"], row["girls"]) == (births, boys, girls)


def test_srb_county_without_region_is_the_whole_extract(two_counties):
    row = db.run_query("srb_county", two_counties, year_from=2024, year_to=2024).to_dicts()[0]
    assert row["births"] == 81
    assert row["srb"] == pytest.approx(100 * 48 / 33)


def test_township_rankings_hold_only_the_region(two_counties):
    rows = db.run_query("births_by_township_year", two_counties, year=2024, region="419901")
    assert rows.select("township_code", "births").rows() == [(A, 18), (B, 10)]
    assert db.run_query("township_list", two_counties, region="419902")["township_code"].to_list() == [C]
    srb = db.run_query("srb_by_township", two_counties, year_from=2023, year_to=2024, region="419901")
    assert srb.select("township_code", "boys", "girls").rows() == [(A, 14, 8), (B, 5, 5)]


def test_period_summary_of_a_county(two_counties):
    rows = db.run_query("county_period_summary", two_counties, year=2024, month_to=2, region="419901").to_dicts()
    assert [(r["year"], r["months"], r["births"], r["population"]) for r in rows] == [
        (2023, 1, 4, None),
        (2024, 2, 28, 3000),
    ]
    assert rows[1]["birth_rate"] == 56.0  # 28 births x 12 / 2 months / 3,000 people x 1,000


def test_trend_map_and_months_follow_the_region(two_counties):
    trend = db.run_query("county_births_by_year", two_counties, township_code=None, region="419902")
    assert trend.select("year", "births", "boys", "girls").rows() == [(2023, 6, 0, 6), (2024, 53, 33, 20)]
    map_rows = db.run_query("map_township_year", two_counties, year=2024, last_month=3, region="419902")
    assert map_rows.select("township_code", "births", "births_prev").rows() == [(C, 53, 6)]
    months = db.run_query("births_by_month", two_counties, year=2024, township_code=None, region="419901")
    assert months.select("year", "month", "births").rows() == [(2023, 1, 4), (2024, 1, 18), (2024, 2, 10)]
    orders = db.run_query("srb_by_year_order", two_counties, region="419902").filter(year=2024)
    assert orders.select("birth_order", "boys", "girls").rows() == [(1, 30, 20), (2, 0, 0), (3, 3, 0)]


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        # 2023: A 4 (25-29); 2024: A 10 + 8 (25-29), B 5 + 5 (30-34)
        ("419901", [(2023, "25-29", 4), (2024, "25-29", 18), (2024, "30-34", 10)]),
        # 2023: C 6 (25-29); 2024: C 20 (20-24), 30 (25-29), 3 (35-39)
        ("419902", [(2023, "25-29", 6), (2024, "20-24", 20), (2024, "25-29", 30), (2024, "35-39", 3)]),
        ("999999", []),
    ],
)
def test_mothers_age_follows_the_region(two_counties, region, expected):
    rows = db.run_query("births_by_age_year", two_counties, township_code=None, region=region)
    assert rows.select("year", "mother_age_band", "births").rows() == expected
    # one township inside the region, and one outside it: nothing
    a = db.run_query("births_by_age_year", two_counties, township_code=A, region="419901")
    assert a.select("year", "mother_age_band", "births").rows() == [(2023, "25-29", 4), (2024, "25-29", 18)]
    outside = db.run_query("births_by_age_year", two_counties, township_code=C, region="419901")
    assert outside.height == 0


def test_one_townships_months_and_orders_within_its_region(two_counties):
    # B alone: 5 boys and 5 girls in 2024-02, nothing in 2023 (not every township of its county)
    months = db.run_query("births_by_month", two_counties, township_code=B, year=2024, region="419901")
    assert months.rows() == [(2024, 2, 10)]
    # A alone by order: 2023 one first-born, 4; 2024 18 first-borns
    orders = db.run_query("births_by_order_year", two_counties, township_code=A, region="419901")
    assert orders.rows() == [(2023, 1, 4), (2024, 1, 18)]
    # C is not in county 419901: nothing, whatever its own births
    assert db.run_query("births_by_month", two_counties, township_code=C, year=2024, region="419901").height == 0
    # one township's yearly totals with its own people: A 2024 18 births among 1,000 (not the county's 3,000)
    years = db.run_query("county_births_by_year", two_counties, township_code=A, region="419901")
    assert [(r["year"], r["births"], r["population"]) for r in years.to_dicts()] == [(2023, 4, None), (2024, 18, 1000)]
