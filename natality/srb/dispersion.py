"""Over-dispersion of township SRBs and the funnel limits that allow for it (Spiegelhalter 2005).

Townships differ for real reasons (registration practice, migration, a hospital in one of them),
so a province's townships vary more than binomial chance alone: with plain limits dozens fall
outside them although nothing is unusual. Spiegelhalter ("Funnel plots for comparing
institutional performance", Stat Med 2005) estimates that extra spread from the townships
themselves and widens the limits:

* z-scores of the share of boys, z_i = (p_i - p0) / sqrt(p0 (1 - p0) / n_i), around the pooled
  share p0 of the judged townships (the spread between townships, whatever reference the plot
  is drawn around: a 105 reference in a county at 115 must not read as over-dispersion);
* winsorised at 10 % each end: the k = floor(0.1 I) smallest are set to the (k+1)-th smallest
  and the k largest to the (k+1)-th largest, so the outliers being judged do not set the spread;
* phi = sum(z_w^2) / I; over-dispersed when I phi exceeds its null mean I by two standard
  deviations of chi^2_I, i.e. phi > 1 + 2 sqrt(2 / I);
* multiplicative allowance: the limits' distance from p0 times sqrt(phi);
* additive allowance (random effects): tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w),
  w_i = 1 / s_i^2 (0 when negative), limits p0 +- z sqrt(s^2 + tau^2). With exact binomial limits
  for small n we add tau^2 to the exact distance: p0 +- sqrt(d_exact^2 + (z tau)^2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from natality.srb.stats import funnel_limits_share, share_from_srb, srb_from_share

WINSOR = 0.10  # Spiegelhalter's 10 % at each end
# Below this many judged townships "auto" widens nothing: 10 % winsorising then trims one or two,
# so the very hotspots the plot should find would set the spread (the demo county's 3 of 19 give
# phi ~ 3); the estimate is still reported, and an allowance can be chosen by hand.
MIN_TOWNSHIPS_AUTO = 30
MIN_TOWNSHIPS_ESTIMATE = 3
ALLOWANCES = ("auto", "additive", "multiplicative", "none")


@dataclass(frozen=True)
class Dispersion:
    """The over-dispersion estimate over the judged townships (None where it cannot be made)."""

    phi: float | None
    tau2: float | None
    townships: int
    pooled_share: float | None

    @property
    def threshold(self) -> float | None:
        """phi above this is over-dispersion: 1 + 2 sqrt(2 / I)."""
        return 1.0 + 2.0 * math.sqrt(2.0 / self.townships) if self.townships else None

    @property
    def overdispersed(self) -> bool:
        return self.phi is not None and self.phi > (self.threshold or math.inf)


@dataclass(frozen=True)
class Allowance:
    """What the funnel allows for: ``kind`` applied ('none', 'additive', 'multiplicative'), the
    user's ``choice`` and, when nothing is applied, ``reason`` ('chosen', 'not_overdispersed',
    'too_few_townships', 'cannot_estimate', or 'no_spread': the allowance asked for widens nothing,
    tau^2 = 0 or phi <= 1)."""

    kind: str
    choice: str
    dispersion: Dispersion
    reason: str = ""

    @property
    def applied(self) -> bool:
        return self.kind != "none"


NO_ALLOWANCE = Allowance("none", "none", Dispersion(None, None, 0, None), "chosen")


def winsorise(z: np.ndarray, fraction: float = WINSOR) -> np.ndarray:
    """Set the k = floor(fraction * I) smallest values to the (k+1)-th smallest, the k largest
    to the (k+1)-th largest (rank-based, no interpolation, so a hand count agrees)."""
    if len(z) == 0:
        return z
    k = math.floor(fraction * len(z))
    ordered = np.sort(z)
    return np.clip(z, ordered[k], ordered[len(z) - 1 - k])


def overdispersion(boys: Sequence[int] | np.ndarray, births: Sequence[int] | np.ndarray, min_births: int) -> Dispersion:
    """phi and tau^2 on the share of boys over townships with at least ``min_births`` births."""
    m = np.asarray(boys, dtype=float)
    n = np.asarray(births, dtype=float)
    keep = (n >= max(min_births, 1)) & (n > 0)
    m, n = m[keep], n[keep]
    count = len(n)
    if count < MIN_TOWNSHIPS_ESTIMATE:
        return Dispersion(None, None, count, None)
    p0 = float(m.sum() / n.sum())
    if p0 <= 0.0 or p0 >= 1.0:  # all boys or all girls everywhere: no binomial spread to compare with
        return Dispersion(None, None, count, p0)
    s2 = p0 * (1.0 - p0) / n
    z = (m / n - p0) / np.sqrt(s2)
    phi = float(np.mean(winsorise(z) ** 2))
    w = 1.0 / s2
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (count * phi - (count - 1)) / denominator) if denominator > 0 else 0.0
    return Dispersion(phi, tau2, count, p0)


def choose_allowance(choice: str, dispersion: Dispersion) -> Allowance:
    """Resolve the page's choice: 'auto' applies the additive allowance when the townships are
    over-dispersed and there are enough of them to tell; an explicit choice is applied as asked."""
    if choice == "none" or choice not in ALLOWANCES:
        return Allowance("none", "none", dispersion, "chosen")
    if dispersion.phi is None:
        return Allowance("none", choice, dispersion, "cannot_estimate")
    if choice != "auto":
        widens = (dispersion.tau2 or 0.0) > 0 if choice == "additive" else dispersion.phi > 1.0
        return Allowance(choice, choice, dispersion) if widens else Allowance("none", choice, dispersion, "no_spread")
    if not dispersion.overdispersed:
        return Allowance("none", choice, dispersion, "not_overdispersed")
    if dispersion.townships < MIN_TOWNSHIPS_AUTO:
        return Allowance("none", choice, dispersion, "too_few_townships")
    return Allowance("additive", choice, dispersion)


def adjusted_limits_share(
    n: Sequence[int] | np.ndarray, p0: float, level: float, allowance: Allowance = NO_ALLOWANCE
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for the share of boys, widened as ``allowance`` says (never narrowed:
    a phi below 1 leaves the plain limits)."""
    from scipy.stats import norm

    low, high = funnel_limits_share(n, p0, level)
    d = allowance.dispersion
    if allowance.kind == "multiplicative":
        widen = math.sqrt(max(d.phi or 1.0, 1.0))
        low, high = p0 - (p0 - low) * widen, p0 + (high - p0) * widen
    elif allowance.kind == "additive" and (d.tau2 or 0.0) > 0:
        extra = (float(norm.ppf((1.0 + level) / 2.0)) ** 2) * d.tau2
        low, high = p0 - np.sqrt((p0 - low) ** 2 + extra), p0 + np.sqrt((high - p0) ** 2 + extra)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def adjusted_limits(
    n: Sequence[int] | np.ndarray, reference_srb: float, level: float, allowance: Allowance = NO_ALLOWANCE
) -> tuple[list[float | None], list[float | None]]:
    """``adjusted_limits_share`` on the SRB scale (None where n is 0 or the limit reaches p = 1)."""
    low, high = adjusted_limits_share(n, share_from_srb(reference_srb), level, allowance)
    return [srb_from_share(float(v)) for v in low], [srb_from_share(float(v)) for v in high]


def adjusted_z(boys: np.ndarray, births: np.ndarray, p0: float, allowance: Allowance = NO_ALLOWANCE) -> np.ndarray:
    """Standard errors from p0, allowing for over-dispersion as the limits do (NaN without births)."""
    n = np.asarray(births, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    var = p0 * (1.0 - p0) / safe
    d = allowance.dispersion
    if allowance.kind == "multiplicative":
        var = var * max(d.phi or 1.0, 1.0)
    elif allowance.kind == "additive":
        var = var + (d.tau2 or 0.0)
    z = (np.asarray(boys, dtype=float) / safe - p0) / np.sqrt(var)
    return np.where(n > 0, z, np.nan)


def tau_in_srb_points(tau2: float, p0: float) -> float:
    """tau on the share scale expressed as SRB points near p0 (d SRB / dp = 100 / (1 - p)^2)."""
    return math.sqrt(tau2) * 100.0 / (1.0 - p0) ** 2
