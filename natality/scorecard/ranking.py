"""Scores, ranks, classes and the veto per township and year, and the scorecard of a selection.

``score`` turns ``judging.judge``'s verdicts into a score 0-100 (weighted credit over the judged
indicators), a rank (ties share the best place), last year's rank and its change, a class and the
veto; ``ScorecardData`` holds everything the pages show, and ``ScorecardData.for_townships``
narrows it to a region and ranks within it without judging again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import polars as pl

from natality.scorecard import reasons, uncertainty
from natality.scorecard.indicators import Registry
from natality.scorecard.judging import GOOD, JUDGED, county_values


def _ranked(scored: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """rank (ties share the best place), prev_rank (last year's, among the same rows) and rank_change,
    from score and vetoed: the one ranking rule, for the whole extract and for any selection of it."""
    # Vetoed townships rank below all others (一票否决) when the rules say so.
    penalty = 1000.0 if registry.vetoed_rank_last else 0.0
    key = pl.col("score") - pl.when(pl.col("vetoed")).then(penalty).otherwise(0.0)
    scored = scored.with_columns(rank=(-key).rank("min").over("year").cast(pl.Int32))
    # Ties shown as ties: a rank that another township of the selection shares that year.
    scored = scored.with_columns(tied=pl.col("rank").is_not_null() & (pl.len().over("year", "rank") > 1))
    previous = scored.select("township_code", (pl.col("year") + 1).alias("year"), prev_rank=pl.col("rank"))
    return scored.join(previous, on=["township_code", "year"], how="left").with_columns(
        rank_change=(pl.col("prev_rank") - pl.col("rank")).cast(pl.Int32)
    )


def score(judged: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """Per township and year (years with targets): score 0-100, rank (ties share), rank change, class, veto."""
    is_judged = pl.col("status").is_in(JUDGED)
    per_town = judged.filter(pl.col("target").is_not_null().any().over("year")).group_by("township_code", "year")
    scored = per_town.agg(
        weight_judged=pl.col("weight").filter(is_judged).sum(),
        points=(pl.col("weight") * pl.col("credit")).filter(is_judged).sum(),
        n_judged=is_judged.sum().cast(pl.Int32),
        n_met=pl.col("status").is_in(GOOD).sum().cast(pl.Int32),
        vetoed=(pl.col("veto") & (pl.col("status") == "missed")).any(),
    ).with_columns(
        score=pl.when(pl.col("weight_judged") > 0)
        .then((100 * pl.col("points") / pl.col("weight_judged")).round(registry.score_decimals))
        .otherwise(None)
    )
    scored = _ranked(scored, registry)
    cls = pl.lit(None, dtype=pl.String)
    for c in reversed(registry.classes):
        cls = pl.when(pl.col("score") >= c.min_score).then(pl.lit(c.id)).otherwise(cls)
    cls = (
        pl.when(pl.col("vetoed"))
        .then(pl.lit(registry.veto_class))
        .when(pl.col("score").is_null())
        .then(None)
        .otherwise(cls)
    )
    return scored.with_columns(cls.alias("class")).drop("points", "weight_judged")


@dataclass(frozen=True)
class ScorecardData:
    """Everything the scorecard and township pages show, for every year (in one language).

    ``for_townships(codes)`` narrows it to a region (a county inside a province, say) and ranks
    again within it. What is absolute and what is relative to the selection:

    - absolute (each township against its own targets, the same whatever else is shown): every
      verdict of ``status`` (value, interval, target, met / missed, reason), the score, n_judged,
      n_met, the veto and its reasons, and the class (classes are score bands: the registry's
      ``classes`` have a ``min_score``, none depends on rank); the partial year's expected share
      of a year's births (``fraction``) stays the whole extract's;
    - relative to the selection: rank (1 = best of the selection, ties share), prev_rank and
      rank_change (last year's rank within the same selection), the years scored (those in which
      a township of the selection has a target), ``status_for``'s indicators (those with a target
      in the selection) and ``county``, the reference values (numerators and denominators summed
      over the selection; target: the region's own, when a region code is given).
    """

    registry: Registry
    status: pl.DataFrame  # one row per township, year, indicator (see indicator_status)
    card: pl.DataFrame  # one row per township and scored year (see scorecard)
    county: pl.DataFrame  # year, indicator, value, low, high, target: the county as a whole
    cutoff: tuple[int, int]
    fraction: float  # share of a year's births expected by the cut-off month (1.0 for a full year)
    # What for_townships needs to narrow: indicator values of every township (VALUE_SCHEMA), the
    # targets set for codes that are not townships (a county's or region's own), and the selection.
    values: pl.DataFrame | None = None
    region_targets: pl.DataFrame | None = None
    townships: frozenset[str] | None = None  # None: every township of the extract
    region_code: str | None = None  # the code whose own targets ``county`` carries
    simulation: uncertainty.SimulatedScores | None = None  # every township-year's scores, redrawn
    # card_for / status_for of a year, kept: the object is shared by every page view of a version
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)  # never copied by replace

    def fraction_for(self, year: int) -> tuple[int, float]:
        """(months of data, expected share of the year) for ``year``."""
        if year == self.cutoff[0] and self.cutoff[1] < 12:
            return self.cutoff[1], self.fraction
        return 12, 1.0

    def card_for(self, year: int, townships: Iterable[str] | None = None) -> pl.DataFrame:
        """The scorecard of ``year``, best rank first; ``townships``: ranked within those codes only."""
        if townships is None:
            key = ("card", year)
            if key not in self.memo:
                self.memo[key] = self.card.filter(pl.col("year") == year).drop("year")
            return self.memo[key]
        return self.for_townships(townships).card_for(year)

    def status_for(self, year: int) -> pl.DataFrame:
        """Verdicts of ``year`` for the indicators that have a target in that year."""
        key = ("status", year)
        if key not in self.memo:
            targeted = pl.col("target_annual").is_not_null().any().over("indicator")
            self.memo[key] = self.status.filter(pl.col("year") == year).filter(targeted)
        return self.memo[key]

    def for_townships(self, codes: Iterable[str], region_code: str | None = None) -> ScorecardData:
        """The same verdicts and scores for the townships ``codes`` only, ranked among themselves.

        Nothing is judged again (see the class docstring for what is absolute and what is
        relative); ``region_code``: whose own targets the reference values carry (the county a
        leader chose, say), else none. Codes that are not townships of the extract are ignored."""
        chosen = frozenset(codes)
        inside = pl.col("township_code").is_in(sorted(chosen))
        status = self.status.filter(inside)
        targeted_years = status.filter(pl.col("target_annual").is_not_null())["year"].unique()
        card = self.card.filter(inside & pl.col("year").is_in(targeted_years.implode()))
        card = _ranked(card.drop("rank", "prev_rank", "rank_change", "tied"), self.registry)
        card = uncertainty.with_rank_intervals(card, self.simulation)
        card = reasons.sorted_by(card, "year", "rank", "township_code", nulls_last=True).select(self.card.columns)
        county = self.county.clear()
        if self.values is not None:
            own = self.region_targets if self.region_targets is not None else _EMPTY_TARGETS
            own = own.filter(pl.col("township_code") == region_code) if region_code else own.clear()
            values = self.values.filter(inside)
            county = county_values(values, own, self.registry, self.cutoff, self.fraction)
        return replace(self, status=status, card=card, county=county, townships=chosen, region_code=region_code)


_EMPTY_TARGETS = pl.DataFrame(
    schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String, "target": pl.Float64}
)
