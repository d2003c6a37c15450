-- indicator_srb: boys and births of known sex of every township-year, for the SRB indicator.
-- Grain: one row per township per year with births.
-- Params: none.
-- Notes: numerator = boys, denominator = boys + girls; SRB = 100 x boys / girls (computed in natality/scorecard/ with
--   natality.srb.srb_estimate, which also gives the Wilson 95 % interval).
select
    township_code,
    year(month)::integer as year,
    sum(births) filter (where sex = 'M')::double as numerator,
    sum(births) filter (where sex in ('M', 'F'))::double as denominator
from births_monthly
group by all
order by township_code, year
