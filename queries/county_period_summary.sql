-- County totals for months 1..$month_to of $year and of the year before (same period).
-- Grain: one row per year (the selected year and the previous one, when they have births).
-- Params: $year (integer), $month_to (integer 1-12).
-- The birth rate is annualised over the months of the period, per 1,000 mean population.
with
period as (
    select
        year(month)::integer as year,
        count(distinct month(month))::integer as months,
        sum(births)::bigint as births,
        sum(births) filter (where sex = 'M')::bigint as boys,
        sum(births) filter (where sex = 'F')::bigint as girls,
        sum(births) filter (where birth_order >= 3)::bigint as births_order3p,
        sum(births) filter (where birth_order is not null)::bigint as births_order_known
    from births
    where year(month) in ($year, $year - 1) and month(month) <= $month_to
    group by year(month)
),

pop as (
    select year, sum(population)::bigint as population
    from population
    where year in ($year, $year - 1)
    group by year
)

select
    p.year,
    p.months,
    p.births,
    coalesce(p.boys, 0)::bigint as boys,
    coalesce(p.girls, 0)::bigint as girls,
    coalesce(p.births_order3p, 0)::bigint as births_order3p,
    coalesce(p.births_order_known, 0)::bigint as births_order_known,
    pop.population,
    round(p.births * 12.0 / $month_to / pop.population * 1000, 2)::double as birth_rate
from period as p
left join pop using (year)
order by p.year
