-- srb_county: births and sex ratio at birth of the whole region, pooled over the years $year_from..$year_to
--   (inclusive): the region-level match of srb_by_township.
-- Grain: one row.
-- Params: $year_from, $year_to (integer), $region (varchar or null: a county, city or province code; null = the whole
--   extract).
-- Notes: births, boys, girls, srb, srb_low, srb_high are srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

counts as (
    select
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births(null, $region::varchar)
    where year(month) between $year_from and $year_to
)

select unnest(srb_columns(boys, girls))
from counts
