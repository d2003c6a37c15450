-- data_completeness: births per township per month of one year, with 0 where a township has no records that month, so
--   that gaps in an import stand out.
-- Grain: one row per township per month, months up to the extract's last month.
-- Params: $year (integer), $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: townships known only from the births (no shape) are included.
with last_month as (
    select max(month) as last_month
    from births_monthly
),

months as (
    select
        unnest(
            generate_series(make_date($year::integer, 1, 1), make_date($year::integer, 12, 1), interval 1 month)
        )::date as month
),

codes as (
    select township_code from region_townships($region::varchar)
    union
    select distinct township_code from region_births(null, $region::varchar)
),

grid as (
    select
        codes.township_code,
        coalesce(townships.township_name, codes.township_code) as township_name,
        coalesce(townships.township_name_en, townships.township_name, codes.township_code) as township_name_en,
        months.month
    from codes
    left join townships on codes.township_code = townships.township_code
    cross join months
    cross join last_month
    where months.month <= last_month.last_month
),

counts as (
    select
        township_code,
        month,
        sum(births)::bigint as births
    from births_monthly
    where year(month) = $year
    group by township_code, month
)

select
    grid.township_code,
    grid.township_name,
    grid.township_name_en,
    month(grid.month)::integer as month_number,
    coalesce(counts.births, 0)::bigint as births
from grid
left join counts on grid.township_code = counts.township_code and grid.month = counts.month
order by grid.township_code, grid.month
