"""Scoring of a hand-made extract: every verdict below is worked out by hand.

Four townships, years 2019 and 2020 complete, 2021 partial (cut-off 2021-06), default registry.
Weights (natality/indicators.yaml): births 20, birth_rate 10, srb 25, policy_compliance 15,
stats_accuracy 10. Births and birth rate: lower is better to 2020, higher from 2021.

2020 (targets: births, srb <= 107, policy_compliance >= 90, stats_accuracy >= 95; D has no
stats_accuracy target):
  A  births 210 <= 250 met; SRB 110/100 = 110.0 is above 107 but its 95 % interval 84.0-144.1
     includes 107 -> met (interval judging); compliance 200/210 = 95.2 % met; accuracy 98 % met
     -> 70/70 = 100.0, advanced.
  B  births 500 <= 550 met; SRB 300/200 = 150.0, interval 125.5-179.3 wholly above 107 -> missed,
     VETO; compliance 480/500 = 96 % met; accuracy 96 % met -> (20+15+10)/70 = 64.3, but vetoed:
     class key_management and ranked after every township that is not vetoed.
  Births earn proportional credit down to a floor 10 % beyond the target, compliance 10 points below
  it; every miss below is past its floor, so it earns nothing.
  C  births 100 > 90 missed (floor 99); SRB on 100 births < 200 -> not judged (small denominator);
     compliance 90/100 = 90.0 % >= 90 met (the boundary counts); accuracy on 45 audited < 50 ->
     not judged -> 15/35 = 42.9.
  D  births 120 > 100 missed; SRB on 120 births not judged; compliance 110/120 = 91.7 % met;
     accuracy: no target -> not judged -> 15/35 = 42.9, tied with C: both rank 2.
  Ranks: A 1, C 2, D 2, B 4.
2019 (only births targets, 100 births each): A, B, D met (target 120) -> 100, rank 1; C missed
  (target 50) -> 0, rank 4. Rank change 2019 -> 2020: A 0, B 1-4 = -3, C 4-2 = +2, D 1-2 = -1.
Every complete year has 40 % of its births in March and 60 % in September, so by the June
cut-off a year is 40 % done (seasonal pro-rating; linear would say 6/12).
2021 (January-June, higher is better): A births 130 vs 240 x 0.4 = 96 on track; birth rate
  130/10,000 x 1000 = 13 per mille annualised / 0.4 = 32.5 >= 25 on track -> 100. B births 90 <
  96 at risk; birth rate 9 / 0.4 = 22.5 < 25 at risk -> 0. C and D have no 2021 target: not scored.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from natality.scorecard import scoring
from natality.scorecard.indicators import DEFAULT_REGISTRY, load_registry

A, B, C, D = (f"990001{n}000" for n in (101, 102, 103, 104))
ROOT = Path(__file__).resolve().parent.parent


def _births(code: str, month: date, boys: int, girls: int, compliant: int | None = None) -> list[dict]:
    """Rows for one township-month; ``compliant`` births are policy-compliant, the rest not."""
    rows = []
    for sex, n in (("M", boys), ("F", girls)):
        if compliant is None:
            rows.append((sex, None, n))
            continue
        ok = min(n, compliant)
        compliant -= ok
        rows += [(sex, True, ok), (sex, False, n - ok)]
    return [
        {
            "township_code": code,
            "month": month,
            "sex": sex,
            "birth_order": 1,
            "mother_age_band": "25-29",
            "policy_compliant": flag,
            "births": n,
        }
        for sex, flag, n in rows
        if n > 0
    ]


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring") / "ext"
    root.mkdir()
    pl.DataFrame(
        {
            "township_code": [A, B, C, D],
            "name": ["东镇", "西乡", "东镇", "北乡"],
            "name_en": ["Dong", "Xi", "Dong", "Bei"],
            "parent_code": ["990001", "990001", "990002", "990001"],
        }
    ).write_parquet(root / "townships.parquet")
    births = []
    # Every complete year: 40 % of the births in March (by the June cut-off), 60 % in September.
    for code in (A, B, C, D):
        births += _births(code, date(2019, 3, 1), 20, 20) + _births(code, date(2019, 9, 1), 30, 30)
    for code, boys, girls, compliant in ((A, 110, 100, 200), (B, 300, 200, 480), (C, 50, 50, 90), (D, 60, 60, 110)):
        births += _births(code, date(2020, 3, 1), boys * 2 // 5, girls * 2 // 5, compliant * 2 // 5)
        births += _births(code, date(2020, 9, 1), boys * 3 // 5, girls * 3 // 5, compliant * 3 // 5)
    births += _births(A, date(2021, 2, 1), 70, 60)
    births += _births(B, date(2021, 5, 1), 45, 45)
    pl.DataFrame(births).cast({"birth_order": pl.Int8, "births": pl.Int64}).write_parquet(root / "births.parquet")
    pl.DataFrame({"township_code": [A, B], "year": [2021, 2021], "population": [10_000, 10_000]}).write_parquet(
        root / "population.parquet"
    )
    pl.DataFrame(
        [
            (A, 2020, "stats_accuracy", 98.0, 100.0),
            (B, 2020, "stats_accuracy", 96.0, 100.0),
            (C, 2020, "stats_accuracy", 40.0, 45.0),
            (D, 2020, "stats_accuracy", 90.0, 100.0),
        ],
        schema=["township_code", "year", "indicator", "numerator", "denominator"],
        orient="row",
    ).write_parquet(root / "reported.parquet")
    targets = [(code, 2019, "births", 50.0 if code == C else 120.0) for code in (A, B, C, D)]
    targets += [
        (A, 2020, "births", 250.0),
        (B, 2020, "births", 550.0),
        (C, 2020, "births", 90.0),
    ]
    targets += [(D, 2020, "births", 100.0)]
    for code in (A, B, C, D):
        targets += [(code, 2020, "srb", 107.0), (code, 2020, "policy_compliance", 90.0)]
    targets += [(code, 2020, "stats_accuracy", 95.0) for code in (A, B, C)]
    for code in (A, B):
        targets += [(code, 2021, "births", 240.0), (code, 2021, "birth_rate", 25.0)]
    targets.append(("990001", 2020, "srb", 107.0))  # the county's own target: not a township row
    pl.DataFrame(targets, schema=["township_code", "year", "indicator", "target"], orient="row").cast(
        {"year": pl.Int32}
    ).write_parquet(root / "targets.parquet")
    manifest = {
        "format_version": 1,
        "region_name": "测试县",
        "region_name_en": "Test County",
        "region_code": "990001",
        "cutoff_month": "2021-06",
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def _status(extract_dir, year: int) -> dict[tuple[str, str], dict]:
    table = scoring.indicator_status(year, extract_dir, "en")
    return {(r["township_code"], r["indicator"]): r for r in table.iter_rows(named=True)}


def test_scorecard_2020_scores_ranks_classes_and_veto(extract_dir):
    card = scoring.scorecard(2020, extract_dir, "en")
    rows = card.select("township_code", "score", "rank", "class", "vetoed", "rank_change").rows()
    assert rows == [
        (A, 100.0, 1, "advanced", False, 0),
        (C, 42.9, 2, "key_management", False, 2),
        (D, 42.9, 2, "key_management", False, -1),
        (B, 64.3, 4, "key_management", True, -3),
    ]
    veto = card.filter(pl.col("township_code") == B)["veto_reason"][0]
    assert veto.startswith("Vetoed: Sex ratio at birth: 150.0")
    assert "125.5–179.3" in veto and "≤ 107.0" in veto
    assert card.filter(pl.col("township_code") != B)["veto_reason"].null_count() == 3


def _fields(row: dict, *names: str) -> tuple:
    return tuple(row[name] for name in names)


def test_verdicts_2020(extract_dir):
    s = _status(extract_dir, 2020)
    assert _fields(s[A, "births"], "status", "value", "target") == ("met", 210, 250)
    # Interval judging: the point 110 is above the limit 107, the interval is not.
    assert _fields(s[A, "srb"], "status", "reason_code") == ("met", "interval_noise")
    assert s[A, "srb"]["low"] == pytest.approx(83.973, abs=1e-3)
    assert s[A, "srb"]["high"] == pytest.approx(144.094, abs=1e-3)
    assert _fields(s[B, "srb"], "status", "reason_code") == ("missed", "interval_missed")
    assert s[B, "srb"]["low"] == pytest.approx(125.456, abs=1e-3)
    assert _fields(s[C, "srb"], "status", "reason_code") == ("not_judged", "small_denominator")
    assert s[C, "srb"]["reason"] == "Only 100 in the denominator (fewer than 200): too few to judge"
    assert _fields(s[C, "stats_accuracy"], "status", "denominator") == ("not_judged", 45)
    assert _fields(s[C, "policy_compliance"], "status", "value") == ("met", 90.0)
    assert _fields(s[C, "births"], "status", "reason_code") == ("missed", "point_missed")
    assert s[C, "births"]["reason"] == "100 births against a target of ≤ 90: missed"
    assert _fields(s[D, "stats_accuracy"], "status", "reason_code") == ("not_judged", "no_target")
    assert s[D, "policy_compliance"]["value"] == pytest.approx(100 * 110 / 120)
    # Indicators without any 2020 target (birth rate, third births, contraception) are not listed.
    assert {ind for _, ind in s} == {
        "births",
        "srb",
        "policy_compliance",
        "stats_accuracy",
    }


def test_partial_year_prorates_annual_totals_and_annualises_rates(extract_dir):
    s = _status(extract_dir, 2021)
    births_a = s[A, "births"]
    # Seasonal pro-rating: 40 % of 2019's and 2020's births fell in January-June.
    assert (births_a["status"], births_a["value"], births_a["target"], births_a["target_annual"]) == (
        "on_track",
        130,
        pytest.approx(96),
        240,
    )
    assert births_a["reason"] == (
        "January to month 6; the annual target 240 × 40.0% (the share of a year's births usually born by then)"
        " = 96. 130 births against a target of ≥ 96: on track"
    )
    assert (s[A, "birth_rate"]["status"], s[A, "birth_rate"]["value"]) == ("on_track", pytest.approx(32.5))
    assert (s[B, "births"]["status"], s[B, "birth_rate"]["status"]) == ("at_risk", "at_risk")
    assert s[B, "birth_rate"]["value"] == pytest.approx(22.5)
    card = scoring.scorecard(2021, extract_dir, "en")
    rows = card.select("township_code", "score", "rank", "class", "vetoed").rows()
    # B at risk on both, but births earn proportional credit (floor 10 % of the target): births 90
    # vs 96, floor gap 9.6 -> 1 - 6 / 9.6 = 0.375 x 20 = 7.5; birth rate 22.5 vs 25, gap 2.5 is the
    # whole floor -> 0 -> 7.5 / 30 = 25.0.
    assert rows == [
        (A, 100.0, 1, "advanced", False),
        (B, 25.0, 2, "key_management", False),
        (C, None, None, None, False),
        (D, None, None, None, False),
    ]


def test_partial_year_linear_prorating(extract_dir):
    # The same extract with prorate: linear -> 6/12 of the year: B's 90 births vs 120.
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8").replace("prorate: seasonal", "prorate: linear")
    (extract_dir / "indicators.yaml").write_text(text, encoding="utf-8")
    try:
        s = _status(extract_dir, 2021)
    finally:
        (extract_dir / "indicators.yaml").unlink()
    assert (s[A, "births"]["target"], s[A, "births"]["status"]) == (120, "on_track")
    assert s[A, "births"]["reason"].startswith("January to month 6; the annual target 240 × 50.0% (6/12) = 120.")
    assert (s[A, "birth_rate"]["value"], s[B, "birth_rate"]["value"]) == (pytest.approx(26.0), pytest.approx(18.0))
    assert (s[B, "births"]["target"], s[B, "births"]["status"]) == (120, "at_risk")


def test_year_2019_and_rank_ties(extract_dir):
    card = scoring.scorecard(2019, extract_dir, "zh")
    assert card.select("township_code", "score", "rank").rows() == [
        (A, 100.0, 1),
        (B, 100.0, 1),
        (D, 100.0, 1),
        (C, 0.0, 4),
    ]
    assert card["rank_change"].to_list() == [None] * 4


def test_year_without_targets_is_not_scored(extract_dir):
    assert scoring.scorecard(2018, extract_dir).height == 0
    assert scoring.indicator_status(2018, extract_dir).height == 0


def test_repeated_names_show_parent(extract_dir):
    names = dict(scoring.township_names(extract_dir, "zh").rows())
    assert names == {A: "东镇 (990001)", B: "西乡", C: "东镇 (990002)", D: "北乡"}


def test_chinese_reasons_and_class_labels(extract_dir):
    card = scoring.scorecard(2020, extract_dir, "zh")
    assert card["class_label"].to_list() == ["先进", "重点管理", "重点管理", "重点管理"]
    assert card["veto_reason"][3].startswith("一票否决：出生人口性别比：150.0")


def test_extract_registry_wins(extract_dir, tmp_path):
    # Same extract, but a registry whose births credit has no floor: a miss earns value vs target.
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8").replace("    floor: {percent: 10}\n", "", 1)
    (extract_dir / "indicators.yaml").write_text(text, encoding="utf-8")
    try:
        assert load_registry(extract_dir).indicator("births").floor is None
        card = scoring.scorecard(2020, extract_dir, "en")
        # C: births 100 vs <= 90 -> achievement 0.9 -> 20 x 0.9 = 18, + policy 15 -> 33/35 = 94.3.
        assert card.filter(pl.col("township_code") == C)["score"][0] == 94.3
    finally:
        (extract_dir / "indicators.yaml").unlink()
    assert load_registry(extract_dir).indicator("births").floor == ("percent", 10.0)


def test_all_or_nothing_per_indicator(extract_dir):
    # Births all-or-nothing again (one indicator's choice); 2021's B then earns nothing for births
    # 90 vs 96 (at risk), and its birth rate (22.5 vs 25, at the floor) nothing either: 0 / 30 = 0.0.
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8").replace(
        "credit: proportional\n    floor: {percent: 10}\n", "credit: all_or_nothing\n", 1
    )
    (extract_dir / "indicators.yaml").write_text(text, encoding="utf-8")
    try:
        assert load_registry(extract_dir).indicator("births").credit == "all_or_nothing"
        card = scoring.scorecard(2021, extract_dir, "en")
        assert card.filter(pl.col("township_code") == B)["score"][0] == 0.0
    finally:
        (extract_dir / "indicators.yaml").unlink()


def test_cli_query_scorecard_returns_the_page_table(extract_dir):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "natality",
            "query",
            "scorecard",
            "--data",
            str(extract_dir),
            "-p",
            "year=2020",
            "-p",
            "lang=en",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    rows = json.loads(out.stdout)
    assert rows == scoring.scorecard(2020, extract_dir, "en").to_dicts()
    assert [(r["township_code"], r["rank"], r["vetoed"]) for r in rows] == [
        (A, 1, False),
        (C, 2, False),
        (D, 2, False),
        (B, 4, True),
    ]
    bad = subprocess.run(
        [sys.executable, "-m", "natality", "query", "scorecard", "--data", str(extract_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "year=YYYY" in bad.stderr


def test_demo_county_2019_and_partial_2026(demo_data):
    data = scoring.scorecard_data(demo_data, "zh")
    card = data.card_for(2019)
    assert card.height == 19
    assert card.select("score", "rank", "class").null_count().row(0) == (0, 0, 0)
    vetoed = card.filter(pl.col("vetoed"))
    assert vetoed.height >= 1 and vetoed["veto_reason"].str.starts_with("一票否决：出生人口性别比：").all()
    status = data.status_for(2026)
    births = status.filter(pl.col("indicator") == "births")
    # Seasonal pro-rating: the demo's winter peak makes January-September a bit under 9/12.
    assert 0.70 < data.fraction < 0.75
    assert (births["target"] - births["target_annual"] * data.fraction).abs().max() < 1e-9
    assert set(status["status"]) <= {"on_track", "at_risk", "not_judged"}
    assert {"on_track", "at_risk"} <= set(births["status"])


def test_verdict_table_shows_points_earned(extract_dir):
    from natality.scorecard import table as scorecard_table

    status = scoring.indicator_status(2021, extract_dir, "en").filter(pl.col("township_code") == B)
    shown = scorecard_table.verdict_table(status, "en")
    # B 2021: births 90 vs 96 at risk, 1 - 6 / 9.6 = 0.375 of 20 = 7.5; birth rate at its floor: 0.
    assert shown.select("Indicator", "Verdict", "Points earned", "Weight").rows() == [
        ("Births", "! at risk", 7.5, 20.0),
        ("Birth rate", "! at risk", 0.0, 10.0),
    ]


def test_judge_one_partial_year_by_hand():
    registry = load_registry(path=DEFAULT_REGISTRY)
    births, rate = registry.indicator("births"), registry.indicator("birth_rate")
    # births (lower is better, the target prorated): 6 of 12 months, no fraction given: 120 x 6 / 12 = 60;
    # 55 births so far are on track, achievement 60 / 55
    assert scoring.judge_one(births, 2020, 55, None, 120, months=6) == {
        "value": 55.0,
        "low": None,
        "high": None,
        "target": 60.0,
        "target_annual": 120,
        "direction": "lower",
        "status": "on_track",
        "reason_code": "point_met",
        "achievement": pytest.approx(60 / 55),
    }
    # the share of a year's births expected by June given (0.4): 120 x 0.4 = 48, and 55 is at risk
    june = scoring.judge_one(births, 2020, 55, None, 120, months=6, fraction=0.4)
    assert (june["target"], june["status"], june["reason_code"]) == (48.0, "at_risk", "point_missed")
    assert june["achievement"] == pytest.approx(48 / 55)
    # a whole year ignores the fraction: 55 against 120 is met
    year = scoring.judge_one(births, 2020, 55, None, 120, months=12, fraction=0.4)
    assert (year["target"], year["status"]) == (120, "met")
    # the birth rate annualised: 10 births among 4,000 people in 3 months = 2.5 per 1,000, x 12 / 3 = 10.0
    # per 1,000 a year, over the target 9: at risk, achievement 0.9; its interval is annualised alike
    q1 = scoring.judge_one(rate, 2020, 10, 4000, 9.0, months=3)
    full = scoring.judge_one(rate, 2020, 10, 4000, 9.0)
    assert (q1["value"], q1["status"], q1["reason_code"]) == (pytest.approx(10.0), "at_risk", "point_missed")
    assert q1["achievement"] == pytest.approx(0.9)
    assert (q1["low"], q1["high"]) == (pytest.approx(4 * full["low"]), pytest.approx(4 * full["high"]))
    assert full["value"] == pytest.approx(2.5) and full["low"] < 2.5 < full["high"]
    # without a target nothing is judged, and says why
    none = scoring.judge_one(births, 2020, 55, None, None)
    assert (none["status"], none["reason_code"], none["achievement"]) == ("not_judged", "no_target", None)
    # higher is better: the achievement is value / target (55 of a prorated 60: 0.9167, at risk)
    more = replace(births, directions=((0, "higher"),))
    up = scoring.judge_one(more, 2020, 55, None, 120, months=6)
    assert (up["status"], up["achievement"]) == ("at_risk", pytest.approx(55 / 60))


def test_credit_earned_by_hand():
    # target 100 (lower is better), floor 10 % of it: full credit at 100 falling to none at 110
    rows = pl.DataFrame(
        {
            "status": ["met", "missed", "at_risk", "missed", "missed", "at_risk", "not_judged"],
            "value": [90.0, 104.0, 104.0, 120.0, 104.0, 125.0, None],
            "target": [100.0] * 7,
            "direction": ["lower"] * 7,
            "achievement": [None, None, None, None, None, 0.8, None],
            "credit_rule": ["proportional"] * 4 + ["all_or_nothing"] + ["proportional"] * 2,
            "floor_kind": ["percent", "percent", "percent", "percent", "percent", None, "percent"],
            "floor_amount": [10.0, 10.0, 10.0, 10.0, 10.0, None, 10.0],
        }
    )
    credit = rows.select(scoring.credit_earned().alias("credit"))["credit"].to_list()
    # met: 1; 104 is 4 of the 10 short: 0.6, missed or (partial year) at risk alike; past the floor: 0;
    # all or nothing: 0; no floor: the achievement 0.8; not judged: 0
    assert credit == pytest.approx([1.0, 0.6, 0.6, 0.0, 0.0, 0.8, 0.0])


def test_for_townships_ranks_within_keeps_the_fraction_and_the_regions_own_targets(extract_dir):
    data = scoring.scorecard_data(extract_dir, "en")
    sub = data.for_townships([A, B], "990001")
    assert sub.townships == frozenset({A, B}) and sub.region_code == "990001"
    assert set(sub.status["township_code"]) == {A, B}
    # Ranked among A and B only, year by year: 2019 both 100 (tied first); 2020 A 100, B vetoed
    # (64.3, ranked last); 2021 A 100, B 25.0. Ordered by year, then rank.
    assert sub.card.select("township_code", "year", "rank", "prev_rank", "rank_change").rows() == [
        (A, 2019, 1, None, None),
        (B, 2019, 1, None, None),
        (A, 2020, 1, 1, 0),
        (B, 2020, 2, 1, -1),
        (A, 2021, 1, 1, 0),
        (B, 2021, 2, 2, 0),
    ]
    county = {(r["indicator"], r["year"]): r for r in sub.county.iter_rows(named=True)}
    # SRB 2020 over A and B: boys 110 + 300, girls 100 + 200 -> 410 / 300 = 136.7, against the
    # county's own target (a row of targets.parquet whose code is the county's, 990001)
    assert county["srb", 2020]["value"] == pytest.approx(100 * 410 / 300)
    assert county["srb", 2020]["target"] == 107.0
    # The birth rate of January-June 2021 annualised with the whole extract's seasonal share 0.4:
    # (130 + 90) births / 20,000 people x 1,000 = 11 per 1,000 by June, / 0.4 = 27.5 (not / 0.5)
    assert sub.fraction == pytest.approx(0.4)
    assert county["birth_rate", 2021]["value"] == pytest.approx(27.5)
    # Without a region code the reference values carry no target; one township alone ranks first
    alone = data.for_townships([B])
    county = {(r["indicator"], r["year"]): r for r in alone.county.iter_rows(named=True)}
    assert (county["srb", 2020]["value"], county["srb", 2020]["target"]) == (pytest.approx(150.0), None)
    assert county["birth_rate", 2021]["value"] == pytest.approx(22.5)  # 90 / 10,000 x 1,000 / 0.4
    assert alone.card.select("year", "rank").rows() == [(2019, 1), (2020, 1), (2021, 1)]


def test_scorecard_query_in_each_language(extract_dir):
    english = scoring.scorecard_query(extract_dir, "2020", "en")
    assert english.equals(scoring.scorecard(2020, extract_dir, "en"))
    assert english["class_label"].to_list() == ["Advanced", "Key management", "Key management", "Key management"]
    assert scoring.scorecard_query(extract_dir, 2020).equals(scoring.scorecard(2020, extract_dir, "zh"))
    with pytest.raises(scoring.QueryError, match=r"year=YYYY \(e\.g\. -p year=2019\), got '20x'"):
        scoring.scorecard_query(extract_dir, "20x")
    (extract_dir / "indicators.yaml").write_text("indicators: [1, 2]\n", encoding="utf-8")
    try:
        with pytest.raises(scoring.QueryError, match=r"indicators\.yaml"):
            scoring.scorecard_query(extract_dir, "2020", "en")
    finally:
        (extract_dir / "indicators.yaml").unlink()


def test_township_names_fall_back_and_tell_apart_by_code(tmp_path):
    from tests.factory import make_extract

    t1, t2, t3 = "419901101000", "419901102000", "419901103000"
    towns = [(t1, "东镇", "Dong"), (t2, "东镇", "Dong"), (t3, "西乡", None)]
    data = make_extract(tmp_path / "ext", towns, [(t1, "2024-01", "M", 1, "25-29", None, 1)])
    # The same name under the same parent (419901, not itself a township: its code stands for its
    # name): "name (parent)" is still repeated, so each shows its own code; no English name: the Chinese
    assert scoring.township_names(data, "en").rows() == [
        (t1, f"Dong (419901) [{t1}]"),
        (t2, f"Dong (419901) [{t2}]"),
        (t3, "西乡"),
    ]
    assert scoring.township_names(data, "zh")["township_name"].to_list() == [
        f"东镇 (419901) [{t1}]",
        f"东镇 (419901) [{t2}]",
        "西乡",
    ]


def test_estimates_over_columns_at_the_edges():
    from natality.scorecard import judging
    from natality.srb.stats import Z95

    z2 = Z95 * Z95
    rows = [  # numerator, denominator, formula, scale
        (0.0, 10.0, "rate", 100.0),  # no successes: low exactly 0, high z² / (n + z²)
        (10.0, 10.0, "rate", 100.0),  # all: low n / (n + z²), high exactly 1
        (12.0, 10.0, "rate", 100.0),  # more than the denominator: undefined
        (0.0, 0.0, "rate", 100.0),  # no denominator: undefined
        (None, 10.0, "rate", 100.0),  # no numerator
        (7.0, None, "count", 1.0),  # a count has no interval
        (3.0, 3.0, "srb", 100.0),  # 3 boys, no girl: no SRB; low 100 x s / (1 - s), s = 3 / (3 + z²)
        (0.0, 4.0, "srb", 100.0),  # 4 girls: SRB 0, low 0, high 100 x z² / 4
    ]
    frame = pl.DataFrame(rows, schema=["numerator", "denominator", "formula", "scale"], orient="row")
    out = judging._with_estimates(frame)
    assert out.columns == ["numerator", "denominator", "formula", "scale", "value", "low", "high"]
    got = out.select("value", "low", "high").rows()
    expected = [
        (0.0, 0.0, 100 * z2 / (10 + z2)),
        (100.0, 100 * 10 / (10 + z2), 100.0),
        (None, None, None),
        (None, None, None),
        (None, None, None),
        (7.0, None, None),
        (None, 100 * 3 / z2, None),
        (0.0, 0.0, 100 * z2 / 4),
    ]
    assert got == [tuple(None if v is None else pytest.approx(v, rel=1e-12) for v in row) for row in expected]


def test_a_target_of_zero_is_met_by_none_and_small_denominators_are_not_judged():
    share3p = load_registry(path=DEFAULT_REGISTRY).indicator("share_order3p")  # interval, lower is better
    # No third births among 300 against a target of 0 %: the interval 0-1.3 % starts at the target
    # itself, not above it: met (a "lower bound above the target" miss needs a bound above 0)
    none = scoring.judge_one(share3p, 2020, 0, 300, 0.0)
    assert (none["status"], none["reason_code"], none["value"], none["low"]) == ("met", "interval_met", 0.0, 0.0)
    assert none["achievement"] is None  # target / value is undefined at 0
    one = scoring.judge_one(share3p, 2020, 1, 300, 0.0)  # one third birth: the interval 0.06-1.9 % is above 0
    assert (one["status"], one["reason_code"]) == ("missed", "interval_missed")
    # 100 births < the minimum 200: not judged, and the reason says so
    small = scoring.judge_one(share3p, 2020, 5, 100, 10.0)
    assert (small["status"], small["reason_code"], small["value"]) == ("not_judged", "small_denominator", 5.0)


def test_judge_over_columns_by_hand():
    from natality.srb.stats import wilson_interval

    registry = load_registry(path=DEFAULT_REGISTRY)
    values = pl.DataFrame(
        [
            ("T", 2020, "share_order3p", 0.0, 300.0),
            ("T", 2021, "births", 130.0, None),
            ("T", 2021, "birth_rate", 130.0, 10_000.0),
        ],
        schema=scoring.VALUE_SCHEMA,
        orient="row",
    )
    targets = pl.DataFrame(
        [
            ("T", 2020, "share_order3p", 0.0),
            ("T", 2020, "srb", 107.0),
            ("T", 2021, "births", 240.0),
            ("T", 2021, "birth_rate", 25.0),
            ("U", 2021, "births", 10.0),
        ],
        schema=["township_code", "year", "indicator", "target"],
        orient="row",
    )
    out = scoring.judge(values, targets, registry, (2021, 6), 0.4)
    low, high = wilson_interval(130, 10_000)
    # U has a target but no value of any kind: not a township of the extract, left out. T's SRB
    # has a target and no value: kept, not judged (no data). Share of third births 0 of 300 vs 0 %:
    # met. January-June 2021 with 40 % of a year's births expected by June: births 130 against
    # 240 x 0.4 = 96 (higher is better from 2021) on track; the birth rate 130 / 10,000 x 1,000 = 13
    # per 1,000 in half a year, annualised / 0.4 = 32.5 (interval alike) against 25: on track.
    cols = ("township_code", "year", "indicator", "value", "low", "high", "target", "status", "reason_code", "months")
    assert out.select(cols).rows() == [
        (
            "T",
            2020,
            "share_order3p",
            0.0,
            0.0,
            pytest.approx(100 * 1.959964**2 / (300 + 1.959964**2)),
            0.0,
            "met",
            "interval_met",
            12,
        ),
        ("T", 2020, "srb", None, None, None, 107.0, "not_judged", "no_data", 12),
        (
            "T",
            2021,
            "birth_rate",
            pytest.approx(32.5),
            pytest.approx(1000 * low / 0.4),
            pytest.approx(1000 * high / 0.4),
            25.0,
            "on_track",
            "point_met",
            6,
        ),
        ("T", 2021, "births", 130.0, None, None, pytest.approx(96.0), "on_track", "point_met", 6),
    ]
    assert out["fraction"].to_list() == [1.0, 1.0, 0.4, 0.4]


def test_ranked_with_and_without_vetoed_last():
    from natality.scorecard import ranking

    scored = pl.DataFrame(
        {
            "township_code": ["A", "B", "C", "A", "B", "C"],
            "year": [2019] * 3 + [2020] * 3,
            "score": [50.5, 50.0, 50.0, 10.0, 90.0, None],
            "vetoed": [False, True, False, False, False, False],
        },
    )
    registry = load_registry(path=DEFAULT_REGISTRY)
    cols = ("township_code", "year", "rank", "tied", "prev_rank", "rank_change")
    # 2019: B's veto puts it below C though both have 50.0 (vetoed townships rank last); 2020: no
    # veto, B first; C has no score, no rank
    assert ranking._ranked(scored, registry).select(cols).rows() == [
        ("A", 2019, 1, False, None, None),
        ("B", 2019, 3, False, None, None),
        ("C", 2019, 2, False, None, None),
        ("A", 2020, 2, False, 1, -1),
        ("B", 2020, 1, False, 3, 2),
        ("C", 2020, None, False, 2, None),
    ]
    # Without "vetoed rank last" the veto does not move B: tied with C at 2
    flat = ranking._ranked(scored, replace(registry, vetoed_rank_last=False)).filter(pl.col("year") == 2019)
    assert flat.select("township_code", "rank", "tied").rows() == [("A", 1, False), ("B", 2, True), ("C", 2, True)]


def test_stored_scorecard_reads_back_with_its_values_and_decimals(extract_dir):
    import shutil

    from natality.core import extract

    shutil.rmtree(extract.live_version_dir(extract_dir) / "derived", ignore_errors=True)
    scoring.clear_cache()
    computed = scoring.scorecard_data(extract_dir, "en")  # computed and stored
    scoring.clear_cache()
    read = scoring.scorecard_data(extract_dir, "en")  # read back from derived/
    assert read is not computed and read.simulation.decimals == computed.simulation.decimals == 1
    assert read.values.equals(computed.values) and read.region_targets.equals(computed.region_targets)
    assert read.card.equals(computed.card) and read.for_townships([A, B], "990001").county.equals(
        computed.for_townships([A, B], "990001").county
    )
    # region_scorecard without a language is the Chinese scorecard
    assert scoring.region_scorecard(extract_dir).card.equals(scoring.scorecard_data(extract_dir, "zh").card)
    # a region's scorecard carries the region's own targets (990001: SRB 107 in 2020)
    county = scoring.region_scorecard(extract_dir, "en", "990001").county
    assert county.filter((pl.col("indicator") == "srb") & (pl.col("year") == 2020))["target"].to_list() == [107.0]


def test_estimate_and_judge_one_edges():
    registry = load_registry(path=DEFAULT_REGISTRY)
    share3p, srb = registry.indicator("share_order3p"), registry.indicator("srb")
    # no denominator, or none at all: nothing to estimate
    assert scoring.estimate(share3p, 0, 0) == scoring.estimate(share3p, 5, None) == (None, None, None)
    # SRB 110 boys / 100 girls = 110.0 above 107, its interval reaching below: met, as noise
    noise = scoring.judge_one(srb, 2020, 110, 210, 107.0)
    assert (noise["status"], noise["reason_code"]) == ("met", "interval_noise")
    # lower is better and a value under 1: 1 third birth of 300 = 0.333 % against 1 %: achievement 3
    low = scoring.judge_one(replace(share3p, judge="point"), 2020, 1, 300, 1.0)
    assert (low["status"], low["achievement"]) == ("met", pytest.approx(3.0))


def test_credit_with_a_floor_under_one_and_a_target_of_zero():
    # floor 0.5 points beyond a target of 100 (lower is better): 100.2 is 0.2 short -> 1 - 0.2 / 0.5 = 0.6
    rows = pl.DataFrame(
        {
            "status": ["missed"],
            "value": [100.2],
            "target": [100.0],
            "direction": ["lower"],
            "achievement": [None],
            "credit_rule": ["proportional"],
            "floor_kind": ["points"],
            "floor_amount": [0.5],
        },
        schema_overrides={"achievement": pl.Float64},
    )
    assert rows.select(scoring.credit_earned().alias("c"))["c"].to_list() == [pytest.approx(0.6)]
    # higher is better against a target of 0: met, and no achievement (value / 0 is undefined)
    registry = load_registry(path=DEFAULT_REGISTRY)
    values = pl.DataFrame([("T", 2020, "policy_compliance", 50.0, 100.0)], schema=scoring.VALUE_SCHEMA, orient="row")
    targets = pl.DataFrame(
        [("T", 2020, "policy_compliance", 0.0)], schema=["township_code", "year", "indicator", "target"], orient="row"
    )
    out = scoring.judge(values, targets, registry, (2020, 12))
    assert out.select("status", "achievement", "credit").rows() == [("met", None, 1.0)]


def test_fraction_for_prepare_and_region_code(extract_dir):
    import shutil

    from natality.core import extract
    from natality.scorecard import stored

    derived = extract.live_version_dir(extract_dir) / "derived"
    shutil.rmtree(derived, ignore_errors=True)
    scoring.clear_cache()
    scoring.prepare(extract_dir)  # both languages computed and stored
    names = sorted(p.name for p in derived.iterdir())
    key = stored.key(scoring._stamp(extract_dir))
    assert names == [key, key + "-en", key + "-zh"]
    data = scoring.scorecard_data(extract_dir, "zh")
    assert data.region_code == "990001"  # the manifest's region, whose own targets county carries
    # cut-off 2021-06: 2021 has 6 months and the seasonal share 0.4; other years are whole
    assert (data.fraction_for(2021), data.fraction_for(2020), data.fraction_for(6)) == ((6, 0.4), (12, 1.0), (12, 1.0))
