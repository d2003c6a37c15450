-- map_township_year: births, boys, girls and population of every township for the months 1..$last_month of $year, with
--   the same months of the year before for change.
-- Grain: one row per township (every township, zero counts where it had no births).
-- Params: $year (integer), $last_month (integer 1-12: 12 for a full year, the cut-off month for the current partial
--   year, so that "change against the previous year" compares like with like), $region (varchar or null: a county, city
--   or province code; null = the whole extract).
-- Notes: population is the township's mean population of $year (null when not given).
with

period_births as (
    select
        township_code,
        year(month)::integer as year,
        sex,
        birth_order,
        births
    from region_births_order(null, $region::varchar)
    where year(month) in ($year, $year - 1)
        and month(month) <= $last_month
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
        coalesce(sum(births) filter (where year = $year - 1), 0)::bigint as births_prev
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
    t.name,
    t.name_en,
    coalesce(c.births, 0)::bigint as births,
    coalesce(c.boys, 0)::bigint as boys,
    coalesce(c.girls, 0)::bigint as girls,
    coalesce(c.births_order3p, 0)::bigint as births_order3p,
    coalesce(c.births_order_known, 0)::bigint as births_order_known,
    coalesce(c.births_prev, 0)::bigint as births_prev,
    p.population
from region_townships($region::varchar) as t
left join counts as c on t.township_code = c.township_code
left join year_population as p on t.township_code = p.township_code
order by t.township_code
