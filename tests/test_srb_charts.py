"""SRB township table and figures: built from hand-made frames, checked on the figure's data."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from natality.core.i18n import t
from natality.srb import charts as srb_charts
from natality.srb import funnel_chart
from natality.srb.stats import srb_estimate
from natality.srb.tables import (
    level_text,
    reference_value,
    target_for_year,
    township_srb_table,
    township_table_display,
    unique_labels,
)
from tests.factory import srb_township_rows


def by_township(rows: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    """srb_by_township-shaped rows from (code, name, boys, girls); English names "<name> EN"."""
    return srb_township_rows(rows, " EN")


TOWNS = by_township(
    [
        ("419901101000", "城关镇", 525, 500),  # 105: expected
        ("419901102000", "王店乡", 600, 400),  # 150 on 1,000 births: above
        ("419901103000", "李集镇", 420, 580),  # 72: below
        ("419901104000", "一人乡", 1, 0),  # one birth, no girls
        ("419901105000", "女乡", 0, 7),  # girls only
        ("419901106000", "空乡", 0, 0),  # no births
    ]
)


@pytest.fixture
def table():
    return township_srb_table(TOWNS, 105.0)


def test_classes_and_small_townships(table):
    assert table["classification"].cast(pl.String).to_list() == [
        "expected",
        "above",
        "below",
        "too_few",
        "too_few",
        "too_few",
    ]
    assert table["too_few"].to_list() == [False, False, False, True, True, True]
    shrunk = table["srb_shrunk"].to_list()
    assert shrunk[-1] is None and all(v is not None and math.isfinite(v) for v in shrunk[:-1])


def test_display_table_has_no_none_nan_or_inf_text(table):
    shown = township_table_display(table, lambda k, **f: t(k, "en", **f))
    text = " ".join(str(v) for row in shown.rows() for v in row if isinstance(v, str))
    for bad in ("None", "nan", "inf", "NaN"):
        assert bad not in text
    interval = shown["95% interval"].to_list()
    assert interval[3] == "≥ 26.0" and interval[5] == "–"  # no upper limit; nothing at all
    assert shown["Assessment (99.8%)"].to_list()[3] == "○ Too few births to judge"
    assert shown["Assessment (99.8%)"].to_list()[1] == "▲ Significantly above the reference"
    # a township with boys and girls: its 95 % interval both ends, one decimal (525 / 500: Wilson)
    est = srb_estimate(525, 500)
    assert interval[0] == f"{est.low:.1f}–{est.high:.1f}" and "–" in interval[0] and not interval[0].startswith("≥")
    # SRB to one decimal: 420 / 580 = 72.41 -> 72.4
    assert shown["SRB"].to_list()[2] == 72.4


def test_unique_labels_are_a_label_column():
    assert unique_labels(pl.Series(["甲", "乙"]), pl.Series(["419901101000", "419901102000"])).name == "label"
    assert unique_labels(pl.Series(["甲", "甲"]), pl.Series(["419901101000", "419901101000"])).name == "label"


def test_unique_labels_for_repeated_names():
    labels = unique_labels(
        pl.Series(["王店乡", "王店乡", "城关镇"]), pl.Series(["419901102000", "419901103000", "419901101000"])
    )
    assert labels.to_list() == ["王店乡 [102]", "王店乡 [103]", "城关镇"]
    # the same township digits in two counties: the whole code tells them apart
    labels = unique_labels(pl.Series(["东区", "东区"]), pl.Series(["410101001000", "410102001000"]))
    assert labels.to_list() == ["东区 [410101001000]", "东区 [410102001000]"]


def test_funnel_points_limits_and_labels(table):
    fig = funnel_chart.srb_funnel(table, 105.0, "zh", "title", "sub", "foot")
    points = {tr.name: tr for tr in fig.data if tr.mode == "markers+text"}
    assert set(points) == {t(f"srb.class.{c}", "zh") for c in ("above", "below", "expected", "too_few")}
    above = points[t("srb.class.above", "zh")]
    assert list(above.x) == [1000] and list(above.y) == [150.0] and list(above.text) == ["王店乡"]
    # girls-only township is drawn at 0 among the too-few; no-girls and empty ones cannot be drawn
    few = points[t("srb.class.too_few", "zh")]
    assert list(few.x) == [7] and list(few.y) == [0.0] and list(few.text) == [""]
    limits = [tr for tr in fig.data if tr.mode == "lines"]
    assert len(limits) == 4  # 95 % and 99.8 %, upper and lower
    for tr in limits:
        assert all(v is None or math.isfinite(v) for v in tr.y)


def test_funnel_labels_only_outliers_and_largest_when_many():
    rows = [(f"4199011{i:02d}000", f"Township number {i}", 50 + i, 50 + i) for i in range(40)]
    rows.append(("419901199000", "Hot Spot Township", 700, 450))
    table = township_srb_table(by_township(rows), 105.0, lang="zh")
    fig = funnel_chart.srb_funnel(table, 105.0, "zh", "t", "s", "f")
    labelled = [x for tr in fig.data if tr.mode == "markers+text" for x in tr.text if x]
    assert "Hot Spot Township" in labelled
    assert 2 <= len(labelled) <= 1 + funnel_chart.LARGEST_LABELLED + 3


def frame_by_year(years, boys, girls) -> pl.DataFrame:
    ests = [srb_estimate(b, g) for b, g in zip(boys, girls, strict=True)]
    return pl.DataFrame(
        {
            "year": years,
            "births": [b + g for b, g in zip(boys, girls, strict=True)],
            "boys": boys,
            "girls": girls,
            "srb": [e.srb for e in ests],
            "srb_low": [e.low for e in ests],
            "srb_high": [e.high for e in ests],
        }
    )


def test_trend_has_band_line_target_and_natural_range():
    df = frame_by_year([2023, 2024, 2025], [1100, 1050, 5], [1000, 1000, 0])
    targets = pl.DataFrame({"year": [2024, 2025], "target": [110.0, 109.0]})
    fig = srb_charts.srb_trend(df, targets, "en", "t", "s", "f", partial_year=2025)
    line = next(tr for tr in fig.data if tr.name == "County SRB")
    assert list(line.x) == ["2023", "2024", "2025*"]
    assert list(line.y)[:2] == [110.0, 105.0] and list(line.y)[2] is None
    target = next(tr for tr in fig.data if tr.name == "Target (upper limit)")
    assert list(target.y) == [None, 110.0, 109.0]
    assert fig.layout.shapes[0].y0 == 103 and fig.layout.shapes[0].y1 == 107
    low, high = fig.layout.yaxis.range
    assert low < 100 and high > 110


def test_township_years_error_bars_leave_out_undefined_years():
    df = frame_by_year([2023, 2024, 2025], [60, 7, 0], [50, 0, 0])
    fig = srb_charts.township_srb_years(df, 105.0, "zh", "t", "s", "f")
    points = fig.data[0]
    assert list(points.x) == ["2023"] and list(points.y) == [120.0]
    est = srb_estimate(60, 50)
    assert points.error_y.array[0] == pytest.approx(est.high - 120.0)
    assert points.error_y.arrayminus[0] == pytest.approx(120.0 - est.low)


def test_rolling_chart_uses_lines_and_the_county_for_comparison():
    months = [date(2024, m, 1) for m in (1, 2, 3)]
    town = frame_by_year([0, 0, 0], [10, 11, 12], [10, 10, 10]).drop("year").with_columns(month=pl.Series(months))
    county = town.with_columns(srb=pl.Series([106.0, 107.0, 108.0]))
    fig = srb_charts.rolling_srb(town, county, "城关镇", "zh", "t", "s", "f")
    names = [tr.name for tr in fig.data if tr.mode == "lines"]
    assert "城关镇" in names and t("srb.county_srb", "zh") in names


def test_township_years_show_a_lower_limit_where_there_are_no_girls():
    df = frame_by_year([2023, 2024], [60, 7], [50, 0])
    fig = srb_charts.township_srb_years(df, 105.0, "en", "t", "s", "f")
    arrow = next(tr for tr in fig.data if tr.name == t("srb.no_girls", "en"))
    assert list(arrow.x) == ["2024"] and list(arrow.y) == [pytest.approx(srb_estimate(7, 0).low)]


def test_a_township_without_any_ratio_says_so():
    df = frame_by_year([2023, 2024], [0, 4], [0, 0])
    fig = srb_charts.township_srb_years(df, 105.0, "en", "t", "s", "f")
    assert any(a.text == t("srb.not_computable", "en") for a in fig.layout.annotations)


def _classes(rows, reference=105.0, **options) -> list[str]:
    return township_srb_table(by_township(rows), reference, **options)["classification"].cast(pl.String).to_list()


def test_classes_agree_with_the_drawn_limits():
    # 1,000 births around 105: the 99.8 % upper limit is ~127.5; 560 boys (SRB 127.3) is inside, 565 (129.9)
    # outside
    table = township_srb_table(by_township([("419901101000", "甲", 560, 440), ("419901102000", "乙", 565, 435)]), 105.0)
    assert table["limit_high"][0] == pytest.approx(table["limit_high"][1])
    assert 100 * 560 / 440 < table["limit_high"][0] < 100 * 565 / 435
    assert table["classification"].cast(pl.String).to_list() == ["expected", "above"]


def test_a_share_exactly_on_a_limit_is_inside():
    # One birth: the exact 99.8 % limits of the share of boys are 0 and 1 (anything is possible), so a
    # lone boy (share 1) or a lone girl (share 0) lies exactly on a limit: inside, not flagged.
    rows = [("419901101000", "甲", 1, 0), ("419901102000", "乙", 0, 1)]
    table = township_srb_table(by_township(rows), 105.0, min_births=1)
    assert table["limit_high"].to_list() == [None, None]  # share 1: no finite SRB
    assert table["limit_low"].to_list() == [0.0, 0.0]
    assert table["classification"].cast(pl.String).to_list() == ["expected", "expected"]


def test_the_smallest_township_judged_has_exactly_min_births():
    rows = [("419901101000", "甲", 50, 50), ("419901102000", "乙", 50, 49), ("419901103000", "丙", 60, 0)]
    # 100 births are enough at the default 100; 99 are too few; 60 boys and no girls are too few too
    assert _classes(rows) == ["expected", "too_few", "too_few"]
    # with 10 births enough, the 60 boys without a girl are far above any limit
    assert _classes(rows, min_births=10) == ["expected", "expected", "above"]
    assert _classes(rows[:1], min_births=2000) == ["too_few"]


def test_the_reference_the_funnel_is_drawn_around():
    assert reference_value("county", 112.4, 108.0) == 112.4
    assert reference_value("target", 112.4, 108.0) == 108.0
    assert reference_value("natural", 112.4, 108.0) == 105.0
    # a choice without its value (no births, no target) falls back to the natural 105
    assert reference_value("county", None, 108.0) == 105.0 and reference_value("target", 112.4, None) == 105.0
    targets = pl.DataFrame({"year": [2023, 2024], "target": [110.0, 108.5]})
    assert target_for_year(targets, 2024) == 108.5 and target_for_year(targets, 2023) == 110.0
    assert target_for_year(targets, 2025) is None
    assert [level_text(v) for v in (0.998, 0.99, 0.95)] == ["99.8", "99", "95"]
