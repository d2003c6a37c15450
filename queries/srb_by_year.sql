-- srb_by_year: births and sex ratio at birth of the region by calendar year.
-- Grain: one row per calendar year with births.
-- Params: $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: the cut-off year is partial (see the manifest's cutoff_month). births, boys, girls, srb, srb_low, srb_high are
--   srb_columns() of queries/macros/srb.sql (Wilson 95 %).
with

counts as (
    select
        year(month)::integer as year,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births(null, $region::varchar)
    group by year(month)
)

select
    year,
    unnest(srb_columns(boys, girls))
from counts
order by year
