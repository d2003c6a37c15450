-- township_counties: the county of every township of the extract, for the county map layer.
-- Grain: one row per township.
-- Params: none.
-- Notes: county_code is the township's county in township_regions; a township whose code names no county (a code of its
--   own kind without a parent) stands for itself.
with

counties as (
    select
        tr.township_code,
        tr.region_code as county_code
    from township_regions as tr
    inner join regions on tr.region_code = regions.region_code
    where regions.level = 'county'
)

select
    townships.township_code,
    coalesce(counties.county_code, townships.township_code) as county_code
from townships
left join counties on townships.township_code = counties.township_code
order by townships.township_code
