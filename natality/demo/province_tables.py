"""The tables of the province-like demo (``--townships N``, N > 19): the model of
``natality.demo.model`` drawn for all townships at once, on the map and hierarchy of
``natality.demo.province``."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import polars as pl

from natality.core.extract import AGE_BANDS
from natality.demo import model, province
from natality.geo.boundaries import display_geometry


def province_tables(seed: int, until: str, n: int) -> model.DemoTables:
    """Every table of a province of ``n`` townships (layout from ``natality.demo.province``).

    Births per township, month, sex, order, mother's age band (and, to 2020, policy
    compliance) are independent Poisson draws whose means are the county model's expected
    births split by its shares: the same distribution as the county's Poisson total split
    multinomially, but one numpy draw per year for every township and cell.
    """
    last_year, last_month = model.parse_until(until)
    rng = np.random.default_rng(seed)
    layout = province.build_layout(rng, n)
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

    years = list(range(model.FIRST_YEAR, last_year + 1))
    pop = model.yearly_population(rng, base_pop, years)
    by_month = model.season()

    parts = []
    annual = {}  # year -> births by township
    for year in years:
        rate = model.BIRTH_RATE.get(year, model.LATER_BIRTH_RATE)
        boost = model.DRAGON_YEAR_BOOST.get(year, 1.0)
        months = last_month if year == last_year else 12
        srb = model.true_srb(year, last_year, town_srb_effect, hot)
        boy = srb / (100 + srb)  # (n, 3)
        # Axes (township, month, sex F/M, order, age band, compliant False/True): C order of
        # np.nonzero is then the sort order of the births table within a year.
        cell = np.stack([1 - boy, boy], axis=1) * model.order_shares(year)  # (n, 2, 3)
        cell = cell[..., None] * model.age_shares(year)  # (n, 2, 3, 7)
        if year in model.REPORTED_YEARS:
            ok = np.clip(compliance[:, None] - np.array([0, 0.02, 0.35]), 0, 1)  # (n, 3)
            cell = cell[..., None] * np.stack([1 - ok, ok], axis=-1)[:, None, :, None, :]
        else:
            cell = cell[..., None]
        expected = pop[year][:, None] * rate * multiplier[:, None] * boost * by_month[None, :months] / 12_000
        counts = rng.poisson(expected[:, :, None, None, None, None] * cell[:, None])
        annual[year] = counts.reshape(n, -1).sum(axis=1)
        flat = counts.ravel()
        nonzero = np.flatnonzero(flat)
        ti, mi, si, oi, ai, ci = np.unravel_index(nonzero, counts.shape)
        parts.append(
            (
                ti.astype(np.int32),
                ((year - model.FIRST_YEAR) * 12 + mi).astype(np.int32),
                si.astype(np.int8),
                (oi + 1).astype(np.int8),
                ai.astype(np.int8),
                ci.astype(np.int8) if year in model.REPORTED_YEARS else np.full(len(ti), -1, dtype=np.int8),
                flat[nonzero],
            )
        )
    columns = [np.concatenate(arrays) for arrays in zip(*parts, strict=True)]
    order = np.argsort(columns[0], kind="stable")  # by township, then (as drawn) year, month, ...
    town, month, sex, birth_order, age, compliant, count = (c[order] for c in columns)
    first_days = [date(model.FIRST_YEAR + i // 12, i % 12 + 1, 1) for i in range(len(years) * 12)]
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

    population = model.population_table(codes, pop, years)
    reported = model.reported_table(rng, codes, annual, pop, years)
    targets = model.targets_table(rng, codes, pop, multiplier, years, _region_levels(layout))

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
    return model.DemoTables(
        townships=townships,
        births=births,
        population=population,
        reported=reported,
        targets=targets,
        hotspots=[codes[i] for i in hotspot_idx],
        cutoff=f"{last_year:04d}-{last_month:02d}",
        regions=layout.regions,
        region_code=province.PROVINCE_CODE,
        region_name=province.PROVINCE_NAME,
        region_name_en=province.PROVINCE_NAME_EN,
    )


def _region_levels(layout: province.Layout) -> list[tuple[list[str], np.ndarray]]:
    """The counties, the cities and the province, each with every township's index into it."""
    city_codes = sorted(set(layout.city_codes))
    city_of_county = np.array([city_codes.index(c) for c in layout.city_codes])
    return [
        (layout.county_codes, layout.county),
        (city_codes, city_of_county[layout.county]),
        ([province.PROVINCE_CODE], np.zeros(len(layout.codes), dtype=np.int64)),
    ]
