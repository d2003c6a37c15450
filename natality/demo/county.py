"""The synthetic demo: a county of 19 townships (the default), or a province of N townships.

Monthly births 2015-01 to a cut-off month. Seeded and deterministic: the same seed, cut-off and
size give the same tables. The model is ``natality.demo.model`` (its anchors follow "The demo
county" in shared/DOMAIN.md). ``--townships N`` above 19 builds a province-like extract with the
same model (its map and hierarchy drawn by ``natality.demo.province``, its tables by
``natality.demo.province_tables``), its births drawn with vectorised numpy draws so that 2,000
townships (about 15 M births) build in seconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from natality.core import extract
from natality.core.extract import AGE_BANDS
from natality.demo import model
from natality.demo.defaults import DEFAULT_SEED, DEFAULT_TOWNSHIPS, DEFAULT_UNTIL
from natality.demo.province_tables import province_tables

COUNTY_CODE = "419901"
REGION_NAME = "示范县"
REGION_NAME_EN = "Demo County"

TOWNSHIPS = [
    ("城关镇", "Chengguan Town"),
    ("王店乡", "Wangdian Township"),
    ("李集镇", "Liji Town"),
    ("张庄乡", "Zhangzhuang Township"),
    ("刘寨镇", "Liuzhai Town"),
    ("陈楼乡", "Chenlou Township"),
    ("高台镇", "Gaotai Town"),
    ("新集乡", "Xinji Township"),
    ("黄桥镇", "Huangqiao Town"),
    ("白马乡", "Baima Township"),
    ("孙店镇", "Sundian Town"),
    ("石桥乡", "Shiqiao Township"),
    ("马集镇", "Maji Town"),
    ("杨湖乡", "Yanghu Township"),
    ("柳河镇", "Liuhe Town"),
    ("周庄乡", "Zhouzhuang Township"),
    ("范集镇", "Fanji Town"),
    ("郑营乡", "Zhengying Township"),
    ("吴桥镇", "Wuqiao Town"),
]
assert len(TOWNSHIPS) == DEFAULT_TOWNSHIPS  # 19: the demo county; more builds a province


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
) -> model.DemoTables:
    """Generate every table of the demo: the county (19 townships), or a province of ``townships``."""
    if townships != DEFAULT_TOWNSHIPS:
        return province_tables(seed, until, townships)
    last_year, last_month = model.parse_until(until)
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
    hot = np.zeros(n, dtype=bool)
    hot[hotspot_idx] = True
    compliance = rng.uniform(0.85, 0.99, n)

    years = list(range(model.FIRST_YEAR, last_year + 1))
    pop = model.yearly_population(rng, base_pop, years)
    by_month = model.season()

    rows = {k: [] for k in ("code", "month", "sex", "order", "age", "compliant", "births")}
    for year in years:
        rate = model.BIRTH_RATE.get(year, model.LATER_BIRTH_RATE)
        boost = model.DRAGON_YEAR_BOOST.get(year, 1.0)
        months = range(1, (last_month if year == last_year else 12) + 1)
        srb = model.true_srb(year, last_year, town_srb_effect, hot)
        for m in months:
            expected = pop[year] * rate * multiplier * boost * by_month[m - 1] / 12_000
            total = rng.poisson(expected)
            by_order = rng.multinomial(total, np.tile(model.order_shares(year), (n, 1)))  # (n, 3)
            boys = rng.binomial(by_order, srb / (100 + srb))
            for sex, counts in (("M", boys), ("F", by_order - boys)):
                ages = rng.multinomial(counts, np.tile(model.age_shares(year), (n, 3, 1)))  # (n, 3, 7)
                if year in model.REPORTED_YEARS:
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

    population = model.population_table(codes, pop, years)
    by_year = births.group_by("township_code", pl.col("month").dt.year().alias("year")).agg(pl.col("births").sum())
    annual = {
        year: pl.DataFrame({"township_code": codes})
        .join(by_year.filter(pl.col("year") == year), on="township_code", how="left")["births"]
        .fill_null(0)
        .to_numpy()
        for year in years
    }
    reported = model.reported_table(rng, codes, annual, pop, years)
    targets = model.targets_table(rng, codes, pop, multiplier, years, [([COUNTY_CODE], np.zeros(n, dtype=np.int64))])

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
    return model.DemoTables(
        townships=townships,
        births=births,
        population=population,
        reported=reported,
        targets=targets,
        hotspots=[codes[i] for i in hotspot_idx],
        cutoff=f"{last_year:04d}-{last_month:02d}",
        region_code=COUNTY_CODE,
        region_name=REGION_NAME,
        region_name_en=REGION_NAME_EN,
    )


def write_tables(tables: model.DemoTables, root: Path, seed: int) -> dict:
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
