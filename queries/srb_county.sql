-- srb_county: one row for the whole county, births pooled over the years $year_from..$year_to
-- (inclusive); the county-level match of srb_by_township.
-- params: $year_from, $year_to (int)
-- births, boys, girls, srb, srb_low, srb_high: srb_columns() of queries/macros/srb.sql (Wilson 95 %).
-- $region (varchar or null): a county, city or province code; null = the whole extract.
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
