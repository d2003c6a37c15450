-- births_by_month: monthly births of $year and of the year before, for the region or one township.
-- Grain: one row per (year, month) with births.
-- Params: $year (integer), $township_code (varchar or null: null = the whole region), $region (varchar or null: a
--   county, city or province code; null = the whole extract).
-- Notes: none.
select
    year(month)::integer as year,
    month(month)::integer as month,
    sum(births)::bigint as births
from region_births($township_code::varchar, $region::varchar)
where year(month) in ($year, $year - 1)
group by year(month), month(month)
order by year, month
