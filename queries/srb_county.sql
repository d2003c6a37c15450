-- srb_county: one row for the whole county, births pooled over the years $year_from..$year_to
-- (inclusive); the county-level match of srb_by_township.
-- params: $year_from, $year_to (int)
-- srb, srb_low, srb_high: the Wilson 95 % interval macros of queries/macros/srb.sql.
with

counts as (
    select
        coalesce(sum(births) filter (where sex = 'M'), 0)::bigint as boys,
        coalesce(sum(births) filter (where sex = 'F'), 0)::bigint as girls
    from births
    where year(month) between $year_from and $year_to
)

select

    (boys + girls)::bigint as births,
    boys,
    girls,
    srb_ratio(boys, girls) as srb,
    srb_wilson_low(boys, girls) as srb_low,
    srb_wilson_high(boys, girls) as srb_high
from counts
