-- scorecard_townships: one row per township with its names and its parent's name (if the
-- parent is itself in the townships table).
-- params: none
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
