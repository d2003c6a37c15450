"""Long township names (offices' reports have names of up to 100 characters) shortened on chart
axes and labels by display width (a CJK character counts two), kept unique, while hovers keep
the full name. Expected labels worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go
import polars as pl
import pytest
from shapely.geometry import box

from natality.births.charts import township_births_bar
from natality.compare.charts import slope_chart
from natality.core.short_names import MAX_WIDTH, display_width, short_labels, shortened
from natality.geo.boundaries import geojson_features
from natality.maps.charts import locator_map
from natality.maps.labels import short_unit_names
from natality.scorecard.bump_chart import rank_bump
from natality.srb.funnel_chart import srb_funnel
from natality.srb.tables import township_srb_table
from tests.factory import srb_township_rows

# 15 characters, 84 times 某, a closing bracket: 100 characters, 200 columns
LONG_A = "城关镇（含原东关乡、西关乡合并" + "某" * 84 + "）"
LONG_B = "城关镇（含原东关乡、西山乡合并" + "某" * 84 + "）"  # the same first 11 characters
LONG_EN = "Chengguan Town (merged from former Dongguan and Xiguan Townships)"
AMP = "Tom & Jerry Town, formerly Tom Township"
A, B, C, D = "419901101000", "419901102000", "419901103000", "419901104000"


def short(names: list[str | None], width: int = MAX_WIDTH) -> list[str]:
    return pl.DataFrame({"n": names}, schema={"n": pl.String}).select(shortened("n", width))["n"].to_list()


def test_long_names_are_100_characters():
    assert len(LONG_A) == len(LONG_B) == 100


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("城关镇", "城关镇"),  # 6 columns
        ("一二三四五六七八九十一二", "一二三四五六七八九十一二"),  # 12 CJK = 24 columns: fits
        ("一二三四五六七八九十一二三", "一二三四五六七八九十一…"),  # 26: 11 CJK (22) + … = 23
        (LONG_A, "城关镇（含原东关乡、西…"),  # the 12th character would take columns 23-24
        # Latin: 23 characters fit; the space before the cut is dropped
        (LONG_EN, "Chengguan Town (merged…"),
        ("Chengguan Town (merged)", "Chengguan Town (merged)"),  # 23 columns: as it is
        # mixed: Xi'an 5, 新区 4, （ 2, 含原 4, Ertai 5, 乡 2, ） 2 = 24 columns: fits
        ("Xi'an新区（含原Ertai乡）", "Xi'an新区（含原Ertai乡）"),
        # one 镇 more (26): the ） would end at column 24 > 23, so the start ends at 乡 (22)
        ("Xi'an新区（含原Ertai乡）镇", "Xi'an新区（含原Ertai乡…"),
        # the cut falls after 、 (column 22): a separator is not left before the …
        ("城关镇东关乡西关乡南、北关乡合并", "城关镇东关乡西关乡南…"),
        ("", ""),
        (None, None),
    ],
)
def test_shortened_by_display_width(name, expected):
    assert short([name]) == [expected]


def test_display_width_counts_cjk_twice():
    frame = pl.DataFrame({"n": ["城关镇", "Town 3", "Xi'an新区（含原Ertai乡）", "ｃ（、"]})
    assert frame.select(display_width("n"))["n"].to_list() == [6, 6, 24, 6]


def test_colliding_short_names_get_the_township_digits():
    labels = short_labels(pl.Series([LONG_A, LONG_B, "王店乡", "王店乡", "李集镇"]), pl.Series([A, B, C, D, "T9"]))
    # " [101]" takes 6 columns: the name keeps 24 - 6 - 1 = 17 columns, 8 CJK characters (16)
    assert labels.to_list() == [
        "城关镇（含原东关… [101]",
        "城关镇（含原东关… [102]",
        "王店乡 [103]",  # equal full names: as srb.tables.unique_labels gives them
        "王店乡 [104]",
        "李集",  # a name is too wide: the others whose bare name is unique drop 镇/乡
    ]
    assert labels.name == "label"


def test_the_whole_code_where_the_digits_repeat_too():
    # the same township digits (001) in two counties; a missing name is the code
    labels = short_labels(pl.Series([LONG_A, LONG_B, None]), pl.Series(["410101001000", "410102001000", "T3"]))
    # " [410101001000]" takes 15 columns: 24 - 15 - 1 = 8 left, 城关镇（ then the （ dropped
    assert labels.to_list() == ["城关镇… [410101001000]", "城关镇… [410102001000]", "T3"]


def test_short_labels_of_nothing():
    assert short_labels(pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.String)).to_list() == []


def _births() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "township_code": [A, B, C, D],
            "township_name": [LONG_A, LONG_B, "王店乡", AMP],
            "township_name_en": [LONG_EN, None, "Wangdian", AMP],
            "births": [40, 30, 20, 10],
        }
    )


def test_births_bar_axis_short_hover_full():
    fig = township_births_bar(_births(), "zh", "t", "s", "f")
    bar = fig.data[0]
    # drawn bottom first; the ampersand is escaped after the cut, never cut in half
    assert list(bar.y) == [
        "Tom &amp; Jerry Town, forme…",
        "王店",  # LONG_A is too wide: 王店乡 drops its 乡 (王店 is unique)
        "城关镇（含原东关… [102]",
        "城关镇（含原东关… [101]",
    ]
    assert list(bar.hovertext) == ["Tom &amp; Jerry Town, formerly Tom Township", "王店乡", LONG_B, LONG_A]
    assert list(bar.customdata) == [D, C, B, A]  # a click still opens the township
    assert "%{hovertext}" in bar.hovertemplate
    en = township_births_bar(_births(), "en", "t", "s", "f").data[0]
    # B has no English name: its Chinese one, shortened without a collision
    assert list(en.y) == [
        "Tom &amp; Jerry Town, forme…",
        "Wangdian",
        "城关镇（含原东关乡、西…",
        "Chengguan Town (merged…",
    ]


def test_rank_bump_end_labels_short_hover_full():
    card = pl.DataFrame(
        [
            {"year": y, "township_code": c, "township_name": n, "score": 90.0 - r, "rank": r,
             "class_label": "", "vetoed": False}
            for y in (2023, 2024)
            for r, (c, n) in enumerate([(A, LONG_A), (B, LONG_B), (C, "王店乡")], start=1)
        ]
    )  # fmt: skip
    fig = rank_bump(card, "zh", "t", "s", "f", highlight=[A, B, C])
    ends = [a.text for a in fig.layout.annotations if a.xshift == 10]
    assert sorted(ends) == sorted(["城关镇（含原东关… [101]", "城关镇（含原东关… [102]", "王店"])
    assert sorted(tr.name for tr in fig.data) == sorted([LONG_A, LONG_B, "王店乡"])
    assert any(tr.hovertemplate.startswith(LONG_A + " ") for tr in fig.data)


def test_funnel_point_labels_short_hover_full():
    rows = [(A, LONG_A, 700, 300), (B, LONG_B, 300, 700), (C, "王店乡", 510, 490)]
    table = township_srb_table(srb_township_rows(rows), 105.0)
    fig = srb_funnel(table, 105.0, "zh", "t", "s", "f")
    points = [tr for tr in fig.data if tr.mode == "markers+text"]
    texts = {c[0]: text for tr in points for c, text in zip(tr.customdata, tr.text, strict=True)}
    assert texts == {LONG_A: "城关镇（含原东关… [101]", LONG_B: "城关镇（含原东关… [102]", "王店乡": "王店"}


def test_slope_chart_end_labels_short_hover_full():
    table = pl.DataFrame(
        {
            "township_code": [A, B],
            "township": [LONG_A, AMP],
            "births_base": [100, 200],
            "births": [120, 150],
            "births_few": [False, False],
        }
    )
    fig = slope_chart(table, "births", ("2023", "2024"), "zh", "t", "s", "f")
    ends = next(tr for tr in fig.data if tr.mode == "text")
    # sorted by the current value: AMP (150) after LONG_A (120)
    assert list(ends.text) == ["  城关镇（含原东关乡、西… 120", "  Tom &amp; Jerry Town, forme… 150"]
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert [tr.name for tr in lines] == [LONG_A, "Tom &amp; Jerry Town, formerly Tom Township"]


def _county() -> dict:
    columns = {"township_code": ["010001000", "010002000"], "name": [LONG_A, "乙乡"], "name_en": [LONG_EN, "Yi"]}
    boxes = [(114.0, 33.0, 114.1, 33.1), (114.1, 33.0, 114.2, 33.1)]
    return geojson_features(gpd.GeoDataFrame(columns, geometry=[box(*b) for b in boxes], crs="EPSG:4326"))


def test_map_labels_short_hover_full():
    geojson = _county()
    assert short_unit_names(geojson["features"], "zh") == ["城关镇（含原东关乡、西…", "乙乡"]
    assert short_unit_names(geojson["features"], "en") == ["Chengguan Town (merged…", "Yi"]
    fig = locator_map(geojson, "010001000", "zh")
    assert list(fig.data[0].text) == ["城关镇（含原东关乡、西…"]
    choro = next(t for t in fig.data if isinstance(t, go.Choropleth))
    assert [row[1] for row in choro.customdata] == [LONG_A, "乙乡"]


def test_choropleth_labels_short():
    from natality.maps.charts import MapTexts, township_choropleth

    texts = MapTexts(title="t", subtitle="", footnote="f", legend_title="l", no_data="无数据", too_few="少",
                     value_format=".1f")  # fmt: skip
    df = pl.DataFrame({"township_code": ["010001000", "010002000"], "rate": [4.0, 6.0], "too_few": [False, False]})
    labels = {}
    for lang in ("zh", "en"):
        fig = township_choropleth(_county(), df, "rate", texts, lang, method="equal", k=2)
        labels[lang] = sorted(s for t in fig.data if isinstance(t, go.Scattergeo) and t.mode == "text" for s in t.text)
    assert labels["zh"] == sorted(["城关镇（含原东关乡、西…", "乙乡"])
    # English names wrap before their last word, the shortened one too
    assert labels["en"] == sorted(["Chengguan Town<br>(merged…", "Yi"])


def test_phone_axis_names_shorter_still():
    from natality.export import narrow

    fig = township_births_bar(_births(), "zh", "t", "s", "f")
    phone = narrow.phone_figure(fig).data[0]
    # 16 columns on a phone: 15 Latin characters and the …; " [101]" leaves 16 - 6 - 1 = 9, 城关镇（ then the （ dropped
    assert list(phone.y) == ["Tom &amp; Jerry Tow…", "王店", "城关镇… [102]", "城关镇… [101]"]
    assert list(narrow.phone_figure(fig).layout.yaxis.categoryarray) == list(phone.y)
    assert list(phone.hovertext) == list(fig.data[0].hovertext)  # the hover keeps the full name
    portrait = narrow.portrait_figure(fig).data[0]  # 20 columns: 20 - 7 = 13, 6 CJK characters
    assert list(portrait.y) == ["Tom &amp; Jerry Town, f…", "王店", "城关镇（含原… [102]", "城关镇（含原… [101]"]
    assert list(fig.data[0].y)[2] == "城关镇（含原东关… [102]"  # the desktop figure is untouched
