-- township_region_pairs: each township of $region with every county, city or province above it
-- that lies wholly inside $region (for region totals, e.g. births_projection_region).
-- Grain: one row per township per region. Params:
-- $region (varchar or null): a county, city or province code; null = the whole extract.
with
towns as (
    select township_code
    from region_townships($region::varchar)
),

pairs as (
    select
        r.township_code,
        r.region_code
    from township_regions as r
    inner join towns as t on r.township_code = t.township_code
),

inside as (
    select p.region_code
    from pairs as p
    inner join regions as g on p.region_code = g.region_code
    group by p.region_code
    having count(*) = any_value(g.townships)
)

select
    p.township_code,
    p.region_code,
    g.level,
    g.name,
    g.name_en
from pairs as p
inner join inside as i on p.region_code = i.region_code
inner join regions as g on p.region_code = g.region_code
order by p.region_code, p.township_code
