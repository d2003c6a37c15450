-- indicator_reported: one row per township per year of a reported indicator.
-- params: $indicator (text, reported.indicator)
-- numerator, denominator as reported (e.g. audited births reported correctly / audited births).
select
    township_code,
    year::integer as year,
    numerator::double as numerator,
    denominator::double as denominator
from reported
where indicator = $indicator
order by township_code, year
