-- Births by mother's age band and year, for the county or one township.
-- Grain: one row per (year, mother_age_band); a null band means the age is unknown.
-- Params: $township_code (varchar or null: null = the whole county).
select
    year(month)::integer as year,
    mother_age_band,
    sum(births)::bigint as births
from births
where $township_code::varchar is null or township_code = $township_code::varchar
group by year(month), mother_age_band
order by year, mother_age_band nulls last
