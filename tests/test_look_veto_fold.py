"""A province's list of vetoed townships is folded under its count (64 at risk in the demo
province made a wall of text between the table and the charts); a county's stays open."""

from __future__ import annotations

import pytest

from tests import apptest_pages
from tests.factory import make_extract


def code(i: int) -> str:
    return f"419901{i:03d}000"


def extract(tmp_path, monkeypatch, n: int):
    """``n`` townships of 150 boys and 60 girls in 2024 (SRB 250, interval far above the target
    108): every one vetoed on the sex ratio at birth."""
    towns = [(code(i), f"乡{i:02d}", f"Town {i:02d}") for i in range(1, n + 1)]
    births = [(code(i), "2024-01", s, 1, "25-29", None, k) for i in range(1, n + 1) for s, k in (("M", 150), ("F", 60))]
    data = make_extract(
        tmp_path / f"x{n}",
        towns,
        births,
        population=[(code(i), 2024, 10_000) for i in range(1, n + 1)],
        targets=[(code(i), 2024, "srb", 108.0) for i in range(1, n + 1)],
        cutoff="2024-12",
    )
    monkeypatch.setenv("NATALITY_DATA", str(data))


@pytest.mark.parametrize(("n", "folded"), [(21, True), (3, False)])
def test_a_long_veto_list_is_folded(tmp_path, monkeypatch, n, folded):
    extract(tmp_path, monkeypatch, n)
    at = apptest_pages.open_page("pages/scorecard.py", lang="zh", year=2024)
    label = f"被一票否决或有被否决风险的乡镇及其原因（{n} 个）"
    assert [e.label for e in at.expander if e.label == label] == ([label] if folded else [])
    lists = [m.value for m in at.markdown if m.value.startswith(f"**被一票否决的乡镇（{n} 个）**")]
    assert len(lists) == 1 and lists[0].count("\n- 乡") == n
    if folded:  # the list is inside the folded box
        box = next(e for e in at.expander if e.label == label)
        assert [m.value for m in box.markdown] == lists


@pytest.mark.parametrize(
    ("lang", "first", "town"), [("zh", "测试县（全部）", "乡{:02d}"), ("en", "Test County (all)", "Town {:02d}")]
)
def test_the_births_page_names_the_whole_region_not_a_county(tmp_path, monkeypatch, lang, first, town):
    # the township choice's first option is the region shown (a province's was "全县", "Whole county")
    extract(tmp_path, monkeypatch, 3)
    at = apptest_pages.open_page("pages/births.py", lang=lang, year=2024)
    options = at.selectbox(key="township").options
    assert options == [first, *(town.format(i) for i in (1, 2, 3))]
