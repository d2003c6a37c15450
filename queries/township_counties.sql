-- township_counties: the county of every township of the extract, for the county map layer.
-- Grain: one row per township.
-- Params: none.
-- Notes: county_code is the township's county in township_regions; a township whose code names no county (a code of its
--   own kind without a parent) stands for itself.
select
    township_code,
    county_code
from township_county_codes(null)
order by township_code
