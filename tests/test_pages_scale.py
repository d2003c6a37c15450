"""Every page at a city's size and narrowed to one county: the top/bottom-N ranking helper on a
hand-made frame, each page opened with ``?region=`` on two hand-made counties (the totals shown
are that county's, added up by hand), and a 60-township extract whose rankings show 20 rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.core import ranking
from natality.core.ranking import Gap
from natality.scorecard import bump_chart
from natality.srb import funnel_chart
from natality.srb.tables import township_srb_table
from tests import apptest_pages
from tests.factory import (
    TWO_COUNTY_CODES,
    make_extract,
    make_two_county_extract,
    srb_township_rows,
    two_county_population,
)

# -- the helper ----------------------------------------------------------------------------


def code(i: int) -> str:
    return f"419901{i:03d}000"


# 25 townships: 乡01 has 125 births, 乡02 124, ..., 乡25 101 (largest first).
TWENTY_FIVE = pl.DataFrame(
    {
        "township_code": [code(i) for i in range(1, 26)],
        "township_name": [f"乡{i:02d}" for i in range(1, 26)],
        "township_name_en": [f"Town {i:02d}" for i in range(1, 26)],
        "births": [126 - i for i in range(1, 26)],
    }
)


def test_top_and_bottom_ten_of_twenty_five_with_the_gap_between():
    ranked = ranking.top_bottom(TWENTY_FIVE, "births")
    assert ranked.rows["township_name"].to_list() == [f"乡{i:02d}" for i in [*range(1, 11), *range(16, 26)]]
    assert ranked.rows["position"].to_list() == [*range(1, 11), *range(16, 26)]
    assert ranked.gaps == (Gap(before=10, first=11, last=15),)
    assert (ranked.hidden, ranked.total, ranked.cut) == (5, 25, True)
    assert not ranked.rows["matched"].any()


def test_a_searched_township_is_added_where_it_ranks_splitting_the_gap():
    ranked = ranking.top_bottom(TWENTY_FIVE, "births", keep=[code(13)])
    assert ranked.rows["position"].to_list() == [*range(1, 11), 13, *range(16, 26)]
    assert ranked.rows.filter(pl.col("matched"))["township_name"].to_list() == ["乡13"]
    assert ranked.gaps == (Gap(before=10, first=11, last=12), Gap(before=11, first=14, last=15))
    assert [g.count for g in ranked.gaps] == [2, 2] and ranked.hidden == 4
    table = ranked.with_gap_rows("township_name", lambda g: f"… {g.count} more ({g.first}-{g.last})")
    assert table["township_name"].to_list()[9:14] == ["乡10", "… 2 more (11-12)", "乡13", "… 2 more (14-15)", "乡16"]
    assert table.height == 23 and table["births"].null_count() == 2


def test_ranks_ascending_and_rows_without_a_value_are_never_bottom():
    ranks = TWENTY_FIVE.with_columns(rank=pl.Series([*range(1, 23), None, None, None]))
    ranked = ranking.top_bottom(ranks, "rank", descending=False)
    assert ranked.rows["rank"].to_list() == [*range(1, 11), *range(13, 23)]
    assert ranked.gaps == (Gap(before=10, first=11, last=12), Gap(before=20, first=23, last=25))


def test_twenty_or_fewer_rows_are_all_kept_in_order():
    ranked = ranking.top_bottom(TWENTY_FIVE.head(19), "births")
    assert ranked.rows["township_code"].to_list() == TWENTY_FIVE.head(19)["township_code"].to_list()
    assert not ranked.cut and ranked.hidden == 0


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("乡07", [code(7)]),  # Chinese name
        ("town 12", [code(12)]),  # English name, any case
        ("419901019", [code(19)]),  # part of the code
        ("乡03、Town 04, 419901005000", [code(3), code(4), code(5)]),  # several at once
        ("  ", []),
        ("王店", []),
    ],
)
def test_find_by_name_english_name_or_code(text, codes):
    found = ranking.find_townships(TWENTY_FIVE, text)
    assert list(found.codes) == codes and found.total == len(codes)


def test_a_search_matching_too_many_keeps_the_first_and_says_how_many():
    found = ranking.find_townships(TWENTY_FIVE, "乡", limit=3)
    assert list(found.codes) == [code(1), code(2), code(3)] and found.total == 25
    assert (
        ranking.find_note(found, "en")
        == "25 townships match “乡”; only the first 3 are added. Type more of the name or code."
    )
    assert ranking.find_note(ranking.find_townships(TWENTY_FIVE, "乡07"), "zh") == "找到 1 个乡镇：乡07"
    assert ranking.find_note(ranking.find_townships(TWENTY_FIVE, ""), "zh") is None


# -- figures at scale ------------------------------------------------------------------------


def test_funnel_names_at_most_twenty_outliers_however_many_there_are():
    # 60 townships of 1,000 births, 40 of them far above 105: only the furthest 20 get a name
    rows = [(code(i), f"乡{i:02d}", 600 + i, 400 - i) for i in range(1, 41)]
    rows += [(code(i), f"乡{i:02d}", 512, 488) for i in range(41, 61)]
    table = township_srb_table(_srb_rows(rows), 105.0)
    assert int(table["classification"].is_in(["above", "below"]).sum()) == 40
    fig = funnel_chart.srb_funnel(table, 105.0, "zh", "t", "s", "f")
    labelled = {x for tr in fig.data if tr.mode == "markers+text" for x in tr.text if x}
    # the furthest from 105 first, then the largest five (all 1,000 births: the first five), as many
    # as fit without overlap (their points are 5 px apart: not all of them)
    assert "乡40" in labelled and labelled <= {f"乡{i:02d}" for i in [*range(21, 41), *range(1, 6)]}
    assert len(labelled) <= funnel_chart.MAX_OUTLIERS_LABELLED + funnel_chart.LARGEST_LABELLED
    hover = [c[0] for tr in fig.data if tr.mode == "markers+text" for c in tr.customdata]
    assert len(hover) == 60  # every point still names itself on hover


def _srb_rows(rows: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    return srb_township_rows(rows)


def test_bump_chart_of_sixty_draws_the_top_ten_the_bottom_ten_and_the_one_searched():
    card = pl.DataFrame(
        [
            {
                "year": y,
                "township_code": code(i),
                "township_name": f"乡{i:02d}",
                "score": 100.0 - i,
                "rank": i,
                "class_label": "",
                "vetoed": False,
            }
            for y in (2023, 2024)
            for i in range(1, 61)
        ]
    )
    fig = bump_chart.rank_bump(card, "zh", "t", "s", "f", [code(1)], find=[code(30)])
    names = [tr.name for tr in fig.data]
    assert len(names) == 21 and "乡30" in names and "乡11" not in names and "乡50" not in names
    assert fig.layout.yaxis.range == (10.5, 0.5)  # the top panel: ranks 1-10
    assert fig.layout.yaxis3.range == (60.5, 50.5)  # the bottom panel: ranks 51-60
    few = bump_chart.rank_bump(card.filter(pl.col("rank") <= 19), "zh", "t", "s", "f", [code(1)])
    assert len(few.data) == 19 and few.layout.yaxis.range == (19.5, 0.5)  # a county: one panel, every line


# -- pages narrowed to one county --------------------------------------------------------------

A, B, C = TWO_COUNTY_CODES


@pytest.fixture
def two_counties(tmp_path, monkeypatch) -> Path:
    """甲县 (419901) has A and B, 乙县 (419902) has C. 2024 (to March): A 10 boys 8 girls, B 5 and 5,
    C 33 and 20; 2023 (January-February): A 30 boys and 30 girls, B 2 girls, C 6 girls."""
    before = [
        (A, "2023-01", "M", 1, "25-29", None, 30), (A, "2023-01", "F", 1, "25-29", None, 30),
        (C, "2023-02", "F", 1, "25-29", None, 6),
        (B, "2023-02", "F", 1, "25-29", None, 2),
    ]  # fmt: skip
    data = make_two_county_extract(
        tmp_path / "x",
        before,
        two_county_population((2023, 2024)),
        targets=[(c, 2024, "births", 5.0) for c in (A, B, C)],
    )
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return data


def open_page(page: str | None, lang: str = "zh", **params) -> AppTest:
    return apptest_pages.open_page(page and f"pages/{page}", lang=lang, **params)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def figure(at: AppTest, title_part: str) -> dict:
    return next(f for f in figures(at) if title_part in f["layout"].get("title", {}).get("text", ""))


@pytest.mark.parametrize(("lang", "title"), [("zh", "甲县出生概览"), ("en", "Jia County births overview")])
def test_overview_of_one_county(two_counties, lang, title):
    at = open_page(None, lang, region="419901")
    assert at.title[0].value == title
    assert at.metric[0].value == "28"  # A 18 + B 10, C left out
    bars = figure(at, "各乡镇出生人数" if lang == "zh" else "Births by township")
    assert sorted(bars["data"][0]["customdata"]) == [A, B] and sorted(bars["data"][0]["x"]) == [10, 18]
    assert ("甲县合计 28 人" if lang == "zh" else "Jia County total 28 births") in bars["layout"]["title"]["subtitle"][
        "text"
    ]
    trend = figure(at, "历年出生" if lang == "zh" else "Births and crude birth rate")
    assert trend["data"][0]["y"] == [62, 28]  # 2023: A 60 + B 2; 2024: 28


def test_births_page_of_one_county(two_counties):
    at = apptest_pages.open_boxes(open_page("births.py", region="419902"))  # the tables, opened
    table = at.dataframe[0].value
    assert table["township_code"].tolist() == [C, "419902"] and int(table["births"].iloc[-1]) == 53
    bars = figure(at, "各乡镇出生人数")
    assert bars["layout"]["title"]["subtitle"]["text"] == "乙县合计：53 人"
    assert figure(at, "逐月出生人数")["layout"]["title"]["subtitle"]["text"] == "范围：乙县"


def test_sex_ratio_page_of_one_county_uses_its_own_reference(two_counties):
    at = open_page("sex-ratio.py", region="419901")  # 2022-2024 pooled: boys 10+30+5 = 45, girls 8+30+5+2 = 45
    refs = at.selectbox(key="ref")
    assert refs.value == "county" and refs.format_func("county") == "甲县水平（100.0）"
    table = next(d.value for d in at.dataframe if "判断（99.8%）" in d.value.columns)
    assert sorted(table["乡镇"].tolist()) == ["甲一镇", "甲二乡"] and table["出生人数"].sum() == 90
    funnel = figure(at, "性别比与出生人数")
    assert any(s["type"] == "line" and s["y0"] == pytest.approx(100.0) for s in funnel["layout"]["shapes"])
    trend = figure(at, "甲县出生人口性别比")
    assert [tr["name"] for tr in trend["data"] if tr.get("mode") == "lines+markers"] == ["甲县性别比"]


def test_compare_page_of_one_county(two_counties):
    at = open_page("compare.py", year=2024, base=2023, region="419901")
    assert at.metric[0].value == "28" and at.metric[0].delta == "-54.8%"  # 2023 Jan-Mar: A 60 + B 2
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert "甲县出生28人，比2023年1-3月（62人）减少54.8%。" in sentences
    assert sorted(at.dataframe[0].value.iloc[:, 2].tolist()) == [10, 18]


def test_data_page_of_one_county(two_counties):
    at = apptest_pages.open_boxes(open_page("data.py", lang="en", year=2024, region="419902"))
    grid = next(d.value for d in at.dataframe if "month_number" in d.value.columns)
    assert set(grid["township_code"]) == {C} and int(grid["births"].sum()) == 53


@pytest.mark.parametrize("page", ["scorecard.py", "township.py"])
def test_scorecard_and_township_pages_open_on_one_county(two_counties, page):
    at = open_page(page, year=2024, region="419901", township=A)
    assert at.get("plotly_chart")
    if page == "township.py":
        assert at.title[0].value == "乡镇档案：甲一镇"
        order = figure(at, "分孩次出生人数")
        assert next(tr["y"] for tr in order["data"]) == [60, 18]  # A's first births, 2023 and 2024


# -- sixty townships -------------------------------------------------------------------------


@pytest.fixture
def sixty(tmp_path, monkeypatch) -> Path:
    """60 townships: 乡i has i boys and i girls in January 2024 (乡60 the most, 乡01 the fewest)."""
    towns = [(code(i), f"乡{i:02d}", f"Town {i:02d}") for i in range(1, 61)]
    births = [(code(i), "2024-01", s, 1, "25-29", None, i) for i in range(1, 61) for s in ("M", "F")]
    births += [(code(i), "2023-01", "M", 1, "25-29", None, 61 - i) for i in range(1, 61)]
    data = make_extract(
        tmp_path / "sixty",
        towns,
        births,
        population=[(code(i), y, 10_000) for i in range(1, 61) for y in (2023, 2024)],
        targets=[(code(i), y, "births", 30.0) for i in range(1, 61) for y in (2023, 2024)],
        cutoff="2024-12",
    )
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return data


def township_bars(at: AppTest) -> dict:
    return figure(at, "各乡镇出生人数")


def test_births_page_of_sixty_draws_twenty_bars_and_adds_the_one_searched(sixty):
    at = open_page("births.py", year=2024)
    bars = township_bars(at)["data"]
    top, bottom = [code(i) for i in range(60, 50, -1)], [code(i) for i in range(10, 0, -1)]
    assert len(bars[0]["x"]) == 20 and set(bars[0]["customdata"]) == {*top, *bottom}
    assert bars[1]["y"] == ["⋯ 另有 40 个 ⋯<br>第11–50名"] and bars[1]["x"] == [None]
    # the whole table (and the total row) behind the chart
    assert len(apptest_pages.open_boxes(at).dataframe[0].value) == 61
    at.text_input(key="births_find").input("Town 35").run()
    assert not at.exception
    bars = township_bars(at)["data"]
    assert len(bars[0]["x"]) == 21 and code(35) in bars[0]["customdata"]
    colours = dict(zip(bars[0]["customdata"], bars[0]["marker"]["color"], strict=True))
    assert colours[code(35)] != colours[code(60)]  # the one searched stands out
    assert any(c.value == "找到 1 个乡镇：乡35" for c in at.caption)


@pytest.mark.parametrize(
    ("page", "params"),
    [
        (None, {}),
        ("sex-ratio.py", {"window": 1}),
        ("scorecard.py", {}),
        ("compare.py", {"base": 2023}),
        ("data.py", {}),
        ("township.py", {"township": code(30)}),
    ],
)
def test_every_page_of_sixty_opens_with_short_rankings(sixty, page, params):
    at = open_page(page, year=2024, **params)
    for fig in figures(at):  # no chart draws a bar or a line per township of all sixty
        bars = [tr for tr in fig["data"] if tr.get("type") == "bar" and tr.get("orientation") == "h"]
        assert all(len(tr.get("x") or []) <= 20 for tr in bars)
        assert len([tr for tr in fig["data"] if tr.get("mode") == "lines+markers"]) <= 21
    if page in ("sex-ratio.py", "compare.py"):
        apptest_pages.open_boxes(at)  # the whole tables are shown when opened
    tables = [len(d.value) for d in at.dataframe]
    if page == "sex-ratio.py":  # top 10, the gap, bottom 10; then the whole table
        ranked = next(d.value for d in at.dataframe if len(d.value) == 21)  # after the charts' own tables
        assert ranked.iloc[10, 0] == "⋯ 另有 40 个乡镇（第11–50名）⋯" and 60 in tables
    if page == "compare.py":
        assert tables[:2] == [21, 60]
