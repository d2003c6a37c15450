-- township_month_changes: the year to date of $year up to $month ("now") and up to $month - 1 ("before"), with the
--   same months of the year before, in one scan (the Overview's changes since last month,
--   natality/compare/monthly.py).
-- Grain: one row per township of $region (every township; zero counts where it had no births).
-- Params: $year (integer), $month (integer 2-12: the cut-off month), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: counts from the table macro township_period_counts (queries/macros/births.sql): the columns of
--   map_township_year, then the same ending in _before. population is the township's population of $year (null when
--   not given).
with

period_counts as (
    select *
    from township_period_counts($region::varchar, $year, [$month, $month - 1])
)

select
    period_counts.township_code,
    any_value(period_counts.births) filter (where period_counts.to_month = $month) as births,
    any_value(period_counts.boys) filter (where period_counts.to_month = $month) as boys,
    any_value(period_counts.girls) filter (where period_counts.to_month = $month) as girls,
    any_value(period_counts.births_order3p) filter (where period_counts.to_month = $month) as births_order3p,
    any_value(period_counts.births_order_known) filter (where period_counts.to_month = $month) as births_order_known,
    any_value(period_counts.births_prev) filter (where period_counts.to_month = $month) as births_prev,
    any_value(period_counts.births) filter (where period_counts.to_month = $month - 1) as births_before,
    any_value(period_counts.boys) filter (where period_counts.to_month = $month - 1) as boys_before,
    any_value(period_counts.girls) filter (where period_counts.to_month = $month - 1) as girls_before,
    any_value(period_counts.births_order3p) filter (where period_counts.to_month = $month - 1) as births_order3p_before,
    any_value(period_counts.births_order_known) filter (
        where period_counts.to_month = $month - 1
    ) as births_order_known_before,
    any_value(period_counts.births_prev) filter (where period_counts.to_month = $month - 1) as births_prev_before,
    any_value(period_counts.population) as population
from period_counts
group by period_counts.township_code
order by period_counts.township_code
