-- srb_targets: one row per year with an SRB target for the county (boys per 100 girls, an
-- upper limit). Years without a target have no row: they are simply not scored.
-- params: $region_code (str, the county's 6-digit code from the manifest)
select
    year::integer as year,
    target::double as target
from targets
where indicator = 'srb' and township_code = $region_code::varchar
order by year
