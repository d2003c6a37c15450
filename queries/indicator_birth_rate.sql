-- indicator_birth_rate: one row per township per year with births and mean population.
-- params: none
-- numerator = births, denominator = population (per mille = numerator / denominator x 1000).
-- Years without population keep a null denominator (not judged).
with

years as (
    select distinct year(month)::integer as year
    from births
),

counts as (
    select
        township_code,
        year(month)::integer as year,
        sum(births)::bigint as births
    from births
    group by all
)

select
    t.township_code,
    y.year,
    coalesce(c.births, 0)::double as numerator,
    p.population::double as denominator
from townships as t
cross join years as y
left join counts as c on c.township_code = t.township_code and c.year = y.year
left join population as p on p.township_code = t.township_code and p.year = y.year
order by t.township_code, y.year
