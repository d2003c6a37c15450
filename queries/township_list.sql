-- township_list: the townships of the region with their display names.
-- Grain: one row per township.
-- Params: $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: ambiguous names carry their parent.
select
    township_code,
    township_name,
    township_name_en,
    parent_code
from region_townships($region::varchar)
order by township_code
