-- indicator_births: one row per township per year with births (years present in the data;
-- a township without births in such a year gets 0).
-- params: none
-- numerator = births, denominator = null (a count has no denominator).
select
    township_code,
    year,
    births::double as numerator,
    null::double as denominator
from township_year_births()
order by township_code, year
