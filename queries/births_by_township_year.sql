-- births_by_township_year: births, boys and girls by township for one year.
-- Grain: one row per township (every township of the region, 0 when it had no births).
-- Params: $year (integer), $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: none.
with
yearly as (
    select
        township_code,
        sum(births)::bigint as births,
        sum(births) filter (where sex = 'M')::bigint as boys,
        sum(births) filter (where sex = 'F')::bigint as girls
    from region_births(null, $region::varchar)
    where year(month) = $year
    group by township_code
)

select
    towns.township_code,
    towns.township_name,
    towns.township_name_en,
    $year::integer as year,
    coalesce(yearly.births, 0)::bigint as births,
    coalesce(yearly.boys, 0)::bigint as boys,
    coalesce(yearly.girls, 0)::bigint as girls
from region_townships($region::varchar) as towns
left join yearly using (township_code)
order by births desc, towns.township_code asc
