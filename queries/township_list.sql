-- The townships of the extract with their display names (ambiguous names carry their parent).
-- Grain: one row per township. Params: none.
-- $region (varchar or null): a county, city or province code; null = the whole extract.
select
    township_code,
    township_name,
    township_name_en,
    parent_code
from region_townships($region::varchar)
order by township_code
