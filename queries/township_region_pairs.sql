-- township_region_pairs: each township of $region with every county, city or province above it that lies wholly inside
--   $region (for region totals, e.g. births_projection_region).
-- Grain: one row per township per region.
-- Params: $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: none.
with
towns as (
    select township_code
    from region_townships($region::varchar)
),

pairs as (
    select
        township_regions.township_code,
        township_regions.region_code
    from township_regions
    inner join towns on township_regions.township_code = towns.township_code
),

inside as (
    select pairs.region_code
    from pairs
    inner join regions on pairs.region_code = regions.region_code
    group by pairs.region_code
    having count(*) = any_value(regions.townships)
)

select
    pairs.township_code,
    pairs.region_code,
    regions.level,
    regions.name,
    regions.name_en
from pairs
inner join inside on pairs.region_code = inside.region_code
inner join regions on pairs.region_code = regions.region_code
order by pairs.region_code, pairs.township_code
