-- srb_township_by_year: births and sex ratio at birth of one township by calendar year.
-- Grain: one row per calendar year with births anywhere in the extract (zero counts where the township had none).
-- Params: $township_code (varchar, 12 digits).
-- Notes: births, boys, girls, srb, srb_low, srb_high are srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

years as (
    select distinct year(month)::integer as year from births_monthly
),

sums as (
    select
        year(month)::integer as year,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from births_monthly
    where township_code = $township_code::varchar
    group by all
),

counts as (
    select
        years.year,
        coalesce(sums.boys, 0)::bigint as boys,
        coalesce(sums.girls, 0)::bigint as girls
    from years
    left join sums on years.year = sums.year
)

select
    year,
    unnest(srb_columns(boys, girls))
from counts
order by year
