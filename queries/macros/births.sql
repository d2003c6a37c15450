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
