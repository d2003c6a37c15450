"""The distributions the data alerts test against, as scipy.stats computes them but without loading
scipy.stats (about a second at import): the negative binomial summed in numpy (equal to scipy's Boost
functions within 1e-12, the same quantiles), the beta-binomial by scipy's own generic method (with
scipy.special's betaln, loaded only when a month's boys come near a limit), the normal quantile from
the standard library. tests/test_alerts_scipy.py checks them against scipy.stats."""

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


TAIL_LEFT = 1e-60  # the negative binomial's mass left beyond the values it sums: sf exact to 1e-12 above 1e-48


class NegativeBinomial:
    """scipy.stats.nbinom(n, p)'s sf, cdf, isf and ppf (0 < p <= 1, n > 0, 0 < q < 1) in numpy, without
    scipy (scipy.special's array-API layer took 0.15-0.3 s of a small import): the probabilities of
    0, 1, ... up to where the rest of the tail is below ``TAIL_LEFT``, from the log of each
    ratio pmf(j) / pmf(j - 1) = (n + j - 1) (1 - p) / j summed (no cancellation: every term is of
    the order of log(mean / j)), then summed from below (cdf) and from above (sf). The same numbers
    as scipy's Boost functions to 1e-12 and the same quantiles (tests/test_alerts_scipy.py).
    ``ppf(q)``: the smallest k with cdf(k) >= q; ``isf(q)``: the smallest k with sf(k) <= q."""

    def __init__(self, n: np.ndarray, p: np.ndarray) -> None:
        self.n = np.asarray(n, dtype=np.float64)
        self.p = np.broadcast_to(np.asarray(p, dtype=np.float64), self.n.shape)
        self._table: tuple[np.ndarray, np.ndarray] | None = None

    def _tails(self, top: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """(cdf, sf) per cell (rows) of 0, 1, ..., a common last value (columns) at least ``top``."""
        if self._table is not None and self._table[0].shape[1] > top:
            return self._table
        # The running sums of the logs reach a few thousand: summed in float64 their rounding
        # alone would cost 1e-11 of the probabilities, so they are summed in x86's 80-bit long double.
        n, p = self.n[:, None], self.p[:, None]
        head = n.astype(np.longdouble) * np.log(p.astype(np.longdouble))  # log P(X = 0)
        mean = self.n * (1 - self.p) / self.p
        last = int(max(top, float(np.max(mean + 12 * np.sqrt(mean / self.p), initial=0.0))) + 60)
        while True:
            j = np.arange(1, last + 1, dtype=np.float64)
            with np.errstate(divide="ignore"):
                steps = np.log((n + j - 1) * (1 - p) / j).astype(np.longdouble)
            log_pmf = np.concatenate([head, head + np.cumsum(steps, axis=1)], axis=1).astype(np.float64)
            pmf = np.exp(log_pmf)
            # beyond ``last`` each ratio pmf(j) / pmf(j - 1) is below (n + last) (1 - p) / (last + 1)
            ratio = (self.n + last) * (1 - self.p) / (last + 1)
            rest = pmf[:, -1] * ratio / np.maximum(1 - ratio, 1e-300)
            if np.all((ratio < 1) & (rest <= TAIL_LEFT)) or last > 20_000_000 // max(len(self.n), 1):
                break
            last = last * 3 // 2
        cdf = np.minimum(np.cumsum(pmf, axis=1), 1.0)
        above = np.cumsum(pmf[:, :0:-1], axis=1)[:, ::-1]  # above[:, k] = P(X > k), k < last
        sf = np.minimum(np.concatenate([above, np.zeros((len(self.n), 1))], axis=1), 1.0)
        self._table = (cdf, sf)
        return self._table

    def _at(self, table: np.ndarray, k: np.ndarray) -> np.ndarray:
        k = np.floor(np.maximum(np.broadcast_to(k, self.n.shape), 0)).astype(np.int64)
        return table[np.arange(len(k)), k]

    def sf(self, k: np.ndarray) -> np.ndarray:  # P(X > k); 1 below the support
        k = np.asarray(k, dtype=np.float64)
        _, sf = self._tails(float(np.max(k, initial=0.0)))
        return np.where(k < 0, 1.0, self._at(sf, k))

    def cdf(self, k: np.ndarray) -> np.ndarray:  # P(X <= k); 0 below the support
        k = np.asarray(k, dtype=np.float64)
        cdf, _ = self._tails(float(np.max(k, initial=0.0)))
        return np.where(k < 0, 0.0, self._at(cdf, k))

    def isf(self, q: float) -> np.ndarray:
        _, sf = self._tails()
        return np.argmax(sf <= q, axis=1).astype(np.float64)

    def ppf(self, q: float) -> np.ndarray:
        cdf, _ = self._tails()
        return np.argmax(cdf >= q, axis=1).astype(np.float64)


class BetaBinomial:
    """scipy.stats.betabinom(n, a, b)'s sf, cdf, isf and ppf (n >= 1 whole, a, b > 0, 0 < q < 1)
    in numpy, without scipy: the probability of every value 0..n of every month at once, each the
    product C(n, k) (a)_k (b)_(n-k) / (a + b)_n as sums of logs in x86's 80-bit long double (scipy's
    betaln differences lose up to 1e-11 at a, b of thousands; these stay within 1e-15); then, as
    scipy's generic discrete distribution does, cdf a sum of those, sf = 1 - cdf, ppf(q) the smallest
    k with cdf(k) >= q and isf(q) = ppf(1 - q). Within 1e-12 of scipy.stats, the same quantiles
    (tests/test_alerts_scipy.py)."""

    def __init__(self, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        self.n = np.asarray(n).astype(np.int64)
        self.a, self.b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        self._cdf: np.ndarray | None = None

    def _table(self) -> np.ndarray:
        """cdf per month (rows) of 0..max(n) (columns; 1 beyond a month's own n)."""
        if self._cdf is None:
            top = int(self.n.max(initial=0))
            i = np.arange(top + 1, dtype=np.longdouble)[None, :]  # 0..top

            def rising(x: np.ndarray) -> np.ndarray:  # log of (x)_m = x (x + 1) ... (x + m - 1), m = 0..top
                steps = np.log(x.astype(np.longdouble)[:, None] + i[:, :-1])
                return np.concatenate([np.zeros((len(x), 1), np.longdouble), np.cumsum(steps, axis=1)], axis=1)

            rows = np.arange(len(self.n))[:, None]
            k = np.minimum(np.arange(top + 1)[None, :], self.n[:, None])
            log_fact = np.concatenate([[0], np.cumsum(np.log(np.arange(1, top + 1, dtype=np.longdouble)))])
            log_choose = log_fact[self.n][:, None] - log_fact[k] - log_fact[self.n[:, None] - k]
            log_pmf = (
                log_choose
                + rising(self.a)[rows, k]
                + rising(self.b)[rows, self.n[:, None] - k]
                - rising(self.a + self.b)[rows[:, 0], self.n][:, None]
            )
            pmf = np.where(np.arange(top + 1)[None, :] <= self.n[:, None], np.exp(log_pmf).astype(np.float64), 0.0)
            self._cdf = np.cumsum(pmf, axis=1)
        return self._cdf

    def _at(self, k: np.ndarray) -> np.ndarray:
        k = np.clip(np.floor(np.asarray(k, dtype=np.float64)), 0, self.n).astype(np.int64)
        return np.clip(self._table()[np.arange(len(self.n)), k], 0.0, 1.0)

    def cdf(self, k: np.ndarray) -> np.ndarray:
        return np.where(k < 0, 0.0, np.where(k >= self.n, 1.0, self._at(k)))

    def sf(self, k: np.ndarray) -> np.ndarray:
        return np.where(k < 0, 1.0, np.where(k >= self.n, 0.0, np.clip(1.0 - self._at(k), 0.0, 1.0)))

    def ppf(self, q: float) -> np.ndarray:
        inside = np.arange(self._table().shape[1])[None, :] < self.n[:, None]
        return np.argmax((self._table() >= q) | ~inside, axis=1).astype(np.float64)

    def isf(self, q: float) -> np.ndarray:
        return self.ppf(1.0 - q)


def negative_binomial(expected: np.ndarray, variance_factor: np.ndarray) -> NegativeBinomial:
    """scipy's negative binomial of mean E and variance E * f (f > 1): n = E / (f - 1), p = 1 / f."""
    f = np.maximum(variance_factor, 1 + 1e-9)
    return NegativeBinomial(np.maximum(expected, 1e-9) / (f - 1), 1 / f)
