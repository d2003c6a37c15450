-- births_by_age_year: births by mother's age band and year, for the region or one township.
-- Grain: one row per (year, mother_age_band).
-- Params: $township_code (varchar or null: null = the whole region), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: a null band means the age is unknown.
select
    year(month)::integer as year,
    mother_age_band,
    sum(births)::bigint as births
from region_births_detail($township_code::varchar, $region::varchar)
group by year(month), mother_age_band
order by year, mother_age_band nulls last
