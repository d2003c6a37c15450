-- Births per township per month of one year, with 0 where a township has no records that month,
-- so that gaps in an import stand out. Townships known only from the births (no shape) are included.
-- Grain: one row per township per month, months up to the extract's last month. Params: $year.
-- $region (varchar or null): a county, city or province code; null = the whole extract.
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
        c.township_code,
        coalesce(t.township_name, c.township_code) as township_name,
        coalesce(t.township_name_en, t.township_name, c.township_code) as township_name_en,
        m.month
    from codes as c
    left join townships as t on c.township_code = t.township_code
    cross join months as m
    cross join last_month as l
    where m.month <= l.last_month
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
    g.township_code,
    g.township_name,
    g.township_name_en,
    month(g.month)::integer as month_number,
    coalesce(c.births, 0)::bigint as births
from grid as g
left join counts as c on g.township_code = c.township_code and g.month = c.month
order by g.township_code, g.month
