"""The scorecard computed over whole columns, and narrowed to a region.

1. A hand-made extract of two counties, two townships each (default registry, complete years
   2018-2020, cut-off 2020-12). Weights: births 20, srb 25, policy_compliance 15, stats_accuracy 10.

   2018: only T1 has a target (births 100 <= 150: met) -> T1 100, rank 1; the others are not scored.
   2019: births targets only, 100 births each: T1's target 80 is missed -> 0; T2, T3, T4 (target 120)
         met -> 100. Whole extract: T2, T3, T4 rank 1, T1 rank 4.
   2020: 300 births each; targets births, srb <= 107, compliance >= 90, accuracy >= 95:
     T1  births 300 <= 350 met; SRB 150/150 = 100 met; compliance 290/300 met; accuracy 98 % met
         -> 70/70 = 100.0, advanced.
     T2  births 300 > 250 missed (50 over, past the floor 10 % = 25: no partial credit); SRB met;
         compliance 285/300 met; accuracy met -> 50/70 = 71.4, lagging.
     T3  births met; SRB 200/100 = 200, interval about 157-255 wholly above 107 -> missed, VETO;
         compliance, accuracy met -> 45/70 = 64.3, class key_management, ranked after all others.
     T4  births missed; SRB met; compliance 240/300 = 80 % missed; accuracy met -> 35/70 = 50.0,
         key_management.
     Whole extract: T1 1, T2 2, T4 3, T3 4.  Rank change vs 2019: T1 4-1 = +3, T2 1-2 = -1,
     T4 1-3 = -2, T3 1-4 = -3.
   Within county 419901 (T1, T2): 2018 T1 1 (T2 not scored); 2019 T2 1, T1 2 (T1 -1);
     2020 T1 1 (+1), T2 2 (-1).
   Within county 419902 (T3, T4): 2018 not scored (no target there); 2019 T3 1, T4 1 (no rank
     change: no earlier scored year); 2020 T4 1 (0), T3 2 (-1).
   Scores, classes, vetoes and verdicts are the same inside and outside the selection. The
   county's reference values sum its two townships: 600 births and SRB 350/250 = 140.0 in 2020,
   with the county's own SRB target (107) when its code is given.

2. A seeded random extract of 50 townships in three counties (partial last year, seasonal
   pro-rating, zero girls, empty years, small denominators, missing targets): every verdict,
   reason, score, rank, class and veto text equals a straightforward per-row computation
   (``judge_one`` and ``reason_text`` row by row, ranks counted by hand), for the whole extract and
   for one county, with the shipped credit rules, all-or-nothing everywhere, and proportional
   credit without floors.
"""

from __future__ import annotations

import random
import re

import polars as pl
import pytest

from natality.core import extract
from natality.core.db import run_query
from natality.scorecard import reasons, scoring
from natality.scorecard.indicators import DEFAULT_REGISTRY, load_registry
from tests.factory import make_extract

T1, T2, T3, T4 = "419901001000", "419901002000", "419902001000", "419902002000"
COUNTY_1, COUNTY_2 = [T1, T2], [T3, T4]


def _births(code: str, year: int, boys: int, girls: int, compliant: int | None = None) -> list[tuple]:
    """One month of births; ``compliant`` of them policy-compliant (None: not recorded)."""
    rows = []
    for sex, n in (("M", boys), ("F", girls)):
        if compliant is None:
            rows.append((code, f"{year}-03", sex, 1, "25-29", None, n))
            continue
        ok = min(n, compliant)
        compliant -= ok
        rows += [(code, f"{year}-03", sex, 1, "25-29", True, ok), (code, f"{year}-03", sex, 1, "25-29", False, n - ok)]
    return [r for r in rows if r[-1] > 0]


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory):
    births = []
    for code in (T1, T2, T3, T4):
        births += _births(code, 2018, 50, 50) + _births(code, 2019, 50, 50)
    for code, boys, girls, compliant in (
        (T1, 150, 150, 290),
        (T2, 150, 150, 285),
        (T3, 200, 100, 290),
        (T4, 150, 150, 240),
    ):
        births += _births(code, 2020, boys, girls, compliant)
    targets = [(T1, 2018, "births", 150.0)]
    targets += [(c, 2019, "births", 80.0 if c == T1 else 120.0) for c in (T1, T2, T3, T4)]
    for code, cap in ((T1, 350.0), (T2, 250.0), (T3, 350.0), (T4, 250.0)):
        targets += [
            (code, 2020, "births", cap),
            (code, 2020, "srb", 107.0),
            (code, 2020, "policy_compliance", 90.0),
            (code, 2020, "stats_accuracy", 95.0),
        ]
    targets.append(("419902", 2020, "srb", 107.0))  # county 419902's own target: not a township row
    reported = [(c, 2020, "stats_accuracy", 98.0, 100.0) for c in (T1, T2, T3, T4)]
    towns = [(T1, "东镇", "Dong"), (T2, "西乡", "Xi"), (T3, "南镇", "Nan"), (T4, "北乡", "Bei")]
    out = tmp_path_factory.mktemp("two_counties") / "ext"
    return make_extract(out, towns, births, targets=targets, reported=reported, cutoff="2020-12", region_code="419900")


def _ranks(card: pl.DataFrame) -> list[tuple]:
    return card.select("township_code", "score", "rank", "class", "vetoed", "rank_change").rows()


def test_whole_extract_by_hand(two_counties):
    data = scoring.scorecard_data(two_counties, "en")
    assert _ranks(data.card_for(2020)) == [
        (T1, 100.0, 1, "advanced", False, 3),
        (T2, 71.4, 2, "lagging", False, -1),
        (T4, 50.0, 3, "key_management", False, -2),
        (T3, 64.3, 4, "key_management", True, -3),
    ]
    assert data.card_for(2019).select("township_code", "rank").rows() == [(T2, 1), (T3, 1), (T4, 1), (T1, 4)]
    assert data.card_for(2018).select("township_code", "rank").rows() == [(T1, 1), (T2, None), (T3, None), (T4, None)]


def test_narrowed_to_one_county_ranks_within_it(two_counties):
    data = scoring.scorecard_data(two_counties, "en")
    south = data.for_townships(COUNTY_2, region_code="419902")
    assert _ranks(south.card_for(2020)) == [
        (T4, 50.0, 1, "key_management", False, 0),
        (T3, 64.3, 2, "key_management", True, -1),  # still vetoed, still ranked last
    ]
    assert south.card_for(2019).select("township_code", "rank", "rank_change").rows() == [(T3, 1, None), (T4, 1, None)]
    assert south.card_for(2018).is_empty()  # no township of the county had a 2018 target
    north = data.for_townships(COUNTY_1)
    assert _ranks(north.card_for(2020)) == [(T1, 100.0, 1, "advanced", False, 1), (T2, 71.4, 2, "lagging", False, -1)]
    assert north.card_for(2019).select("township_code", "rank", "rank_change").rows() == [(T2, 1, None), (T1, 2, -1)]
    assert north.card_for(2018).select("township_code", "rank").rows() == [(T1, 1), (T2, None)]
    # The shorthand, and the veto reason carried over unchanged.
    assert north.card_for(2020).equals(data.card_for(2020, townships=COUNTY_1))
    veto = south.card_for(2020).filter(pl.col("township_code") == T3)["veto_reason"][0]
    assert veto == data.card_for(2020).filter(pl.col("township_code") == T3)["veto_reason"][0]
    assert veto.startswith("Vetoed: Sex ratio at birth: 200.0")


def test_narrowing_keeps_verdicts_and_sums_the_reference(two_counties):
    data = scoring.scorecard_data(two_counties, "en")
    south = data.for_townships(COUNTY_2, region_code="419902")
    assert south.status.equals(data.status.filter(pl.col("township_code").is_in(COUNTY_2)))
    assert south.status_for(2020)["indicator"].unique().sort().to_list() == [
        "births",
        "policy_compliance",
        "srb",
        "stats_accuracy",
    ]
    county = {(r["year"], r["indicator"]): r for r in south.county.iter_rows(named=True)}
    assert county[2020, "births"]["value"] == 600
    assert county[2020, "srb"]["value"] == pytest.approx(140.0)
    assert county[2020, "srb"]["target"] == 107.0 and county[2020, "births"]["target"] is None
    # Without a region code the selection has no target of its own; all four = the whole extract.
    assert data.for_townships(COUNTY_2).county["target"].null_count() == data.for_townships(COUNTY_2).county.height
    whole = data.for_townships(COUNTY_1 + COUNTY_2, region_code="419900")
    assert whole.card.equals(data.card) and whole.status.equals(data.status) and whole.county.equals(data.county)
    assert (south.townships, south.region_code, data.townships) == (frozenset(COUNTY_2), "419902", None)


# --- a random extract against a per-row reference ------------------------------------------


def _random_extract(out, seed: int = 7):
    rnd = random.Random(seed)
    codes = [f"4199{c:02d}{t:03d}000" for c in (1, 2, 3) for t in range(1, 18)][:50]
    towns = [(code, f"镇{i % 40}", f"Town {i % 40}") for i, code in enumerate(codes)]  # repeated names too
    births, population, targets, reported = [], [], [], []
    for code in codes:
        size = rnd.choice([0, 5, 40, 150, 400, 900, 1500])
        for year in (2018, 2019, 2020, 2021):
            months = range(1, 7) if year == 2021 else range(1, 13)
            if rnd.random() < 0.05:
                continue  # a township-year without any births
            share_boys = rnd.choice([0.5, 0.52, 0.55, 0.6, 1.0])  # 1.0: no girls at all
            for month in months:
                n = rnd.randint(0, max(1, size // 6))
                boys = sum(rnd.random() < share_boys for _ in range(n))
                for sex, k in (("M", boys), ("F", n - boys)):
                    for order in (1, 2, 3):
                        m = k // 3 + (1 if order <= k % 3 else 0)
                        compliant = None if year > 2020 else (rnd.random() < 0.9)
                        if m:
                            births.append((code, f"{year}-{month:02d}", sex, order, "25-29", compliant, m))
            if rnd.random() < 0.9:
                population.append((code, year, rnd.randint(500, 80_000)))
            if year <= 2020:
                audited = rnd.choice([30, 80, 400])
                reported.append((code, year, "stats_accuracy", float(audited - rnd.randint(0, 6)), float(audited)))
            for ind, low, high in (
                ("births", 0, 2000),
                ("birth_rate", 4.0, 15.0),
                ("srb", 104.0, 112.0),
                ("share_order3p", 20.0, 40.0),
                ("policy_compliance", 85.0, 95.0),
                ("stats_accuracy", 90.0, 99.0),
            ):
                if rnd.random() < 0.8 and not (ind in ("policy_compliance", "stats_accuracy") and year > 2020):
                    value = rnd.randint(low, high) if ind == "births" else round(rnd.uniform(low, high), 2)
                    targets.append((code, year, ind, float(value)))
    targets += [("419902", year, "srb", 108.0) for year in (2018, 2019, 2020, 2021)]
    return make_extract(out, towns, births, population, targets, reported, cutoff="2021-06", region_code="419900")


def _reference(ext, lang: str, selection: set[str] | None = None):
    """Verdicts row by row (judge_one, reason_text); scores and ranks counted out by hand."""
    registry = load_registry(ext)
    cut = scoring.cutoff(ext)
    fraction = scoring.year_fraction(registry, cut, ext)
    values = scoring.indicator_values(registry, ext)
    ids = {ind.id for ind in registry.indicators}
    cells: dict[tuple, dict] = {}
    for r in values.iter_rows(named=True):
        cells[r["township_code"], r["year"], r["indicator"]] = {**r, "target": None}
    towns = {code for code, _, _ in cells}
    for r in run_query("scorecard_targets", ext).iter_rows(named=True):
        key = (r["township_code"], r["year"], r["indicator"])
        if r["township_code"] in towns and r["indicator"] in ids:
            cells.setdefault(
                key,
                dict(zip(("township_code", "year", "indicator"), key, strict=True), numerator=None, denominator=None),
            )["target"] = r["target"]
    status = {}
    for key, cell in sorted(cells.items()):
        code, year, ind_id = key
        if year > cut[0] or (selection is not None and code not in selection):
            continue
        ind = registry.indicator(ind_id)
        months = cut[1] if year == cut[0] else 12
        verdict = scoring.judge_one(ind, year, cell["numerator"], cell["denominator"], cell["target"], months, fraction)
        credit = 1.0 if verdict["status"] in scoring.GOOD else 0.0
        if verdict["status"] in ("missed", "at_risk"):
            credit = ind.partial_credit(
                verdict["value"], verdict["target"], verdict["direction"], verdict["achievement"]
            )
        row = {
            **cell,
            **verdict,
            "credit": credit,
            "months": months,
            "veto": ind.veto,
            "weight": ind.weight,
            "fraction": fraction if months < 12 and fraction else months / 12,
        }
        row["reason"] = reasons.reason_text(ind, row, lang)
        status[key] = row
    scored_years = {year for (_, year, _), r in status.items() if r["target_annual"] is not None}
    card = {}
    for (code, year, ind_id), r in status.items():
        if year not in scored_years:
            continue
        c = card.setdefault(
            (code, year),
            {"weight": 0.0, "points": 0.0, "n_judged": 0, "n_met": 0, "vetoed": False, "missed": [], "at_risk": []},
        )
        judged = r["status"] in scoring.JUDGED
        c["weight"] += r["weight"] if judged else 0.0
        c["points"] += r["weight"] * r["credit"] if judged else 0.0
        c["n_judged"] += judged
        c["n_met"] += r["status"] in scoring.GOOD
        c["vetoed"] |= r["veto"] and r["status"] == "missed"
        if r["veto"] and r["status"] in ("missed", "at_risk"):
            name = registry.indicator(ind_id).name[lang]
            c[r["status"]].append(name + ("：" if lang == "zh" else ": ") + r["reason"])
    sep = "；" if lang == "zh" else "; "
    for c in card.values():
        c["score"] = round(100 * c["points"] / c["weight"], registry.score_decimals) if c["weight"] > 0 else None
        c["key"] = None if c["score"] is None else c["score"] - (1000.0 if c["vetoed"] else 0.0)
        c["veto_reason"] = reasons.t("scorecard.veto_prefix", lang) + sep.join(c["missed"]) if c["missed"] else None
        c["veto_risk_reason"] = (
            reasons.t("scorecard.veto_risk_prefix", lang) + sep.join(c["at_risk"]) if c["at_risk"] else None
        )
        c["class"] = None
        if c["vetoed"]:
            c["class"] = registry.veto_class
        elif c["score"] is not None:
            c["class"] = next(k.id for k in registry.classes if c["score"] >= k.min_score)
    for (_, year), c in card.items():
        keys = [o["key"] for (_, y), o in card.items() if y == year and o["key"] is not None]
        c["rank"] = None if c["key"] is None else 1 + sum(k > c["key"] for k in keys)
    for (code, year), c in card.items():
        c["prev_rank"] = card.get((code, year - 1), {}).get("rank")
        c["rank_change"] = None if c["prev_rank"] is None or c["rank"] is None else c["prev_rank"] - c["rank"]
    return status, card


STATUS_FIELDS = (
    "numerator",
    "denominator",
    "value",
    "low",
    "high",
    "target",
    "target_annual",
    "status",
    "achievement",
    "reason_code",
    "reason",
    "direction",
    "weight",
    "veto",
    "months",
)
CARD_FIELDS = (
    "score",
    "rank",
    "prev_rank",
    "rank_change",
    "class",
    "vetoed",
    "n_judged",
    "n_met",
    "veto_reason",
    "veto_risk_reason",
)


def _assert_matches(data: scoring.ScorecardData, status: dict, card: dict) -> None:
    got = {(r["township_code"], r["year"], r["indicator"]): r for r in data.status.iter_rows(named=True)}
    assert got.keys() == status.keys()
    for key, want in status.items():
        assert {f: got[key][f] for f in STATUS_FIELDS} == {f: want[f] for f in STATUS_FIELDS}, key
    rows = data.card.iter_rows(named=True)
    got_card = {(r["township_code"], r["year"]): r for r in rows}
    assert got_card.keys() == card.keys()
    for key, want in card.items():
        assert {f: got_card[key][f] for f in CARD_FIELDS} == {f: want[f] for f in CARD_FIELDS}, key
    # Best rank first within each year, unranked last, then by code.
    order = sorted(card, key=lambda k: (k[1], card[k]["rank"] is None, card[k]["rank"] or 0, k[0]))
    assert data.card.select("township_code", "year").rows() == [(c, y) for c, y in order]


@pytest.mark.parametrize("credit", ["shipped", "all_or_nothing", "no_floors"])
def test_random_extract_equals_the_per_row_reference(tmp_path, credit):
    ext = _random_extract(tmp_path / "ext")
    text = DEFAULT_REGISTRY.read_text(encoding="utf-8")
    if credit == "all_or_nothing":  # every indicator all-or-nothing
        text = text.replace("credit: proportional", "credit: all_or_nothing")
    if credit == "no_floors":  # every indicator proportional, a miss earning value vs target
        text = re.sub(r"\n    floor: .*", "", text).replace("credit: all_or_nothing", "credit: proportional")
    if credit != "shipped":
        (extract.live_version_dir(ext) / "indicators.yaml").write_text(text, encoding="utf-8")
    for lang in ("zh", "en"):
        data = scoring.scorecard_data(ext, lang)
        status, card = _reference(ext, lang)
        assert {r["status"] for r in status.values()} >= {"met", "missed", "not_judged", "on_track", "at_risk"}
        assert {r["reason_code"] for r in status.values()} >= {
            "no_target",
            "no_data",
            "small_denominator",
            "interval_noise",
            "interval_missed",
        }
        assert any(c["vetoed"] for c in card.values()) and any(c["veto_risk_reason"] for c in card.values())
        _assert_matches(data, status, card)
        county = {code for code, _ in card if code.startswith("419902")}
        status, card = _reference(ext, lang, selection=county)
        _assert_matches(data.for_townships(county, region_code="419902"), status, card)
