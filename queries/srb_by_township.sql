-- srb_by_township: births and sex ratio at birth by township, pooled over the years $year_from..$year_to (inclusive).
-- Grain: one row per township (townships without births in the window keep a row with zero counts).
-- Params: $year_from, $year_to (integer), $region (varchar or null: a county, city or province code; null = the whole
--   extract).
-- Notes: township_name / township_name_en come from the view: a repeated name carries its parent. births, boys, girls,
--   srb, srb_low, srb_high are srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

window_births as (
    select
        township_code,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births(null, $region::varchar)
    where year(month) between $year_from and $year_to
    group by township_code
),

counts as (
    select
        towns.township_code,
        towns.township_name,
        towns.township_name_en,
        towns.parent_code,
        coalesce(window_births.boys, 0)::bigint as boys,
        coalesce(window_births.girls, 0)::bigint as girls
    from region_townships($region::varchar) as towns
    left join window_births on towns.township_code = window_births.township_code
)

select
    township_code,
    township_name,
    township_name_en,
    parent_code,
    unnest(srb_columns(boys, girls))
from counts
order by township_code
