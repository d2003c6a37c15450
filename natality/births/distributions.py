"""The distributions the data alerts test against, as scipy.stats computes them but without loading
scipy.stats (about a second at import): the negative binomial through the Boost functions of
scipy.special, the beta-binomial by scipy's own generic method, the normal quantile from the standard
library. tests/test_alerts_scipy.py checks them against scipy.stats, bit for bit."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

# E[min(Z^2, 9)] for a standard normal Z, what the capped mean is for phi = 1: with z = 3,
# chi2.cdf(z * z, 3) + z * z * 2 * norm.sf(z) (E[Z^2; |Z| < z] = P(chi2_3 < z^2)), as scipy.stats
# computes it (tests/test_alerts_scipy.py checks it bit for bit); written out, so that an import
# does not load scipy.stats (1 s) for one constant.
WINSOR_CONSTANT = 0.9950072780344534


def norm_isf(q: float) -> float:
    """The standard normal's upper q-quantile (scipy's norm.isf), by the standard library: only
    a threshold with a margin of 1 or 2 (which cells get exact tails), never a reported number."""
    return -NormalDist().inv_cdf(q)


class NegativeBinomial:
    """scipy.stats.nbinom(n, p)'s sf, cdf, isf and ppf (0 < p <= 1, n > 0, 0 < q < 1), by the
    Boost functions it calls (scipy.special's ufuncs): scipy.special loads in a third of
    scipy.stats' time. The same numbers, bit for bit (tests/test_alerts_scipy.py)."""

    def __init__(self, n: np.ndarray, p: np.ndarray) -> None:
        from scipy.special import _ufuncs

        self.n, self.p, self._u = n, p, _ufuncs

    def sf(self, k: np.ndarray) -> np.ndarray:  # P(X > k); 1 below the support
        with np.errstate(over="ignore"):
            return np.where(k < 0, 1.0, self._u._nbinom_sf(np.floor(np.maximum(k, 0)), self.n, self.p))

    def cdf(self, k: np.ndarray) -> np.ndarray:  # P(X <= k); 0 below the support
        with np.errstate(over="ignore"):
            return np.where(k < 0, 0.0, self._u._nbinom_cdf(np.floor(np.maximum(k, 0)), self.n, self.p))

    def isf(self, q: float) -> np.ndarray:
        with np.errstate(over="ignore"):  # as scipy (its gh-17432)
            return self._u._nbinom_isf(q, self.n, self.p)

    def ppf(self, q: float) -> np.ndarray:
        with np.errstate(over="ignore"):
            return self._u._nbinom_ppf(q, self.n, self.p)


class BetaBinomial:
    """scipy.stats.betabinom(n, a, b)'s sf, cdf, isf and ppf (n >= 1 whole, a, b > 0, 0 < q < 1),
    the way scipy's generic discrete distribution computes them (a sum of the pmf per value, a
    bisection per quantile; only for the few months near the level), without loading
    scipy.stats. The same numbers, bit for bit (tests/test_alerts_scipy.py)."""

    def __init__(self, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        from scipy.special import betaln

        self.n, self.a, self.b, self._betaln = n, a, b, betaln

    def _pmf(self, m, n, a, b):
        k = np.floor(m)
        combiln = -np.log(n + 1) - self._betaln(n - k + 1, k + 1)
        return np.exp(combiln + self._betaln(k + a, n - k + b) - self._betaln(a, b))

    def _cdf1(self, x, n, a, b) -> float:
        k = np.floor(x).astype(np.float64)
        return float(np.sum(self._pmf(np.arange(0, k + 1), n, a, b), axis=0))

    def _ppf1(self, q: float, n, a, b) -> float:  # scipy's _drv2_ppfsingle on the support [0, n]
        lo, hi, q_lo, q_hi = 0, n, self._cdf1(0, n, a, b), 1.0
        for _ in range(2046):
            if q_lo == q:
                return lo
            if q_hi == q:
                return hi
            if hi <= lo + 1:
                return lo if q_lo > q else hi
            mid = int((lo + hi) / 2.0)
            q_mid = self._cdf1(mid, n, a, b)
            if q_mid < q:
                lo, q_lo = mid, q_mid
            elif q_mid > q:
                hi, q_hi = mid, q_mid
            else:
                return mid
        raise RuntimeError("quantile not found")

    def _each(self, values: np.ndarray, one) -> np.ndarray:
        rows = zip(values, self.n, self.a, self.b, strict=True)
        return np.array([one(v, n, a, b) for v, n, a, b in rows], dtype=np.float64)

    def cdf(self, k: np.ndarray) -> np.ndarray:
        inside = self._each(np.clip(k, 0, None), lambda x, n, a, b: min(max(self._cdf1(x, n, a, b), 0.0), 1.0))
        return np.where(k < 0, 0.0, np.where(k >= self.n, 1.0, inside))

    def sf(self, k: np.ndarray) -> np.ndarray:
        inside = self._each(np.clip(k, 0, None), lambda x, n, a, b: min(max(1.0 - self._cdf1(x, n, a, b), 0.0), 1.0))
        return np.where(k < 0, 1.0, np.where(k >= self.n, 0.0, inside))

    def ppf(self, q: float) -> np.ndarray:
        return self._each(np.full(len(self.n), q), self._ppf1)

    def isf(self, q: float) -> np.ndarray:
        return self.ppf(1.0 - q)


def negative_binomial(expected: np.ndarray, variance_factor: np.ndarray) -> NegativeBinomial:
    """scipy's negative binomial of mean E and variance E * f (f > 1): n = E / (f - 1), p = 1 / f."""
    f = np.maximum(variance_factor, 1 + 1e-9)
    return NegativeBinomial(np.maximum(expected, 1e-9) / (f - 1), 1 / f)
