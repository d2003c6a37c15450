-- srb_township_by_year: one row per calendar year for one township; every year with births
-- anywhere in the county has a row (zero counts where the township had none).
-- params: $township_code (str, 12 digits)
-- srb, srb_low, srb_high: the Wilson 95 % interval macros of queries/macros/srb.sql.
with

years as (
    select distinct year(month)::integer as year from births
),

counts as (
    select
        y.year,
        coalesce(sum(b.births) filter (where b.sex = 'M'), 0)::bigint as boys,
        coalesce(sum(b.births) filter (where b.sex = 'F'), 0)::bigint as girls
    from years as y
    left join births as b
        on year(b.month) = y.year and b.township_code = $township_code::varchar
    group by y.year
)

select
    year,

    (boys + girls)::bigint as births,
    boys,
    girls,
    srb_ratio(boys, girls) as srb,
    srb_wilson_low(boys, girls) as srb_low,
    srb_wilson_high(boys, girls) as srb_high
from counts
order by year
