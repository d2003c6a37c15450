"""SRB queries on a tiny real extract: exact counts, edge cases, and SQL Wilson == Python Wilson."""

from __future__ import annotations

import math

import pytest

from natality.core import db
from natality.srb.stats import srb_estimate
from tests.factory import make_extract

A, B, C, D, E = (f"419901{i}000" for i in (101, 102, 103, 104, 105))
TOWNSHIPS = [
    (A, "城关镇", "Chengguan"),
    (B, "王店乡", "Wangdian"),
    (C, "王店乡", "Wangdian"),  # a repeated name: must come out distinguishable
    (D, "一人乡", "One Birth"),
    (E, "空乡", "Empty"),  # no births at all
]


def births_rows():
    """(code, month, sex, order, age, compliant, births); totals worked out in each test."""
    return [
        (A, "2022-03", "M", 1, "25-29", None, 50),
        (A, "2022-03", "F", 1, "25-29", None, 40),
        (A, "2023-01", "M", 2, "30-34", None, 60),
        (A, "2023-02", "F", 2, "30-34", None, 50),
        (A, "2024-05", "M", 3, "35-39", None, 12),
        (A, "2024-05", "F", None, None, None, 3),
        (B, "2023-06", "M", 1, "20-24", None, 7),  # 7 boys, 0 girls
        (C, "2024-01", "F", 1, "20-24", None, 2),  # 0 boys, 2 girls
        (D, "2024-02", "M", 2, "25-29", None, 1),  # one birth
    ]


@pytest.fixture
def extract(tmp_path):
    targets = [("419901", 2023, "srb", 112.0), ("419901", 2024, "srb", 110.5), (A, 2024, "srb", 109.0)]
    return make_extract(tmp_path / "x", TOWNSHIPS, births_rows(), targets=targets, cutoff="2024-06")


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


def agrees_with_python(row: dict) -> bool:
    est = srb_estimate(row["boys"], row["girls"])
    return close(row["srb"], est.srb) and close(row["srb_low"], est.low) and close(row["srb_high"], est.high)


def test_srb_by_township_pooled_window(extract):
    rows = db.run_query("srb_by_township", extract, year_from=2022, year_to=2024).to_dicts()
    counts = [(r["township_code"], r["births"], r["boys"], r["girls"]) for r in rows]
    assert counts == [(A, 215, 122, 93), (B, 7, 7, 0), (C, 2, 0, 2), (D, 1, 1, 0), (E, 0, 0, 0)]
    assert [r["township_name"][:3] for r in rows[1:3]] == ["王店乡", "王店乡"]
    assert all(agrees_with_python(r) for r in rows)
    by_code = {r["township_code"]: r for r in rows}
    assert by_code[B]["srb"] is None and by_code[B]["srb_high"] is None and by_code[B]["srb_low"] > 0
    assert by_code[C]["srb"] == 0.0 and by_code[C]["srb_low"] == 0.0
    assert (by_code[E]["srb"], by_code[E]["srb_low"], by_code[E]["srb_high"]) == (None, None, None)


def test_srb_by_township_one_year(extract):
    rows = db.run_query("srb_by_township", extract, year_from=2023, year_to=2023).to_dicts()
    assert [(r["boys"], r["girls"]) for r in rows] == [(60, 50), (7, 0), (0, 0), (0, 0), (0, 0)]
    assert rows[0]["srb"] == 120.0
    assert all(agrees_with_python(r) for r in rows)


def test_srb_county_matches_the_township_sum(extract):
    row = db.run_query("srb_county", extract, year_from=2022, year_to=2024).to_dicts()[0]
    assert (row["births"], row["boys"], row["girls"]) == (225, 130, 95)
    assert agrees_with_python(row)
    empty = db.run_query("srb_county", extract, year_from=2010, year_to=2011).to_dicts()[0]
    assert (empty["births"], empty["srb"], empty["srb_low"]) == (0, None, None)


def test_srb_by_year_and_order(extract):
    years = db.run_query("srb_by_year", extract).to_dicts()
    assert [(r["year"], r["boys"], r["girls"]) for r in years] == [(2022, 50, 40), (2023, 67, 50), (2024, 13, 5)]
    assert all(agrees_with_python(r) for r in years)
    orders = db.run_query("srb_by_year_order", extract).to_dicts()
    got = {(r["year"], r["birth_order"]): (r["boys"], r["girls"]) for r in orders}
    # the 3 girls of unknown order in 2024 are left out of the by-order rows
    assert got == {
        (2022, 1): (50, 40),
        (2022, 2): (0, 0),
        (2022, 3): (0, 0),
        (2023, 1): (7, 0),
        (2023, 2): (60, 50),
        (2023, 3): (0, 0),
        (2024, 1): (0, 2),
        (2024, 2): (1, 0),
        (2024, 3): (12, 0),
    }
    assert all(agrees_with_python(r) for r in orders)


def test_srb_township_by_year_has_every_year(extract):
    rows = db.run_query("srb_township_by_year", extract, township_code=B).to_dicts()
    assert [(r["year"], r["births"], r["srb"]) for r in rows] == [(2022, 0, None), (2023, 7, None), (2024, 0, None)]
    assert all(agrees_with_python(r) for r in rows)


def test_rolling_12_months(extract):
    county = db.run_query("srb_rolling_12m", extract, township_code=None).to_dicts()
    # months 2022-03 .. 2024-05: the first full 12-month window ends 2023-02
    assert str(county[0]["month"]) == "2023-02-01" and str(county[-1]["month"]) == "2024-05-01"
    first = county[0]  # 2022-03 .. 2023-02: A 50+60 boys, 40+50 girls
    assert (first["boys"], first["girls"]) == (110, 90)
    last = county[-1]  # 2023-06 .. 2024-05: B 7 boys; C 2 girls; D 1 boy; A 12 boys, 3 girls
    assert (last["boys"], last["girls"]) == (20, 5)
    assert all(agrees_with_python(r) for r in county)
    town = db.run_query("srb_rolling_12m", extract, township_code=D).to_dicts()
    assert len(town) == len(county)
    assert [(r["boys"], r["girls"]) for r in town][-4:] == [(1, 0)] * 4  # 2024-02 .. 2024-05
    assert all(agrees_with_python(r) for r in town)


def test_srb_targets_for_the_county_only(extract):
    rows = db.run_query("srb_targets", extract, region_code="419901").to_dicts()
    assert rows == [{"year": 2023, "target": 112.0}, {"year": 2024, "target": 110.5}]
