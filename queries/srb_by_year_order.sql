-- srb_by_year_order: one row per calendar year and birth order (1, 2, 3 = third and higher)
-- for the whole county. Births of unknown order are left out (they have no order to show).
-- params: none
-- srb, srb_low, srb_high: the Wilson 95 % interval macros of queries/macros/srb.sql.
with

orders as (
    select unnest([1, 2, 3])::tinyint as birth_order
),

years as (
    select distinct year(month)::integer as year from births
),

counts as (
    select
        y.year,
        o.birth_order,
        coalesce(sum(b.births) filter (where b.sex = 'M'), 0)::bigint as boys,
        coalesce(sum(b.births) filter (where b.sex = 'F'), 0)::bigint as girls
    from years as y
    cross join orders as o
    left join births as b
        on year(b.month) = y.year and b.birth_order = o.birth_order
    group by y.year, o.birth_order
)

select
    year,
    birth_order,

    (boys + girls)::bigint as births,
    boys,
    girls,
    srb_ratio(boys, girls) as srb,
    srb_wilson_low(boys, girls) as srb_low,
    srb_wilson_high(boys, girls) as srb_high
from counts
order by year, birth_order
