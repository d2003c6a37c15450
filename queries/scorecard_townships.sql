-- scorecard_townships: every township with its names and its parent's name, for the scorecard.
-- Grain: one row per township.
-- Params: none.
-- Notes: the parent's name only where the parent is itself in the townships table.
select
    town.township_code,
    town.name as township_name,
    town.name_en as township_name_en,
    town.parent_code,
    parent.name as parent_name,
    parent.name_en as parent_name_en
from townships as town
left join townships as parent on town.parent_code = parent.township_code
order by town.township_code
