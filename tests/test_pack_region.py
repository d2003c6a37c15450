"""The meeting pack of one county inside a larger extract: every slide is that county's (its name
in the title, its townships and totals in the charts and notes, its own ranks), and the command
line refuses a region the extract does not have. The slides are built, not rendered (rendering
is tests/test_export.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from natality.export.slides import build_slides
from tests.conftest import run_pack
from tests.factory import TWO_COUNTY_CODES, make_two_county_extract, two_county_population

A, B, C = TWO_COUNTY_CODES  # 甲县: A, B; 乙县: C


@pytest.fixture
def two_counties(tmp_path) -> Path:
    """2024 (to March): A 10 boys 8 girls, B 5 and 5, C 33 and 20; 2023 (January-March): A 30 and
    30, B 2 girls, C 6 girls. Births targets of 5 for every township in both years."""
    before = [
        (A, "2023-01", "M", 1, "25-29", None, 30),
        (A, "2023-01", "F", 1, "25-29", None, 30),
        (C, "2023-02", "F", 1, "25-29", None, 6),
        (B, "2023-02", "F", 1, "25-29", None, 2),
    ]
    return make_two_county_extract(
        tmp_path / "x",
        before,
        two_county_population((2023, 2024)),
        targets=[(c, y, "births", 5.0) for y in (2023, 2024) for c in (A, B, C)],
    )


def notes_of(slides) -> str:
    return "\n".join(s.notes for s in slides)


def drawn_codes(slides) -> set[str]:
    return {
        c
        for s in slides
        for tr in s.figure.data
        for c in (getattr(tr, "customdata", None) or [])
        if isinstance(c, str) and len(c) == 12
    } | {c for s in slides for tr in s.figure.data for c in (getattr(tr, "locations", None) or [])}


def test_a_county_pack_shows_only_that_county(two_counties):
    slides = build_slides(two_counties, 2024, "zh", "419901")
    assert slides[0].notes.startswith("甲县")  # the title slide names the county
    rank = next(s for s in slides if s.heading == "各乡镇出生人数")
    assert rank.notes == "甲一镇 18; 甲二乡 10"  # A: 10 + 8, B: 5 + 5; C is not there
    assert "乙一镇" not in notes_of(slides)
    assert drawn_codes(slides) <= {A, B}
    kpis = next(s for s in slides if s.heading == "主要指标")
    assert "28" in kpis.notes  # 甲县 2024 (January-March): 18 + 10 births


def test_the_whole_extract_pack_has_every_township(two_counties):
    slides = build_slides(two_counties, 2024, "zh")
    rank = next(s for s in slides if s.heading == "各乡镇出生人数")
    assert rank.notes == "乙一镇 53; 甲一镇 18; 甲二乡 10"


def test_an_english_county_pack(two_counties):
    slides = build_slides(two_counties, 2024, "en", "419902")
    assert slides[0].notes.startswith("Yi County")
    assert "Jia One" not in notes_of(slides) and "Yi One" in notes_of(slides)


def test_pack_of_an_unknown_region_exits_2_and_writes_nothing(two_counties, tmp_path):
    out = tmp_path / "pack.pptx"
    run = run_pack(two_counties, out, 2024, args=("--region", "419903"))
    assert run.returncode == 2
    assert "--region 419903: not a county, city or province of this extract" in run.stderr
    assert "419901" in run.stderr and not out.exists()
