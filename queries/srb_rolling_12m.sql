-- srb_rolling_12m: births and sex ratio at birth of one township or the region, counts summed over the 12 months
--   ending with each month.
-- Grain: one row per month with 12 months of data behind it.
-- Params: $township_code (varchar or null: null = the whole region), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: monthly SRB itself is never shown: monthly counts are tiny. births, boys, girls, srb, srb_low, srb_high are
--   srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

months as (
    select unnest(generate_series(min(month), max(month), interval 1 month))::date as month
    from births_monthly
),

sums as (
    select
        month,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births($township_code::varchar, $region::varchar)
    group by month
),

monthly as (
    select
        months.month,
        coalesce(sums.boys, 0)::bigint as boys,
        coalesce(sums.girls, 0)::bigint as girls
    from months
    left join sums on months.month = sums.month
),

rolling as (
    select
        month,
        sum(boys) over last_12 as boys,
        sum(girls) over last_12 as girls,
        count(*) over last_12 as n_months
    from monthly
    window last_12 as (order by month rows between 11 preceding and current row)
),

counts as (
    select
        month,
        boys::bigint as boys,
        girls::bigint as girls
    from rolling
    where n_months = 12
)

select
    month,
    unnest(srb_columns(boys, girls))
from counts
order by month
