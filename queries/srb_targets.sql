-- srb_targets: the county's SRB targets (boys per 100 girls, an upper limit).
-- Grain: one row per year with a target.
-- Params: $region_code (varchar: the county's 6-digit code, from the manifest or the chosen region).
-- Notes: years without a target have no row: they are simply not scored.
select
    year::integer as year,
    target::double as target
from targets
where indicator = 'srb' and township_code = $region_code::varchar
order by year
