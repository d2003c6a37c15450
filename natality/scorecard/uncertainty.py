"""How sure is a rank? Each township's rank with a 90 % interval from the indicators' sampling error.

A township of 300 births whose SRB is 112 could as well have had 106 or 118; its score and its
rank move with it. ``simulate_scores`` redraws every judged numerator from its own sampling
distribution (births: Poisson; SRB boys among births, rates and reported indicators: binomial on
their denominators), judges and scores every draw with the scorecard's own rules (targets,
interval judging, proportional credit, veto), all at once over a (draws x township-indicator)
array per year, seeded so that a rerun gives the same intervals. It runs once per extract
version with the scorecard; ``rank_intervals`` then ranks the simulated scores within whatever
selection is shown (a county inside a province re-ranks among its own townships) and takes the
5th and 95th percentile of each township's ranks.

A rank change between two years is called a change only when the two years' intervals do not
overlap (``rank_change_sure``); two townships whose intervals overlap may swap places by chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from natality.scorecard.indicators import Indicator, Registry
from natality.srb.stats import Z95

DRAWS = 200  # 200 draws put the 5th / 95th percentile within about one place for 2,000 townships
SEED = 14  # fixed: the same extract always gives the same intervals
LEVEL = 0.90
# From this variance (for a binomial: n p (1 - p) >= 10, the usual rule) a count is drawn from its
# normal approximation, rounded and clipped: several times faster than exact draws.
NORMAL_FROM = 10.0
_JUDGED = ("met", "missed", "on_track", "at_risk")
_VETO_PENALTY = 1000.0  # as ranking._ranked: a vetoed township ranks below every other
_INTERVAL_SCHEMA = {"township_code": pl.String, "year": pl.Int32, "rank_low": pl.Int32, "rank_high": pl.Int32}


@dataclass(frozen=True)
class SimulatedScores:
    """The ranking key (score, minus the veto penalty) of every scored township-year in every draw."""

    keys: pl.DataFrame  # township_code, year, column: the column of ``ranking`` for that township-year
    ranking: np.ndarray  # (draws, township-years) float32
    decimals: int = 1  # scores are rounded to this many decimals (so ranking keys take few values)
    carried: tuple[int, ...] = ()  # years taken from an earlier version's draws (``EarlierDraws``)


def _counts(rng: np.random.Generator, mean: np.ndarray, var: np.ndarray, draws: int, exact) -> np.ndarray:
    """(draws, len(mean)) counts with that mean and variance: ``exact(columns, draws)`` for the
    small ones, else the normal approximation rounded to whole numbers and never below 0."""
    out = rng.standard_normal((draws, mean.size), dtype=np.float32)
    out *= np.sqrt(var).astype(np.float32)
    out += mean.astype(np.float32)
    np.rint(out, out=out)
    np.maximum(out, 0.0, out=out)
    small = np.flatnonzero(var < NORMAL_FROM)
    if small.size:
        out[:, small] = exact(small, draws)
    return out


def _wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson 95 % interval of k / n, as ``srb.stats.wilson_interval``, over arrays."""
    z = Z95
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    low[k == 0] = 0.0
    high[k == n] = 1.0
    return low, high


def _first_beyond(n: np.ndarray, share: np.ndarray, higher: bool) -> np.ndarray:
    """Per row, the smallest count k (0..n, n + 1 if none) whose Wilson interval judges the target
    ``share`` (of n) met when higher is better (upper bound >= share), or missed when lower is better
    (lower bound > share). Both bounds rise with k, so the interval verdict of every draw is one
    comparison of its count with this threshold (found by bisection over rows, ~12 steps)."""
    lo, hi = np.zeros_like(n), n + 1.0
    while np.any(lo < hi):
        mid = np.floor((lo + hi) / 2)
        low_p, high_p = _wilson(mid, n)
        beyond = high_p >= share if higher else low_p > share
        hi = np.where(beyond, mid, hi)
        lo = np.where(beyond, lo, mid + 1.0)
    return lo


def _indicator_draws(ind: Indicator, part: pl.DataFrame, year: int, rng: np.random.Generator, draws: int):
    """(good, credit), each (draws, rows) float32 / bool: one indicator's verdicts and credit in every draw."""
    num, den, target = (part[c].to_numpy().astype(float) for c in ("numerator", "denominator", "target"))
    annualise = (ind.partial_year == "annualise_value") & (part["months"].to_numpy() < 12)
    factor = np.where(annualise, 1.0 / part["fraction"].to_numpy(), 1.0).astype(np.float32)
    higher = ind.direction(year) == "higher"
    target = target.astype(np.float32)
    if ind.formula == "count":
        k = _counts(rng, num, num, draws, lambda c, d: rng.poisson(num[c], size=(d, c.size)))
        value = k * (np.float32(ind.scale) * factor)
    else:
        n64 = np.maximum(np.rint(den), 1.0)
        p = np.clip(num / np.where(den > 0, den, 1.0), 0.0, 1.0)
        exact = lambda c, d: rng.binomial(n64[c].astype(np.int64), p[c], (d, c.size))  # noqa: E731
        k = _counts(rng, n64 * p, n64 * p * (1 - p), draws, exact)
        n = n64.astype(np.float32)
        np.minimum(k, n, out=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            # No girls drawn: an infinite SRB, a miss wherever SRB is capped.
            value = 100.0 * k / (n - k) if ind.formula == "srb" else k * (np.float32(ind.scale) * factor / n)
    if ind.judge == "interval" and ind.formula != "count":
        share = target.astype(float) / (100.0 + target) if ind.formula == "srb" else target / (ind.scale * factor)
        first = _first_beyond(n64, share, higher)
        # Lower is better: missed from ``first`` on; higher is better: missed below ``first``.
        good = k >= first.astype(np.float32) if higher else k < first.astype(np.float32)
    else:
        good = value >= target if higher else value <= target
    if ind.credit != "proportional":
        return good, good.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ind.floor is None:  # value vs target
            partial = value / target if higher else target / value
        else:
            gap = np.float32(ind.floor[1])
            if ind.floor[0] == "percent":
                gap = np.abs(target) * gap / 100
            partial = 1.0 - (target - value if higher else value - target) / gap
    np.nan_to_num(partial, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    np.clip(partial, 0.0, 1.0, out=partial)
    partial[good] = 1.0
    return good, partial


def _year_keys(rows: pl.DataFrame, registry: Registry, draws: int, seed: int) -> np.ndarray:
    """(draws, townships) float32 ranking keys for one year's judged rows (townships in sorted order)."""
    year = int(rows["year"][0])
    rng = np.random.default_rng([seed, year])
    rows = rows.with_columns(_town=pl.col("township_code").rle_id())
    m = int(rows["_town"].max()) + 1
    points = np.zeros((draws, m), dtype=np.float32)
    vetoed = np.zeros((draws, m), dtype=bool)
    judged_weight = np.zeros(m, dtype=np.float32)
    parts = rows.partition_by("indicator", as_dict=True)
    for ind in registry.indicators:  # one block per indicator: a handful of loops, not one per township
        part = parts.get((ind.id,))
        if part is None:
            continue
        town = part["_town"].to_numpy()
        good, credit = _indicator_draws(ind, part, year, rng, draws)
        points[:, town] += np.float32(ind.weight) * credit
        judged_weight[town] += ind.weight
        if ind.veto:  # a partial year's miss is only 'at risk': no veto until the year is complete
            complete = part["months"].to_numpy() >= 12
            vetoed[:, town[complete]] |= ~good[:, complete]
    score = np.round(points * (np.float32(100.0) / judged_weight), registry.score_decimals)
    if registry.vetoed_rank_last:
        score[vetoed] -= _VETO_PENALTY
    return score


# What a year's draws read from the judged rows: the same rows give the same draws (each year has
# its own seed), so a year whose rows an earlier version's simulation drew from is carried over.
SIMULATED = ("year", "township_code", "indicator", "numerator", "denominator", "target", "months", "fraction")


def simulation_rows(judged: pl.DataFrame) -> pl.DataFrame:
    """The judged rows the draws are made from (``SIMULATED``), by year, township and indicator.

    Only what the score counts is redrawn: the judged indicators of scored years (a year in which
    some township has a target); an indicator not judged (no target, no data, too small a
    denominator) stays out of every draw, as it does of the score."""
    scored_years = judged.filter(pl.col("target").is_not_null())["year"].unique()
    rows = judged.filter(pl.col("status").is_in(_JUDGED) & pl.col("year").is_in(scored_years.implode()))
    return rows.select(c for c in SIMULATED if c in rows.columns).sort("year", "township_code", "indicator")


@dataclass(frozen=True)
class EarlierDraws:
    """An earlier simulation (of another version of the extract, with the same code and registry)
    and the rows it was drawn from: a year with the very same rows has the very same draws."""

    rows: pl.DataFrame  # simulation_rows of that version
    simulation: SimulatedScores

    def block(self, year: int, rows: pl.DataFrame, draws: int) -> np.ndarray | None:
        """The (draws, townships) keys of ``year`` when its rows are those of ``rows``, else None."""
        if self.simulation.ranking.shape[0] != draws:
            return None
        if not self.rows.filter(pl.col("year") == year).equals(rows):
            return None
        columns = self.simulation.keys.filter(pl.col("year") == year)
        if not columns["township_code"].equals(rows["township_code"].unique(maintain_order=True)):
            return None
        return self.simulation.ranking[:, columns["column"].to_numpy()]


def simulate_scores(
    judged: pl.DataFrame,
    registry: Registry,
    draws: int = DRAWS,
    seed: int = SEED,
    earlier: EarlierDraws | None = None,
    rows: pl.DataFrame | None = None,
) -> SimulatedScores:
    """Score every township-year ``draws`` times from redrawn numerators (see the module docstring).

    ``judged``: ``scoring.judge``'s verdicts, of which ``simulation_rows`` are redrawn. Years are
    drawn one at a time, each from its own seed, to bound the memory; a year whose rows ``earlier``
    drew from is taken from it (``carried`` lists those years). ``rows``: ``simulation_rows(judged)``
    when the caller has them."""
    rows = simulation_rows(judged) if rows is None else rows
    keys, blocks, carried = [], [], []
    for (year,), part in rows.group_by("year", maintain_order=True):
        block = earlier.block(year, part, draws) if earlier is not None else None
        if block is None:
            block = _year_keys(part, registry, draws, seed)
        else:
            carried.append(int(year))
        blocks.append(block)
        keys.append(part.select(pl.col("township_code").unique(maintain_order=True)).with_columns(year=pl.lit(year)))
    if not blocks:
        empty = pl.DataFrame(schema={"township_code": pl.String, "year": pl.Int32, "column": pl.Int64})
        return SimulatedScores(empty, np.empty((draws, 0), dtype=np.float32), registry.score_decimals)
    frame = pl.concat(keys).cast({"year": pl.Int32}).with_row_index("column").cast({"column": pl.Int64})
    ranking = np.concatenate(blocks, axis=1)
    keys_frame = frame.select("township_code", "year", "column")
    return SimulatedScores(keys_frame, ranking, registry.score_decimals, tuple(carried))


def _draw_ranks(keys: np.ndarray, decimals: int | None = None) -> np.ndarray:
    """Rank of each column within its row, best (highest key) first, ties sharing the best place.

    Keys are scores rounded to ``decimals`` (minus the veto penalty): they take few distinct
    values, so the ranks come from counting each row's keys per value (no sort); with many values
    per township, or without ``decimals``, from a sort of each row."""
    draws, m = keys.shape
    if decimals is not None and m:
        scale = 10.0**decimals
        levels = np.rint(keys * scale).astype(np.int64)
        # Vetoed keys sit _VETO_PENALTY below the rest: close the empty levels between (order kept).
        vetoed = levels < -101 * scale
        levels[vetoed] += round((_VETO_PENALTY - 101) * scale)
        low = int(levels.min())
        width = int(levels.max()) - low + 1
        if width <= 4 * m:  # else (a few townships, or vetoes far below) sorting is cheaper
            levels -= low
            levels += width * np.arange(draws)[:, None]
            counts = np.bincount(levels.ravel(), minlength=draws * width).reshape(draws, width)
            # rank = 1 + how many keys of the row are higher: a cumulative count from the top.
            higher = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1] - counts
            return (np.take(higher.ravel(), levels) + 1).astype(np.int32)
    order = np.argsort(-keys, axis=1)  # the order within a run of ties does not matter
    ordered = np.take_along_axis(keys, order, axis=1)
    # The first position of each run of equal keys is the rank of every member of the run.
    starts = np.zeros((draws, m), dtype=np.int32)
    starts[:, 1:] = np.where(ordered[:, 1:] != ordered[:, :-1], np.arange(1, m, dtype=np.int32), 0)
    np.maximum.accumulate(starts, axis=1, out=starts)
    ranks = np.empty_like(starts)
    np.put_along_axis(ranks, order, starts + 1, axis=1)
    return ranks


def _percentiles(ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (1 - LEVEL) / 2 and (1 + LEVEL) / 2 percentiles of each column, as np.quantile's 'lower'
    and 'higher' methods (the outer order statistics: the interval is never narrower than 90 %)."""
    draws = ranks.shape[0]
    lo = int(np.floor((1 - LEVEL) / 2 * (draws - 1)))
    hi = int(np.ceil((1 + LEVEL) / 2 * (draws - 1)))
    parted = np.partition(ranks, (lo, hi), axis=0)
    return parted[lo], parted[hi]


def rank_intervals(card: pl.DataFrame, sim: SimulatedScores) -> pl.DataFrame:
    """township_code, year, rank_low, rank_high: the 90 % interval of each ranked row of ``card``,
    ranked among ``card``'s rows of the same year only (the selection shown), and never excluding
    the rank the township actually has (a township exactly at a target keeps its observed rank
    in its interval even if most draws fall short)."""
    ranked = card.filter(pl.col("rank").is_not_null()).select("township_code", "year", "rank")
    ranked = ranked.join(sim.keys, on=["township_code", "year"], how="inner")
    out = []
    for (_,), part in ranked.group_by("year", maintain_order=True):
        ranks = _draw_ranks(sim.ranking[:, part["column"].to_numpy()], sim.decimals)
        low, high = _percentiles(ranks)
        observed = part["rank"].to_numpy()
        out.append(
            part.select("township_code", "year").with_columns(
                rank_low=pl.Series(np.minimum(low, observed).astype(np.int32)),
                rank_high=pl.Series(np.maximum(high, observed).astype(np.int32)),
            )
        )
    return pl.concat(out).cast(_INTERVAL_SCHEMA) if out else pl.DataFrame(schema=_INTERVAL_SCHEMA)


def with_rank_intervals(card: pl.DataFrame, sim: SimulatedScores | None) -> pl.DataFrame:
    """``card`` (ranked: township_code, year, rank) with rank_low, rank_high, last year's
    prev_rank_low, prev_rank_high, and rank_change_sure: True when the two years' intervals do not
    overlap (a real move), False when they do (a move within chance), null without a last year."""
    card = card.drop("rank_low", "rank_high", "prev_rank_low", "prev_rank_high", "rank_change_sure", strict=False)
    intervals = pl.DataFrame(schema=_INTERVAL_SCHEMA) if sim is None else rank_intervals(card, sim)
    prev = intervals.select(
        "township_code",
        (pl.col("year") + 1).alias("year"),
        prev_rank_low=pl.col("rank_low"),
        prev_rank_high=pl.col("rank_high"),
    )
    keys = ["township_code", "year"]
    out = card.join(intervals, on=keys, how="left").join(prev, on=keys, how="left")
    apart = (pl.col("rank_high") < pl.col("prev_rank_low")) | (pl.col("rank_low") > pl.col("prev_rank_high"))
    known = pl.col("rank_change").is_not_null() & pl.col("rank_low").is_not_null()
    return out.with_columns(rank_change_sure=pl.when(known & pl.col("prev_rank_low").is_not_null()).then(apart))
