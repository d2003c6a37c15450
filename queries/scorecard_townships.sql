-- scorecard_townships: one row per township with its names and its parent's name (if the
-- parent is itself in the townships table).
-- params: none
select
    t.township_code,
    t.name as township_name,
    t.name_en as township_name_en,
    t.parent_code,
    p.name as parent_name,
    p.name_en as parent_name_en
from townships as t
left join townships as p on t.parent_code = p.township_code
order by t.township_code
