-- Births by birth order and year, for the county or one township.
-- Grain: one row per (year, birth_order); birth_order 3 means third and higher, null unknown.
-- Params: $township_code (varchar or null: null = the whole county).
select
    year(month)::integer as year,
    birth_order,
    sum(births)::bigint as births
from births
where $township_code::varchar is null or township_code = $township_code::varchar
group by year(month), birth_order
order by year, birth_order nulls last
