-- township_formed_from: the townships a township was formed from (the crosswalk).
-- Grain: one row per old township whose new code is $township_code (none when it was not changed, or the extract has no
--   crosswalk).
-- Params: $township_code (varchar).
-- Notes: share: the part of the old township that went to this one (1 for a whole township).
select
    old_code,
    coalesce(old_name, old_code) as old_name,
    from_year,
    share
from crosswalk
where new_code = $township_code
order by from_year, old_code
