-- The townships of the extract with their display names (ambiguous names carry their parent).
-- Grain: one row per township. Params: none.
select township_code, township_name, township_name_en, parent_code
from townships
order by township_code
