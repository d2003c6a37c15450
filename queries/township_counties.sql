-- township_counties: the county of every township of the extract, for the county map layer.
-- Grain: one row per township. Params: none.
-- county_code is the township's county in township_regions; a township whose code names no
-- county (a code of its own kind without a parent) stands for itself.
with

counties as (
    select
        tr.township_code,
        tr.region_code as county_code
    from township_regions as tr
    inner join regions as r on tr.region_code = r.region_code
    where r.level = 'county'
)

select
    t.township_code,
    coalesce(c.county_code, t.township_code) as county_code
from townships as t
left join counties as c on t.township_code = c.township_code
order by t.township_code
