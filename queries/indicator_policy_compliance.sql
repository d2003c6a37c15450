-- indicator_policy_compliance: policy-compliant births of every township-year, for the compliance indicator.
-- Grain: one row per township per year in which compliance was recorded.
-- Params: none.
-- Notes: policy_compliant is null after the 2021 policy change: those years have no row. numerator = policy-compliant
--   births, denominator = births with a recorded compliance.
select
    township_code,
    year(month)::integer as year,
    coalesce(sum(births) filter (where policy_compliant), 0)::double as numerator,
    sum(births) filter (where policy_compliant is not null)::double as denominator
from births
group by all
having sum(births) filter (where policy_compliant is not null) > 0
order by township_code, year
