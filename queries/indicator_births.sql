-- indicator_births: one row per township per year with births (years present in the data;
-- a township without births in such a year gets 0).
-- params: none
-- numerator = births, denominator = null (a count has no denominator).
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
    null::double as denominator
from townships as t
cross join years as y
left join counts as c on c.township_code = t.township_code and c.year = y.year
order by t.township_code, y.year
