-- births_by_order_year: births by birth order and year, for the region or one township.
-- Grain: one row per (year, birth_order).
-- Params: $township_code (varchar or null: null = the whole region), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: birth_order 3 means third and higher, null unknown.
select
    year(month)::integer as year,
    birth_order,
    sum(births)::bigint as births
from region_births_order($township_code::varchar, $region::varchar)
group by year(month), birth_order
order by year, birth_order nulls last
