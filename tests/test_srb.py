"""SRB statistics: exact values by hand and against scipy, edge cases, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from natality.srb.stats import (
    EXACT_MAX_N,
    Z95,
    _exact_envelope,
    clopper_pearson,
    funnel_limits,
    funnel_limits_share,
    shrink_srb,
    srb_estimate,
    srb_exact,
    wilson_interval,
)

Z2 = Z95 * Z95


@pytest.fixture(autouse=True)
def _limits_worked_out_afresh():
    """The exact limits are cached per process: each test here works them out again, so that a wrong
    change in the code behind them cannot hide behind limits an earlier test (or `make mutate`'s fork
    server) left in the cache."""
    _exact_envelope.cache_clear()


@pytest.mark.parametrize("p0", [0.5, 105 / 205, 0.6])
def test_limits_are_shares_between_0_and_1(p0):
    # one to ten births: the 99.8 % limits reach 0 and 1 (anything is possible) but never pass them
    low, high = funnel_limits_share(list(range(1, 11)), p0, 0.998)
    assert (low >= 0.0).all() and (high <= 1.0).all() and (low < p0).all() and (high > p0).all()
    assert (low[0], high[0]) == (0.0, 1.0)
    # no births: no limits at all (NaN inside, None once on the SRB scale)
    none_low, none_high = funnel_limits_share([0], p0, 0.998)
    assert np.isnan(none_low[0]) and np.isnan(none_high[0])


def test_srb_estimate_is_boys_per_100_girls():
    est = srb_estimate(105, 100)
    assert est.srb == 105.0
    assert est.births == 205


# At p^ = 1 the Wilson lower limit is n / (n + z^2), so the SRB lower limit is 100 n / z^2;
# at p^ = 0 the upper limit is z^2 / (n + z^2), so the SRB upper limit is 100 z^2 / n.
@pytest.mark.parametrize("n", [1, 2, 5, 29, 400])
def test_all_boys_has_a_lower_limit_and_no_upper(n):
    est = srb_estimate(n, 0)
    assert est.srb is None and est.high is None
    assert est.low == pytest.approx(100 * n / Z2, rel=1e-12)
    assert est.births == n


@pytest.mark.parametrize("n", [1, 2, 5, 29, 400])
def test_all_girls_is_zero_with_an_upper_limit(n):
    est = srb_estimate(0, n)
    assert est.srb == 0.0 and est.low == 0.0
    assert est.high == pytest.approx(100 * Z2 / n, rel=1e-12)


def test_no_births_is_undefined_not_nan():
    assert srb_estimate(0, 0) == srb_estimate(0, 0, z=3.0)
    est = srb_estimate(0, 0)
    assert (est.srb, est.low, est.high, est.births) == (None, None, None, 0)
    assert srb_exact(0, 0).srb is None and clopper_pearson(0, 0) is None


def test_one_girl_hand_value():
    # n = 1, k = 0: upper p = z^2 / (1 + z^2) = 0.793450..., SRB = 100 z^2 = 384.1459
    est = srb_estimate(0, 1)
    assert est.high == pytest.approx(384.14588, abs=1e-4)


WILSON_CASES = [(3, 2), (14, 15), (17, 8), (105, 100), (525, 500), (1100, 1000), (1, 9)]
EXACT_CASES = [(0, 4), (3, 2), (14, 15), (25, 0), (105, 100), (1100, 1000)]


@pytest.mark.parametrize(
    ("interval", "method", "tolerance", "boys", "girls"),
    [
        *[(wilson_interval, "wilson", 1e-7, boys, girls) for boys, girls in WILSON_CASES],
        *[(clopper_pearson, "exact", 1e-10, boys, girls) for boys, girls in EXACT_CASES],
    ],
)
def test_interval_matches_scipy(interval, method, tolerance, boys, girls):
    n = boys + girls
    ci = binomtest(boys, n).proportion_ci(confidence_level=0.95, method=method)
    low, high = interval(boys, n)
    assert low == pytest.approx(ci.low, abs=tolerance)
    assert high == pytest.approx(ci.high, abs=tolerance)


# DOMAIN.md: width of the 95 % interval at true SRB 105 for 200 .. 10,000 births.
@pytest.mark.parametrize(
    "births,low,high",
    [
        (200, 80, 138),
        (500, 88, 125),
        (1000, 93, 119),
        (2000, 96, 115),
        (10000, 101, 109),
    ],
)
def test_interval_widths_match_the_domain_brief(births, low, high):
    # whole births cannot hit 105 exactly (200 -> 102 boys, 98 girls = 104.1): allow 1.5 points
    boys = round(births * 105 / 205)
    est = srb_estimate(boys, births - boys)
    assert est.low == pytest.approx(low, abs=1.5)
    assert est.high == pytest.approx(high, abs=1.5)
    exact = srb_exact(boys, births - boys)
    assert abs(exact.low - est.low) < 2 and abs(exact.high - est.high) < 2


def test_funnel_limits_by_hand_n10_p_half():
    # Binomial(10, 0.5): F(7) = 968/1024, F(8) = 1013/1024, so the 97.5 % quantile is r = 8
    # and alpha = (1013/1024 - 0.975) / (45/1024) = 14.6 / 45; limit = (8 + 0.5 - alpha) / 10.
    # Lower: F(1) = 11/1024, F(2) = 56/1024, r = 2, alpha = (56 - 25.6) / 45; symmetric.
    upper_p = (8.5 - 14.6 / 45) / 10
    lower_p = (2.5 - 30.4 / 45) / 10
    assert lower_p == pytest.approx(1 - upper_p)
    low, high = funnel_limits([10], 100.0, 0.95)
    assert high[0] == pytest.approx(100 * upper_p / (1 - upper_p), rel=1e-9)
    assert low[0] == pytest.approx(100 * lower_p / (1 - lower_p), rel=1e-9)
    assert high[0] == pytest.approx(448.1, abs=0.1)


@pytest.mark.parametrize("n", [12, 29, 100, 400, 1500])
@pytest.mark.parametrize("p0", [0.5, 105 / 205])
def test_outside_the_limits_means_the_mid_p_test_rejects(n, p0):
    from scipy.stats import binom

    low, high = funnel_limits_share([n], p0, 0.998)
    for k in range(n + 1):
        upper_mid_p = binom.sf(k, n, p0) + 0.5 * binom.pmf(k, n, p0)
        lower_mid_p = binom.cdf(k - 1, n, p0) + 0.5 * binom.pmf(k, n, p0)
        assert (k / n > high[0]) == (upper_mid_p < 0.001), k
        assert (k / n < low[0]) == (lower_mid_p < 0.001), k


@pytest.mark.parametrize("n", [1000, 3000, 20000, 200000])
def test_funnel_limits_approach_normal_for_large_n(n):
    p0 = 105 / 205
    low, high = funnel_limits_share([n], p0, 0.998)
    half = 3.090232 * math.sqrt(p0 * (1 - p0) / n)
    assert low[0] == pytest.approx(p0 - half, abs=0.1 * half)
    assert high[0] == pytest.approx(p0 + half, abs=0.1 * half)


def test_funnel_limits_zero_births_are_none():
    low, high = funnel_limits([0, 1], 105.0, 0.998)
    assert low[0] is None and high[0] is None
    assert low[1] == 0.0 and high[1] is None  # one birth: anything is possible


def test_shrinkage_pulls_small_townships_more():
    boys = [60, 600, 5, 1400, 560]
    girls = [40, 500, 5, 1300, 440]
    out = shrink_srb(boys, girls)
    weights = out.weight_on_mean
    assert out.tau2 > 0
    # the 10-birth township leans hardest on the mean, the 2,700-birth one least
    assert weights[2] > weights[0] > weights[1] > weights[3]
    # shrunk values sit between the raw value and the mean
    for b, g, s in zip(boys, girls, out.srb, strict=True):
        raw = 100 * (b + 0.5) / (g + 0.5)
        assert min(raw, out.mean_srb) - 1e-9 <= s <= max(raw, out.mean_srb) + 1e-9


def test_a_tiny_township_cannot_escape_shrinkage():
    # 4 boys, 0 girls beside one large township: tau^2 comes from the large ones only (here
    # none to compare with, so 0) and the tiny one is pulled all the way to the mean
    out = shrink_srb([160, 4, 0], [150, 0, 1])
    assert out.tau2 == 0.0
    assert out.srb[1] == pytest.approx(out.mean_srb)
    assert out.mean_srb == pytest.approx(100 * 160.5 / 150.5, rel=0.02)
    # by hand, with tau^2 = 0 the mean is the inverse-variance mean of y = ln((M + .5) / (F + .5)),
    # v = 1 / (M + .5) + 1 / (F + .5): y 0.0643309, 2.1972246, -1.0986123; w = 1 / v 77.66961, 0.45, 0.375;
    # mu = (77.66961 x 0.0643309 + 0.45 x 2.1972246 - 0.375 x 1.0986123) / 78.49461 = 0.0710026: 107.358
    assert out.mean_srb == pytest.approx(107.358405, abs=1e-5)
    assert out.weight_on_mean == [1.0, 1.0, 1.0]
    # counting the tiny ones in tau^2 would leave the 4-birth township far above the mean
    loose = shrink_srb([160, 4, 0], [150, 0, 1], min_births_for_tau2=0)
    assert loose.tau2 > 0.1 and loose.srb[1] > 140


def test_shrinkage_handles_zero_cells_and_empty_units():
    out = shrink_srb([0, 3, 500, 520], [0, 0, 480, 470])
    assert out.srb[0] is None and out.weight_on_mean[0] is None
    assert all(math.isfinite(v) for v in out.srb[1:])
    assert shrink_srb([0], [0]).mean_srb is None


def test_shrinkage_with_no_spread_shrinks_fully_to_the_mean():
    out = shrink_srb([105, 210], [100, 200])
    assert out.tau2 == 0.0
    assert out.srb[0] == pytest.approx(out.srb[1])


counts = st.integers(min_value=0, max_value=5000)


@given(boys=counts, girls=counts)
@settings(max_examples=300, deadline=None)
def test_interval_contains_estimate_and_is_finite(boys, girls):
    for est in (srb_estimate(boys, girls), srb_exact(boys, girls)):
        for value in (est.srb, est.low, est.high):
            assert value is None or (math.isfinite(value) and value >= 0)
        if est.srb is not None:
            assert est.low <= est.srb + 1e-9
            assert est.high is None or est.srb <= est.high + 1e-9


@given(
    boys=st.integers(min_value=1, max_value=300),
    girls=st.integers(min_value=1, max_value=300),
    factor=st.integers(min_value=2, max_value=20),
)
@settings(max_examples=200, deadline=None)
def test_interval_narrows_as_births_grow_at_fixed_share(boys, girls, factor):
    small = srb_estimate(boys, girls)
    large = srb_estimate(boys * factor, girls * factor)
    assert large.high - large.low < small.high - small.low
    assert small.low <= large.low + 1e-9 or large.high <= small.high + 1e-9


@given(
    reference=st.floats(min_value=80, max_value=160),
    level=st.sampled_from([0.95, 0.998]),
    start=st.integers(min_value=1, max_value=EXACT_MAX_N + 3000),
)
@settings(max_examples=60, deadline=None)
def test_funnel_limits_are_monotone_in_births(reference, level, start):
    n = np.arange(start, start + 400)
    low, high = funnel_limits_share(n, reference / (100 + reference), level)
    assert np.all(np.diff(low) >= 0)
    assert np.all(np.diff(high) <= 0)
    assert np.all(low <= reference / (100 + reference)) and np.all(high >= reference / (100 + reference))


def test_the_normal_limit_is_held_inside_the_exact_one_past_the_exact_range():
    # Reference SRB 107 (share 107 / 207 = 0.51691), 99.8 %: at 5,001 births the normal upper limit
    # p0 + 3.0902 x sqrt(p0 (1 - p0) / 5001) = 0.538745 lies above the exact one at 5,000 births
    # (0.538735, the discrete binomial quantile): held there, so the funnel never widens again.
    p0 = 107 / 207
    low, high = funnel_limits_share([EXACT_MAX_N, EXACT_MAX_N + 1, 40_000], p0, 0.998)
    assert EXACT_MAX_N == 5000 and high[1] == high[0] == pytest.approx(0.538735, abs=1e-6)
    half = 3.090232 * math.sqrt(p0 * (1 - p0) / 40_000)  # far past it, the normal limit itself
    assert high[2] == pytest.approx(p0 + half, rel=1e-6) and low[2] == pytest.approx(p0 - half, rel=1e-6)
