-- County births, sex, third-and-higher births, population and crude birth rate by year.
-- Grain: one row per year with births. The birth rate of a partial year is annualised
-- (births x 12 / months) so that it compares with full years; `months` says how many months.
-- Params: $township_code (varchar or null: null = the whole county).
with
scoped as (
    select *
    from births
    where $township_code::varchar is null or township_code = $township_code::varchar
),

by_year as (
    select
        year(month)::integer as year,
        count(distinct month(month))::integer as months,
        sum(births)::bigint as births,
        sum(births) filter (where sex = 'M')::bigint as boys,
        sum(births) filter (where sex = 'F')::bigint as girls,
        sum(births) filter (where birth_order >= 3)::bigint as births_order3p,
        sum(births) filter (where birth_order is not null)::bigint as births_order_known
    from scoped
    group by year(month)
),

pop as (
    select year, sum(population)::bigint as population
    from population
    where $township_code::varchar is null or township_code = $township_code::varchar
    group by year
)

select
    b.year,
    b.months,
    b.months < 12 as is_partial,
    b.births,
    coalesce(b.boys, 0)::bigint as boys,
    coalesce(b.girls, 0)::bigint as girls,
    coalesce(b.births_order3p, 0)::bigint as births_order3p,
    coalesce(b.births_order_known, 0)::bigint as births_order_known,
    p.population,
    round(b.births * 12.0 / b.months / p.population * 1000, 2)::double as birth_rate
from by_year as b
left join pop as p using (year)
order by b.year
