"""The indicator registry: the default loads, and malformed files fail with a clear message."""

from __future__ import annotations

import pytest

from natality.scorecard.indicators import (
    DEFAULT_REGISTRY,
    RegistryError,
    load_registry,
    parse_registry,
)

DEFAULT_TEXT = DEFAULT_REGISTRY.read_text(encoding="utf-8")


def test_default_registry():
    reg = load_registry(path=DEFAULT_REGISTRY)
    assert [i.id for i in reg.indicators] == [
        "births",
        "birth_rate",
        "srb",
        "share_order3p",
        "policy_compliance",
        "stats_accuracy",
        "long_acting_contraception",
    ]
    assert sum(i.weight for i in reg.indicators) == 100
    births = reg.indicator("births")
    # The plan caps births in the plan years; from 2021 a births target is a floor.
    assert (births.direction(2015), births.direction(2020), births.direction(2021)) == (
        "lower",
        "lower",
        "higher",
    )
    srb = reg.indicator("srb")
    assert (srb.judge, srb.veto, srb.direction(2030), srb.min_denominator) == (
        "interval",
        True,
        "lower",
        200,
    )
    assert reg.indicator("stats_accuracy").reported == "stats_accuracy"
    assert [c.id for c in reg.classes] == [
        "advanced",
        "qualified",
        "lagging",
        "key_management",
    ]
    assert reg.veto_class == "key_management"


def test_default_registry_gives_proportional_credit_where_the_seeds_allow():
    reg = load_registry(path=DEFAULT_REGISTRY)
    assert reg.credit == "proportional"
    assert {i.id: (i.credit, i.floor) for i in reg.indicators} == {
        "births": ("proportional", ("percent", 10.0)),
        "birth_rate": ("proportional", ("percent", 10.0)),
        "srb": ("all_or_nothing", None),  # interval-judged, and the veto
        "share_order3p": ("all_or_nothing", None),  # interval-judged
        "policy_compliance": ("proportional", ("points", 10.0)),
        "stats_accuracy": ("proportional", ("points", 5.0)),
        "long_acting_contraception": ("proportional", ("points", 10.0)),
    }


@pytest.mark.parametrize(
    ("indicator", "value", "target", "direction", "credit"),
    [
        # policy compliance, floor 10 points: 85 vs >= 90 is 5 short of 10 -> 1 - 5/10 = 0.5
        ("policy_compliance", 85.0, 90.0, "higher", 0.5),
        ("policy_compliance", 82.5, 90.0, "higher", 0.25),  # 7.5 short -> 0.25
        ("policy_compliance", 80.0, 90.0, "higher", 0.0),  # at the floor
        ("policy_compliance", 60.0, 90.0, "higher", 0.0),  # beyond it: never negative
        ("stats_accuracy", 96.0, 97.0, "higher", 0.8),  # floor 5 points: 1 - 1/5
        # births, floor 10 % of the target: plan 2,200 -> gap 220; 2,310 is 110 over -> 0.5
        ("births", 2310.0, 2200.0, "lower", 0.5),
        ("births", 2420.0, 2200.0, "lower", 0.0),
        ("births", 950.0, 1000.0, "higher", 0.5),  # from 2021 a floor to reach: 50 short of 100
        ("srb", 115.0, 107.0, "lower", 0.0),  # all-or-nothing
    ],
)
def test_partial_credit_between_floor_and_target(indicator, value, target, direction, credit):
    ind = load_registry(path=DEFAULT_REGISTRY).indicator(indicator)
    assert ind.partial_credit(value, target, direction, None) == pytest.approx(credit)


def test_proportional_without_a_floor_earns_value_over_target():
    text = DEFAULT_TEXT.replace("credit: proportional\n    floor: {points: 10}\n", "credit: proportional\n", 1)
    ind = parse_registry(text).indicator("policy_compliance")
    assert ind.floor is None
    # 72 vs 90: achievement 72 / 90 = 0.8
    assert ind.partial_credit(72.0, 90.0, "higher", 0.8) == pytest.approx(0.8)


def test_missing_extract_falls_back_to_default(tmp_path):
    assert load_registry(tmp_path / "nowhere").source == str(DEFAULT_REGISTRY)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "direction: lower\n    weight: 25",
            "direction: up\n    weight: 25",
            "indicator 'srb': 'direction' must be 'higher', 'lower' or a mapping {first_year: direction}, got 'up'",
        ),
        ("weight: 25", "weight: -5", "indicator 'srb': 'weight' must be a number >= 1e-09, got -5"),
        ("weight: 25", "weight: heavy", "indicator 'srb': 'weight' must be a number >= 1e-09, got 'heavy'"),
        (
            "judge: interval\n    credit: all_or_nothing\n    partial_year: as_is\n\n  - id: share",
            "judge: maybe\n    credit: all_or_nothing\n    partial_year: as_is\n\n  - id: share",
            "indicator 'srb': 'judge' must be 'point' or 'interval', got 'maybe'",
        ),
        ("    veto: true\n", "", "indicator 'srb': 'veto' is missing"),
        (
            "source: {query: indicator_srb}",
            "source: {query: indicator_nonesuch}",
            "queries/indicator_nonesuch.sql not found",
        ),
        (
            "source: {query: indicator_srb}",
            "source: {sql: select 1}",
            "indicator 'srb': 'source' must be {query: NAME} or {reported: INDICATOR}",
        ),
        (
            "name: {zh: 出生人口性别比, en: Sex ratio at birth}",
            "name: {zh: 出生人口性别比}",
            "indicator 'srb': 'name' must be a mapping with non-empty 'zh' and 'en' texts",
        ),
        ("  - id: share_order3p", "  - id: srb", "indicator id repeated: srb"),
        ("min_score: 75", "min_score: 95", "'classes' must be listed from the highest min_score down"),
        ("veto_class: key_management", "veto_class: jail", "'veto_class' must be one of the class ids"),
        (
            "  credit: proportional\n  # How",
            "  credit: generous\n  # How",
            "scoring: 'credit' must be 'all_or_nothing' or 'proportional', got 'generous'",
        ),
        (
            "judge: interval\n    credit: all_or_nothing",
            "judge: interval\n    credit: half",
            "indicator 'srb': 'credit' must be 'all_or_nothing' or 'proportional', got 'half'",
        ),
        (
            "floor: {points: 5}",
            "floor: {points: -5}",
            "indicator 'stats_accuracy': 'floor' must be {points: N} (in the indicator's unit) or {percent: N}",
        ),
        ("floor: {points: 5}", "floor: {miles: 5}", "indicator 'stats_accuracy': 'floor' must be {points: N}"),
        ("floor: {points: 5}", "floor: 5", "indicator 'stats_accuracy': 'floor' must be {points: N}"),
        (
            "decimals: 1\n    source: {query: indicator_srb}",
            "decimals: 1.5\n    source: {query: indicator_srb}",
            "indicator 'srb': 'decimals' must be a whole number from 0 to 6, got 1.5",
        ),
        ("indicators:\n", "indicators:\n  - [", "not valid YAML"),
    ],
)
def test_malformed_registry_is_rejected_with_a_clear_message(old, new, message):
    assert old in DEFAULT_TEXT, old
    text = DEFAULT_TEXT.replace(old, new, 1)
    with pytest.raises(RegistryError) as err:
        parse_registry(text, source="my/indicators.yaml")
    assert str(err.value).startswith("my/indicators.yaml: ")
    assert message in str(err.value)


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "indicators: []\n"])
def test_registry_without_indicators(text):
    with pytest.raises(RegistryError, match="indicators"):
        parse_registry(text)


def test_unreadable_file(tmp_path):
    with pytest.raises(RegistryError, match="cannot read the indicator registry"):
        load_registry(path=tmp_path / "missing.yaml")
