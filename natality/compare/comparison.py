"""Two periods side by side: per township and for the county, the change in births, birth rate,
SRB (with a test of whether the change is larger than chance), score and rank; and the summary
sentences, each one built from numbers that the Compare page shows.

Both periods cover the same months: when the later year is the partial current year, the base
year is cut to its first ``months`` months too (map_township_year with ``last_month``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl
from scipy import special

from natality.core.i18n import fmt_num, t
from natality.scorecard import scoring
from natality.srb.tables import MIN_BIRTHS as MIN_SRB_BIRTHS

INDICATORS = ("births", "birth_rate", "srb", "score")
# indicator -> (base column, current column, change column, decimals)
COLUMNS = {
    "births": ("births_base", "births", "births_change_pct", 0),
    "birth_rate": ("rate_base", "rate", "rate_change", 2),
    "srb": ("srb_base", "srb", "srb_change", 1),
    "score": ("score_base", "score", "score_change", 1),
}
MAX_NAMED = 10  # townships named in one sentence; a province's others are in the table
MIN_BASE_BIRTHS = 50  # a percent change on fewer births in the base period is mostly noise (as the map)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class SrbChange:
    """SRB of two periods and a two-proportion z-test of the boys' share between them."""

    srb_base: float | None
    srb: float | None
    change: float | None
    z: float | None
    p_value: float | None
    beyond_chance: bool | None  # None: too few births in a period to judge


def srb_change(boys_base: int, girls_base: int, boys: int, girls: int, min_births: int = MIN_SRB_BIRTHS) -> SrbChange:
    """Whether the SRB changed by more than chance: the boys' share p = M / (M + F) of the two
    periods compared with a pooled two-proportion z-test at 95 % (two-sided)."""
    srb_base = 100.0 * boys_base / girls_base if girls_base > 0 else None
    srb = 100.0 * boys / girls if girls > 0 else None
    change = srb - srb_base if srb is not None and srb_base is not None else None
    n1, n2 = boys_base + girls_base, boys + girls
    if n1 < min_births or n2 < min_births or srb is None or srb_base is None:
        return SrbChange(srb_base, srb, change, None, None, None)
    pooled = (boys_base + boys) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (boys / n2 - boys_base / n1) / se if se > 0 else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return SrbChange(srb_base, srb, change, z, p_value, p_value < 0.05)


def _erfc(x: pl.Series) -> pl.Series:
    """math.erfc over a column (nulls stay null), on the numpy array outside any polars expression.

    Never as ``map_batches`` inside an expression: a Python function run by polars' worker
    threads waits for the interpreter lock, and another session holding that lock while it
    waits for the same workers (a polars-to-pandas conversion) froze the whole server."""
    return pl.Series(x.name, special.erfc(x.to_numpy(allow_copy=True)), dtype=pl.Float64).fill_nan(None)


def months_compared(year: int, cutoff_year: int, cutoff_month: int) -> int:
    """12 for two full years; the cut-off month when the later year is the partial current year."""
    return cutoff_month if year == cutoff_year else 12


def birth_rate(births: int | None, population: int | None, months: int) -> float | None:
    """Crude birth rate per mille, annualised over ``months`` (as county_period_summary.sql)."""
    if births is None or not population:
        return None
    return births * 12.0 / months / population * 1000


def scores(version_dir: str, year: int, lang: str, region: str | None = None) -> pl.DataFrame:
    """township_code, score, rank for ``year`` (empty when the year is not scored), ranked within
    ``region`` (None: the whole extract)."""
    return scores_of(scoring.region_scorecard(version_dir, lang, region), year)


def scores_of(data: scoring.ScorecardData, year: int) -> pl.DataFrame:
    """township_code, score, rank, rank_low, rank_high (its 90 % interval) for ``year`` of an
    already judged scorecard (e.g. a region's)."""
    return data.card_for(year).select("township_code", "score", "rank", "rank_low", "rank_high")


def compare_table(
    now: pl.DataFrame,
    base: pl.DataFrame,
    months: int,
    names: dict[str, str],
    scores_now: pl.DataFrame | None = None,
    scores_base: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per township: both periods' births, birth rate, SRB, score and rank, and the changes.

    now, base: map_township_year rows of the two years for months 1..``months``.
    rank_change > 0 means the township moved up (a smaller rank number).
    """
    b = base.select("township_code", births_base="births", boys_base="boys", girls_base="girls", pop_base="population")
    rows = now.select("township_code", "births", "boys", "girls", "population").join(b, on="township_code", how="left")
    # Whole columns at once (a province has thousands of townships): the arithmetic of
    # birth_rate() and srb_change() above, written as expressions.
    bb, births = pl.col("births_base"), pl.col("births")
    boys_b, girls_b, boys, girls = (pl.col(c).fill_null(0) for c in ("boys_base", "girls_base", "boys", "girls"))

    def rate(count: pl.Expr, population: str) -> pl.Expr:
        pop = pl.col(population)
        return pl.when(pop.is_not_null() & (pop != 0)).then(count * 12.0 / months / pop * 1000)

    n1, n2 = boys_b + girls_b, boys + girls
    pooled = (boys_b + boys) / (n1 + n2)
    se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).sqrt()
    judged = (n1 >= MIN_SRB_BIRTHS) & (n2 >= MIN_SRB_BIRTHS) & (girls_b > 0) & (girls > 0)
    z = pl.when(judged).then(pl.when(se > 0).then((boys / n2 - boys_b / n1) / se).otherwise(0.0))
    changes = rows.with_columns(bb.fill_null(0)).with_columns(
        township=pl.col("township_code").replace_strict(names, default=pl.col("township_code"), return_dtype=pl.String),
        births_change=births - bb,
        births_change_pct=pl.when(bb > 0).then(100.0 * (births - bb) / bb),
        births_few=bb < MIN_BASE_BIRTHS,
        rate_base=rate(bb, "pop_base"),
        rate=rate(births, "population"),
        srb_base=pl.when(girls_b > 0).then(100.0 * boys_b / girls_b),
        srb=pl.when(girls > 0).then(100.0 * boys / girls),
        srb_z=z.abs().truediv(math.sqrt(2)),
    )
    table = (
        changes.with_columns(srb_p=_erfc(changes["srb_z"]))
        .with_columns(
            rate_change=pl.col("rate") - pl.col("rate_base"),
            srb_change=pl.col("srb") - pl.col("srb_base"),
            srb_beyond_chance=pl.col("srb_p") < 0.05,
        )
        .select([pl.col(c).cast(dtype) for c, dtype in _TABLE_SCHEMA.items()])
    )
    for frame, suffix in ((scores_base, "_base"), (scores_now, "")):
        frame = frame if frame is not None else _NO_SCORES
        bounds = [pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.Int32) for c in ("rank_low", "rank_high")]
        renamed = frame.select(
            "township_code",
            pl.col("score").alias(f"score{suffix}"),
            pl.col("rank").alias(f"rank{suffix}"),
            bounds[0].alias(f"rank_low{suffix}"),
            bounds[1].alias(f"rank_high{suffix}"),
        )
        table = table.join(renamed, on="township_code", how="left")
    # A rank change is a change only when the two years' 90 % rank intervals do not overlap.
    apart = (pl.col("rank_high") < pl.col("rank_low_base")) | (pl.col("rank_low") > pl.col("rank_high_base"))
    return (
        table.with_columns(
            score_change=pl.col("score") - pl.col("score_base"),
            rank_change=(pl.col("rank_base") - pl.col("rank")).cast(pl.Int32),
            rank_change_sure=apart,
        )
        .drop("rank_low_base", "rank_high_base")
        .sort("births_change_pct", "township_code", nulls_last=True)
    )


_TABLE_SCHEMA = {
    "township_code": pl.String,
    "township": pl.String,
    "births_base": pl.Int64,
    "births": pl.Int64,
    "births_change": pl.Int64,
    "births_change_pct": pl.Float64,
    "births_few": pl.Boolean,
    "rate_base": pl.Float64,
    "rate": pl.Float64,
    "rate_change": pl.Float64,
    "srb_base": pl.Float64,
    "srb": pl.Float64,
    "srb_change": pl.Float64,
    "srb_p": pl.Float64,
    "srb_beyond_chance": pl.Boolean,
}
_NO_SCORES = pl.DataFrame(
    schema={
        "township_code": pl.String,
        "score": pl.Float64,
        "rank": pl.Int32,
        "rank_low": pl.Int32,
        "rank_high": pl.Int32,
    }
)


def county_compare_table(now: pl.DataFrame, base: pl.DataFrame, months: int, lang: str) -> pl.DataFrame:
    """compare_table by county (rows of map_county_year for the two periods), for the change map
    of a city or province: keyed by the county code in ``township_code``, as the map expects."""
    name = pl.coalesce("name_en", "name") if lang == "en" else pl.col("name")
    names = dict(now.select("county_code", name).iter_rows())
    now, base = (frame.rename({"county_code": "township_code"}) for frame in (now, base))
    return compare_table(now, base, months, names)


@dataclass(frozen=True)
class CountyChange:
    births_base: int
    births: int
    births_change_pct: float | None
    rate_base: float | None
    rate: float | None
    srb: SrbChange
    townships: int
    fell: int
    rose: int


def county_change(now: pl.DataFrame, base: pl.DataFrame, months: int) -> CountyChange:
    """The county as a whole (sums over townships) in both periods."""

    def total(df: pl.DataFrame, col: str) -> int:
        return int(df[col].sum() or 0)

    births, births_base = total(now, "births"), total(base, "births")
    # A birth rate needs every township's population; otherwise it is not shown.
    pop = total(now, "population") if now["population"].null_count() == 0 else None
    pop_base = total(base, "population") if base["population"].null_count() == 0 else None
    joined = now.select("township_code", "births").join(
        base.select("township_code", prev="births"), on="township_code", how="left"
    )
    return CountyChange(
        births_base=births_base,
        births=births,
        births_change_pct=100.0 * (births - births_base) / births_base if births_base else None,
        rate_base=birth_rate(births_base, pop_base, months),
        rate=birth_rate(births, pop, months),
        srb=srb_change(total(base, "boys"), total(base, "girls"), total(now, "boys"), total(now, "girls")),
        townships=now.height,
        fell=joined.filter(pl.col("births") < pl.col("prev").fill_null(0)).height,
        rose=joined.filter(pl.col("births") > pl.col("prev").fill_null(0)).height,
    )


def _pct(value: float) -> str:
    return f"{abs(value):.1f}"


def summary_sentences(
    county: CountyChange, table: pl.DataFrame, period: str, period_base: str, lang: str, scope: str | None = None
) -> list[str]:
    """Three to five sentences, each made only of numbers shown on the Compare page.

    ``scope``: the name of what is compared ('示范县', 'Demo County'); default '全县' / 'The county'.
    """
    scope = scope or t("compare.scope_default", lang)
    out = []
    if county.births_change_pct is not None:
        key = "fell" if county.births < county.births_base else "rose" if county.births > county.births_base else "same"
        out.append(
            t(
                f"compare.s.births_{key}",
                lang,
                pct=_pct(county.births_change_pct),
                now=f"{county.births:,}",
                base=f"{county.births_base:,}",
                period=period,
                period_base=period_base,
                scope=scope,
            )
        )
    judged = table.filter(pl.col("births_change_pct").is_not_null())
    if judged.height:
        text = t("compare.s.townships", lang, fell=county.fell, rose=county.rose, n=county.townships)
        low = judged.sort("births_change_pct").row(0, named=True)
        high = judged.sort("births_change_pct", descending=True).row(0, named=True)
        if low["births_change_pct"] < 0:
            text += t("compare.s.largest_fall", lang, name=low["township"], pct=f"{low['births_change_pct']:+.1f}")
        if high["births_change_pct"] > 0:
            text += t("compare.s.largest_rise", lang, name=high["township"], pct=f"{high['births_change_pct']:+.1f}")
        out.append(text + t("compare.s.end", lang))
    if county.rate is not None and county.rate_base is not None:
        out.append(t("compare.s.rate", lang, base=fmt_num(county.rate_base, 2), now=fmt_num(county.rate, 2)))
    s = county.srb
    if s.srb is not None and s.srb_base is not None:
        verdict = "unknown" if s.beyond_chance is None else "beyond" if s.beyond_chance else "chance"
        text = t(f"compare.s.srb_{verdict}", lang, base=fmt_num(s.srb_base), now=fmt_num(s.srb), scope=scope)
        moved = table.filter(pl.col("srb_beyond_chance"))
        named = moved.sort("srb_p", "township_code").head(MAX_NAMED).sort("srb_change")  # the surest changes
        sep = "、" if lang == "zh" else ", "
        names = sep.join(f"{r['township']} ({r['srb_base']:.1f} → {r['srb']:.1f})" for r in named.iter_rows(named=True))
        if moved.height > named.height:
            names += t("compare.s.more", lang, n=moved.height - named.height)
        text += (
            t("compare.s.srb_towns", lang, n=moved.height, names=names)
            if moved.height
            else t("compare.s.srb_towns_none", lang)
        )
        out.append(text)
    ranked = table.filter(pl.col("rank_change").is_not_null())
    if ranked.height:
        top = ranked.sort("rank").row(0, named=True)
        # With rank intervals, only a climb the intervals confirm is named (others are chance).
        sure = ranked.filter(pl.col("rank_change_sure").fill_null(True) & (pl.col("rank_change") > 0))
        if ranked["rank_change_sure"].is_null().all():
            sure = ranked
        if sure.height:
            up = sure.sort("rank_change", "score", descending=True).row(0, named=True)
            out.append(
                t(
                    "compare.s.score",
                    lang,
                    top=top["township"],
                    score=fmt_num(top["score"]),
                    up=up["township"],
                    places=up["rank_change"],
                    rank_base=up["rank_base"],
                    rank=up["rank"],
                )
            )
        else:
            out.append(t("compare.s.score_no_sure", lang, top=top["township"], score=fmt_num(top["score"])))
    return out[:5]
