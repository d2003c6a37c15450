-- indicator_srb: one row per township per year with boys and births of known sex.
-- params: none
-- numerator = boys, denominator = boys + girls; SRB = 100 x boys / girls (computed in
-- natality.scoring with natality.srb.srb_estimate, which also gives the Wilson 95 % interval).
select
    township_code,
    year(month)::integer as year,
    sum(births) filter (where sex = 'M')::double as numerator,
    sum(births) filter (where sex in ('M', 'F'))::double as denominator
from births_monthly
group by all
order by township_code, year
