-- township_month_changes: the year to date of $year up to $month ("now") and up to $month - 1 ("before"), with the
--   same months of the year before, in one scan (the Overview's changes since last month,
--   natality/compare/monthly.py).
-- Grain: one row per township of $region (every township; zero counts where it had no births).
-- Params: $year (integer), $month (integer 2-12: the cut-off month), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: columns of map_township_year, then the same ending in _before. population is the township's mean population of
--   $year (null when not given).
with

period_births as (
    select
        township_code,
        year(month)::integer as year,
        month(month)::integer < $month as before,
        sex,
        birth_order,
        births
    from region_births_order(null, $region::varchar)
    where year(month) in ($year, $year - 1)
        and month(month) <= $month
),

counts as (
    select
        township_code,
        coalesce(sum(births) filter (where year = $year), 0)::bigint as births,
        coalesce(sum(births) filter (where year = $year and sex = 'M'), 0)::bigint as boys,
        coalesce(sum(births) filter (where year = $year and sex = 'F'), 0)::bigint as girls,
        coalesce(
            sum(births) filter (where year = $year and birth_order >= 3), 0
        )::bigint as births_order3p,
        coalesce(
            sum(births) filter (where year = $year and birth_order is not null), 0
        )::bigint as births_order_known,
        coalesce(sum(births) filter (where year = $year - 1), 0)::bigint as births_prev,
        coalesce(sum(births) filter (where year = $year and before), 0)::bigint as births_before,
        coalesce(sum(births) filter (where year = $year and before and sex = 'M'), 0)::bigint as boys_before,
        coalesce(sum(births) filter (where year = $year and before and sex = 'F'), 0)::bigint as girls_before,
        coalesce(
            sum(births) filter (where year = $year and before and birth_order >= 3), 0
        )::bigint as births_order3p_before,
        coalesce(
            sum(births) filter (where year = $year and before and birth_order is not null), 0
        )::bigint as births_order_known_before,
        coalesce(sum(births) filter (where year = $year - 1 and before), 0)::bigint as births_prev_before
    from period_births
    group by township_code
),

year_population as (
    select
        township_code,
        sum(population)::bigint as population
    from population
    where year = $year
    group by township_code
)

select
    t.township_code,
    coalesce(c.births, 0)::bigint as births,
    coalesce(c.boys, 0)::bigint as boys,
    coalesce(c.girls, 0)::bigint as girls,
    coalesce(c.births_order3p, 0)::bigint as births_order3p,
    coalesce(c.births_order_known, 0)::bigint as births_order_known,
    coalesce(c.births_prev, 0)::bigint as births_prev,
    coalesce(c.births_before, 0)::bigint as births_before,
    coalesce(c.boys_before, 0)::bigint as boys_before,
    coalesce(c.girls_before, 0)::bigint as girls_before,
    coalesce(c.births_order3p_before, 0)::bigint as births_order3p_before,
    coalesce(c.births_order_known_before, 0)::bigint as births_order_known_before,
    coalesce(c.births_prev_before, 0)::bigint as births_prev_before,
    p.population
from region_townships($region::varchar) as t
left join counts as c on t.township_code = c.township_code
left join year_population as p on t.township_code = p.township_code
order by t.township_code
