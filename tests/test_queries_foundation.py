"""The foundation's queries on a tiny extract whose every number is worked out by hand."""

import pytest

from natality.core import db
from tests.factory import make_extract

A, B, C = "419901101000", "419901102000", "419901103000"


@pytest.fixture
def tiny(tmp_path):
    births = [
        # township, month, sex, order, age band, compliant, births
        (A, "2023-01", "M", 1, "25-29", None, 10),
        (A, "2023-01", "F", 2, "30-34", None, 8),
        (A, "2023-07", "M", 3, None, None, 2),
        (B, "2023-03", "F", 1, "20-24", None, 5),
        (A, "2024-01", "M", 1, "25-29", None, 6),
        (A, "2024-02", "F", 1, "25-29", None, 4),
        (B, "2024-02", "M", 3, "35-39", None, 3),
        (B, "2024-06", "F", None, None, None, 1),
    ]
    population = [
        (A, 2023, 10_000), (B, 2023, 5_000), (C, 2023, 1_000),
        (A, 2024, 9_000), (B, 2024, 5_000), (C, 2024, 1_000),
    ]  # fmt: skip
    targets = [(A, 2024, "births", 24.0), (B, 2024, "births", 6.0), ("419901", 2024, "births", 30.0)]
    return make_extract(
        tmp_path / "tiny",
        [(A, "城关镇", "Chengguan"), (B, "东区", "Dongqu"), (C, "东区", "Dongqu")],
        births,
        population,
        targets,
        cutoff="2024-06",
    )


def test_births_by_township_year_counts_every_township(tiny):
    rows = db.run_query("births_by_township_year", tiny, year=2023).rows()
    assert rows == [
        (A, "城关镇", "Chengguan", 2023, 20, 12, 8),
        (B, "东区（419901）", "Dongqu (419901)", 2023, 5, 0, 5),
        (C, "东区（419901）", "Dongqu (419901)", 2023, 0, 0, 0),
    ]


def test_county_births_by_year_annualises_the_partial_year(tiny):
    rows = db.run_query("county_births_by_year", tiny, township_code=None).to_dicts()
    assert [(r["year"], r["months"], r["is_partial"], r["births"], r["boys"], r["girls"]) for r in rows] == [
        (2023, 3, True, 25, 12, 13),  # months with data in 2023: Jan, Mar, Jul
        (2024, 3, True, 14, 9, 5),
    ]
    # 2024: 14 births over 3 months of data -> 56 a year, per 15,000 people -> 3.73 per mille
    assert rows[1]["birth_rate"] == 3.73
    assert rows[1]["births_order3p"] == 3 and rows[1]["births_order_known"] == 13


def test_county_births_by_year_for_one_township(tiny):
    rows = db.run_query("county_births_by_year", tiny, township_code=B).rows()
    assert [(r[0], r[3]) for r in rows] == [(2023, 5), (2024, 4)]


def test_period_summary_compares_the_same_months(tiny):
    rows = db.run_query("county_period_summary", tiny, year=2024, month_to=2).to_dicts()
    assert [(r["year"], r["births"], r["boys"], r["girls"], r["births_order3p"]) for r in rows] == [
        (2023, 18, 10, 8, 0),  # Jan-Feb 2023 only: the March and July births are outside
        (2024, 13, 9, 4, 3),
    ]
    # 13 births in 2 months -> 78 a year per 15,000 -> 5.2 per mille
    assert rows[1]["birth_rate"] == 5.2


def test_births_by_month_filters_a_township(tiny):
    assert db.run_query("births_by_month", tiny, year=2024, township_code=A).rows() == [
        (2023, 1, 18),
        (2023, 7, 2),
        (2024, 1, 6),
        (2024, 2, 4),
    ]


def test_births_by_order_keeps_unknown_order(tiny):
    rows = db.run_query("births_by_order_year", tiny, township_code=None).rows()
    assert rows == [(2023, 1, 15), (2023, 2, 8), (2023, 3, 2), (2024, 1, 10), (2024, 3, 3), (2024, None, 1)]


def test_births_by_age_band(tiny):
    rows = db.run_query("births_by_age_year", tiny, township_code=B).rows()
    assert rows == [(2023, "20-24", 5), (2024, "35-39", 3), (2024, None, 1)]


def test_unknown_query_and_missing_parameter_are_clear(tiny):
    with pytest.raises(db.QueryError, match="unknown query 'drop_table'"):
        db.run_query("drop_table", tiny)
    with pytest.raises(db.QueryError, match="needs parameter"):
        db.run_query("births_by_township_year", tiny)


def test_values_are_bound_not_spliced(tiny):
    # A hostile "code" is just a value that matches nothing.
    rows = db.run_query("births_by_month", tiny, year=2024, township_code="x' or '1'='1")
    assert rows.is_empty()
