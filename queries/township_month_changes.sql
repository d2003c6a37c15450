-- township_month_changes: one row per township of $region (every township; zero counts where it
-- had no births): the year to date of $year up to $month ("now") and up to $month - 1 ("before"),
-- with the same months of the year before, in one scan (the Overview's changes since last month,
-- natality/compare/monthly.py). Columns of map_township_year, then the same ending in _before.
-- params: $year (int), $month (int 2-12: the cut-off month), $region (varchar or null: a county,
-- city or province code; null = the whole extract)
-- population is the township's mean population of $year (null when not given).
with

now_counts as (
    select *
    from township_period_counts($region::varchar, $year, $month)
),

before_counts as (
    select *
    from township_period_counts($region::varchar, $year, $month - 1)
)

select
    now_counts.township_code,
    now_counts.births,
    now_counts.boys,
    now_counts.girls,
    now_counts.births_order3p,
    now_counts.births_order_known,
    now_counts.births_prev,
    before_counts.births as births_before,
    before_counts.boys as boys_before,
    before_counts.girls as girls_before,
    before_counts.births_order3p as births_order3p_before,
    before_counts.births_order_known as births_order_known_before,
    before_counts.births_prev as births_prev_before,
    now_counts.population
from now_counts
inner join before_counts on now_counts.township_code = before_counts.township_code
order by now_counts.township_code
