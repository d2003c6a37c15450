"""Headline numbers of the Overview, from a summary table worked out by hand."""

import polars as pl

from natality.births.overview import births_target_kpi, headline_kpis


def summary(rows):
    return pl.DataFrame(
        rows,
        schema=[
            "year",
            "months",
            "births",
            "boys",
            "girls",
            "births_order3p",
            "births_order_known",
            "population",
            "birth_rate",
        ],
        orient="row",
    )


def test_kpis_against_the_same_period_last_year():
    df = summary(
        [
            (2023, 6, 1000, 520, 480, 100, 1000, 200_000, 10.0),
            (2024, 6, 900, 480, 420, 90, 900, 200_000, 9.0),
        ]
    )
    births, rate, srb, share = headline_kpis(df, 2024, "2024年1-6月", "2023年1-6月", "zh")
    assert (births.value, births.delta) == ("900", "-10.0%")
    assert (rate.value, rate.delta) == ("9.00", "-1.00‰")
    # 480 boys / 420 girls = 114.29; 2023: 520/480 = 108.33 -> +6.0
    assert (srb.value, srb.delta) == ("114.3", "+6.0")
    assert "男婴 480，女婴 420" in srb.help and "95%区间" in srb.help
    # Wilson 95 % for p = 480/900 mapped through 100 p / (1 - p): 100.3 to 130.3, under the tiles
    assert srb.note.startswith("出生人口性别比：95%区间 100.3–130.3（出生 900 人）")
    assert (share.value, share.delta) == ("10.0", "+0.0个百分点")


def test_no_girls_and_tiny_counts_say_not_enough_births():
    df = summary([(2024, 12, 3, 3, 0, 0, 3, 1000, 3.0)])
    births, _rate, srb, share = headline_kpis(df, 2024, "2024", "2023", "en")
    assert births.delta is None  # no previous year to compare
    assert srb.value == "Not enough births to judge"
    assert share.value == "Not enough births to judge"  # 3 births with a known order is below 30


def test_births_target_kpi_counts_the_scorecard_verdicts():
    status = pl.DataFrame({"status": ["met", "missed", "not_judged", "met"]})
    kpi = births_target_kpi(status, 12, "en")
    assert kpi.label == "Births target met"
    assert kpi.value == "2 / 3"  # the township not judged (too few births) is left out
    partial = births_target_kpi(pl.DataFrame({"status": ["on_track", "at_risk"]}), 9, "zh")
    assert partial.value == "1 / 2" and partial.label == "出生进度正常"
    assert births_target_kpi(pl.DataFrame({"status": ["not_judged"]}), 12, "en") is None
