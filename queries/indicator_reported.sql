-- indicator_reported: a reported (audited) indicator of every township-year.
-- Grain: one row per township per year of the indicator.
-- Params: $indicator (varchar: reported.indicator).
-- Notes: numerator, denominator as reported (e.g. audited births reported correctly / audited births).
select
    township_code,
    year::integer as year,
    numerator::double as numerator,
    denominator::double as denominator
from reported
where indicator = $indicator
order by township_code, year
