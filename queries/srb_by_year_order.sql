-- srb_by_year_order: one row per calendar year and birth order (1, 2, 3 = third and higher)
-- for the whole county. Births of unknown order are left out (they have no order to show).
-- params: none
-- births, boys, girls, srb, srb_low, srb_high: srb_columns() of queries/macros/srb.sql (Wilson 95 %).
-- $region (varchar or null): a county, city or province code; null = the whole extract.
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
        boys_sum(b.births, b.sex) as boys,
        girls_sum(b.births, b.sex) as girls
    from years as y
    cross join orders as o
    left join region_births(null, $region::varchar) as b
        on year(b.month) = y.year and b.birth_order = o.birth_order
    group by y.year, o.birth_order
)

select
    year,
    birth_order,
    unnest(srb_columns(boys, girls))
from counts
order by year, birth_order
