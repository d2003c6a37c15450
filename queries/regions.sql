-- regions: the regions of the extract: every county, city and province above its townships.
-- Grain: one row per region.
-- Params: none.
-- Notes: from the township codes (or the boundary file's parent field), named by the regions file if given.
select
    region_code,
    level,
    name,
    name_en,
    townships
from regions
order by region_code
