-- srb_township_by_year: one row per calendar year for one township; every year with births
-- anywhere in the county has a row (zero counts where the township had none).
-- params: $township_code (str, 12 digits)
-- births, boys, girls, srb, srb_low, srb_high: srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

years as (
    select distinct year(month)::integer as year from births
),

counts as (
    select
        y.year,
        boys_sum(b.births, b.sex) as boys,
        girls_sum(b.births, b.sex) as girls
    from years as y
    left join births as b
        on year(b.month) = y.year and b.township_code = $township_code::varchar
    group by y.year
)

select
    year,
    unnest(srb_columns(boys, girls))
from counts
order by year
