-- srb_by_year_order: births and sex ratio at birth of the region by calendar year and birth order.
-- Grain: one row per calendar year and birth order (1, 2, 3 = third and higher).
-- Params: $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: births of unknown order are left out (they have no order to show). births, boys, girls, srb, srb_low, srb_high
--   are srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

orders as (
    select unnest([1, 2, 3])::tinyint as birth_order
),

years as (
    select distinct year(month)::integer as year from births_monthly
),

sums as (
    select
        year(month)::integer as year,
        birth_order,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births_order(null, $region::varchar)
    where birth_order in (1, 2, 3)
    group by all
),

counts as (
    select
        years.year,
        orders.birth_order,
        coalesce(sums.boys, 0)::bigint as boys,
        coalesce(sums.girls, 0)::bigint as girls
    from years
    cross join orders
    left join sums on years.year = sums.year and orders.birth_order = sums.birth_order
)

select
    year,
    birth_order,
    unnest(srb_columns(boys, girls))
from counts
order by year, birth_order
