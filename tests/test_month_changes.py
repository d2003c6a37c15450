"""The Overview's "changes since last month": an extract worked out by hand, the scorecard's own
verdicts at the cut-off, the page in both languages (AppTest)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.compare import monthly
from natality.core import db, extract
from natality.core.context import context_for
from natality.scorecard import scoring
from tests.factory import make_extract

A, B, C = "419901101000", "419901102000", "419901103000"
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def month_rows(code: str, month: str, boys: int, girls: int) -> list[tuple]:
    return [(code, month, "M", 1, "25-29", None, boys), (code, month, "F", 1, "25-29", None, girls)]


def three_townships(out: Path, cutoff: str = "2024-03") -> Path:
    """Cut-off March 2024; births targets of 1,200 for 2024 (a floor: higher is better since 2021).

    2023: every township 50 boys + 50 girls in every month, so the seasonal share of a year's
    births by March is 900 / 3,600 = 0.25 and by February 600 / 3,600 = 1/6: the target pro-rated
    is 1,200 x 0.25 = 300 in March and 1,200 / 6 = 200 in February.
    2024 (boys/girls per month): A 45/45, 50/50, 60/60 -> Feb 190 (< 200 at risk), Mar 310 (>= 300
    on track): back over the line. B 55/55, 50/50, 40/40 -> Feb 210 on track, Mar 290 at risk.
    C 75/75, 75/75, 150/0 -> Feb 300, Mar 450: on track both months, no crossing.
    """
    births = [r for code in (A, B, C) for m in range(1, 13) for r in month_rows(code, f"2023-{m:02d}", 50, 50)]
    per_month = {
        A: [(45, 45), (50, 50), (60, 60)],
        B: [(55, 55), (50, 50), (40, 40)],
        C: [(75, 75), (75, 75), (150, 0)],
    }
    births += [
        r
        for code, months in per_month.items()
        for m, (boys, girls) in enumerate(months, 1)
        for r in month_rows(code, f"2024-{m:02d}", boys, girls)
    ]
    return make_extract(
        out,
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian"), (C, "李集镇", "Liji")],
        births,
        [(code, year, 10_000) for code in (A, B, C) for year in (2023, 2024)],
        [(code, 2024, "births", 1200.0) for code in (A, B, C)],
        cutoff=cutoff,
    )


# The funnel: on 1-3 2024 the region has 600 boys of 1,050 births, p0 = 0.5714 (SRB 600/450 = 133.3).
# The 99.8 % limits are about p0 +/- 3.09 sqrt(p0 (1 - p0) / n): C in March (n = 450, p = 300/450 =
# 0.667) is above 0.571 + 0.072 = 0.643; in February (n = 300, p = 0.5) it was inside (> 0.571 - 0.088).
# A and B have p = 0.5 with n about 300 in both months: inside. Births of March against March 2023
# (100 each): C 150 (+50), A 120 (+20), B 80 (-20); the region 350 against 300 (+50).
EXPECTED = {
    "zh": (
        "上月以来的变化（2024年1-2月 → 2024年1-3月）",
        [
            "测试县3月出生 350 人，上年同月 300 人（+50）。",
            "出生人数越过目标线：王店乡由进度正常转为有风险；城关镇由有风险转为进度正常。",
            "出生性别比（1-3月累计，漏斗图99.8%控制限，参照值 133.3）：李集镇升到控制限以上，值得关注。",
            "3月出生人数较上年同月变化最大：李集镇 150 人（上年同月 100 人，+50）；"
            "城关镇 120 人（上年同月 100 人，+20）；王店乡 80 人（上年同月 100 人，-20）。",
        ],
    ),
    "en": (
        "Changes since last month (2024 Jan-Feb → 2024 Jan-Mar)",
        [
            "Test County: 350 births in Mar, against 300 in the same month last year (+50).",
            "Births, target line crossed: Wangdian from on track to at risk; Chengguan from at risk to on track.",
            "Sex ratio at birth (months 1-3, the funnel's 99.8% limits around 133.3): Liji rose above the limits, "
            "worth a look.",
            "Largest movements in Mar against the same month last year: Liji 150 (100 last year, +50); "
            "Chengguan 120 (100 last year, +20); Wangdian 80 (100 last year, -20).",
        ],
    ),
}


def panel(data: Path, lang: str) -> tuple[str, list[str]]:
    version = str(extract.live_version_dir(data))
    ctx = context_for(lang, version, extract.read_manifest(version))
    return monthly.overview_panel(ctx, scoring.region_scorecard(version, lang).registry, ctx.query)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_panel_of_a_hand_worked_extract(tmp_path, lang):
    assert panel(three_townships(tmp_path / "x"), lang) == EXPECTED[lang]


def test_crossings_and_moves_as_tables(tmp_path):
    version = str(extract.live_version_dir(three_townships(tmp_path / "x")))
    now = db.run_query("map_township_year", version, year=2024, last_month=3)
    before = db.run_query("map_township_year", version, year=2024, last_month=2)
    registry = scoring.region_scorecard(version, "en").registry
    targets = db.run_query("scorecard_targets", version)
    # Linear pro-rating (no fractions given) is the same here: 3/12 and 2/12.
    crossed = monthly.target_crossings(now, before, targets, registry, 2024, 3)
    assert crossed.rows() == [(A, "births", "at_risk", "on_track"), (B, "births", "on_track", "at_risk")]
    assert monthly.largest_moves(now, before, top=2).rows() == [(C, 150, 100, 50), (A, 120, 100, 20)]
    funnel, reference = monthly.funnel_changes(now, before)
    assert funnel.rows() == [(C, "expected", "above")]
    assert reference == pytest.approx(100 * 600 / 450)


def test_one_scan_gives_both_months_as_map_township_year_does(tmp_path):
    version = str(extract.live_version_dir(three_townships(tmp_path / "x")))
    now, before = monthly.split_months(db.run_query("township_month_changes", version, year=2024, month=3))
    # A: 2024 Jan-Mar 155 boys + 155 girls = 310, Jan-Feb 95 + 95 = 190; 2023: 300 and 200 births.
    assert now.row(0) == (A, 310, 155, 155, 0, 310, 300, 10_000)
    assert before.row(0) == (A, 190, 95, 95, 0, 190, 200, 10_000)
    for frame, last_month in ((now, 3), (before, 2)):
        two_scans = db.run_query("map_township_year", version, year=2024, last_month=last_month)
        assert frame.equals(two_scans.select(frame.columns))


def test_a_january_cutoff_has_no_month_to_compare(tmp_path):
    data = three_townships(tmp_path / "x", cutoff="2024-01")
    assert panel(data, "en") == (
        "Changes since last month",
        ["The data end in January 2024: there is no earlier month this year to compare with yet."],
    )


def test_long_lists_of_townships_are_cut_and_counted():
    names = {str(i): f"T{i}" for i in range(7)}
    assert monthly._names([str(i) for i in range(7)], names, "en") == "T0, T1, T2, T3, T4 and 2 more"
    assert monthly._names([str(i) for i in range(7)], names, "zh") == "T0、T1、T2、T3、T4等7个乡镇"


def test_at_the_cutoff_the_verdicts_are_the_scorecards(demo_data):
    """The panel judges the cut-off month with the scorecard's rules: the same statuses as the
    Scorecard page for every township and indicator the counts give (births, birth rate, SRB)."""
    version = str(extract.live_version_dir(demo_data))
    data = scoring.region_scorecard(version, "en")
    year, month = scoring.cutoff(version)
    now = db.run_query("map_township_year", version, year=year, last_month=month)
    fraction = scoring.year_fraction(data.registry, (year, month), version)
    values = monthly._values(now, data.registry, year)
    mine = scoring.judge(values, db.run_query("scorecard_targets", version), data.registry, (year, month), fraction)
    keys = ["township_code", "indicator"]
    theirs = data.status_for(year).select(*keys, "status")
    joined = theirs.join(mine.filter(pl.col("year") == year).select(*keys, mine="status"), on=keys, how="left")
    assert set(joined["indicator"]) == {"births", "birth_rate", "srb"}
    assert joined.filter(pl.col("status") != pl.col("mine")).is_empty()
    assert joined.filter(pl.col("status") == "at_risk").height > 0  # some verdicts that could cross


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_shows_the_panel_for_the_cutoff_year_only(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("NATALITY_DATA", str(three_townships(tmp_path / "x")))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception and not at.error
    heading, sentences = EXPECTED[lang]
    assert heading in [h.value for h in at.subheader]
    assert "\n".join(f"- {s}" for s in sentences) in [m.value for m in at.markdown]
    at.selectbox(key="year").select(2023).run()
    assert heading not in [h.value for h in at.subheader]
