-- Births against each township's births target for months 1..$month_to of $year.
-- Grain: one row per township that has a births target in $year.
-- Params: $year (integer), $month_to (integer 1-12). The annual target is pro-rated to the
-- months of the period (a plain month share: seasonality is ignored).
with
actual as (
    select township_code, sum(births)::bigint as births
    from births
    where year(month) = $year and month(month) <= $month_to
    group by township_code
)

select
    t.township_code,
    tw.township_name,
    tw.township_name_en,
    coalesce(a.births, 0)::bigint as births,
    t.target as annual_target,
    round(t.target * $month_to / 12.0, 1)::double as period_target
from targets as t
inner join townships as tw using (township_code)
left join actual as a using (township_code)
where t.year = $year and t.indicator = 'births'
order by t.township_code
