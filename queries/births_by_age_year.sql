-- Births by mother's age band and year, for the county or one township.
-- Grain: one row per (year, mother_age_band); a null band means the age is unknown.
-- Params: $township_code (varchar or null: null = the whole county).
-- $region (varchar or null): a county, city or province code; null = the whole extract.
select
    year(month)::integer as year,
    mother_age_band,
    sum(births)::bigint as births
from region_births_detail($township_code::varchar, $region::varchar)
group by year(month), mother_age_band
order by year, mother_age_band nulls last
