"""The synthetic demo: a county of 19 townships (the default), or a province of N townships.

Monthly births 2015-01 to a cut-off month. Seeded and deterministic: the same seed, cut-off and
size give the same tables. The model follows "The demo county" in shared/DOMAIN.md; the numbers
below are its anchors. ``--townships N`` above 19 builds a province-like extract with the same
model (its map and hierarchy are drawn by ``natality.demo.province``), its births drawn
with vectorised numpy draws so that 2,000 townships (about 15 M births) build in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from natality.core import extract
from natality.core.extract import AGE_BANDS
from natality.demo import province as demo_province
from natality.demo.defaults import DEFAULT_SEED, DEFAULT_TOWNSHIPS, DEFAULT_UNTIL
from natality.geo.boundaries import display_geometry

COUNTY_CODE = "419901"
REGION_NAME = "示范县"
REGION_NAME_EN = "Demo County"
FIRST_YEAR = 2015

TOWNSHIPS = [
    ("城关镇", "Chengguan Town"), ("王店乡", "Wangdian Township"), ("李集镇", "Liji Town"),
    ("张庄乡", "Zhangzhuang Township"), ("刘寨镇", "Liuzhai Town"), ("陈楼乡", "Chenlou Township"),
    ("高台镇", "Gaotai Town"), ("新集乡", "Xinji Township"), ("黄桥镇", "Huangqiao Town"),
    ("白马乡", "Baima Township"), ("孙店镇", "Sundian Town"), ("石桥乡", "Shiqiao Township"),
    ("马集镇", "Maji Town"), ("杨湖乡", "Yanghu Township"), ("柳河镇", "Liuhe Town"),
    ("周庄乡", "Zhouzhuang Township"), ("范集镇", "Fanji Town"), ("郑营乡", "Zhengying Township"),
    ("吴桥镇", "Wuqiao Town"),
]  # fmt: skip
assert len(TOWNSHIPS) == DEFAULT_TOWNSHIPS  # 19: the demo county; more builds a province

# County crude birth rate (per mille) following the national shape; later years about 6.
BIRTH_RATE = {2015: 12.0, 2016: 13.0, 2017: 12.4, 2018: 10.9, 2019: 10.5, 2020: 8.5,
              2021: 7.5, 2022: 6.8, 2023: 6.4, 2024: 6.8}  # fmt: skip
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


@dataclass(frozen=True)
class DemoTables:
    townships: gpd.GeoDataFrame
    births: pl.DataFrame
    population: pl.DataFrame
    reported: pl.DataFrame
    targets: pl.DataFrame
    hotspots: list[str]
    cutoff: str
    regions: pl.DataFrame | None = None  # region_code, name, name_en (the province demo only)
    region_code: str = COUNTY_CODE
    region_name: str = REGION_NAME
    region_name_en: str = REGION_NAME_EN


def _parse_until(until: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in until.split("-"))
    except ValueError as exc:
        raise ValueError(f"--until: expected YYYY-MM, got {until!r}") from exc
    if not (FIRST_YEAR <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"--until: expected a month YYYY-MM from {FIRST_YEAR}-01, got {until!r}")
    return year, month


def _order_shares(year: int) -> np.ndarray:
    anchors = sorted(ORDER_SHARES)
    y = min(max(year, anchors[0]), anchors[-1])
    shares = np.array([np.interp(y, anchors, [ORDER_SHARES[a][i] for a in anchors]) for i in range(3)])
    return shares / shares.sum()


def _age_shares(year: int) -> np.ndarray:
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


def _county_outline(rng: np.random.Generator) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    noise = np.convolve(rng.normal(0, 1, 72 + 8), np.ones(9) / 9, mode="valid")[:72]
    radius = 0.28 * (1 + 0.18 * noise / np.abs(noise).max())
    xs = 114.9 + radius * np.cos(angles) * 1.25
    ys = 33.7 + radius * np.sin(angles)
    return shapely.Polygon(np.column_stack([xs, ys])).buffer(0)


def _township_cells(rng: np.random.Generator, outline: shapely.Polygon, n: int) -> list:
    minx, miny, maxx, maxy = outline.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(shapely.Point(x, y)):
            points.append((x, y))
    pts = np.array(points)
    for _ in range(3):  # Lloyd relaxation evens out the township sizes
        cells = _voronoi(pts, outline)
        pts = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return _voronoi(pts, outline)


def _voronoi(pts: np.ndarray, outline: shapely.Polygon) -> list:
    regions = shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=outline.envelope.buffer(1))
    by_point = []
    for x, y in pts:
        point = shapely.Point(x, y)
        cell = next(r for r in regions.geoms if r.contains(point))
        by_point.append(cell.intersection(outline))
    return by_point


def build_tables(
    seed: int = DEFAULT_SEED, until: str = DEFAULT_UNTIL, townships: int = DEFAULT_TOWNSHIPS
) -> DemoTables:
    """Generate every table of the demo: the county (19 townships), or a province of ``townships``."""
    if townships != DEFAULT_TOWNSHIPS:
        return _province_tables(seed, until, townships)
    last_year, last_month = _parse_until(until)
    rng = np.random.default_rng(seed)
    n = len(TOWNSHIPS)
    codes = [f"{COUNTY_CODE}{101 + i:03d}000" for i in range(n)]

    outline = _county_outline(rng)
    cells = _township_cells(rng, outline, n)
    # The county seat (城关镇) is the cell nearest the centre and the most populous.
    centre = outline.centroid
    order = np.argsort([c.centroid.distance(centre) for c in cells])
    cells = [cells[i] for i in order]
    base_pop = np.sort(rng.uniform(20_000, 120_000, n))[::-1]
    base_pop[1:] = rng.permutation(base_pop[1:])
    base_pop = np.round(base_pop * 1_200_000 / base_pop.sum())
    multiplier = rng.lognormal(0, 0.15, n)
    town_srb_effect = rng.normal(0, 1.0, n)
    largest = np.argsort(base_pop)[::-1][1:5]  # not the county seat, among the next four
    hotspot_idx = sorted(rng.choice(largest, size=3, replace=False))
    compliance = rng.uniform(0.85, 0.99, n)

    years = list(range(FIRST_YEAR, last_year + 1))
    pop = {y: np.round(base_pop * (1 - 0.004) ** (y - FIRST_YEAR) * rng.normal(1, 0.003, n)) for y in years}

    month_idx = np.arange(1, 13)
    season = 1 + 0.10 * np.cos(2 * np.pi * (month_idx - 12.5) / 12)
    season /= season.mean()

    rows = {k: [] for k in ("code", "month", "sex", "order", "age", "compliant", "births")}
    for year in years:
        rate = BIRTH_RATE.get(year, LATER_BIRTH_RATE)
        boost = 1.065 if year == 2024 else 1.0  # dragon year
        months = range(1, (last_month if year == last_year else 12) + 1)
        t = (year - FIRST_YEAR) / max(last_year - FIRST_YEAR, 1)
        srb_order = SRB_START + (SRB_END - SRB_START) * t
        for m in months:
            expected = pop[year] * rate * multiplier * boost * season[m - 1] / 12_000
            total = rng.poisson(expected)
            by_order = rng.multinomial(total, np.tile(_order_shares(year), (n, 1)))  # (n, 3)
            srb = srb_order[None, :] + town_srb_effect[:, None]
            srb[hotspot_idx] += HOTSPOT_EXTRA
            boys = rng.binomial(by_order, srb / (100 + srb))
            for sex, counts in (("M", boys), ("F", by_order - boys)):
                ages = rng.multinomial(counts, np.tile(_age_shares(year), (n, 3, 1)))  # (n, 3, 7)
                if year in REPORTED_YEARS:
                    p_ok = np.clip(compliance[:, None, None] - np.array([0, 0.02, 0.35])[None, :, None], 0, 1)
                    ok = rng.binomial(ages, np.broadcast_to(p_ok, ages.shape))
                    splits = ((True, ok), (False, ages - ok))
                else:
                    splits = ((None, ages),)
                for flag, arr in splits:
                    ti, oi, ai = np.nonzero(arr)
                    rows["code"].extend(codes[i] for i in ti)
                    rows["month"].extend([date(year, m, 1)] * len(ti))
                    rows["sex"].extend([sex] * len(ti))
                    rows["order"].extend((oi + 1).tolist())
                    rows["age"].extend(AGE_BANDS[a] for a in ai)
                    rows["compliant"].extend([flag] * len(ti))
                    rows["births"].extend(arr[ti, oi, ai].tolist())

    births = pl.DataFrame(
        {
            "township_code": rows["code"],
            "month": rows["month"],
            "sex": rows["sex"],
            "birth_order": pl.Series(rows["order"], dtype=pl.Int8),
            "mother_age_band": rows["age"],
            "policy_compliant": pl.Series(rows["compliant"], dtype=pl.Boolean),
            "births": pl.Series(rows["births"], dtype=pl.Int64),
        }
    ).sort("township_code", "month", "sex", "birth_order", "mother_age_band", "policy_compliant")

    population = pl.DataFrame(
        {
            "township_code": [c for _ in years for c in codes],
            "year": pl.Series([y for y in years for _ in codes], dtype=pl.Int32),
            "population": pl.Series([int(p) for y in years for p in pop[y]], dtype=pl.Int64),
        }
    )
    annual = births.group_by("township_code", pl.col("month").dt.year().alias("year")).agg(pl.col("births").sum())
    reported = _reported(rng, codes, annual, pop, years)
    targets = _targets(rng, codes, pop, multiplier, years)

    townships = gpd.GeoDataFrame(
        {
            "township_code": codes,
            "name": [name for name, _ in TOWNSHIPS],
            "name_en": [name_en for _, name_en in TOWNSHIPS],
            "parent_code": [COUNTY_CODE] * n,
        },
        geometry=cells,
        crs="EPSG:4326",
    )
    townships["geometry_display"] = gpd.GeoSeries(
        shapely.coverage_simplify(townships.geometry.values, tolerance=0.002), crs="EPSG:4326"
    )
    return DemoTables(
        townships=townships,
        births=births,
        population=population,
        reported=reported,
        targets=targets,
        hotspots=[codes[i] for i in hotspot_idx],
        cutoff=f"{last_year:04d}-{last_month:02d}",
    )


def _reported(rng, codes, annual: pl.DataFrame, pop, years) -> pl.DataFrame:
    out = []
    for year in years:
        if year not in REPORTED_YEARS:
            continue
        for i, code in enumerate(codes):
            audited = annual.filter((pl.col("township_code") == code) & (pl.col("year") == year))["births"]
            audited = float(audited[0]) if len(audited) else 0.0
            accuracy = rng.uniform(0.95, 1.0)
            out.append((code, year, "stats_accuracy", round(audited * accuracy), audited))
            women = round(pop[year][i] * 0.21)
            out.append((code, year, "long_acting_contraception", round(women * rng.uniform(0.70, 0.85)), women))
    return pl.DataFrame(
        out,
        schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String,
                "numerator": pl.Float64, "denominator": pl.Float64},
        orient="row",
    )  # fmt: skip


def _targets(rng, codes, pop, multiplier, years) -> pl.DataFrame:
    out = []
    for year in years:
        rate = BIRTH_RATE.get(year, LATER_BIRTH_RATE)
        # Plan years (to 2020) cap births a little above the expected number; since the 2021
        # policy change the target is a floor a little below it (see indicators.yaml directions).
        low, high = (0.96, 1.10) if year <= 2020 else (0.86, 1.0)
        plan = pop[year] * rate * multiplier / 1000 * rng.uniform(low, high, len(codes))
        srb_target = round(115 - 0.6 * (year - FIRST_YEAR), 1)
        for i, code in enumerate(codes):
            out.append((code, year, "births", float(round(plan[i]))))
            out.append((code, year, "birth_rate", round(float(plan[i] / pop[year][i] * 1000), 2)))
            out.append((code, year, "srb", srb_target))
            if year in REPORTED_YEARS:
                out.append((code, year, "policy_compliance", float(rng.choice([85, 88, 90, 93]))))
                out.append((code, year, "stats_accuracy", float(rng.choice([95, 96, 97]))))
                out.append((code, year, "long_acting_contraception", 76.0))
        total = float(round(plan.sum()))
        out.append((COUNTY_CODE, year, "births", total))
        out.append((COUNTY_CODE, year, "birth_rate", round(total / pop[year].sum() * 1000, 2)))
        out.append((COUNTY_CODE, year, "srb", srb_target))
    return pl.DataFrame(
        out,
        schema={"township_code": pl.String, "year": pl.Int32, "indicator": pl.String, "target": pl.Float64},
        orient="row",
    )


def write_tables(tables: DemoTables, root: Path, seed: int) -> dict:
    """Write the tables into ``root`` and return the manifest."""
    tables.townships.to_parquet(root / "townships.parquet", index=False)
    tables.births.write_parquet(root / "births.parquet")
    tables.population.write_parquet(root / "population.parquet")
    tables.reported.write_parquet(root / "reported.parquet")
    tables.targets.write_parquet(root / "targets.parquet")
    counts = {}
    if tables.regions is not None:
        tables.regions.write_parquet(root / "regions.parquet")
        counts["regions"] = tables.regions.height
    return {
        "region_name": tables.region_name,
        "region_name_en": tables.region_name_en,
        "region_code": tables.region_code,
        "synthetic": True,
        "demo_seed": seed,
        "demo_hotspots": tables.hotspots,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cutoff_month": tables.cutoff,
        "population_basis": "mean",
        "source_files": [],
        "dropped_personal_columns": [],
        "row_counts": {
            "townships": len(tables.townships),
            "births": tables.births.height,
            "population": tables.population.height,
            "reported": tables.reported.height,
            "targets": tables.targets.height,
            **counts,
        },
    }


def build_demo(
    out: str | Path, seed: int = DEFAULT_SEED, until: str = DEFAULT_UNTIL, townships: int = DEFAULT_TOWNSHIPS
) -> Path:
    """Build the demo extract at ``out`` (published atomically) and return the live version dir."""
    tables = build_tables(seed, until, townships)
    return extract.publish(Path(out), lambda root: write_tables(tables, root, seed))


# --- the province (--townships N > 19): the same model, drawn for all townships at once ---------


def _province_tables(seed: int, until: str, n: int) -> DemoTables:
    """Every table of a province of ``n`` townships (layout from ``demo_province``).

    Births per township, month, sex, order, mother's age band (and, to 2020, policy
    compliance) are independent Poisson draws whose means are the county model's expected
    births split by its shares: the same distribution as the county's Poisson total split
    multinomially, but one numpy draw per year for every township and cell.
    """
    last_year, last_month = _parse_until(until)
    rng = np.random.default_rng(seed)
    layout = demo_province.build_layout(rng, n)
    codes = layout.codes
    base_pop = rng.uniform(20_000, 120_000, n)
    for k in range(len(layout.county_codes)):  # each county's seat (城关镇) is its most populous
        members = np.flatnonzero(layout.county == k)
        seat, top = members[layout.seat[members]][0], members[np.argmax(base_pop[members])]
        base_pop[[seat, top]] = base_pop[[top, seat]]
    base_pop = np.round(base_pop)
    multiplier = rng.lognormal(0, 0.15, n)
    town_srb_effect = rng.normal(0, 1.0, n)
    large = np.flatnonzero((base_pop >= np.quantile(base_pop, 0.6)) & ~layout.seat)
    hotspot_idx = np.sort(rng.choice(large, size=max(2, round(3 * n / 100)), replace=False))
    hot = np.zeros(n, dtype=bool)
    hot[hotspot_idx] = True
    compliance = rng.uniform(0.85, 0.99, n)

    years = list(range(FIRST_YEAR, last_year + 1))
    pop = {y: np.round(base_pop * (1 - 0.004) ** (y - FIRST_YEAR) * rng.normal(1, 0.003, n)) for y in years}
    month_idx = np.arange(1, 13)
    season = 1 + 0.10 * np.cos(2 * np.pi * (month_idx - 12.5) / 12)
    season /= season.mean()

    parts = []
    annual = {}  # year -> births by township
    for year in years:
        rate = BIRTH_RATE.get(year, LATER_BIRTH_RATE)
        boost = 1.065 if year == 2024 else 1.0  # dragon year
        months = last_month if year == last_year else 12
        t = (year - FIRST_YEAR) / max(last_year - FIRST_YEAR, 1)
        srb = SRB_START + (SRB_END - SRB_START) * t + town_srb_effect[:, None] + hot[:, None] * HOTSPOT_EXTRA
        boy = srb / (100 + srb)  # (n, 3)
        # Axes (township, month, sex F/M, order, age band, compliant False/True): C order of
        # np.nonzero is then the sort order of the births table within a year.
        cell = np.stack([1 - boy, boy], axis=1) * _order_shares(year)  # (n, 2, 3)
        cell = cell[..., None] * _age_shares(year)  # (n, 2, 3, 7)
        if year in REPORTED_YEARS:
            ok = np.clip(compliance[:, None] - np.array([0, 0.02, 0.35]), 0, 1)  # (n, 3)
            cell = cell[..., None] * np.stack([1 - ok, ok], axis=-1)[:, None, :, None, :]
        else:
            cell = cell[..., None]
        expected = pop[year][:, None] * rate * multiplier[:, None] * boost * season[None, :months] / 12_000
        counts = rng.poisson(expected[:, :, None, None, None, None] * cell[:, None])
        annual[year] = counts.reshape(n, -1).sum(axis=1)
        flat = counts.ravel()
        nonzero = np.flatnonzero(flat)
        ti, mi, si, oi, ai, ci = np.unravel_index(nonzero, counts.shape)
        parts.append(
            (
                ti.astype(np.int32),
                ((year - FIRST_YEAR) * 12 + mi).astype(np.int32),
                si.astype(np.int8),
                (oi + 1).astype(np.int8),
                ai.astype(np.int8),
                ci.astype(np.int8) if year in REPORTED_YEARS else np.full(len(ti), -1, dtype=np.int8),
                flat[nonzero],
            )
        )
    columns = [np.concatenate(arrays) for arrays in zip(*parts, strict=True)]
    order = np.argsort(columns[0], kind="stable")  # by township, then (as drawn) year, month, ...
    town, month, sex, birth_order, age, compliant, count = (c[order] for c in columns)
    first_days = [date(FIRST_YEAR + i // 12, i % 12 + 1, 1) for i in range(len(years) * 12)]
    births = pl.DataFrame(
        {
            "township_code": pl.Series(codes, dtype=pl.String).gather(town),
            "month": pl.Series(first_days, dtype=pl.Date).gather(month),
            "sex": pl.Series(["F", "M"]).gather(sex),
            "birth_order": pl.Series(birth_order, dtype=pl.Int8),
            "mother_age_band": pl.Series(AGE_BANDS).gather(age),
            "policy_compliant": pl.Series(compliant, dtype=pl.Int8),
            "births": pl.Series(count, dtype=pl.Int64),
        }
    ).with_columns(
        pl.when(pl.col("policy_compliant") >= 0).then(pl.col("policy_compliant") == 1).alias("policy_compliant")
    )
    del columns, town, month, sex, birth_order, age, compliant, count

    population = pl.DataFrame(
        {
            "township_code": [c for _ in years for c in codes],
            "year": pl.Series([y for y in years for _ in codes], dtype=pl.Int32),
            "population": pl.Series(np.concatenate([pop[y] for y in years]).astype(np.int64)),
        }
    )
    reported = _province_reported(rng, codes, annual, pop, years)
    targets = _province_targets(rng, layout, pop, multiplier, years)

    townships = gpd.GeoDataFrame(
        {
            "township_code": codes,
            "name": layout.names,
            "name_en": layout.names_en,
            "parent_code": [layout.county_codes[k] for k in layout.county],
            "parent_name": [layout.county_names[k][0] for k in layout.county],
            "parent_name_en": [layout.county_names[k][1] for k in layout.county],
        },
        geometry=list(layout.geometry),
        crs="EPSG:4326",
    )
    townships["geometry_display"] = gpd.GeoSeries(display_geometry(townships).geometry.to_numpy(), crs="EPSG:4326")
    return DemoTables(
        townships=townships,
        births=births,
        population=population,
        reported=reported,
        targets=targets,
        hotspots=[codes[i] for i in hotspot_idx],
        cutoff=f"{last_year:04d}-{last_month:02d}",
        regions=layout.regions,
        region_code=demo_province.PROVINCE_CODE,
        region_name=demo_province.PROVINCE_NAME,
        region_name_en=demo_province.PROVINCE_NAME_EN,
    )


def _province_reported(rng, codes, annual: dict, pop, years) -> pl.DataFrame:
    """As the county's: statistics accuracy against the audited births, long-acting contraception."""
    frames = []
    for year in years:
        if year not in REPORTED_YEARS:
            continue
        audited = annual[year].astype(float)
        women = np.round(pop[year] * 0.21)
        accuracy = rng.uniform(0.95, 1.0, len(codes))
        covered = rng.uniform(0.70, 0.85, len(codes))
        for indicator, numerator, denominator in (
            ("stats_accuracy", np.round(audited * accuracy), audited),
            ("long_acting_contraception", np.round(women * covered), women),
        ):
            frames.append(
                pl.DataFrame(
                    {
                        "township_code": codes,
                        "year": pl.Series([year] * len(codes), dtype=pl.Int32),
                        "indicator": [indicator] * len(codes),
                        "numerator": numerator,
                        "denominator": denominator,
                    },
                )
            )
    return pl.concat(frames).sort("year", "township_code", maintain_order=True)


def _province_targets(rng, layout: demo_province.Layout, pop, multiplier, years) -> pl.DataFrame:
    """As the county's for every township; births, birth rate and SRB for every county, city and
    the province too (their births target is the sum of their townships' plans)."""
    codes = layout.codes
    city_codes = sorted(set(layout.city_codes))
    city_of_county = np.array([city_codes.index(c) for c in layout.city_codes])
    region_codes = [*layout.county_codes, *city_codes, demo_province.PROVINCE_CODE]
    frames = []
    for year in years:
        rate = BIRTH_RATE.get(year, LATER_BIRTH_RATE)
        low, high = (0.96, 1.10) if year <= 2020 else (0.86, 1.0)  # a cap to 2020, then a floor
        plan = pop[year] * rate * multiplier / 1000 * rng.uniform(low, high, len(codes))
        srb_target = round(115 - 0.6 * (year - FIRST_YEAR), 1)
        rows = {
            "births": np.round(plan),
            "birth_rate": np.round(plan / pop[year] * 1000, 2),
            "srb": np.full(len(codes), srb_target),
        }
        if year in REPORTED_YEARS:
            rows["policy_compliance"] = rng.choice([85.0, 88.0, 90.0, 93.0], len(codes))
            rows["stats_accuracy"] = rng.choice([95.0, 96.0, 97.0], len(codes))
            rows["long_acting_contraception"] = np.full(len(codes), 76.0)
        county_plan = np.bincount(layout.county, weights=plan, minlength=len(layout.county_codes))
        county_pop = np.bincount(layout.county, weights=pop[year], minlength=len(layout.county_codes))
        city_plan = np.bincount(city_of_county, weights=county_plan, minlength=len(city_codes))
        city_pop = np.bincount(city_of_county, weights=county_pop, minlength=len(city_codes))
        region_plan = np.round(np.r_[county_plan, city_plan, plan.sum()])
        region_pop = np.r_[county_pop, city_pop, pop[year].sum()]
        region_rows = {
            "births": region_plan,
            "birth_rate": np.round(region_plan / region_pop * 1000, 2),
            "srb": np.full(len(region_codes), srb_target),
        }
        for who, table in ((codes, rows), (region_codes, region_rows)):
            for indicator, values in table.items():
                frames.append(
                    pl.DataFrame(
                        {
                            "township_code": who,
                            "year": pl.Series([year] * len(who), dtype=pl.Int32),
                            "indicator": [indicator] * len(who),
                            "target": pl.Series(values, dtype=pl.Float64),
                        }
                    )
                )
    return pl.concat(frames).sort("year", "township_code", maintain_order=True)
