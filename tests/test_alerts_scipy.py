"""The data alerts' distributions without scipy: the same quantiles as the scipy.stats calls they
replace and probabilities within 1e-12 of them (or of the exact sums where scipy's own rounding is
larger); and a small import that loads neither scipy nor geopandas
(a real ``python -m natality import`` process, its sys.modules read at exit)."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from natality.births import distributions
from natality.core import extract

ROOT = Path(__file__).resolve().parent.parent


def test_the_winsor_constant_is_scipys():
    z = 3.0
    assert float(stats.chi2.cdf(z * z, 3) + z * z * 2 * stats.norm.sf(z)) == distributions.WINSOR_CONSTANT


def test_the_negative_binomial_is_scipys_within_1e_12_with_the_same_quantiles():
    """Summed in numpy (no scipy.special): the probabilities within 1e-12 of scipy's Boost ones
    (relative, down to 1e-30), the quantiles (the limits shown) exactly equal; a township-month of
    3,000 births among them."""
    rng = np.random.default_rng(7)
    expected = np.concatenate([rng.uniform(0.5, 80, 400), [1e-9, 1.0, 5.0, 300.0], rng.uniform(100, 3000, 40)])
    factor = np.concatenate([rng.uniform(1.0, 3.0, 400), [1.0, 1.2, 2.5, 1.0 + 1e-12], rng.uniform(1.05, 6, 40)])
    births = np.concatenate([rng.integers(0, 150, 400), [0, 1, 40, 250], rng.integers(0, 4000, 40)]).astype(float)
    ours = distributions.negative_binomial(expected, factor)
    f = np.maximum(factor, 1 + 1e-9)
    theirs = stats.nbinom(np.maximum(expected, 1e-9) / (f - 1), 1 / f)
    for mine, scipys in (
        (ours.sf(births - 1), theirs.sf(births - 1)),  # births 0: k = -1
        (ours.cdf(births), theirs.cdf(births)),
        (ours.cdf(births - 1), theirs.cdf(births - 1)),
    ):
        np.testing.assert_allclose(mine, scipys, rtol=1e-12, atol=1e-30)
    assert ours.sf(np.array([-1.0] * len(births)))[0] == 1.0 and ours.cdf(births - 1)[births == 0].max() == 0.0
    for level in (1e-7, 1e-6, 2.5e-5, 0.01, 0.3):
        np.testing.assert_array_equal(ours.isf(level), theirs.isf(level))
        np.testing.assert_array_equal(ours.ppf(level), theirs.ppf(level))


@pytest.mark.parametrize("level", [1e-7, 2.5e-5, 0.003])
def test_the_normal_threshold_is_scipys_within_rounding(level):
    assert distributions.norm_isf(level) == pytest.approx(float(stats.norm.isf(level)), rel=1e-12)


def test_a_small_import_loads_neither_geopandas_nor_scipy(tmp_path):
    """The demo county, then 3 births into its live version as a process: the alerts and the
    scorecard still run (a warning is printed or not), geopandas and scipy (even scipy.special) stay
    unloaded, and so do pandas, plotly (the pages' charts), rapidfuzz (a file of codes matches
    no names) and pyarrow (``core.frames``: frames cross between DuckDB and polars as Arrow C
    streams)."""
    data = tmp_path / "demo"
    made = subprocess.run([sys.executable, "-m", "natality", "demo", "--out", str(data)], cwd=ROOT, capture_output=True)
    assert made.returncode == 0, made.stderr
    births = tmp_path / "b.csv"
    towns = extract.live_version_dir(data) / "townships.parquet"
    code = pl.read_parquet(towns)["township_code"].min()
    births.write_bytes(f"乡镇代码,出生日期,性别\n{code},2024-12-03,男\n{code},2024-12-09,女\n".encode("gb18030"))
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['natality', 'import', '--out', sys.argv[1], '--births', sys.argv[2], '--months-only']\n"
        "try:\n    runpy.run_module('natality', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    unwanted = ('geopandas', 'shapely', 'scipy', 'pandas', 'plotly', 'rapidfuzz', 'pyarrow')\n"
        "    loaded = sorted(m for m in unwanted if m in sys.modules)\n"
        "    print('EXIT', exit.code, 'LOADED', ','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(data), str(births)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout.strip() == "EXIT 0 LOADED", done.stdout + done.stderr


def _exact_beta_binomial_sf(n: int, a: float, b: float, k: int) -> float:
    """P(X >= k) = sum over j >= k of C(n, j) (a)_j (b)_(n-j) / (a + b)_n, in 50-digit decimals."""
    getcontext().prec = 50

    def rising(x: Decimal, m: int) -> Decimal:
        return math.prod((x + i for i in range(m)), start=Decimal(1))

    a_, b_ = Decimal(float(a)), Decimal(float(b))
    if k <= 0:
        return 1.0
    upper = sum(Decimal(math.comb(n, j)) * rising(a_, j) * rising(b_, n - j) for j in range(k, n + 1))
    return float(upper / rising(a_ + b_, n))


def test_the_beta_binomial_is_scipys_within_1e_12_with_the_same_quantiles():
    """Without scipy.special's betaln: within 1e-13 of the exact sums (50-digit decimals), within
    2e-11 of scipy (whose betaln differences round by 1.4e-11 at a, b of thousands), the
    quantiles exactly scipy's."""
    rng = np.random.default_rng(11)
    size = 60
    n = np.concatenate([rng.integers(20, 200, size), [1, 20, 50]])
    a = np.concatenate([rng.uniform(50, 3000, size), [0.5, 10.5, 400.5]])
    b = np.concatenate([rng.uniform(50, 3000, size), [0.5, 9.5, 380.5]])
    boys = np.concatenate([rng.integers(0, 200, size) % (n[:size] + 1), [0, 20, 37]]).astype(n.dtype)
    ours, theirs = distributions.BetaBinomial(n, a, b), stats.betabinom(n, a, b)
    np.testing.assert_allclose(ours.sf(boys - 1), theirs.sf(boys - 1), rtol=0, atol=2e-11)
    np.testing.assert_allclose(ours.cdf(boys), theirs.cdf(boys), rtol=0, atol=2e-11)
    exact = [_exact_beta_binomial_sf(int(m), x, y, int(k)) for m, x, y, k in zip(n, a, b, boys, strict=True)]
    np.testing.assert_allclose(ours.sf(boys - 1), exact, rtol=0, atol=1e-13)
    for level in (1e-6, 2.5e-5, 0.01):
        np.testing.assert_array_equal(ours.isf(level), theirs.isf(level))
        np.testing.assert_array_equal(ours.ppf(level), theirs.ppf(level))
