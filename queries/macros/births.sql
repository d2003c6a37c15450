-- births: births macros (births_year_totals, township_year_births), created once per DuckDB connection
--   (natality/core/db.py) after the views.
-- Grain: per macro, below.
-- Params: per macro, below.
-- Notes: a table macro binds the views it reads when it is created.

-- Boys and girls among the rows summed (0 where none): the counts behind every sex ratio.
create or replace macro boys_sum(births, sex) as coalesce(sum(births) filter (where sex = 'M'), 0)::bigint;

create or replace macro girls_sum(births, sex) as coalesce(sum(births) filter (where sex = 'F'), 0)::bigint;

-- births_year_totals(code, region, month_to): one row per year with births, over months
-- 1..month_to of each year (null: every month), for one township (code) or the townships of a
-- region (null: the whole extract): months with
-- births, births, boys, girls, third-and-higher births, births of known order, population.
-- Shared by county_births_by_year.sql and county_period_summary.sql.
create or replace macro births_year_totals(code, region, month_to) as table
    with
    by_year as (
        select
            year(month)::integer as year,
            count(distinct month(month))::integer as months,
            sum(births)::bigint as births,
            boys_sum(births, sex) as boys,
            girls_sum(births, sex) as girls,
            coalesce(sum(births) filter (where birth_order >= 3), 0)::bigint as births_order3p,
            coalesce(sum(births) filter (where birth_order is not null), 0)::bigint as births_order_known
        from region_births_order(code, region)
        where month_to is null or month(month) <= month_to
        group by year(month)
    ),

    pop as (
        select
            year,
            sum(population)::bigint as population
        from region_population(code, region)
        group by year
    )

    select
        by_year.year,
        by_year.months,
        by_year.months < 12 as is_partial,
        by_year.births,
        by_year.boys,
        by_year.girls,
        by_year.births_order3p,
        by_year.births_order_known,
        pop.population,
        round(
            by_year.births * 12.0 / coalesce(month_to, by_year.months) / pop.population * 1000, 2
        )::double as birth_rate
    from by_year
    left join pop using (year);

-- township_year_births(): one row per township per year present in the births (a township
-- without births in such a year gets 0), with its population (null where none is given).
-- Shared by indicator_births.sql and indicator_birth_rate.sql.
create or replace macro township_year_births() as table
    with
    years as (
        select distinct year(month)::integer as year
        from births_monthly
    ),

    counts as (
        select
            township_code,
            year(month)::integer as year,
            sum(births)::bigint as births
        from births_monthly
        group by all
    )

    select
        townships.township_code,
        years.year,
        coalesce(counts.births, 0)::bigint as births,
        population.population
    from townships
    cross join years
    left join counts on townships.township_code = counts.township_code and years.year = counts.year
    left join population on townships.township_code = population.township_code and years.year = population.year;

-- township_period_counts(region, of_year, to_months): one row per township of region (null: the
-- whole extract; every township, zero counts where it had no births) and cut-off month of the
-- list to_months, over months 1..to_month of of_year: births, boys, girls, third-and-higher births,
-- births of known order, births_prev (the same months of the year before), and population (the
-- township's population of of_year, null when not given). The indicator columns of
-- map_township_year.sql (one cut-off), added up by county in map_county_year.sql, and taken at two
-- cut-off months in one scan by township_month_changes.sql.
create or replace macro township_period_counts(region, of_year, to_months) as table
    with
    period_births as (
        select
            township_code,
            year(month)::integer as year,
            month(month)::integer as month_number,
            sex,
            birth_order,
            births
        from region_births_order(null, region)
        where
            year(month) in (of_year, of_year - 1)
            and month(month) <= list_max(to_months)
    ),

    cut_offs as (
        select unnest(to_months)::integer as to_month
    ),

    counts as (
        select
            period_births.township_code,
            cut_offs.to_month,
            coalesce(sum(period_births.births) filter (where period_births.year = of_year), 0)::bigint as births,
            coalesce(
                sum(period_births.births) filter (where period_births.year = of_year and period_births.sex = 'M'), 0
            )::bigint as boys,
            coalesce(
                sum(period_births.births) filter (where period_births.year = of_year and period_births.sex = 'F'), 0
            )::bigint as girls,
            coalesce(
                sum(period_births.births) filter (
                    where period_births.year = of_year and period_births.birth_order >= 3
                ), 0
            )::bigint as births_order3p,
            coalesce(
                sum(period_births.births) filter (
                    where period_births.year = of_year and period_births.birth_order is not null
                ), 0
            )::bigint as births_order_known,
            coalesce(sum(period_births.births) filter (where period_births.year = of_year - 1), 0)::bigint
                as births_prev
        from period_births
        inner join cut_offs on period_births.month_number <= cut_offs.to_month
        group by period_births.township_code, cut_offs.to_month
    ),

    year_population as (
        select
            township_code,
            sum(population)::bigint as population
        from population
        where year = of_year
        group by township_code
    )

    select
        region_towns.township_code,
        cut_offs.to_month,
        coalesce(counts.births, 0)::bigint as births,
        coalesce(counts.boys, 0)::bigint as boys,
        coalesce(counts.girls, 0)::bigint as girls,
        coalesce(counts.births_order3p, 0)::bigint as births_order3p,
        coalesce(counts.births_order_known, 0)::bigint as births_order_known,
        coalesce(counts.births_prev, 0)::bigint as births_prev,
        year_population.population
    from region_townships(region) as region_towns
    cross join cut_offs
    left join counts
        on region_towns.township_code = counts.township_code and cut_offs.to_month = counts.to_month
    left join year_population on region_towns.township_code = year_population.township_code;

-- township_county_codes(region): the county of every township of region (null: the whole
-- extract), from township_regions; a township whose code names no county (a code of its own kind
-- without a parent) stands for itself. Shared by township_counties.sql and map_county_year.sql.
create or replace macro township_county_codes(region) as table
    with
    counties as (
        select
            township_regions.township_code,
            township_regions.region_code as county_code
        from township_regions
        inner join regions on township_regions.region_code = regions.region_code
        where regions.level = 'county'
    )

    select
        region_towns.township_code,
        coalesce(counties.county_code, region_towns.township_code) as county_code
    from region_townships(region) as region_towns
    left join counties on region_towns.township_code = counties.township_code;
