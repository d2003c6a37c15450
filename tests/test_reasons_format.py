"""``number_texts.format_numbers``: whole columns of numbers as text by DuckDB expressions, the texts of
Python's format spec digit for digit, "–" where a number or its decimals are missing."""

from __future__ import annotations

import random

import duckdb
import polars as pl
import pytest

from natality.core import db
from natality.scorecard import number_texts, scoring
from natality.scorecard.number_texts import format_numbers, formatting_on


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


def test_formatting_takes_its_cursors_from_the_connection_given():
    closed = duckdb.connect()
    closed.close()
    frame = pl.DataFrame({"x": [1.5]})
    with formatting_on(closed), pytest.raises(duckdb.Error):
        format_numbers(frame, {"s": ("x", 1)})
    assert format_numbers(frame, {"s": ("x", 1)})["s"].to_list() == ["1.5"]  # its own DuckDB again


def test_a_scorecard_is_explained_on_the_versions_duckdb_without_opening_another(template, monkeypatch):
    """Both languages of the tiny extract's scorecard: one DuckDB opened (the version's), none for
    the numbers' texts (a new one costs 0.02-0.03 s of CPU)."""
    db.connection.cache_clear()
    scoring.clear_cache()
    number_texts._duckdb.cache_clear()
    opened = []
    real = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    for lang in ("zh", "en"):
        data = scoring._compute_scorecard_data(scoring._stamp(template), lang)
        assert data.status.height > 0 and data.status["reason"].null_count() == 0
    assert len(opened) == 1
