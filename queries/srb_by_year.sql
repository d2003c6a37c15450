-- srb_by_year: one row per calendar year with births, for the whole county.
-- params: none. The cut-off year is partial (see the manifest's cutoff_month).
-- births, boys, girls, srb, srb_low, srb_high: srb_columns() of queries/macros/srb.sql (Wilson 95 %).
-- $region (varchar or null): a county, city or province code; null = the whole extract.
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
