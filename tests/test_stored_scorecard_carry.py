"""A monthly import redraws the rank simulation of the years it changed only (issue 22): the other
years' draws are carried over from the scorecard stored with the previous version, and the result
equals a full recomputation."""

from __future__ import annotations

import json
import shutil

import duckdb
import numpy as np
import pytest
from polars.testing import assert_frame_equal

from natality import cli
from natality.core import extract
from natality.demo.county import build_demo
from natality.scorecard import scoring, stored

TABLES = ("status", "card", "county", "values", "region_targets")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The demo county with its scorecard stored, then a months-only import of 2019-05 in which
    one township has one more boy: (extract dir, first version, second version)."""
    work = tmp_path_factory.mktemp("carry")
    data = work / "demo"
    build_demo(data)
    first = extract.live_version_dir(data)
    scoring.clear_cache()
    scoring.prepare(data)
    rows = (
        duckdb.connect()
        .read_parquet(str(first / "births.parquet"))
        .filter("month = date '2019-05-01'")
        .aggregate("township_code, sex, sum(births)::bigint as births", "township_code, sex")
        .order("township_code, sex")
        .fetchall()
    )
    lines = [f"{code},2019-05,{'男' if sex == 'M' else '女'},{n + (k == 0)}" for k, (code, sex, n) in enumerate(rows)]
    path = work / "may.csv"
    path.write_text("乡镇代码,月份,性别,出生数\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["import", "--out", str(data), "--births", str(path), "--months-only"]) == 0
    second = extract.live_version_dir(data)
    assert second != first
    return data, first, second


def _computed(data, second) -> scoring.ScorecardData:
    """The live version's scorecard computed now (nothing of its own stored read back)."""
    shutil.rmtree(second / stored.DERIVED, ignore_errors=True)
    scoring.clear_cache()
    return scoring.scorecard_data(data, "en")


def test_a_monthly_import_redraws_only_its_year_and_equals_a_full_recomputation(imported):
    data, first, second = imported
    carried = _computed(data, second)
    years = carried.simulation.keys["year"].unique().sort().to_list()
    assert 2019 in years and 2019 not in carried.simulation.carried
    assert carried.simulation.carried == tuple(y for y in years if y != 2019)

    kept = first / stored.DERIVED
    hidden = first / "derived-hidden"
    kept.rename(hidden)  # no earlier scorecard: every year drawn again
    try:
        full = _computed(data, second)
    finally:
        hidden.rename(kept)
    assert full.simulation.carried == ()
    assert_frame_equal(carried.simulation.keys, full.simulation.keys)
    assert np.array_equal(carried.simulation.ranking, full.simulation.ranking)
    for table in TABLES:
        assert_frame_equal(getattr(carried, table), getattr(full, table))
    # The import's own process stored the carried result: a later process reads the same.
    scoring.clear_cache()
    assert_frame_equal(scoring.scorecard(2019, data, "en"), full.card_for(2019))


def test_an_earlier_scorecard_of_another_registry_or_code_is_never_carried(imported):
    data, first, second = imported
    name = next(p.name for p in (first / stored.DERIVED).glob("scorecard-*") if p.name.count("-") == 1)
    meta_path = first / stored.DERIVED / name / "meta.json"
    original = meta_path.read_text(encoding="utf-8")
    try:
        for field in ("registry", "code"):
            meta = json.loads(original)
            meta[field] = "something else"
            meta_path.write_text(json.dumps(meta), encoding="utf-8")
            assert _computed(data, second).simulation.carried == ()
    finally:
        meta_path.write_text(original, encoding="utf-8")
    assert _computed(data, second).simulation.carried != ()
