-- scorecard_targets: the targets the county set, for the scorecard.
-- Grain: one row per target (township or county code, year, indicator).
-- Params: none.
-- Notes: target in the indicator's display unit (count, per mille, percent, boys per 100 girls).
select
    township_code,
    year::integer as year,
    indicator,
    target::double as target
from targets
where target is not null
order by township_code, year, indicator
