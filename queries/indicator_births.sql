-- indicator_births: births of every township-year, for the births indicator.
-- Grain: one row per township per year with births (years present in the data; a township without births in such a year
--   gets 0).
-- Params: none.
-- Notes: numerator = births, denominator = null (a count has no denominator).
select
    township_code,
    year,
    births::double as numerator,
    null::double as denominator
from township_year_births()
order by township_code, year
