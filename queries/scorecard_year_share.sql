-- scorecard_year_share: the county's share of a year's births that fell in January..$month, pooled over the (up to)
--   three complete years before $year.
-- Grain: one row, or none when there is no earlier year.
-- Params: $year (integer, the partial year), $month (integer, its last month with data).
-- Notes: used to pro-rate annual targets for a partial year by the county's own seasonal pattern (years before the
--   partial year are complete: the extract runs up to its cut-off month).
with

by_year as (
    select
        year(month)::integer as year,
        sum(births) filter (where month(month) <= $month)::bigint as births_to_month,
        sum(births)::bigint as births
    from births_monthly
    where year(month) < $year
    group by all
),

recent as (
    select *
    from by_year
    where births > 0
    order by year desc
    limit 3
)

select
    min(year)::integer as first_year,
    max(year)::integer as last_year,
    (sum(births_to_month) / sum(births))::double as share
from recent
having count(*) > 0
