"""Township names on a phone (16 columns), a portrait image (20) and a desktop (24): the generic
suffix goes first where the bare name stays unique, then a cut with "…", and every label of a
chart stays unique. Expected labels worked out by hand (a Latin character one column, a CJK one
two)."""

from __future__ import annotations

import random
from collections import Counter

import polars as pl
import pytest

from natality.core.short_names import ELLIPSIS, bare_names, display_width, short_labels, short_names

CODES = [f"419901{n:03d}000" for n in range(101, 120)]


def labels(names: list[str], width: int) -> list[str]:
    return short_labels(pl.Series(names, dtype=pl.String), pl.Series(CODES[: len(names)]), width).to_list()


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Zhangzhuang Town", "Zhangzhuang"),
        ("Wangdian Township", "Wangdian"),
        ("Jiefang Subdistrict", "Jiefang"),
        ("Jiefang Sub-district", "Jiefang"),
        ("Renmin Street", "Renmin"),
        ("Chengguan town", "Chengguan"),  # any case
        ("Tom & Jerry Town, formerly Tom Township", "Tom & Jerry Town, formerly Tom"),
        ("城关镇", "城关"),
        ("王店乡", "王店"),
        ("解放街道", "解放"),
        ("城镇", None),  # 城 alone: shorter than two characters
        ("乡", None),
        ("Town", None),  # no name before it
        ("Newtown", None),  # not a word of its own
        ("Xi Town", "Xi"),
        ("城关镇（含原东关乡）", "城关（含原东关乡）"),  # a short text in brackets: read as a parent
        ("Chengguan Town (Xingkang District)", "Chengguan (Xingkang)"),  # core.db's repeated names
        ("城关镇（兴康区）", "城关（兴康）"),
        ("Chengguan (Xingkang District)", "Chengguan (Xingkang)"),
        ("城关镇（含原东关乡、西关乡合并" + "某" * 20 + "）", None),  # 34 characters in brackets: a note
        ("Demo County", None),
    ],
)
def test_bare_names(name, bare):
    assert pl.DataFrame({"n": [name]}).select(bare_names("n").alias("n"))["n"].to_list() == [bare]


# 14, 17, 16, 20 and 19 columns; two share the bare name Zhangzhuang
ENGLISH = ["Chengguan Town", "Wangdian Township", "Zhangzhuang Town", "Zhangzhuang Township", "Jiefang Subdistrict"]


def test_english_on_a_phone_the_suffix_goes_first():
    # 16 columns: Wangdian Township (17) does not fit, so every name whose bare name is unique drops
    # its suffix; the two Zhangzhuang keep theirs: "Zhangzhuang Town" fits (16), "Zhangzhuang
    # Township" is cut to 15 + … = "Zhangzhuang Tow…", which starts "Zhangzhuang Town": it reads
    # alike, so it gets its digits: 16 - 6 = 10 columns, its bare name (11) cut to 9 + …
    assert labels(ENGLISH, 16) == ["Chengguan", "Wangdian", "Zhangzhuang Town", "Zhangzhua… [104]", "Jiefang"]


@pytest.mark.parametrize("width", [20, 24])
def test_english_that_fits_keeps_its_suffix(width):
    assert labels(ENGLISH, width) == ENGLISH  # the widest is 20 columns


def test_a_map_drops_the_suffix_and_cuts_without_codes():
    # the place tells two units apart: no digits, the cut as it is
    shown = short_names(pl.Series(ENGLISH), 16).to_list()
    assert shown == ["Chengguan", "Wangdian", "Zhangzhuang Town", "Zhangzhuang Tow…", "Jiefang"]


def test_a_bare_name_equal_to_another_name_keeps_its_suffix():
    # "Liji" is a township's whole name: "Liji Town" keeps "Town"; Sundian Township (16) fits at
    # 16, Huangqiaozhuang Township (24) does not: bare, 15 columns
    names = ["Liji", "Liji Town", "Sundian Township", "Huangqiaozhuang Township"]
    assert labels(names, 16) == ["Liji", "Liji Town", "Sundian", "Huangqiaozhuang"]


def test_equal_names_tagged_with_their_bare_name():
    # both fit (20 of 24) but repeat: " [101]" leaves 18 columns, the name (20) does not fit, its
    # bare name (11) does
    assert labels(["Zhangzhuang Township"] * 2, 24) == ["Zhangzhuang [101]", "Zhangzhuang [102]"]


def test_chinese_on_a_phone():
    # 16 columns = 8 CJK characters. 新集乡人民政府驻地社区 (22 columns) does not fit and has no
    # suffix at its end: 7 characters (14) + … (1); 张庄镇 and 张庄乡 share 张庄 and keep 镇/乡;
    # 解放街道 -> 解放; 城镇 would leave 城 alone and stays
    names = ["张庄镇", "张庄乡", "解放街道", "新集乡人民政府驻地社区", "城镇"]
    assert labels(names, 16) == ["张庄镇", "张庄乡", "解放", "新集乡人民政府…", "城镇"]
    assert labels(names, 24) == names  # all fit: nothing changes


def test_a_province_cuts_the_name_before_its_parent():
    # core.db writes a repeated name with its county: the county tells them apart, so the name is
    # cut. " (Xingkang)" 11 columns: 5 left, "Chen" and …; " (Xinji)" 8: "Chenggu" and …
    names = ["Chengguan Town (Xingkang District)", "Chengguan Town (Xinji County)", "Hanyuan Town (Yanping District)",
             "Taoji Town", "城关镇（兴康区）"]  # fmt: skip
    assert labels(names, 16) == ["Chen… (Xingkang)", "Chenggu… (Xinji)", "Hanyu… (Yanping)", "Taoji", "城关（兴康）"]
    assert labels(names, 24) == [
        "Chengguan (Xingkang)",
        "Chengguan (Xinji)",
        "Hanyuan (Yanping)",
        "Taoji",
        "城关（兴康）",
    ]
    # a county's name too long to leave the township four columns: the county is cut instead
    # (城关 4 + brackets 4 = 8 columns, 8 left: 3 characters and …); the other only loses " Town"
    assert labels(["城关镇（某某某某某某某区）", "Taoji Town Taoji Town"], 16) == [
        "城关（某某某…）",
        "Taoji Town Taoji",
    ]


def test_a_cut_name_that_starts_another_gets_its_digits():
    # 17 columns cut to "Abcdefghijklmno…", which starts "Abcdefghijklmno" (15, whole): tagged,
    # 16 - 6 - 1 = 9 characters; "Abcdefg" is whole and "Abcdefgh Town" is not cut: as they are
    names = ["Abcdefghijklmnopq", "Abcdefghijklmno", "Abcdefg", "Abcdefgh Town"]
    assert labels(names, 16) == ["Abcdefghi… [101]", "Abcdefghijklmno", "Abcdefg", "Abcdefgh"]


def test_two_thousand_names_unique_and_narrow():
    # a province: names made of few syllables, so that bare names, cuts and prefixes collide
    rng = random.Random(7)
    syllables = ["zhang", "zhuang", "wang", "dian", "li", "ji", "huang", "qiao", "xin", "guan"]
    suffixes = [" Town", " Township", " Subdistrict", "", "镇", "乡"]
    names = ["".join(rng.choices(syllables, k=rng.randint(1, 5))).title() + rng.choice(suffixes) for _ in range(2000)]
    codes = [f"4199{n // 1000:02d}{n % 1000:03d}000" for n in range(2000)]
    for width in (16, 20, 24):
        shown = short_labels(pl.Series(names), pl.Series(codes), width)
        assert shown.n_unique() == 2000
        assert shown.to_frame().select(display_width("label").max()).item() <= width
        # no cut label's text before the "…" starts another label: the labels it starts are counted
        starts = Counter(label[:k] for label in shown for k in range(1, len(label) + 1))
        assert [label for label in shown if label.endswith(ELLIPSIS) and starts[label[:-1]] > 1] == []


# Charts that write names beside points and lines, laid out again for a phone (16 columns): the
# same short labels as test_english_on_a_phone_the_suffix_goes_first, the desktop figure untouched.
PHONE_ENGLISH = ["Chengguan", "Wangdian", "Zhangzhuang Town", "Zhangzhua… [104]", "Jiefang"]


def test_slope_chart_end_labels_on_a_phone():
    from natality.compare.charts import slope_chart
    from natality.export import narrow

    table = pl.DataFrame(
        {"township_code": CODES[:5], "township": ENGLISH, "births_base": [100, 200, 300, 400, 500],
         "births": [120, 150, 160, 390, 457], "births_few": [False] * 5}
    )  # fmt: skip
    fig = slope_chart(table, "births", ("2025", "2026"), "en", "t", "s", "f")
    phone = narrow.phone_figure(fig)
    ends = next(tr for tr in phone.data if tr.mode == "text")
    values = [120, 150, 160, 390, 457]
    assert list(ends.text) == [f"  {n} {v}" for n, v in zip(PHONE_ENGLISH, values, strict=True)]
    desktop = next(tr for tr in fig.data if tr.mode == "text")
    assert list(desktop.text) == [f"  {n} {v}" for n, v in zip(ENGLISH, values, strict=True)]
    # room for "  Zhangzhua… [104] 390" (about 11 em at 14 px) inside the plot: the range grows
    assert fig.layout.xaxis.range == (-0.15, 1.9) and phone.layout.xaxis.range[1] > 1.9


def test_rank_bump_end_labels_on_a_phone():
    from natality.export import narrow
    from natality.scorecard.bump_chart import rank_bump

    card = pl.DataFrame(
        [
            {"year": y, "township_code": c, "township_name": n, "score": 90.0 - r, "rank": r, "class_label": "",
             "vetoed": False}
            for y in (2023, 2024)
            for r, (c, n) in enumerate(zip(CODES, ENGLISH, strict=False), start=1)
        ]
    )  # fmt: skip
    fig = rank_bump(card, "en", "t", "s", "f", highlight=CODES[:5])
    ends = [a.text for a in narrow.phone_figure(fig).layout.annotations if a.xshift == 10]
    assert sorted(ends) == sorted(PHONE_ENGLISH)
    assert sorted(a.text for a in fig.layout.annotations if a.xshift == 10) == sorted(ENGLISH)


def test_funnel_point_labels_on_a_phone():
    from natality.export import narrow
    from natality.srb.funnel_chart import srb_funnel
    from natality.srb.tables import township_srb_table
    from tests.factory import srb_township_rows

    rows = [(c, n, 600 + 40 * i, 500) for i, (c, n) in enumerate(zip(CODES, ENGLISH, strict=False))]
    fig = srb_funnel(township_srb_table(srb_township_rows(rows), 105.0), 105.0, "en", "t", "s", "f")
    expected = dict(zip(ENGLISH, PHONE_ENGLISH, strict=True))
    shown = {
        c[0]: text
        for tr in narrow.phone_figure(fig).data
        if tr.mode == "markers+text"
        for c, text in zip(tr.customdata, tr.text, strict=True)
        if text
    }
    assert shown == expected  # all five judged and labelled (a county with few townships)
    # the largest (Jiefang, 1,260 births) sits at the plot's right edge (x to 1,360, the funnel's
    # grid): centred, its label would run off the plot; it is written to the point's left
    place = {c[0]: p for tr in narrow.phone_figure(fig).data if tr.mode == "markers+text"
             for c, p in zip(tr.customdata, tr.textposition, strict=True)}  # fmt: skip
    # Chengguan (SRB 120), the lowest, is written below its point: away from the others
    assert place["Jiefang Subdistrict"].endswith(" left") and place["Chengguan Town"] == "bottom center"
