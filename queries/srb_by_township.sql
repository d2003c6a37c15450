-- srb_by_township: one row per township, births pooled over the years $year_from..$year_to
-- (inclusive). Townships without births in the window keep a row with zero counts.
-- township_name / township_name_en come from the view: a repeated name carries its parent.
-- params: $year_from, $year_to (int)
-- srb, srb_low, srb_high: the Wilson 95 % interval macros of queries/macros/srb.sql.
with

window_births as (
    select
        township_code,
        sum(births) filter (where sex = 'M')::bigint as boys,
        sum(births) filter (where sex = 'F')::bigint as girls
    from births
    where year(month) between $year_from and $year_to
    group by township_code
),

counts as (
    select
        t.township_code,
        t.township_name,
        t.township_name_en,
        t.parent_code,
        coalesce(w.boys, 0)::bigint as boys,
        coalesce(w.girls, 0)::bigint as girls
    from townships as t
    left join window_births as w on w.township_code = t.township_code
)

select
    township_code,
    township_name,
    township_name_en,
    parent_code,
    (boys + girls)::bigint as births,
    boys,
    girls,
    srb_ratio(boys, girls) as srb,
    srb_wilson_low(boys, girls) as srb_low,
    srb_wilson_high(boys, girls) as srb_high
from counts
order by township_code
