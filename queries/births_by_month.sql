-- Monthly births of $year and of the year before, for the county or one township.
-- Grain: one row per (year, month) with births.
-- Params: $year (integer), $township_code (varchar or null: null = the whole county).
select
    year(month)::integer as year,
    month(month)::integer as month,
    sum(births)::bigint as births
from births
where
    year(month) in ($year, $year - 1)
    and ($township_code::varchar is null or township_code = $township_code::varchar)
group by year(month), month(month)
order by year, month
