-- map_county_year: map_township_year added up by county, for the map of a city, a province or a whole extract: the
--   months 1..$last_month of $year, with the same months of the year before.
-- Grain: one row per county of $region (every county, zero counts where it had no births).
-- Params: $year (integer), $last_month (integer 1-12: 12 for a full year, the cut-off month for the current partial
--   year), $region (varchar or null: a city or province code; null = the whole extract).
-- Notes: population is the sum of the townships' mean populations of $year, null when any township of the county has
--   none (a rate over part of a county would be read as the county's). townships = townships of the county in $region.
--   A township whose code names no county stands for itself (county_code = its own code, as in township_counties.sql;
--   is_county false: there is no county to open).
with

town_county as (
    select
        t.township_code,
        coalesce(c.county_code, t.township_code) as county_code
    from region_townships($region::varchar) as t
    left join (
        select
            tr.township_code,
            tr.region_code as county_code
        from township_regions as tr
        inner join regions as r on tr.region_code = r.region_code
        where r.level = 'county'
    ) as c on t.township_code = c.township_code
),

period_births as (
    select
        tc.county_code,
        year(b.month)::integer as year,
        b.sex,
        b.birth_order,
        b.births
    from region_births_order(null, $region::varchar) as b
    inner join town_county as tc on b.township_code = tc.township_code
    where year(b.month) in ($year, $year - 1)
        and month(b.month) <= $last_month
),

counts as (
    select
        county_code,
        coalesce(sum(births) filter (where year = $year), 0)::bigint as births,
        coalesce(sum(births) filter (where year = $year and sex = 'M'), 0)::bigint as boys,
        coalesce(sum(births) filter (where year = $year and sex = 'F'), 0)::bigint as girls,
        coalesce(
            sum(births) filter (where year = $year and birth_order >= 3), 0
        )::bigint as births_order3p,
        coalesce(
            sum(births) filter (where year = $year and birth_order is not null), 0
        )::bigint as births_order_known,
        coalesce(sum(births) filter (where year = $year - 1), 0)::bigint as births_prev
    from period_births
    group by county_code
),

township_population as (
    select
        township_code,
        sum(population)::bigint as population
    from population
    where year = $year
    group by township_code
),

units as (
    select
        tc.county_code,
        count(*)::integer as townships,
        count(p.population)::integer as with_population,
        sum(p.population)::bigint as population
    from town_county as tc
    left join township_population as p on tc.township_code = p.township_code
    group by tc.county_code
)

select
    u.county_code,
    coalesce(r.name, t.name, u.county_code) as name,
    coalesce(r.name_en, t.name_en, r.name, t.name, u.county_code) as name_en,
    u.townships,
    coalesce(c.births, 0)::bigint as births,
    coalesce(c.boys, 0)::bigint as boys,
    coalesce(c.girls, 0)::bigint as girls,
    coalesce(c.births_order3p, 0)::bigint as births_order3p,
    coalesce(c.births_order_known, 0)::bigint as births_order_known,
    coalesce(c.births_prev, 0)::bigint as births_prev,
    case when u.with_population = u.townships then u.population end as population,
    r.region_code is not null as is_county
from units as u
left join counts as c on u.county_code = c.county_code
left join regions as r on u.county_code = r.region_code
left join townships as t on u.county_code = t.township_code
order by u.county_code
