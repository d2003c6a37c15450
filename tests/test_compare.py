"""Compare years: the numbers, the sentences and the figures on a tiny extract worked out by hand,
and the page through AppTest in both languages."""

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.compare import charts as compare_charts
from natality.compare import comparison as compare
from natality.compare import view as compare_view
from natality.core import db
from natality.core.theme import PREVIOUS
from tests.apptest_pages import open_page
from tests.factory import make_extract

A, B, C = "419901101000", "419901102000", "419901103000"
TOWNS = [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian"), (C, "李集镇", "Liji")]
# Cut-off 2024-06: 2024 is partial, so 2023 is cut to January-June (A's September births drop out).
BIRTHS = [
    (A, "2023-03", "M", 1, None, None, 60),
    (A, "2023-03", "F", 1, None, None, 40),
    (A, "2023-09", "M", 1, None, None, 50),
    (A, "2024-02", "M", 1, None, None, 45),
    (A, "2024-02", "F", 1, None, None, 45),
    (B, "2023-01", "F", 1, None, None, 20),
    (B, "2024-01", "M", 1, None, None, 30),
    (C, "2023-05", "M", 1, None, None, 10),
    (C, "2024-05", "M", 1, None, None, 5),
]
POPULATION = [(c, y, p) for y in (2023, 2024) for c, p in ((A, 10_000), (B, 5_000), (C, 2_000))]


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> Path:
    data = make_extract(tmp_path / "x", TOWNS, BIRTHS, POPULATION, cutoff="2024-06")
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return data


def frames(data: Path, year: int = 2024, base: int = 2023, months: int = 6):
    now = db.run_query("map_township_year", data, year=year, last_month=months)
    before = db.run_query("map_township_year", data, year=base, last_month=months)
    return now, before


def test_srb_change_two_proportion_test_by_hand():
    # p1 = 70/130, p2 = 80/125, pooled 150/255; se = sqrt(.588235 * .411765 * (1/130 + 1/125)) = .061652
    s = compare.srb_change(70, 60, 80, 45)
    assert s.srb_base == pytest.approx(116.6667, abs=1e-4) and s.srb == pytest.approx(177.7778, abs=1e-4)
    assert s.z == pytest.approx((0.64 - 70 / 130) / 0.061652, abs=1e-3)  # 1.647
    assert s.p_value == pytest.approx(0.0996, abs=1e-3)
    assert s.beyond_chance is False
    clear = compare.srb_change(500, 500, 650, 500)  # 100 -> 130 on 1,000+ births each
    assert clear.beyond_chance is True and clear.p_value == pytest.approx(0.0025, abs=1e-4)  # z = 3.02
    few = compare.srb_change(50, 40, 60, 30)  # fewer than 100 births: not judged, no crash
    assert few.beyond_chance is None and few.change == pytest.approx(200 - 125)
    no_girls = compare.srb_change(0, 0, 3, 0)
    assert (no_girls.srb, no_girls.srb_base, no_girls.change) == (None, None, None)


def test_table_and_county_same_months(tiny):
    now, before = frames(tiny)
    table = compare.compare_table(now, before, 6, {A: "城关镇", B: "王店乡", C: "李集镇"})
    rows = {r["township_code"]: r for r in table.iter_rows(named=True)}
    assert (rows[A]["births_base"], rows[A]["births"]) == (100, 90)  # September 2023 left out
    assert rows[A]["births_change_pct"] == pytest.approx(-10.0)
    assert rows[B]["births_change_pct"] == pytest.approx(50.0) and rows[B]["births_few"] is True
    assert rows[C]["births_change_pct"] == pytest.approx(-50.0)
    assert rows[A]["rate"] == pytest.approx(90 * 2 / 10_000 * 1000)  # annualised: 6 months x 2
    assert rows[A]["srb_beyond_chance"] is None  # 90 births now: too few to judge
    assert table["township_code"].to_list() == [C, A, B]  # largest fall first
    assert table["rank"].null_count() == 3  # no targets: no scores
    county = compare.county_change(now, before, 6)
    assert (county.births_base, county.births, county.fell, county.rose, county.townships) == (130, 125, 2, 1, 3)
    assert county.births_change_pct == pytest.approx(-3.846, abs=1e-3)
    assert county.rate == pytest.approx(125 * 2 / 17_000 * 1000) and county.rate_base == pytest.approx(130 * 2 / 17)


def test_sentences_match_the_numbers(tiny):
    now, before = frames(tiny)
    table = compare.compare_table(now, before, 6, {A: "城关镇", B: "王店乡", C: "李集镇"})
    county = compare.county_change(now, before, 6)
    zh = compare.summary_sentences(county, table, "2024年1-6月", "2023年1-6月", "zh")
    assert zh == [
        "全县出生125人，比2023年1-6月（130人）减少3.8%。",
        "3个乡镇中2个出生减少、1个增加；降幅最大的是李集镇（-50.0%）；增幅最大的是王店乡（+50.0%）。",
        "出生率由15.29‰变为14.71‰。",
        "全县出生人口性别比由116.7变为177.8，变化在随机波动范围内（95%）。没有乡镇的性别比变化超出随机波动。",
    ]
    en = compare.summary_sentences(county, table, "2024 Jan-Jun", "2023 Jan-Jun", "en")
    assert en[0] == "Births fell 3.8 % to 125 (2023 Jan-Jun: 130)."
    assert en[2] == "The crude birth rate went from 15.29 ‰ to 14.71 ‰."


def test_score_sentence_and_rank_change():
    now = pl.DataFrame(
        {"township_code": [A, B], "births": [10, 10], "boys": [5, 5], "girls": [5, 5], "population": [100, 100]}
    )
    scores_now = pl.DataFrame({"township_code": [A, B], "score": [90.0, 70.0], "rank": [1, 2]})
    scores_base = pl.DataFrame({"township_code": [A, B], "score": [60.0, 80.0], "rank": [2, 1]})
    table = compare.compare_table(now, now, 12, {A: "甲", B: "乙"}, scores_now, scores_base)
    assert dict(zip(table["township_code"], table["rank_change"], strict=True)) == {A: 1, B: -1}
    assert dict(zip(table["township_code"], table["score_change"], strict=True)) == {A: 30.0, B: -10.0}
    county = compare.county_change(now, now, 12)
    last = compare.summary_sentences(county, table, "2024年", "2023年", "zh")[-1]
    assert last == "考核排名第一的是甲（90.0分）；名次上升最多的是甲（由第2名升至第1名，上升1位）。"


def _ranked(score: list[float], rank: list[int], low: list[int], high: list[int]) -> pl.DataFrame:
    """Scores of A, B and C with their ranks and 90 % rank intervals."""
    return pl.DataFrame({"township_code": [A, B, C], "score": score, "rank": rank, "rank_low": low, "rank_high": high})


def test_rank_change_is_named_only_when_the_intervals_say_so():
    now = pl.DataFrame(
        {
            "township_code": [A, B, C],
            "births": [10, 10, 10],
            "boys": [5, 5, 5],
            "girls": [5, 5, 5],
            "population": [100, 100, 100],
        }
    )
    # First: A and B swap places, but their intervals (1-2 both years) overlap: within chance, and
    # C stays third. Second: C climbs from 3 (3-3) to 1 (1-1), intervals apart: a change.
    base = _ranked([80.0, 70.0, 10.0], [1, 2, 3], [1, 1, 3], [2, 2, 3])
    swap = _ranked([70.0, 80.0, 10.0], [2, 1, 3], [1, 1, 3], [2, 2, 3])
    table = compare.compare_table(now, now, 12, {A: "甲", B: "乙", C: "丙"}, swap, base)
    assert dict(zip(table["township_code"], table["rank_change_sure"], strict=True)) == {A: False, B: False, C: False}
    county = compare.county_change(now, now, 12)
    last = compare.summary_sentences(county, table, "2024年", "2023年", "zh")[-1]
    assert (
        last
        == "考核排名第一的是乙（80.0分）；各乡镇名次的变动都在偶然波动范围内（两年的 90% 名次区间重叠），不算变化。"
    )
    shown = compare_view.display_table(table, "2024", "2023", "en")
    assert set(shown["Rank change test (90 % intervals)"]) == {"Within chance"}
    climb = _ranked([70.0, 60.0, 95.0], [2, 3, 1], [1, 2, 1], [3, 3, 1])
    table = compare.compare_table(now, now, 12, {A: "甲", B: "乙", C: "丙"}, climb, base)
    # C: 3-3 then 1-1, apart -> sure (+2); A 1-2 then 1-3 overlap; B 1-2 then 2-3 overlap at 2.
    assert dict(zip(table["township_code"], table["rank_change_sure"], strict=True)) == {A: False, B: False, C: True}
    last = compare.summary_sentences(county, table, "2024", "2023", "en")[-1]
    assert last == "丙 ranks first (95.0 points); 丙 climbed most, from rank 3 to 1 (2 places)."


def test_slope_chart_and_change_map(tiny):
    from natality.geo import boundaries as maps

    now, before = frames(tiny)
    table = compare.compare_table(now, before, 6, {A: "城关镇", B: "王店乡", C: "李集镇"})
    fig = compare_charts.slope_chart(table, "births", ("2023", "2024"), "zh", "标题", "副标题", "脚注")
    lines = {tr.customdata[0]: tr for tr in fig.data if tr.mode == "lines+markers"}
    assert list(lines[A].y) == [100, 90] and lines[A].line.color == compare_charts.FELL
    assert lines[B].line.color == PREVIOUS  # only 20 births in the base period: grey
    assert lines[C].line.color == PREVIOUS  # 10 births
    fig = compare_charts.change_map(maps.township_geojson(tiny), table, "births", "zh", "变化", "", "脚注")
    choropleth = next(tr for tr in fig.data if tr.type == "choropleth")
    assert list(choropleth.locations) == [A, B, C]
    hover = {c: h[1] for c, h in zip(choropleth.locations, choropleth.customdata, strict=True)}
    assert "100 → 90" in hover[A] and "-10.0 %" in hover[A]


def run_page(lang: str, **params) -> AppTest:
    return open_page("pages/compare.py", lang=lang, **params)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_page_shows_the_numbers_of_its_sentences(tiny, lang):
    at = run_page(lang, year=2024, base=2023)
    assert at.title[0].value == ("年度对比" if lang == "zh" else "Compare years")
    assert [m.value for m in at.metric] == ["125", "14.71", "177.8", "2 / 3" if lang == "zh" else "2 of 3"]
    assert at.metric[0].delta == "-3.8%"
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    if lang == "zh":
        assert "测试县出生125人，比2023年1-6月（130人）减少3.8%。" in sentences
    else:
        assert "Births fell 3.8 % to 125 (2023 Jan-Jun: 130)." in sentences
        assert "Liji (-50.0 %)" in sentences  # English names on the English page
    table = at.dataframe[0].value
    assert sorted(table.iloc[:, 1].tolist()) == [10, 20, 100] and sorted(table.iloc[:, 2].tolist()) == [5, 30, 90]
    assert len(at.get("plotly_chart")) == 2


def test_compare_page_score_without_targets_says_so(tiny):
    at = run_page("en", year=2024, base=2023, indicator="score")
    assert at.selectbox(key="indicator").value == "score"
    assert any("no targets" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_partial_year_scores_are_flagged_as_not_like_for_like(demo_env):
    at = run_page("en", year=2026, base=2025, indicator="score")
    captions = [c.value for c in at.caption]
    assert any("2026 scores and ranks judge pro-rated targets" in c for c in captions), captions
    full = run_page("en", year=2025, base=2024, indicator="score")
    assert not any("pro-rated targets" in c.value for c in full.caption)
