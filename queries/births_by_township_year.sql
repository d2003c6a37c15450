-- Births by township for one year.
-- Grain: one row per township (every township of the extract, 0 when it had no births).
-- Params: $year (integer).
-- $region (varchar or null): a county, city or province code; null = the whole extract.
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
    t.township_code,
    t.township_name,
    t.township_name_en,
    $year::integer as year,
    coalesce(y.births, 0)::bigint as births,
    coalesce(y.boys, 0)::bigint as boys,
    coalesce(y.girls, 0)::bigint as girls
from region_townships($region::varchar) as t
left join yearly as y using (township_code)
order by births desc, t.township_code asc
