"""Rank intervals from the indicators' sampling error, and rank changes that are only called when
the intervals say so. A hand-made extract, every expected value worked out below.

Four townships; only births are scored (lower is better to 2020; proportional credit, floor 10 %
of the target). County 419901 holds T1, T2, T3; county 419902 holds T4. Births are drawn as
Poisson in the simulation.

            2018                 2019                 2020
        births target score  births target score  births target score
  T1     2,000  1,000   0.0     100    200  100.0     100    200  100.0
  T2     1,005    990  84.8   1,005    990   84.8   1,000    990   89.9
  T3     1,000    990  89.9   1,000    990   89.9   1,005    990   84.8
  T4       100    200 100.0     100    200  100.0     100    200  100.0

Scores: 1,000 vs <= 990 is 10 over a floor gap of 99 -> 1 - 10/99 = 0.899 -> 89.9; 1,005 is 15
over -> 1 - 15/99 = 0.848 -> 84.8; 2,000 vs <= 1,000 is past the floor (1,100) -> 0.

Within county 419901:
- T1 in 2019 and 2020 is far ahead: Poisson(100) never comes near 200, so it scores 100 in every
  draw and ranks 1 in every draw (a tie at 100 still ranks 1): interval 1-1, width 0. In 2018
  Poisson(2,000) never falls to 1,100: 0 in every draw, and T2 / T3 fall to 0 only above 1,089
  births (2.8 sd, 0.25 % of draws): rank 3 (3-3). 2018 -> 2019: 3 -> 1, intervals 3-3 and 1-1 do
  not overlap: a sure change (+2). 2019 -> 2020: 1 -> 1, no change.
- T2 and T3 cannot be told apart: each draws 990 births or fewer (a full score, tied first with
  T1) in about 38 % of draws (P(Poisson(1,000) <= 990), z = -0.3), and is beaten by the other in
  about 40 %: in 2019 and 2020 each ranks 1-3. They swap places 2019 -> 2020 (T3 2 -> 3, T2 3 -> 2),
  but the intervals overlap: not a change (≈ on the page). In 2018 (no T1 above them) each is
  1-2.
Whole extract (T4 added, always 100): 2019 and 2020 T1 and T4 tie at rank 1 (shown =1), T2 and
T3 then rank 3 and 4 and each 1-4 (first whenever it draws <= 990).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from natality.scorecard import scoring, uncertainty
from natality.scorecard import table as scorecard_table
from natality.scorecard.indicators import DEFAULT_REGISTRY, load_registry
from tests.apptest_pages import open_boxes, open_page
from tests.factory import make_extract

T1, T2, T3 = (f"419901{n}000" for n in (101, 102, 103))
T4 = "419902101000"
BIRTHS = {
    2018: {T1: 2000, T2: 1005, T3: 1000, T4: 100},
    2019: {T1: 100, T2: 1005, T3: 1000, T4: 100},
    2020: {T1: 100, T2: 1000, T3: 1005, T4: 100},
}
TARGETS = {2018: {T1: 1000.0, T2: 990.0, T3: 990.0, T4: 200.0}}
TARGETS[2019] = TARGETS[2020] = {T1: 200.0, T2: 990.0, T3: 990.0, T4: 200.0}


def build(root):
    births, targets = [], []
    for year, by_town in BIRTHS.items():
        for code, n in by_town.items():
            births += [
                (code, f"{year}-06", "M", 1, "25-29", None, n // 2),
                (code, f"{year}-06", "F", 1, "25-29", None, n - n // 2),
            ]
            targets.append((code, year, "births", TARGETS[year][code]))
    towns = [(T1, "东镇", "Dong"), (T2, "西乡", "Xi"), (T3, "南乡", "Nan"), (T4, "北镇", "Bei")]
    return make_extract(root, towns, births, targets=targets, cutoff="2020-12", region_code="419901")


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    return build(tmp_path_factory.mktemp("rank_uncertainty") / "ext")


COLUMNS = ("township_code", "score", "rank", "rank_low", "rank_high", "tied", "rank_change", "rank_change_sure")


def test_county_ranks_with_intervals(extract_dir):
    county = scoring.region_scorecard(extract_dir, "en", "419901")
    assert county.card_for(2018).select(COLUMNS).rows() == [
        (T3, 89.9, 1, 1, 2, False, None, None),
        (T2, 84.8, 2, 1, 2, False, None, None),
        (T1, 0.0, 3, 3, 3, False, None, None),
    ]
    assert county.card_for(2019).select(COLUMNS).rows() == [
        (T1, 100.0, 1, 1, 1, False, 2, True),  # far ahead, and a sure move up from 3-3
        (T3, 89.9, 2, 1, 3, False, -1, False),
        (T2, 84.8, 3, 1, 3, False, -1, False),
    ]
    assert county.card_for(2020).select(COLUMNS).rows() == [
        (T1, 100.0, 1, 1, 1, False, 0, False),
        (T2, 89.9, 2, 1, 3, False, 1, False),  # the swap with T3: within chance
        (T3, 84.8, 3, 1, 3, False, -1, False),
    ]


def test_whole_extract_ties_and_intervals(extract_dir):
    card = scoring.scorecard_data(extract_dir, "en").card_for(2020)
    assert card.select(COLUMNS[:6]).rows() == [
        (T1, 100.0, 1, 1, 1, True),
        (T4, 100.0, 1, 1, 1, True),
        (T2, 89.9, 3, 1, 4, False),
        (T3, 84.8, 4, 1, 4, False),
    ]


def test_reruns_agree(extract_dir):
    first = scoring.scorecard_data(extract_dir, "en").card
    scoring.clear_cache()
    again = scoring.scorecard_data(extract_dir, "en").card
    assert again is not first
    assert again.select("township_code", "year", "rank_low", "rank_high").equals(
        first.select("township_code", "year", "rank_low", "rank_high")
    )


def test_simulated_scores_follow_the_scoring_rules(extract_dir):
    sim = scoring.scorecard_data(extract_dir, "en").simulation
    keys = sim.keys.filter(pl.col("year") == 2019)
    column = dict(zip(keys["township_code"], keys["column"], strict=True))
    assert sim.ranking.shape == (uncertainty.DRAWS, 12)  # 4 townships x 3 scored years
    assert set(np.unique(sim.ranking[:, column[T1]])) == {100.0}  # never near its target
    t3 = sim.ranking[:, column[T3]]
    # Full marks whenever it draws <= 990 births: about 38 % of 200 draws (a wide margin here).
    assert 40 <= int((t3 == 100.0).sum()) <= 115
    assert t3.min() < 80.0 and t3.max() == 100.0


def test_draw_ranks_share_the_best_place_and_percentiles_are_outer_order_statistics():
    keys = np.array([[3, 1, 3, 2], [0, 0, 0, 5]], dtype=np.float32)
    assert uncertainty._draw_ranks(keys).tolist() == [[1, 4, 1, 3], [2, 2, 2, 1]]
    assert uncertainty._draw_ranks(keys, 1).tolist() == [[1, 4, 1, 3], [2, 2, 2, 1]]  # counted, not sorted
    # Scores of 0.1 steps, a tenth of them vetoed (1000 below), many ties: both ways agree.
    keys = np.round(np.random.default_rng(0).uniform(0, 100, (200, 500)), 1).astype(np.float32)
    keys[:, :50] -= 1000.0
    keys[:, 60:90] = keys[:, 90:120]
    assert np.array_equal(uncertainty._draw_ranks(keys, 1), uncertainty._draw_ranks(keys))
    assert uncertainty._draw_ranks(keys, 1)[:, :50].min() == 451  # every vetoed one below the other 450
    ranks = np.arange(1, 201).reshape(200, 1)  # ranks 1..200, one each
    # 5 %: floor(0.05 x 199) = 9 -> the 10th smallest (10); 95 %: ceil(0.95 x 199) = 190 -> 191.
    assert [int(v[0]) for v in uncertainty._percentiles(ranks)] == [10, 191]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((3, None, "en", 1, 7, None, False), "3 (1–7)"),
        ((3, 2, "en", 1, 2, True, False), "3 (1–2) ▲2"),
        ((3, -1, "en", 2, 5, False, False), "3 (2–5) ≈"),
        ((1, 0, "en", 1, 1, False, True), "=1 (1–1) ＝"),
        ((1, 0, "zh", 1, 1, False, True), "并列1 (1–1) ＝"),
        ((4, -2, "en", None, None, None, False), "4 ▼2"),  # no intervals: as before
        ((None, None, "en", None, None, None, False), "–"),
    ],
)
def test_rank_text(args, text):
    assert scorecard_table.rank_text(*args) == text


def test_rank_texts_over_columns_match_rank_text(extract_dir):
    card = scoring.scorecard_data(extract_dir, "zh").card
    for lang in ("zh", "en"):
        one = [
            scorecard_table.rank_text(
                r["rank"], r["rank_change"], lang, r["rank_low"], r["rank_high"], r["rank_change_sure"], r["tied"]
            )
            for r in card.iter_rows(named=True)
        ]
        assert scorecard_table.rank_texts(card, lang).to_list() == one
    assert "并列1 (1–1) ＝" in one or "=1 (1–1) ＝" in one


def _page(monkeypatch, extract_dir, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("NATALITY_DATA", str(extract_dir))
    return open_page(page, **params)


def _shown(frame) -> dict[str, str]:
    """Township -> the rank cell's text as the page shows it (the Styler's display values)."""
    shown = pa.ipc.open_stream(frame.proto.arrow_data.styler.display_values).read_all().to_pylist()
    head = {"en": ("Township", "Rank"), "zh": ("乡镇", "名次")}
    town, rank = next(h for h in head.values() if h[0] in shown[0])
    return {row[town]: row[rank] for row in shown}


@pytest.mark.parametrize(
    ("lang", "year", "expected"),
    [
        # The T2 / T3 swap of 2020 is within chance (≈); T1 stays first, far ahead (1-1).
        ("en", "2020", {"Dong": "1 (1–1) ＝", "Xi": "2 (1–3) ≈", "Nan": "3 (1–3) ≈"}),
        ("zh", "2020", {"东镇": "1 (1–1) ＝", "西乡": "2 (1–3) ≈", "南乡": "3 (1–3) ≈"}),
        # T1's climb from 3 (3-3) to 1 (1-1) is sure.
        ("en", "2019", {"Dong": "1 (1–1) ▲2", "Nan": "2 (1–3) ≈", "Xi": "3 (1–3) ≈"}),
    ],
)
def test_scorecard_page_shows_rank_intervals(monkeypatch, extract_dir, lang, year, expected):
    at = _page(monkeypatch, extract_dir, "pages/scorecard.py", lang=lang, year=year, region="419901")
    assert _shown(at.dataframe[0]) == expected
    assert not any("▲" in text or "▼" in text for text in expected.values() if "≈" in text)
    rules = next(e.value for e in open_boxes(at, "_rules_box").markdown if "90%" in e.value)  # the rules, opened
    assert ("200" in rules) and (("≈" in rules) and ("partial" in rules if lang == "en" else "按比例" in rules))


def test_scorecard_page_shows_ties_as_ties(monkeypatch, extract_dir):
    at = _page(monkeypatch, extract_dir, "pages/scorecard.py", lang="en", year="2020")
    # Whole extract: T1 and T4 share first place (100 each), T2 and T3 follow at 3 and 4.
    assert _shown(at.dataframe[0]) == {
        "Dong": "=1 (1–1) ＝",
        "Bei": "=1 (1–1) ＝",
        "Xi": "3 (1–4) ≈",
        "Nan": "4 (1–4) ≈",
    }


@pytest.mark.parametrize(("lang", "code", "rank"), [("en", T2, "2 (1–3) ≈"), ("zh", T1, "1 (1–1) ＝")])
def test_township_page_shows_the_rank_interval(monkeypatch, extract_dir, lang, code, rank):
    at = _page(monkeypatch, extract_dir, "pages/township.py", lang=lang, township=code, year="2020", region="419901")
    assert at.metric[1].value == rank
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]  # the rank history, last
    # 2018-2020 ranks within the county, with their intervals as error bars.
    want = {T1: ([3, 1, 1], [0, 0, 0], [0, 0, 0]), T2: ([2, 3, 2], [0, 0, 1], [1, 2, 1])}[code]
    assert (spec["y"], spec["error_y"]["array"], spec["error_y"]["arrayminus"]) == want


@pytest.mark.parametrize(
    ("indicator", "direction", "target"),
    [("srb", "lower", 107.0), ("share_order3p", "lower", 12.0), ("share_order3p", "higher", 12.0)],
)
@pytest.mark.parametrize("n", [200, 517, 1500])
def test_interval_threshold_equals_the_interval_verdict(indicator, direction, target, n):
    # Every count k of n judged as the scorecard judges it (judge_one: the Wilson interval against
    # the target) must agree with the one threshold per row the simulation compares draws with.
    ind = replace(load_registry(path=DEFAULT_REGISTRY).indicator(indicator), directions=((0, direction),))
    share = target / (100 + target) if ind.formula == "srb" else target / ind.scale
    first = uncertainty._first_beyond(np.array([float(n)]), np.array([share]), direction == "higher")[0]
    seen = set()
    for k in range(n):  # k = n: no girls, no SRB to judge (the simulation counts it a miss)
        verdict = scoring.judge_one(ind, 2020, k, n, target)["status"]
        simulated = k >= first if direction == "higher" else k < first
        assert (verdict == "met") == simulated, (k, verdict, first)
        seen.add(verdict)
    assert seen == {"met", "missed"}


def test_partial_year_misses_are_not_vetoed_in_the_draws(tmp_path):
    # Cut-off 2021-06: T1's SRB 350 / 150 = 233.3 has its whole 95 % interval (192.8-282.4) above
    # 107, so it is at risk, not vetoed (a veto waits for the full year): 0 points, rank 2. In the
    # draws its interval would reach 107 only below 282 boys of 500 (6.7 sd down): 0, and never 0
    # minus the veto penalty. T2's SRB 255 / 245 = 104.1 (87.4-124.0) is met: 100.
    births = [
        (T1, "2021-03", "M", 1, "25-29", None, 350), (T1, "2021-03", "F", 1, "25-29", None, 150),
        (T2, "2021-03", "M", 1, "25-29", None, 255), (T2, "2021-03", "F", 1, "25-29", None, 245),
    ]  # fmt: skip
    root = make_extract(
        tmp_path / "ext",
        [(T1, "东镇", "Dong"), (T2, "西乡", "Xi")],
        births,
        targets=[(T1, 2021, "srb", 107.0), (T2, 2021, "srb", 107.0)],
        cutoff="2021-06",
    )
    data = scoring.scorecard_data(root, "en")
    assert data.card_for(2021).select("township_code", "score", "rank", "vetoed").rows() == [
        (T2, 100.0, 1, False),
        (T1, 0.0, 2, False),
    ]
    keys = data.simulation.keys
    t1 = keys.filter(pl.col("township_code") == T1)["column"][0]
    assert set(np.unique(data.simulation.ranking[:, t1])) == {0.0}


def _rows(*rows, year: int = 2020) -> pl.DataFrame:
    """One year's judged rows: (township_code, indicator, numerator, denominator, target, months, fraction)."""
    names = ["township_code", "indicator", "numerator", "denominator", "target", "months", "fraction"]
    return pl.DataFrame(rows, schema=names, orient="row").with_columns(year=pl.lit(year, dtype=pl.Int32))


def _draws(ind, *rows, year: int = 2020, draws: int = 6):
    good, credit = uncertainty._indicator_draws(ind, _rows(*rows, year=year), year, np.random.default_rng(0), draws)
    return good.T.tolist(), credit.T.tolist()  # per row: its draws


def test_indicator_draws_by_hand():
    # Inputs whose draws cannot vary (a count of 0 is always 0; a rate of n out of n always n),
    # so every draw's verdict is worked out exactly.
    registry = load_registry(path=DEFAULT_REGISTRY)
    births = registry.indicator("births")  # a count, lower is better to 2020, higher from 2021
    # 0 births against 5: met when lower is better, missed when higher is better (no partial
    # credit when the floor, 10 % of 5 = 0.5 births, is 5 short: 1 - 5 / 0.5 < 0 -> 0)
    assert _draws(births, ("T", "births", 0.0, None, 5.0, 12, 1.0)) == ([[True] * 6], [[1.0] * 6])
    assert _draws(births, ("T", "births", 0.0, None, 5.0, 12, 1.0), year=2021) == ([[False] * 6], [[0.0] * 6])
    # A rate judged by its interval, lower is better: 10 of 10 is 100 %, above a target of 90 %,
    # but its 95 % interval reaches down to 10 / (10 + z²) = 72.2 %: met; against 70 %: missed.
    rate = replace(
        registry.indicator("policy_compliance"), directions=((0, "lower"),), judge="interval", credit="all_or_nothing"
    )
    assert _draws(rate, ("T", "r", 10.0, 10.0, 90.0, 12, 1.0), ("U", "r", 10.0, 10.0, 70.0, 12, 1.0)) == (
        [[True] * 6, [False] * 6],
        [[1.0] * 6, [0.0] * 6],
    )
    # Judged by the point instead: 100 % against 90 % is 10 points over; proportional credit with a
    # floor 20 points beyond: 1 - 10 / 20 = 0.5; without a floor: 90 / 100 = 0.9
    point = replace(rate, judge="point", credit="proportional", floor=("points", 20.0))
    assert _draws(point, ("T", "r", 10.0, 10.0, 90.0, 12, 1.0)) == ([[False] * 6], [[0.5] * 6])
    assert _draws(replace(point, floor=None), ("T", "r", 10.0, 10.0, 90.0, 12, 1.0))[1] == [[pytest.approx(0.9)] * 6]
    # A partial year's rate annualised (half the year's births expected by June: x 2), higher is
    # better, by its interval: 0 births among 1,000 people, upper bound z² / (1,000 + z²) = 3.83
    # per 1,000 by June, 7.65 a year: a target of 3 a year is within reach (on track); it would not
    # be if the target were compared with the half-year bound doubled the other way (3 / 500 = 6.0).
    annual = replace(registry.indicator("birth_rate"), directions=((0, "higher"),), judge="interval")
    assert _draws(annual, ("T", "birth_rate", 0.0, 1000.0, 3.0, 6, 0.5))[0] == [[True] * 6]
    assert _draws(annual, ("T", "birth_rate", 0.0, 1000.0, 8.0, 6, 0.5))[0] == [[False] * 6]


def test_year_keys_score_and_veto_by_hand():
    # T: births 0 against 10 (met, 20 points) and SRB 300 boys of 300 against 107 (missed by its
    # interval, a veto): 100 x 20 / 45 = 44.4, minus the veto penalty 1000 -> -955.6 in every draw.
    # U: births only, met: 100.0.
    registry = load_registry(path=DEFAULT_REGISTRY)
    rows = _rows(
        ("T", "births", 0.0, None, 10.0, 12, 1.0),
        ("T", "srb", 300.0, 300.0, 107.0, 12, 1.0),
        ("U", "births", 0.0, None, 10.0, 12, 1.0),
    )
    keys = uncertainty._year_keys(rows, registry, 4, uncertainty.SEED)
    assert keys.dtype == np.float32 and keys.shape == (4, 2)
    assert keys.tolist() == [[pytest.approx(-955.6), 100.0]] * 4
    unranked = uncertainty._year_keys(rows, replace(registry, vetoed_rank_last=False), 4, uncertainty.SEED)
    assert unranked.tolist() == [[pytest.approx(44.4), 100.0]] * 4
    # A partial year's miss is at risk, not vetoed: 44.4 even when vetoed townships rank last
    partial = rows.with_columns(months=pl.lit(6), fraction=pl.lit(0.5))
    assert uncertainty._year_keys(partial, registry, 4, uncertainty.SEED).tolist() == [[pytest.approx(44.4), 100.0]] * 4


def test_nothing_scored_simulates_nothing():
    judged = pl.DataFrame(
        {
            "township_code": ["T"],
            "year": [2020],
            "indicator": ["births"],
            "status": ["not_judged"],
            "target": [None],
            "numerator": [1.0],
            "denominator": [None],
        },
        schema_overrides={"year": pl.Int32, "target": pl.Float64},
    )
    sim = uncertainty.simulate_scores(judged, load_registry(path=DEFAULT_REGISTRY))
    assert sim.keys.schema == pl.Schema({"township_code": pl.String, "year": pl.Int32, "column": pl.Int64})
    assert sim.ranking.shape == (uncertainty.DRAWS, 0) and sim.decimals == 1


def test_draw_ranks_by_counting():
    # Few distinct whole-number keys (decimals 0, spread 6 <= 4 x 5 townships): ranks are counted
    keys = np.array([[3, 1, 3, 2, 0], [0, 0, 0, 5, 5], [1, 2, 3, 4, 5]], dtype=np.float32)
    assert uncertainty._draw_ranks(keys, 0).tolist() == [[1, 4, 1, 3, 5], [3, 3, 3, 1, 1], [5, 4, 3, 2, 1]]
    # Vetoed keys (1000 below) counted too: their empty levels closed, the spread 9 + 101 + 1 = 111 <= 120
    keys = np.random.default_rng(1).integers(0, 10, (4, 30)).astype(np.float32)
    keys[:, :5] -= 1000.0
    counted = uncertainty._draw_ranks(keys, 0)
    assert np.array_equal(counted, uncertainty._draw_ranks(keys))
    assert counted[:, :5].min() == 26 and counted[:, 5:].max() <= 25


def test_a_target_of_zero_is_met_in_every_draw_of_none():
    # No third births among 300 (p = 0: every draw is 0) against a target of 0 %: the lower bound
    # 0 is not above the target, so met; one birth already has a lower bound above 0.
    registry = load_registry(path=DEFAULT_REGISTRY)
    first = uncertainty._first_beyond(np.array([300.0]), np.array([0.0]), higher=False)
    assert first.tolist() == [1.0]
    share3p = registry.indicator("share_order3p")
    assert _draws(share3p, ("T", "share_order3p", 0.0, 300.0, 0.0, 12, 1.0)) == ([[True] * 6], [[1.0] * 6])


def test_counts_small_variances_drawn_exactly_the_rest_by_the_normal():
    # Columns whose variance is under NORMAL_FROM (10) come from ``exact`` (here: always 7); the others
    # from the normal approximation (mean 1,000, sd 40: never 7)
    mean, var = np.array([0.5, 1000.0, 9.9]), np.array([0.5, 1600.0, 9.9])
    out = uncertainty._counts(np.random.default_rng(0), mean, var, 50, lambda c, d: np.full((d, c.size), 7.0))
    assert out.shape == (50, 3) and set(out[:, 0]) == set(out[:, 2]) == {7.0}
    assert out[:, 1].min() > 800 and out[:, 1].max() < 1200 and len(set(out[:, 1])) > 10


def test_draws_vary_between_draws_and_repeat_with_the_seed():
    registry = load_registry(path=DEFAULT_REGISTRY)
    # 3 births expected (Poisson, drawn exactly) against <= 3, floor 100 % of the target (3 births):
    # credit 1 up to 3 births, then 1 - (k - 3) / 3; over 200 draws k takes every one of these values.
    births = replace(registry.indicator("births"), floor=("percent", 100.0))
    _, credit = _draws(births, ("T", "births", 3.0, None, 3.0, 12, 1.0), draws=200)
    assert {round(c, 4) for c in credit[0]} == {1.0, 0.6667, 0.3333, 0.0}  # k <= 3, 4, 5, >= 6
    rows = _rows(("T", "births", 3.0, None, 3.0, 12, 1.0), ("U", "births", 30.0, None, 25.0, 12, 1.0))
    first = uncertainty._year_keys(rows, registry, 50, uncertainty.SEED)
    assert np.array_equal(first, uncertainty._year_keys(rows, registry, 50, uncertainty.SEED))  # seeded
    assert len(np.unique(first[:, 1])) > 3


def test_point_judged_srb_and_a_higher_floor_in_the_draws():
    registry = load_registry(path=DEFAULT_REGISTRY)
    # An SRB judged by its point: 300 boys of 300, no girl: an infinite SRB, missed against 107
    # (as a share of boys, 100 %, it would look "met" below 107)
    point_srb = replace(registry.indicator("srb"), judge="point")
    assert _draws(point_srb, ("T", "srb", 300.0, 300.0, 107.0, 12, 1.0))[0] == [[False] * 6]
    # Higher is better, floor 10 points: 10 of 10 = 100 % against a target of 105 % is 5 short:
    # 1 - 5 / 10 = 0.5
    compliance = registry.indicator("policy_compliance")
    assert _draws(compliance, ("T", "policy_compliance", 10.0, 10.0, 105.0, 12, 1.0)) == ([[False] * 6], [[0.5] * 6])


def test_a_veto_from_any_vetoing_indicator_holds():
    # births made a vetoing indicator too: 2021 (higher is better) T has 0 births against 5: missed,
    # vetoed; its SRB (0 boys of 300: SRB 0) is met, which must not lift the veto. Points: births 0
    # (5 short of a 0.5 floor), SRB 25 of 45 -> 55.6, minus the penalty 1000 -> -944.4.
    registry = load_registry(path=DEFAULT_REGISTRY)
    indicators = tuple(replace(i, veto=True) if i.id == "births" else i for i in registry.indicators)
    rows = _rows(("T", "births", 0.0, None, 5.0, 12, 1.0), ("T", "srb", 0.0, 300.0, 107.0, 12, 1.0), year=2021)
    keys = uncertainty._year_keys(rows, replace(registry, indicators=indicators), 3, uncertainty.SEED)
    assert keys.tolist() == [[pytest.approx(-944.4)]] * 3
