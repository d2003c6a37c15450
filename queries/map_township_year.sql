-- map_township_year: births, boys, girls and population of every township for the months 1..$last_month of $year, with
--   the same months of the year before for change.
-- Grain: one row per township (every township, zero counts where it had no births).
-- Params: $year (integer), $last_month (integer 1-12: 12 for a full year, the cut-off month for the current partial
--   year, so that "change against the previous year" compares like with like), $region (varchar or null: a county, city
--   or province code; null = the whole extract).
-- Notes: population is the township's mean population of $year (null when not given).
with

period_counts as (
    select *
    from township_period_counts($region::varchar, $year, [$last_month])
)

select
    period_counts.township_code,
    townships.name,
    townships.name_en,
    period_counts.births,
    period_counts.boys,
    period_counts.girls,
    period_counts.births_order3p,
    period_counts.births_order_known,
    period_counts.births_prev,
    period_counts.population
from period_counts
inner join townships on period_counts.township_code = townships.township_code
order by period_counts.township_code
