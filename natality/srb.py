"""Sex ratio at birth (SRB) statistics: estimates, intervals, funnel limits, shrinkage.

SRB = 100 * boys / girls. With p = boys / (boys + girls) the SRB is 100 * p / (1 - p), a
monotone map, so an interval for p maps exactly onto an interval for the SRB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
