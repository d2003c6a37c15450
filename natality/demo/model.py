"""The demo's model of births, shared by the county (``county``) and the province (``province_tables``).

The numbers are the anchors of "The demo county" in shared/DOMAIN.md. Besides the anchors, this
module draws what both demos draw the same way: each year's population, the seasons, and the
reported and targets tables from the births and populations drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import polars as pl

FIRST_YEAR = 2015

# County crude birth rate (per mille) following the national shape; later years about 6.
BIRTH_RATE = {
    2015: 12.0,
    2016: 13.0,
    2017: 12.4,
    2018: 10.9,
    2019: 10.5,
    2020: 8.5,
    2021: 7.5,
    2022: 6.8,
    2023: 6.4,
    2024: 6.8,
}
LATER_BIRTH_RATE = 6.0
# Birth order shares (1st, 2nd, 3rd+) at anchor years, linearly interpolated between them.
ORDER_SHARES = {2015: (50, 43, 7), 2017: (43, 51, 6), 2020: (46, 45, 9), 2024: (46, 40, 14)}
AGE_SHARES = np.array([0.9, 13.2, 37.7, 33.1, 11.9, 2.6, 0.6]) / 100
# True SRB by order drifts linearly from 2015 to the last year.
SRB_START = np.array([108.0, 120.0, 140.0])
SRB_END = np.array([106.0, 107.0, 125.0])
# Planted hotspots: extra SRB points by order. Stronger than DOMAIN's +8-10 on purpose, so that
# a 3-year funnel plot can find them at 99.8 % in townships of ~1,000 births a year.
HOTSPOT_EXTRA = np.array([12.0, 38.0, 45.0])
REPORTED_YEARS = range(2015, 2021)  # compliance-type indicators end with the 2021 policy change
DRAGON_YEAR_BOOST = {2024: 1.065}


@dataclass(frozen=True)
class DemoTables:
    townships: gpd.GeoDataFrame
    births: pl.DataFrame
    population: pl.DataFrame
    reported: pl.DataFrame
    targets: pl.DataFrame
    hotspots: list[str]
    cutoff: str
    region_code: str
    region_name: str
    region_name_en: str
    regions: pl.DataFrame | None = None  # region_code, name, name_en (the province demo only)


def parse_until(until: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in until.split("-"))
    except ValueError as exc:
        raise ValueError(f"--until: expected YYYY-MM, got {until!r}") from exc
    if not (FIRST_YEAR <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"--until: expected a month YYYY-MM from {FIRST_YEAR}-01, got {until!r}")
    return year, month


def order_shares(year: int) -> np.ndarray:
    anchors = sorted(ORDER_SHARES)
    y = min(max(year, anchors[0]), anchors[-1])
    shares = np.array([np.interp(y, anchors, [ORDER_SHARES[a][i] for a in anchors]) for i in range(3)])
    return shares / shares.sum()


def age_shares(year: int) -> np.ndarray:
    # Mothers get older by about 0.2 years a year: move 4 % of each 5-year band up per year.
    f = 0.04 * (year - 2020)
    shifted = AGE_SHARES * (1 - abs(f))
    if f >= 0:
        shifted[1:] += AGE_SHARES[:-1] * f
        shifted[-1] += AGE_SHARES[-1] * f
    else:
        shifted[:-1] += AGE_SHARES[1:] * -f
        shifted[0] += AGE_SHARES[0] * -f
    return shifted / shifted.sum()


def season() -> np.ndarray:
    """Each month's births against the year's mean month: a winter peak of +-10 %."""
    month_idx = np.arange(1, 13)
    shape = 1 + 0.10 * np.cos(2 * np.pi * (month_idx - 12.5) / 12)
    return shape / shape.mean()


def yearly_population(rng: np.random.Generator, base_pop: np.ndarray, years: list[int]) -> dict[int, np.ndarray]:
    """Each township's population by year: falling 0.4 % a year, with 0.3 % noise."""
    n = len(base_pop)
    return {y: np.round(base_pop * (1 - 0.004) ** (y - FIRST_YEAR) * rng.normal(1, 0.003, n)) for y in years}


def true_srb(year: int, last_year: int, township_effect: np.ndarray, hot: np.ndarray) -> np.ndarray:
    """Each township's true SRB by order in ``year`` (townships x 3): the drift from 2015 to the
    last year, the township's own effect, and the planted extra where ``hot``."""
    t = (year - FIRST_YEAR) / max(last_year - FIRST_YEAR, 1)
    return SRB_START + (SRB_END - SRB_START) * t + township_effect[:, None] + hot[:, None] * HOTSPOT_EXTRA


def population_table(codes: list[str], pop: dict, years: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "township_code": [c for _ in years for c in codes],
            "year": pl.Series([y for y in years for _ in codes], dtype=pl.Int32),
            "population": pl.Series(np.concatenate([pop[y] for y in years]).astype(np.int64)),
        }
    )


def reported_table(
    rng: np.random.Generator, codes: list[str], annual: dict, pop: dict, years: list[int]
) -> pl.DataFrame:
    """Statistics accuracy against the audited births (``annual``: year -> births by township) and
    long-acting contraception among the women (21 % of the people), to 2020.

    For each township in turn its accuracy and then its coverage are drawn: one draw of shape
    (townships, 2), the order the county demo drew them in one by one."""
    frames = []
    for year in years:
        if year not in REPORTED_YEARS:
            continue
        audited = np.asarray(annual[year], dtype=float)
        women = np.round(pop[year] * 0.21)
        accuracy, covered = rng.uniform((0.95, 0.70), (1.0, 0.85), size=(len(codes), 2)).T
        frames.append(
            _long_rows(
                codes,
                year,
                {
                    "stats_accuracy": np.round(audited * accuracy),
                    "long_acting_contraception": np.round(women * covered),
                },
                {"stats_accuracy": audited, "long_acting_contraception": women},
            )
        )
    return pl.concat(frames)


def targets_table(
    rng: np.random.Generator,
    codes: list[str],
    pop: dict,
    multiplier: np.ndarray,
    years: list[int],
    levels: list[tuple[list[str], np.ndarray]],
) -> pl.DataFrame:
    """Every township's targets, then births, birth rate and SRB for every region of ``levels``
    (each: region codes, and for each township the index of its region): a region's births target
    is the sum of its townships' plans.

    Plan years (to 2020) cap births a little above the expected number; since the 2021 policy
    change the target is a floor a little below it (see indicators.yaml directions). For each
    township in turn its compliance and then its accuracy target are drawn (one draw of shape
    (townships, 2), as the county demo drew them one by one)."""
    frames = []
    for year in years:
        rate = BIRTH_RATE.get(year, LATER_BIRTH_RATE)
        low, high = (0.96, 1.10) if year <= 2020 else (0.86, 1.0)
        plan = pop[year] * rate * multiplier / 1000 * rng.uniform(low, high, len(codes))
        srb_target = round(115 - 0.6 * (year - FIRST_YEAR), 1)
        town = {
            "births": np.round(plan),
            "birth_rate": np.round(plan / pop[year] * 1000, 2),
            "srb": np.full(len(codes), srb_target),
        }
        if year in REPORTED_YEARS:
            pick = rng.integers(0, (4, 3), size=(len(codes), 2))
            town["policy_compliance"] = np.array([85.0, 88.0, 90.0, 93.0])[pick[:, 0]]
            town["stats_accuracy"] = np.array([95.0, 96.0, 97.0])[pick[:, 1]]
            town["long_acting_contraception"] = np.full(len(codes), 76.0)
        region_codes = [code for level_codes, _ in levels for code in level_codes]
        region_plan = np.round(
            np.concatenate([np.bincount(member, weights=plan, minlength=len(c)) for c, member in levels])
        )
        region_pop = np.concatenate([np.bincount(member, weights=pop[year], minlength=len(c)) for c, member in levels])
        region = {
            "births": region_plan,
            "birth_rate": np.round(region_plan / region_pop * 1000, 2),
            "srb": np.full(len(region_codes), srb_target),
        }
        frames += [_long_rows(codes, year, town), _long_rows(region_codes, year, region)]
    return pl.concat(frames)


def _long_rows(who: list[str], year: int, values: dict, denominators: dict | None = None) -> pl.DataFrame:
    """One row per code and indicator, code by code (the indicators in ``values``' order): a
    targets table (``target``), or with ``denominators`` a reported one (numerator, denominator)."""
    k = len(values)
    index = np.repeat(np.arange(len(who)), k)
    frame = {
        "township_code": pl.Series(who, dtype=pl.String).gather(index),
        "year": pl.Series(np.full(len(index), year), dtype=pl.Int32),
        "indicator": pl.Series(list(values), dtype=pl.String).gather(np.tile(np.arange(k), len(who))),
    }
    stacked = np.column_stack(list(values.values())).ravel().astype(float)
    if denominators is None:
        return pl.DataFrame({**frame, "target": pl.Series(stacked, dtype=pl.Float64)})
    below = np.column_stack([denominators[name] for name in values]).ravel().astype(float)
    return pl.DataFrame(
        {**frame, "numerator": pl.Series(stacked, dtype=pl.Float64), "denominator": pl.Series(below, dtype=pl.Float64)}
    )
