-- srb_by_year: one row per calendar year with births, for the whole county.
-- params: none. The cut-off year is partial (see the manifest's cutoff_month).
-- srb, srb_low, srb_high: the Wilson 95 % interval macros of queries/macros/srb.sql.
with

counts as (
    select
        year(month)::integer as year,
        coalesce(sum(births) filter (where sex = 'M'), 0)::bigint as boys,
        coalesce(sum(births) filter (where sex = 'F'), 0)::bigint as girls
    from births
    group by year(month)
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
