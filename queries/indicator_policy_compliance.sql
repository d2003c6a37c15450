-- indicator_policy_compliance: one row per township per year in which compliance was recorded
-- (policy_compliant is null after the 2021 policy change: those years have no row).
-- params: none
-- numerator = policy-compliant births, denominator = births with a recorded compliance.
select
    township_code,
    year(month)::integer as year,
    coalesce(sum(births) filter (where policy_compliant), 0)::double as numerator,
    sum(births) filter (where policy_compliant is not null)::double as denominator
from births
group by all
having sum(births) filter (where policy_compliant is not null) > 0
order by township_code, year
