"""Sex ratio at birth (SRB) statistics: estimates, intervals, funnel limits, shrinkage.

SRB = 100 * boys / girls. With p = boys / (boys + girls) the SRB is 100 * p / (1 - p), a
monotone map, so an interval for p maps exactly onto an interval for the SRB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

Z95 = 1.959964


@dataclass(frozen=True)
class SrbEstimate:
    """An SRB with its interval; None wherever the value is undefined (never inf or NaN)."""

    srb: float | None
    low: float | None
    high: float | None
    births: int


def srb_from_share(p: float | None) -> float | None:
    """Map a share of boys p to boys per 100 girls; None when p is undefined or 1."""
    if p is None or math.isnan(p) or p >= 1.0:
        return None
    return 100.0 * max(p, 0.0) / (1.0 - p)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial share; None when n == 0."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At p = 0 or 1 the interval touches the bound exactly; keep it exact despite rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def srb_estimate(boys: int, girls: int, z: float = Z95) -> SrbEstimate:
    """SRB with the Wilson interval for p = boys / births mapped to the SRB scale."""
    boys, girls = int(boys), int(girls)
    births = boys + girls
    if births <= 0:
        return SrbEstimate(None, None, None, max(births, 0))
    srb = 100.0 * boys / girls if girls > 0 else None
    p_low, p_high = wilson_interval(boys, births, z)  # type: ignore[misc]
    return SrbEstimate(srb, srb_from_share(p_low), srb_from_share(p_high), births)


def clopper_pearson(successes: int, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """Exact (Clopper-Pearson) interval for a binomial share; None when n == 0."""
    from scipy.stats import beta

    if n <= 0:
        return None
    a = (1.0 - level) / 2.0
    low = 0.0 if successes == 0 else float(beta.ppf(a, successes, n - successes + 1))
    high = 1.0 if successes == n else float(beta.ppf(1 - a, successes + 1, n - successes))
    return low, high


def srb_exact(boys: int, girls: int, level: float = 0.95) -> SrbEstimate:
    """SRB with the Clopper-Pearson interval mapped to the SRB scale."""
    boys, girls = int(boys), int(girls)
    births = boys + girls
    if births <= 0:
        return SrbEstimate(None, None, None, max(births, 0))
    p_low, p_high = clopper_pearson(boys, births, level)  # type: ignore[misc]
    srb = 100.0 * boys / girls if girls > 0 else None
    return SrbEstimate(srb, srb_from_share(p_low), srb_from_share(p_high), births)


def share_from_srb(srb: float) -> float:
    """The share of boys p that gives this SRB (105 -> 105/205)."""
    return srb / (100.0 + srb)


# Above this many births the binomial is so close to normal that exact limits add nothing.
EXACT_MAX_N = 5000


def _binom_cdf(k: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """P(X <= k) for X ~ Binomial(n, p), elementwise; 0 below 0 and 1 from n up."""
    from scipy.special import bdtr

    inside = bdtr(np.clip(k, 0, n).astype(np.int64), n.astype(np.int64), p)
    return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))


def _binom_ppf(q: float, n: np.ndarray, p: float) -> np.ndarray:
    """Smallest r with P(X <= r) >= q: scipy's binom.ppf, found by stepping from the normal
    guess (an order of magnitude faster than binom.ppf on thousands of n)."""
    from scipy.stats import norm

    r = np.clip(np.floor(n * p + norm.ppf(q) * np.sqrt(n * p * (1 - p))), 0, n)
    while (up := _binom_cdf(r, n, p) < q).any():
        r = np.where(up, r + 1, r)
    while (down := (r > 0) & (_binom_cdf(r - 1, n, p) >= q)).any():
        r = np.where(down, r - 1, r)
    return r


def _exact_limits(n: np.ndarray, p0: float, q: float) -> np.ndarray:
    """Interpolated binomial quantile q, as a share of n.

    Spiegelhalter (2005, appendix) interpolates between binomial quantiles as (r - alpha) / n;
    we spread each count's probability over [r - 0.5, r + 0.5] instead, i.e. (r + 0.5 - alpha) / n.
    That makes the limits symmetric at p0 = 0.5, and a count lies outside them exactly when its
    mid-p binomial test rejects at this level (the plain version flags a count one too early).
    """
    r = _binom_ppf(q, n, p0)
    f_r = _binom_cdf(r, n, p0)
    f_prev = _binom_cdf(r - 1, n, p0)
    step = np.where(f_r > f_prev, f_r - f_prev, 1.0)
    return np.clip((r + 0.5 - (f_r - q) / step) / n, 0.0, 1.0)


@lru_cache(maxsize=32)
def _exact_envelope(p0: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits for n = 1..EXACT_MAX_N, made monotone in n.

    Discreteness makes the raw exact limits wiggle by up to ~0.01 in p at tiny n; taking the
    outer envelope (the widest limit at this n or any larger n) keeps them monotone and errs
    on the side of not flagging a township.
    """
    grid = np.arange(1, EXACT_MAX_N + 1, dtype=float)
    low = _exact_limits(grid, p0, (1.0 - level) / 2.0)
    high = _exact_limits(grid, p0, (1.0 + level) / 2.0)
    low = np.minimum.accumulate(low[::-1])[::-1]
    high = np.maximum.accumulate(high[::-1])[::-1]
    low.flags.writeable = False
    high.flags.writeable = False
    return low, high


def funnel_limits_share(n: Sequence[int] | np.ndarray, p0: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Funnel control limits for the share of boys among n births, around p0.

    Exact binomial limits up to EXACT_MAX_N births, normal limits above (held inside the
    exact ones at EXACT_MAX_N so the funnel stays monotone). n == 0 gives NaN (internal
    only: callers map it to None before anything is shown).
    """
    from scipy.stats import norm

    n = np.asarray(n, dtype=float)
    env_low, env_high = _exact_envelope(float(p0), float(level))
    idx = np.clip(n, 1, EXACT_MAX_N).astype(int) - 1
    z = float(norm.ppf((1.0 + level) / 2.0))
    half = z * np.sqrt(p0 * (1.0 - p0) / np.where(n > 0, n, 1.0))
    big = n > EXACT_MAX_N
    low = np.where(big, np.maximum(p0 - half, env_low[-1]), env_low[idx])
    high = np.where(big, np.minimum(p0 + half, env_high[-1]), env_high[idx])
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def funnel_limits(
    n: Sequence[int] | np.ndarray, reference_srb: float, level: float
) -> tuple[list[float | None], list[float | None]]:
    """Funnel control limits on the SRB scale around a reference SRB, per number of births."""
    low, high = funnel_limits_share(n, share_from_srb(reference_srb), level)
    return [srb_from_share(float(v)) for v in low], [srb_from_share(float(v)) for v in high]


@dataclass(frozen=True)
class Shrinkage:
    """Empirical-Bayes shrunk SRB per unit (None for units with no births)."""

    srb: list[float | None]
    mean_srb: float | None
    tau2: float
    weight_on_mean: list[float | None]


def shrink_srb(boys: Sequence[int], girls: Sequence[int], min_births_for_tau2: int = 100) -> Shrinkage:
    """Shrink each unit's log(boys/girls) toward the random-effects mean (DerSimonian-Laird).

    y = ln((M+0.5)/(F+0.5)) with variance 1/(M+0.5) + 1/(F+0.5): the 0.5 keeps zero cells
    finite, and their huge variance gives them almost no weight in the mean. The between-unit
    variance tau^2 is estimated only from units with at least ``min_births_for_tau2`` births:
    for a handful of births log(M/F) is far from normal, and a 4-boys-0-girls township would
    otherwise inflate tau^2 and escape its own shrinkage. Units with no births get None.
    """
    m = np.asarray(boys, dtype=float)
    f = np.asarray(girls, dtype=float)
    has = (m + f) > 0
    y = np.log((m + 0.5) / (f + 0.5))
    v = 1.0 / (m + 0.5) + 1.0 / (f + 0.5)
    if not has.any():
        return Shrinkage([None] * len(m), None, 0.0, [None] * len(m))
    big = has & ((m + f) >= min_births_for_tau2)
    tau2 = _dersimonian_laird_tau2(y[big], v[big])
    yk, vk = y[has], v[has]
    w_re = 1.0 / (vk + tau2)
    mu = float(np.sum(w_re * yk) / np.sum(w_re))
    b = v / (v + tau2) if tau2 > 0 else np.ones_like(v)
    shrunk = b * mu + (1.0 - b) * y
    srb = [float(100.0 * math.exp(s)) if h else None for s, h in zip(shrunk, has, strict=True)]
    weight = [float(x) if h else None for x, h in zip(b, has, strict=True)]
    return Shrinkage(srb, float(100.0 * math.exp(mu)), tau2, weight)


def _dersimonian_laird_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """Between-unit variance by DerSimonian-Laird; 0 with fewer than two units."""
    if len(y) < 2:
        return 0.0
    w = 1.0 / v
    mu_fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - mu_fixed) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (len(y) - 1)) / c) if c > 0 else 0.0


# The classes of a township against the funnel limits (tables.township_srb_table).
CLASSES = ("above", "expected", "below", "too_few")
