-- data_alerts_inputs: every township-month of $region from the township's first month with births to the extract's
--   last month (0 where nothing was recorded), with the pooled seasonal factor of its calendar month.
-- Grain: one row per township per month, ordered by township and month.
-- Params: $region (varchar or null: a county, city or province code; null = the whole extract).
-- Notes: the seasonal factor has mean 1 over the year: the median share over the complete township-years.
--   natality/births/alerts.py adds what the neighbouring months make plausible (a rolling median in polars: DuckDB's
--   windowed median and sums took seconds at 2,000 townships).
with
bounds as (
    select
        min(month) as first_month,
        max(month) as last_month
    from births_monthly
),

monthly as (
    select
        township_code,
        month,
        sum(births)::bigint as births,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births(null, $region::varchar)
    group by township_code, month
),

starts as (
    select
        township_code,
        min(month) as first_month
    from monthly
    group by township_code
),

months as (
    select unnest(generate_series(bounds.first_month, bounds.last_month, interval 1 month))::date as month
    from bounds
),

complete_years as (
    select year(month) as year
    from births_monthly
    group by year(month)
    having count(distinct month(month)) = 12
),

-- each calendar month's share of its township-year, the median over township-years (a typed
-- 214 in one township-year does not move it), rescaled to a mean of 1 over the year
year_shares as (
    select
        month(monthly.month)::integer as month_number,
        monthly.births / sum(monthly.births) over (partition by monthly.township_code, year(monthly.month)) as share
    from monthly
    where year(monthly.month) in (select complete_years.year from complete_years)
),

median_shares as (
    select
        month_number,
        median(share) as share
    from year_shares
    group by month_number
),

season as (
    select
        month_number,
        12.0 * share / sum(share) over () as factor
    from median_shares
),

grid as (
    select
        starts.township_code,
        months.month,
        coalesce(monthly.births, 0)::bigint as births,
        coalesce(monthly.boys, 0)::bigint as boys,
        coalesce(monthly.girls, 0)::bigint as girls,
        coalesce(season.factor, 1.0) as factor
    from starts
    inner join months on starts.first_month <= months.month
    left join monthly on starts.township_code = monthly.township_code and months.month = monthly.month
    left join season on season.month_number = month(months.month)
)

select
    grid.township_code,
    coalesce(townships.township_name, grid.township_code) as township_name,
    coalesce(townships.township_name_en, townships.township_name, grid.township_code) as township_name_en,
    grid.month,
    grid.births,
    grid.boys,
    grid.girls,
    grid.factor
from grid
left join townships on grid.township_code = townships.township_code
order by grid.township_code, grid.month
