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

period_counts as (
    select *
    from township_period_counts($region::varchar, $year, [$last_month])
),

county_counts as (
    select
        town_county.county_code,
        count(*)::integer as townships,
        sum(period_counts.births)::bigint as births,
        sum(period_counts.boys)::bigint as boys,
        sum(period_counts.girls)::bigint as girls,
        sum(period_counts.births_order3p)::bigint as births_order3p,
        sum(period_counts.births_order_known)::bigint as births_order_known,
        sum(period_counts.births_prev)::bigint as births_prev,
        count(period_counts.population)::integer as with_population,
        sum(period_counts.population)::bigint as population
    from period_counts
    inner join township_county_codes($region::varchar) as town_county
        on period_counts.township_code = town_county.township_code
    group by town_county.county_code
)

select
    county_counts.county_code,
    coalesce(regions.name, townships.name, county_counts.county_code) as name,
    coalesce(
        regions.name_en, townships.name_en, regions.name, townships.name, county_counts.county_code
    ) as name_en,
    county_counts.townships,
    county_counts.births,
    county_counts.boys,
    county_counts.girls,
    county_counts.births_order3p,
    county_counts.births_order_known,
    county_counts.births_prev,
    case
        when county_counts.with_population = county_counts.townships then county_counts.population
    end as population,
    regions.region_code is not null as is_county
from county_counts
left join regions on county_counts.county_code = regions.region_code
left join townships on county_counts.county_code = townships.township_code
order by county_counts.county_code
