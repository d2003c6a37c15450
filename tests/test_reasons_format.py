"""``reasons.format_numbers``: whole columns of numbers as text by DuckDB expressions, the texts of
Python's format spec digit for digit, "–" where a number or its decimals are missing."""

from __future__ import annotations

import random

import polars as pl

from natality.scorecard.reasons import format_numbers


def test_each_row_with_its_own_decimals_or_a_constant_number_of_them():
    frame = pl.DataFrame(
        {"x": [1234.5, None, 0.125, 2.5, 7.0], "d": [1, 0, 2, None, 0]},
        schema={"x": pl.Float64, "d": pl.Int64},
    )
    out = format_numbers(frame, {"by_row": ("x", "d"), "whole": ("x", 0)})
    assert out.columns == ["by_row", "whole"]
    # 0.125 is exact in binary: half to even gives 0.12; 1234.5 and 2.5 round to even (1,234 and 2)
    assert out["by_row"].to_list() == ["1,234.5", "–", "0.12", "–", "7"]
    assert out["whole"].to_list() == ["1,234", "–", "0", "2", "7"]


def test_the_texts_are_pythons_format_spec():
    rng = random.Random(5)
    values = [rng.uniform(-1e6, 1e6) for _ in range(300)] + [0.5, 1.5, -0.5, 1e15 + 0.5, 0.0]
    digits = [rng.choice([0, 1, 2, 3]) for _ in values]
    frame = pl.DataFrame({"x": values, "d": digits})
    out = format_numbers(frame, {"s": ("x", "d")})["s"].to_list()
    assert out == [f"{x:,.{d}f}" for x, d in zip(values, digits, strict=True)]


def test_no_columns_asked_no_columns_made():
    assert format_numbers(pl.DataFrame({"x": [1.0]}), {}).shape == (0, 0)
